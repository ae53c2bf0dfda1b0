"""Vietnamese texts (HTML parse mode: escape user- and panel-supplied values before inserting)."""

TEXTS: dict[str, str] = {
    "start": (
        "👋 Xin chào {name}!\n\n"
        "Mình là bot Telegram của panel SMM. Tại đây bạn có thể xem danh sách dịch vụ, "
        "đặt đơn, theo dõi trạng thái đơn, yêu cầu bảo hành (refill) và nhận thông báo "
        "khi đơn hoàn thành.\n\n"
        "Gửi /help để xem tất cả các lệnh."
    ),
    "help": (
        "<b>Các lệnh của bot</b>\n\n"
        "<b>Xem và đặt dịch vụ</b>\n"
        "/services — danh mục dịch vụ\n"
        "/search <i>từ khóa</i> — tìm dịch vụ (hoặc gửi từ khóa trực tiếp)\n"
        "/order — đặt đơn (hoặc /order <i>ID dịch vụ</i>)\n"
        "/cancel — thoát biểu mẫu đặt đơn\n\n"
        "<b>Đơn của bạn</b>\n"
        "/orders — danh sách đơn và trạng thái\n"
        "/status <i>mã đơn</i> — trạng thái trực tiếp (nhiều mã được)\n"
        "/refill <i>mã đơn</i> — yêu cầu bảo hành · /refills — các lần bảo hành\n\n"
        "<b>Khác</b>\n"
        "/balance — số dư tài khoản panel\n"
        "/language — English / Tiếng Việt\n"
        "/start — lời chào · /help — danh sách này\n\n"
        "Giá tính theo 1000 đơn vị, bằng đơn vị tiền của panel. Trong bất kỳ cuộc trò chuyện nào, gõ "
        "<code>@{bot}</code> và từ khóa để chia sẻ dịch vụ."
    ),
    "balance": "💰 Số dư panel: <b>{amount}</b>",
    "panel_unavailable": ("⚠️ Panel hiện không phản hồi. Chưa có gì thay đổi — vui lòng thử lại sau ít phút."),
    "panel_outcome_unknown": (
        "⚠️ Panel không phản hồi kịp nên chưa rõ yêu cầu của bạn đã được thực hiện hay chưa. "
        "Vui lòng kiểm tra /orders hoặc /refills sau một phút trước khi thử lại."
    ),
    "panel_error": "⚠️ Panel báo: {message}",
    "error_generic": "😕 Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại.",
    "cmd_start": "Lời chào và giới thiệu bot",
    "cmd_help": "Tất cả các lệnh của bot",
    "cmd_services": "Xem danh mục dịch vụ",
    "cmd_search": "Tìm dịch vụ",
    "cmd_order": "Đặt đơn",
    "cmd_orders": "Đơn của tôi",
    "cmd_status": "Trạng thái đơn",
    "cmd_refill": "Yêu cầu bảo hành",
    "cmd_refills": "Các lần bảo hành",
    "cmd_language": "Đổi ngôn ngữ",
    "cmd_cancel": "Thoát biểu mẫu đặt đơn",
    "cmd_balance": "Số dư tài khoản panel",
    # shared navigation
    "nav_prev": "‹ Trước",
    "nav_next": "Sau ›",
    "nav_back": "‹ Quay lại",
    "stale_button": "Nút này không còn hiệu lực. Gửi /start để bắt đầu lại.",
    # --- order wizard ---
    "wizard_ask_service": (
        "🛒 Bạn muốn đặt dịch vụ nào? Gửi ID dịch vụ (ví dụ <code>123</code>), "
        "hoặc xem /services rồi bấm 🛒 Đặt đơn.\n/cancel để dừng."
    ),
    "wizard_service_id_invalid": "Vui lòng gửi ID dịch vụ — một số như <code>123</code>. /cancel để dừng.",
    "wizard_service_not_found": ("Không có dịch vụ nào có ID {service_id}. Gửi ID khác hoặc xem /services."),
    "wizard_type_unsupported": (
        "Loại dịch vụ này ({type}) cần thông tin không nhập được qua chat. "
        "Vui lòng đặt trên website của panel."
    ),
    "wizard_ask_link": (
        "🛒 <b>{name}</b> (#{id})\n"
        "Giá: {price} · tối thiểu {min} · tối đa {max}\n\n"
        "Gửi <b>link</b> cần tăng (URL dạng https://… hoặc @username).\n/cancel để dừng."
    ),
    "wizard_link_invalid": (
        "Đây không giống một link. Hãy gửi URL đầy đủ như "
        "<code>https://facebook.com/…</code> hoặc một @username."
    ),
    "wizard_ask_quantity": "Số lượng bao nhiêu? Gửi một số nguyên từ <b>{min}</b> đến <b>{max}</b>.",
    "wizard_quantity_invalid": (
        "Vui lòng gửi một số nguyên từ <b>{min}</b> đến <b>{max}</b> (không có phần thập phân)."
    ),
    "wizard_ask_comments": "Gửi các bình luận, <b>mỗi dòng một bình luận</b> (từ {min} đến {max} dòng).",
    "wizard_comments_count": (
        "Bạn đã gửi {count} bình luận; dịch vụ này cần từ {min} đến {max}, mỗi dòng một. Vui lòng gửi lại."
    ),
    "wizard_comments_too_long": "Mỗi bình luận tối đa {limit} ký tự. Vui lòng gửi lại.",
    "wizard_ask_runs": (
        "Dịch vụ này hỗ trợ <b>chạy nhỏ giọt</b> (drip-feed): chia số lượng thành nhiều lần. "
        "Bao nhiêu lần chạy? Gửi số từ 2 đến {max}, hoặc bấm Bỏ qua để chạy một lần."
    ),
    "wizard_runs_invalid": "Vui lòng gửi số lần chạy từ 2 đến {max}, hoặc bấm Bỏ qua.",
    "wizard_ask_interval": "Cách nhau bao nhiêu phút giữa các lần chạy? (1 đến {max})",
    "wizard_interval_invalid": "Vui lòng gửi số phút là số nguyên từ 1 đến {max}.",
    # -- every service type (issue 12): intro, one question, one refusal, one summary label per parameter
    "wizard_intro": "🛒 <b>{name}</b> (#{id})\nGiá: {price} · tối thiểu {min} · tối đa {max}\n/cancel để dừng.",
    "wizard_ask_usernames": "Gửi các <b>username</b>, mỗi dòng một ({min} đến {max}), ví dụ <code>@name</code>.",
    "wizard_ask_hashtags": "Gửi các <b>hashtag</b>, mỗi dòng một ({min} đến {max}), ví dụ <code>#dulich</code>.",
    "wizard_ask_hashtag": "Gửi <b>hashtag</b> để lấy tài khoản, ví dụ <code>#dulich</code>.",
    "wizard_ask_username": "Gửi <b>username</b>, ví dụ <code>@name</code>.",
    "wizard_ask_media": "Gửi <b>link bài viết</b> (URL dạng https://…) có người thích cần nhắc đến.",
    "wizard_ask_answer_number": "Bình chọn cho <b>đáp án</b> số mấy? Gửi số thứ tự ({min} đến {max}).",
    "wizard_ask_groups": "Gửi các <b>nhóm</b> để mời, mỗi dòng một (tối đa {max}).",
    "wizard_ask_min": "Số lượng <b>tối thiểu</b> cho mỗi bài mới? Gửi số nguyên từ {min} đến {max}.",
    "wizard_ask_max": "Số lượng <b>tối đa</b> cho mỗi bài mới? Gửi số nguyên từ {min} đến {max}.",
    "wizard_ask_posts": "Cho bao nhiêu <b>bài mới</b>? Gửi số nguyên từ {min} đến {max}.",
    "wizard_ask_old_posts": "Thêm bao nhiêu <b>bài cũ</b>? Gửi số nguyên từ {min} đến {max} (0 nếu không).",
    "wizard_ask_delay": (
        "<b>Độ trễ</b> (phút) trước khi chạy mỗi bài? Một trong các giá trị: "
        "0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600."
    ),
    "wizard_ask_expiry": "Gói theo dõi <b>kết thúc</b> ngày nào? Gửi một ngày sau hôm nay dạng ngày/tháng/năm, ví dụ <code>31/12/2027</code>.",
    "wizard_lines_count": "Bạn đã gửi {count} dòng; cần từ {min} đến {max}, mỗi dòng một. Vui lòng gửi lại.",
    "wizard_usernames_invalid": "Dòng {line} (<code>{value}</code>) không phải username. Gửi username dạng <code>@name</code>, mỗi dòng một.",
    "wizard_hashtags_invalid": "Dòng {line} (<code>{value}</code>) không phải hashtag. Gửi hashtag dạng <code>#dulich</code>, mỗi dòng một.",
    "wizard_hashtag_invalid": "Vui lòng gửi một hashtag, như <code>#dulich</code> (chỉ chữ, số và _).",
    "wizard_username_invalid": "Vui lòng gửi một username, như <code>@name</code> (chỉ chữ, số, _ và .).",
    "wizard_media_invalid": "Vui lòng gửi link bài viết đầy đủ, như <code>https://instagram.com/p/…</code>.",
    "wizard_answer_number_invalid": "Vui lòng gửi số thứ tự đáp án: số nguyên từ {min} đến {max}.",
    "wizard_groups_invalid": "Mỗi nhóm tối đa {limit} ký tự, mỗi dòng một. Vui lòng gửi lại.",
    "wizard_sub_min_invalid": "Vui lòng gửi số tối thiểu là số nguyên từ {min} đến {max}.",
    "wizard_sub_max_invalid": "Vui lòng gửi số tối đa là số nguyên từ {min} (số tối thiểu của bạn) đến {max}.",
    "wizard_posts_invalid": "Vui lòng gửi số bài là số nguyên từ {min} đến {max}.",
    "wizard_old_posts_invalid": "Vui lòng gửi số bài cũ là số nguyên từ {min} đến {max} (0 nếu không).",
    "wizard_delay_invalid": "Độ trễ phải là một trong các số phút sau: {allowed}.",
    "wizard_expiry_invalid": "Vui lòng gửi một ngày sau hôm nay dạng ngày/tháng/năm, ví dụ <code>31/12/2027</code>.",
    "wizard_summary_field": "{label}: {value}\n",
    "wizard_summary_unknown_type": (
        "ℹ️ Loại dịch vụ “{type}” của panel được đặt chỉ với link và số lượng; "
        "hãy xem mô tả dịch vụ nếu cần thêm thông tin.\n"
    ),
    "wizard_label_comments": "Bình luận",
    "wizard_label_usernames": "Username",
    "wizard_label_hashtags": "Hashtag",
    "wizard_label_hashtag": "Hashtag",
    "wizard_label_username": "Username",
    "wizard_label_media": "Bài viết",
    "wizard_label_answer_number": "Đáp án số",
    "wizard_label_groups": "Nhóm",
    "wizard_label_min": "Tối thiểu mỗi bài",
    "wizard_label_max": "Tối đa mỗi bài",
    "wizard_label_posts": "Bài mới",
    "wizard_label_old_posts": "Bài cũ",
    "wizard_label_delay": "Độ trễ (phút)",
    "wizard_label_expiry": "Kết thúc ngày",
    # -- end of issue 12 block
    "wizard_summary": (
        "<b>Xác nhận đơn hàng</b>\n"
        "Dịch vụ: {name} (#{id})\n"
        "Link: {link}\n"
        "Số lượng: {quantity}\n"
        "{drip}"
        "Giá: {price}\n"
        "<b>Tổng tiền: {total}</b>\n\n"
        "Đặt đơn này?"
    ),
    "wizard_summary_drip": "Nhỏ giọt: {runs} lần × {quantity}, mỗi {interval} phút\n",
    "wizard_btn_confirm": "✅ Xác nhận",
    "wizard_btn_cancel": "✖ Hủy",
    "wizard_btn_skip": "Bỏ qua ›",
    "wizard_btn_status": "🔄 Trạng thái",
    "wizard_btn_again": "🛒 Đặt lại",
    "wizard_tap_buttons": "Vui lòng bấm ✅ Xác nhận hoặc ✖ Hủy bên dưới, hoặc gửi /cancel.",
    "wizard_placing": "⏳ Đang đặt đơn…",
    "wizard_placed": (
        "✅ <b>Đặt đơn thành công!</b>\n"
        "Mã đơn: <b>{order_id}</b>\n"
        "{name}\n"
        "Link: {link}\n"
        "Số lượng: {quantity}\n"
        "Số tiền: {total}\n\n"
        "Theo dõi đơn bằng /orders."
    ),
    "wizard_failed": "❌ Panel từ chối đơn: {message}\nBạn chưa bị trừ tiền.",
    "wizard_failed_unavailable": (
        "❌ Không kết nối được panel nên đơn chưa được đặt và bạn chưa bị trừ tiền. "
        "Vui lòng thử lại sau ít phút."
    ),
    "wizard_unknown": (
        "⚠️ Panel chưa xác nhận đơn kịp thời. Đơn có thể đã hoặc chưa được tạo — "
        "vui lòng <b>chưa đặt lại</b>. Admin của bot sẽ kiểm tra với panel và bạn sẽ nhận tin nhắn tại đây "
        "ngay khi có kết quả.\n\n"
        "{name}\nLink: {link}\nSố lượng: {quantity}\nSố tiền: {total}"
    ),
    "wizard_already_placed": "Đơn này đã được đặt rồi (mã đơn {order_id}).",
    "wizard_price_changed": "⚠️ Giá đã thay đổi so với lúc xác nhận. Vui lòng xem lại tổng tiền mới.",
    "wizard_cancelled": "Đã hủy. Không có đơn nào được đặt.",
    "wizard_nothing_to_cancel": "Không có gì để hủy. Gửi /order để bắt đầu đặt đơn.",
    "wizard_timeout": "⌛ Biểu mẫu đặt đơn đã đóng vì lâu không có trả lời. Gửi /order để bắt đầu lại.",
    # --- catalog & search ---
    "cat_title": (
        "📂 <b>Danh mục dịch vụ</b>\nSố danh mục: {categories} · số dịch vụ: {services}\nChọn một danh mục:"
    ),
    "cat_empty": "Panel hiện chưa có dịch vụ nào. Vui lòng thử lại sau.",
    "cat_category": "📂 <b>{category}</b>\nSố dịch vụ: {count}\nChọn một dịch vụ:",
    "cat_card": (
        "<b>{name}</b>\n\n"
        "ID: <code>{id}</code>\n"
        "Danh mục: {category}\n"
        "Loại: {type}\n"
        "Giá: <b>{price}</b>\n"
        "Tối thiểu: {min} · Tối đa: {max}\n"
        "Bảo hành (refill): {refill}\n"
        "Huỷ đơn: {cancel}"
    ),
    "cat_price_per_1000": "{amount} / 1000",
    "cat_price_per_package": "{amount} / gói",
    "cat_button_per_1000": "{amount}/1000",
    "cat_button_per_package": "{amount}/gói",
    "cat_yes": "✅ có",
    "cat_no": "❌ không",
    "cat_order": "🛒 Đặt đơn",
    "search_hint": (
        "🔎 Gửi <code>/search</code> kèm từ khoá cần tìm, ví dụ "
        "<code>/search tang like</code>, hoặc gõ thẳng từ khoá vào đây. "
        "Gõ có dấu hay không dấu đều được, tìm theo ID dịch vụ cũng được."
    ),
    "search_results": "🔎 Kết quả cho “{query}”: <b>{count}</b>",
    "search_none": (
        "😕 Không tìm thấy dịch vụ nào cho “{query}”. Hãy thử từ khoá khác hoặc ít từ hơn "
        "(không cần gõ dấu), nhập ID dịch vụ, hoặc xem /services."
    ),
    "search_inline_description": "{price} · {min}–{max}",
    # --- orders & refills ---
    "orders_title": "📦 <b>Đơn hàng của bạn</b> ({total}), mới nhất trước. Chạm vào một đơn để xem chi tiết.",
    "orders_empty": (
        "📦 Bạn chưa có đơn hàng nào.\n\nXem các dịch vụ với /services và đặt đơn đầu tiên nhé."
    ),
    "orders_line": "{icon} <b>{number}</b> · {service}\n      {quantity} · {charge} · {date}",
    "orders_unknown_line": (
        "❓ <b>chưa rõ — hãy kiểm tra trên panel</b> · {service}\n      {quantity} · {link} · {date}"
    ),
    "orders_unknown": "chưa rõ — hãy kiểm tra trên panel",
    "orders_card": (
        "📦 <b>Đơn {number}</b>\n\n"
        "Dịch vụ: {service}\n"
        "Link: {link}\n"
        "Số lượng: {quantity}\n"
        "Thành tiền: {charge}\n"
        "Trạng thái: {status}\n"
        "Số ban đầu: {start_count}\n"
        "Còn lại: {remains}\n"
        "Ngày tạo: {date}"
    ),
    "orders_card_unknown_note": (
        "⚠️ Kết nối bị gián đoạn khi đang đặt đơn này nên chưa biết panel đã nhận đơn hay chưa. "
        "Admin của bot đang kiểm tra; bạn sẽ nhận tin nhắn tại đây khi có kết quả."
    ),
    "orders_card_failed_note": "Panel đã từ chối đơn này: {error}. Bạn không bị trừ tiền.",
    "orders_btn_refresh": "🔄 Cập nhật",
    "orders_btn_refill": "♻️ Bảo hành",
    "orders_btn_cancel": "✖ Huỷ đơn",
    "orders_btn_cancel_yes": "✖ Đồng ý huỷ",
    "orders_btn_refills": "♻️ Bảo hành của tôi",
    "orders_btn_orders": "📦 Đơn của tôi",
    "orders_cancel_confirm": (
        "Huỷ đơn <b>{number}</b>?\n{service}\n\nPanel sẽ hoàn lại tiền phần chưa chạy."
    ),
    "orders_refreshed": "Trạng thái: {status}",
    "orders_canceled": "Đã huỷ đơn.",
    "orders_not_found": "Không tìm thấy đơn hàng.",
    "orders_not_placed": "Panel chưa xác nhận đơn này nên không thể thao tác tại đây.",
    "orders_cancel_not_supported": "Dịch vụ này không hỗ trợ huỷ đơn.",
    "orders_cancel_final": "Đơn đã kết thúc nên không thể huỷ.",
    "refill_usage": (
        "♻️ Gửi /refill kèm mã đơn, ví dụ <code>/refill 100001</code>.\nMã đơn của bạn có trong /orders."
    ),
    "refill_requested": (
        "♻️ Đã gửi yêu cầu bảo hành cho đơn <b>#{order}</b>.\nMã bảo hành: <b>{refill}</b>\n\n"
        "Theo dõi với /refills."
    ),
    "refill_not_supported": "Dịch vụ này không có bảo hành (refill).",
    "refill_not_completed": "Chỉ có thể bảo hành đơn đã hoàn thành.",
    "refill_list_title": "♻️ <b>Yêu cầu bảo hành của bạn</b> ({total}), mới nhất trước.",
    "refill_list_empty": (
        "♻️ Bạn chưa có yêu cầu bảo hành nào.\n\nMở một đơn đã hoàn thành trong /orders rồi chạm "
        "♻️ Bảo hành, hoặc gửi /refill kèm mã đơn."
    ),
    "refill_line": "{icon} <b>Bảo hành {refill}</b> · đơn #{order}\n      {status} · {date}",
    "status_usage": (
        "📊 Gửi /status kèm một hoặc nhiều mã đơn, ví dụ <code>/status 100001</code> hoặc "
        "<code>/status 100001, 100002</code>.\nMã đơn của bạn có trong /orders."
    ),
    "status_too_many": "📊 Mỗi lần tối đa {max} mã đơn thôi nhé.",
    "status_title": "📊 <b>Trạng thái đơn hàng</b>",
    "status_line": "{icon} <b>#{order}</b> · {status} · còn lại {remains}\n      {service}",
    "status_not_found": "❔ <b>#{order}</b> · không tìm thấy",
    "status_panel_error": "⚠️ <b>#{order}</b> · panel báo: {message}",
    "status_pending": "Đang chờ",
    "status_in_progress": "Đang chạy",
    "status_processing": "Đang xử lý",
    "status_completed": "Hoàn thành",
    "status_partial": "Hoàn thành một phần",
    "status_canceled": "Đã huỷ",
    "status_failed": "Thất bại",
    "status_rejected": "Bị từ chối",
    "status_error": "Lỗi",
    "status_unknown": "Chưa rõ",
    # --- statuses said as they are, panel refusals in plain words (issue 12) ---
    "status_refunded": "Đã hoàn tiền",
    "notify_refunded": "↩️ Đơn <b>{order_id}</b> đã được panel hoàn tiền.\n{name}\nLink: {link}",
    "cat_unknown": "❔ không ghi rõ (panel sẽ quyết định)",
    "panel_refused": "⚠️ {message}",
    "refusal_shop_unavailable": "Cửa hàng tạm thời chưa nhận đơn. Vui lòng thử lại sau.",
    "refusal_link_busy": (
        "Bạn đang có một đơn chạy trên link này. Hãy đợi đơn hiện tại trên link này hoàn thành "
        "rồi đặt lại."
    ),
    "refusal_below_minimum": (
        "Số lượng thấp hơn mức tối thiểu của dịch vụ. Hãy đặt ít nhất bằng mức tối thiểu ghi trên dịch vụ."
    ),
    "refusal_above_maximum": (
        "Số lượng vượt mức tối đa của dịch vụ. Hãy đặt không quá mức tối đa ghi trên dịch vụ, "
        "hoặc chia thành nhiều đơn."
    ),
    "refusal_bad_link": (
        "Panel không dùng được link này. Hãy kiểm tra đó là link công khai, đầy đủ và đúng loại "
        "(bài viết, trang cá nhân, video…) rồi đặt lại."
    ),
    "refusal_no_such_service": "Dịch vụ này không còn nữa. Vui lòng chọn dịch vụ khác trong /services.",
    "refusal_no_such_order": "Panel không tìm thấy mã đơn này. Hãy kiểm tra mã đơn trong /orders.",
    "refusal_refill_running": (
        "Đơn này đang có một yêu cầu bảo hành chưa xong. Hãy đợi nó hoàn thành (xem /refills) rồi yêu cầu lại."
    ),
    # --- notifications ---
    "notify_started": "🔄 Đơn <b>{order_id}</b> đã bắt đầu chạy.\n{name}\nLink: {link}\nSố lượng: {quantity}",
    "notify_completed": "✅ Đơn <b>{order_id}</b> đã hoàn thành!\n{name}\nLink: {link}\nSố lượng: {quantity}\nSố tiền: {charge}",
    "notify_partial": (
        "◐ Đơn <b>{order_id}</b> hoàn thành một phần: đã chạy {delivered}/{quantity}, "
        "<b>còn thiếu {remains}</b>.\n{name}\nLink: {link}\nSố tiền cuối: {charge}"
    ),
    "notify_canceled": "✖ Đơn <b>{order_id}</b> đã bị panel hủy.\n{name}\nLink: {link}",
    "notify_refill_completed": "♻️ Bảo hành <b>{refill_id}</b> của đơn {order_id} đã hoàn thành.\n{name}\nLink: {link}",
    "notify_refill_rejected": "♻️ Bảo hành <b>{refill_id}</b> của đơn {order_id} đã bị panel từ chối.\n{name}\nLink: {link}",
    "notify_btn_refill": "♻️ Bảo hành",
    "notify_btn_details": "📄 Chi tiết",
    "alert_low_balance": "⚠️ Số dư panel thấp: <b>{amount}</b> (ngưỡng cảnh báo {threshold}). Hãy nạp thêm để đơn không bị gián đoạn.",
    "alert_panel_down": "🚨 Panel đã không phản hồi {minutes} phút. Không thể đặt hoặc theo dõi đơn cho đến khi panel hoạt động lại.",
    "alert_unknown_orders": "❓ {count} đơn chưa rõ kết quả đang chờ bạn xử lý: /unknown",
    "alert_panel_back": "✅ Panel đã hoạt động trở lại; việc theo dõi đơn đã tiếp tục.",
    # --- request format (issue 12): the panel refuses the API key in every body format ---
    "alert_key_refused": "🔑 Panel từ chối API key của bot nên không thể đặt đơn; người dùng được báo thử lại sau. Hãy kiểm tra <code>SMM_API_KEY</code> với key trên trang API của panel (và để <code>SMM_API_FORMAT</code> là auto), rồi khởi động lại bot.",
    # --- access & admin ---
    "access_refused": "🔒 Bot này là bot riêng. Để sử dụng, hãy nhờ chủ bot thêm ID Telegram của bạn: <code>{user_id}</code>",
    "access_claimed_admin": (
        "👑 Bạn là admin của bot này: bạn là người đầu tiên /start và chưa có ADMIN_IDS (panel demo). "
        "Để giữ quyền lâu dài, hãy đặt <code>{user_id}</code> vào ADMIN_IDS. /help liệt kê các lệnh của bạn."
    ),
    "access_refused_unconfigured": (
        "🔒 Bot này là bot riêng và hiện chưa ai được dùng.\n"
        "Nếu bạn là chủ bot: đặt ID <code>{user_id}</code> của bạn vào ADMIN_IDS (trong file .env mà bot đọc, "
        "ở thư mục bạn chạy bot), rồi khởi động lại bot."
    ),
    "unknown_command": "🤔 Mình không biết lệnh này. /help liệt kê mọi việc mình làm được.",
    "access_refused_short": "🔒 Bot riêng. Hãy nhờ chủ bot thêm ID {user_id}.",
    "slow_down": "⏳ Chậm lại một chút nhé: mình vẫn đang xử lý các tin nhắn trước của bạn. Hãy gửi tiếp khi mình đã trả lời.",
    "access_inline_button": "🔒 Bot riêng — xin quyền từ chủ bot",
    "group_private_only": "👋 Mình chỉ hoạt động trong chat riêng để giữ kín đơn hàng và số dư. Bấm bên dưới để nhắn riêng với mình.",
    "group_private_only_short": "Mình chỉ hoạt động trong chat riêng.",
    "group_open_private": "💬 Mở chat riêng",
    "admin_only": "Lệnh này chỉ dành cho quản trị viên của bot.",
    "admin_text": "{text}",
    "admin_allow_usage": "Cách dùng: <code>/allow 123456789</code> (ID người dùng Telegram).",
    "admin_deny_usage": "Cách dùng: <code>/deny 123456789</code> (ID người dùng Telegram).",
    "admin_allowed": "✅ <code>{user_id}</code> đã được phép dùng bot.",
    "admin_denied": "⛔ <code>{user_id}</code> không còn được dùng bot.",
    "admin_deny_admin": "<code>{user_id}</code> là quản trị viên (ADMIN_IDS), không thể chặn ở đây.",
    "admin_users_header": "<b>Người dùng</b> ({count}) — ID · số đơn · chi tiêu",
    "admin_more": "…và {count} người khác.",
    "admin_stats_1d": "<b>Hôm nay</b>: {orders} đơn · {charge}",
    "admin_stats_7d": "<b>7 ngày qua</b>: {orders} đơn · {charge}",
    "admin_stats_30d": "<b>30 ngày qua</b>: {orders} đơn · {charge}",
    "admin_stats_users": "Người dùng nhiều nhất:",
    "admin_stats_services": "Dịch vụ nhiều nhất:",
    "admin_refreshed": "🔄 Đã tải lại danh mục: {services} dịch vụ trong {categories} nhóm.",
    "cmd_users": "Admin: người dùng, số đơn, chi tiêu",
    "cmd_stats": "Admin: thống kê đơn hàng",
    "cmd_allow": "Admin: cho phép một ID",
    "cmd_deny": "Admin: chặn một ID",
    "cmd_refresh": "Admin: tải lại danh mục ngay",
    "wizard_over_max_charge": "Đơn này có giá {total}, vượt hạn mức {limit} mỗi đơn. Vui lòng đặt ít hơn, hoặc /cancel.",
    "wizard_over_daily_limit": "Đơn này có giá {total}, nhưng trong 24 giờ bạn chỉ còn được chi {left} (hạn mức {limit} mỗi ngày). Vui lòng đặt ít hơn, hoặc thử lại sau.",
    "recovered_unknown": (
        "⚠️ Bot đã khởi động lại trong lúc đặt đơn của bạn — đơn có thể đã hoặc chưa đến panel.\n"
        "{name}\nLink: {link}\nSố lượng: {quantity}\n\n"
        "Vui lòng <b>chưa đặt lại</b>: admin của bot sẽ kiểm tra với panel và bạn sẽ nhận tin nhắn tại đây "
        "ngay khi có kết quả."
    ),
    # --- language ---
    "language_choose": "Chọn ngôn ngữ:",
    "language_set": "✅ Đã chuyển sang Tiếng Việt.",
    "language_name": "🇻🇳 Tiếng Việt",
    # --- xử lý đơn chưa rõ kết quả (/unknown, admin) ---
    "cmd_unknown": "Admin: xử lý đơn chưa rõ kết quả",
    "unknown_none": "✅ Không có đơn nào chưa rõ kết quả.",
    "unknown_title": (
        "❓ <b>Đơn chưa rõ kết quả</b> ({count})\n"
        "Kiểm tra từng đơn trên trang của panel, rồi xử lý: gắn mã đơn trên panel, hoặc đánh dấu chưa đặt. "
        "Chủ đơn sẽ được báo trong cả hai trường hợp."
    ),
    "unknown_line": "<b>#{id}</b> · {user} · {date}\n{service}\n{link} · {quantity} · {charge}\n<i>{reason}</i>",
    "unknown_more": "…và {count} đơn nữa: hãy xử lý các đơn trên trước.",
    "unknown_btn_placed": "✅ #{id} đã đặt…",
    "unknown_btn_not_placed": "✖ #{id} chưa đặt",
    "unknown_btn_yes_not_placed": "✖ Đúng, chưa đặt",
    "unknown_btn_back": "‹ Về danh sách",
    "unknown_usage": (
        "<code>/unknown</code> liệt kê các đơn; <code>/unknown 12 98765</code> gắn đơn panel 98765 cho #12; "
        "<code>/unknown 12 no</code> đánh dấu #12 chưa đặt."
    ),
    "unknown_ask_panel_id": "Gửi mã đơn trên panel của <b>#{id}</b> ({service}, {link}), hoặc /cancel.",
    "unknown_panel_id_invalid": "Đó không phải mã đơn. Gửi số mà panel hiển thị cho đơn này, hoặc /cancel.",
    "unknown_confirm_not_placed": (
        "Đánh dấu <b>#{id}</b> là <b>chưa đặt</b>? Chủ đơn sẽ được báo là chưa có gì được đặt và có thể đặt lại.\n\n"
        "{service}\n{link}"
    ),
    "unknown_settled_placed": "✅ #{id} giờ là đơn panel <b>{panel_id}</b> và được theo dõi; chủ đơn sẽ được báo.",
    "unknown_settled_not_placed": "✖ #{id} đã được đánh dấu chưa đặt; chủ đơn sẽ được báo.",
    "unknown_cancelled": "OK, không có gì thay đổi.",
    "settle_not_found": "Không có đơn #{order_id}.",
    "settle_already": "#{order_id} không còn ở trạng thái chưa rõ (đã được xử lý).",
    "settle_bad_panel_id": "Mã đơn panel này không hợp lệ.",
    "settle_panel_id_taken": "Đơn panel {panel_id} đã thuộc về đơn #{order_id}.",
    "settle_panel_unknown_id": "Panel không biết đơn {panel_id}: {message}",
    "settled_placed": (
        "✅ Tin vui: đơn của bạn đã được panel xác nhận với mã <b>#{order_id}</b>. "
        "Bạn sẽ được báo khi đơn hoàn thành.\n{name}\nLink: {link}\nSố lượng: {quantity}"
    ),
    "settled_not_placed": (
        "ℹ️ Đơn của bạn chưa đến được panel: đơn chưa được đặt và không bị trừ tiền. Bạn có thể đặt lại.\n"
        "{name}\nLink: {link}\nSố lượng: {quantity}"
    ),
}
