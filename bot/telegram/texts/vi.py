"""Vietnamese texts (HTML parse mode: escape user- and panel-supplied values before inserting)."""

TEXTS: dict[str, str] = {
    "start": (
        "👋 Xin chào {name}!\n\nMình là bot Telegram của panel SMM. Tại đây bạn có thể xem dịch vụ, đặt đơn, theo dõi tiến độ đơn, yêu cầu bảo hành và nhận thông báo ngay khi đơn hoàn thành.\n\nGửi /help để xem mọi việc mình làm được."
    ),
    "help": (
        "<b>Các lệnh của bot</b>\n\n<b>Xem và đặt dịch vụ</b>\n/services — danh mục theo nền tảng · /favorites — dịch vụ ⭐ của bạn\n/search <i>từ khóa</i> — tìm dịch vụ (hoặc gửi thẳng từ khóa cho mình)\n/order — đặt đơn (hoặc /order <i>ID dịch vụ</i>)\n/mass — đặt nhiều đơn cùng lúc, mỗi dòng một đơn: <code>dịch vụ | link | số lượng</code>\n/cancel — dừng đặt đơn\n\n<b>Đơn của bạn</b>\n/orders — danh sách đơn (/orders <i>mã đơn hoặc link</i> để tìm)\n/status <i>mã đơn</i> — trạng thái mới nhất (có thể gửi nhiều mã)\n/refill <i>mã đơn</i> — yêu cầu bảo hành · /refills — các yêu cầu bảo hành\n\n<b>Khác</b>\n/balance — số dư của bạn · /topup — nạp tiền · /wallet — lịch sử ví\n/language — English / Tiếng Việt\n/start — lời chào · /help — danh sách này\n\nGiá tính cho mỗi 1000 lượt. Ở bất kỳ cuộc trò chuyện nào, gõ <code>@{bot}</code> kèm từ khóa để chia sẻ dịch vụ."
    ),
    "balance": "💰 Số dư tài khoản panel: <b>{amount}</b>",
    "panel_unavailable": ("⚠️ Panel đang không phản hồi. Chưa có gì thay đổi — vui lòng thử lại sau ít phút."),
    "panel_outcome_unknown": (
        "⚠️ Panel không phản hồi kịp nên chưa rõ yêu cầu của bạn đã được thực hiện hay chưa. Vui lòng xem /orders hoặc /refills sau khoảng một phút rồi hãy thử lại."
    ),
    "panel_error": "⚠️ Panel báo lỗi: {message}",
    "error_generic": "😕 Xin lỗi, hệ thống bên mình vừa gặp sự cố. Vui lòng thử lại.",
    "cmd_start": "Lời chào và giới thiệu bot",
    "cmd_help": "Mọi lệnh của bot",
    "cmd_services": "Xem danh mục dịch vụ",
    "cmd_search": "Tìm dịch vụ",
    "cmd_order": "Đặt đơn",
    "cmd_orders": "Đơn của tôi",
    "cmd_status": "Xem trạng thái đơn",
    "cmd_refill": "Yêu cầu bảo hành",
    "cmd_refills": "Các yêu cầu bảo hành",
    "cmd_language": "Đổi ngôn ngữ",
    "cmd_cancel": "Dừng đặt đơn",
    "cmd_balance": "Số dư của bạn",
    # shared navigation
    "nav_prev": "‹ Trước",
    "nav_next": "Sau ›",
    "nav_back": "‹ Quay lại",
    "stale_button": "Nút này đã hết hiệu lực. Gửi /start để bắt đầu lại.",
    # --- order wizard ---
    "wizard_ask_service": (
        "🛒 Bạn muốn đặt dịch vụ nào? Gửi ID dịch vụ (ví dụ <code>123</code>), hoặc mở /services rồi bấm 🛒 Đặt đơn.\nGửi /cancel để dừng."
    ),
    "wizard_service_id_invalid": "Vui lòng gửi ID dịch vụ, là một số như <code>123</code>. Gửi /cancel để dừng.",
    "wizard_service_not_found": ("Không tìm thấy dịch vụ có ID {service_id}. Hãy gửi ID khác hoặc xem /services."),
    "wizard_type_unsupported": (
        "Loại dịch vụ này ({type}) cần những thông tin không thể nhập qua chat. Vui lòng đặt trực tiếp trên trang web của panel."
    ),
    "wizard_ask_link": (
        "🛒 <b>{name}</b> (#{id})\nGiá: {price} · tối thiểu {min} · tối đa {max}\n\nGửi <b>link</b> cần tăng tương tác (URL dạng https://… hoặc @username).\nGửi /cancel để dừng."
    ),
    "wizard_link_invalid": (
        "Link chưa hợp lệ. Hãy gửi URL đầy đủ, ví dụ <code>https://facebook.com/…</code>, hoặc một @username."
    ),
    "wizard_ask_quantity": "Số lượng bao nhiêu? Gửi một số nguyên từ <b>{min}</b> đến <b>{max}</b>.",
    "wizard_quantity_invalid": (
        "Vui lòng gửi một số nguyên từ <b>{min}</b> đến <b>{max}</b> (không dùng số thập phân)."
    ),
    "wizard_ask_comments": "Gửi nội dung bình luận, <b>mỗi dòng một bình luận</b> (từ {min} đến {max} dòng).",
    "wizard_comments_count": (
        "Bạn đã gửi {count} bình luận; dịch vụ này cần từ {min} đến {max} bình luận, mỗi dòng một bình luận. Vui lòng gửi lại."
    ),
    "wizard_comments_too_long": "Mỗi bình luận dài tối đa {limit} ký tự. Vui lòng gửi lại.",
    "wizard_ask_runs": (
        "Dịch vụ này hỗ trợ <b>chạy nhỏ giọt</b>: chia số lượng ra chạy thành nhiều lần. Bạn muốn chạy mấy lần? Gửi một số từ 2 đến {max}, hoặc bấm Bỏ qua để chạy một lần."
    ),
    "wizard_runs_invalid": "Vui lòng gửi số lần chạy từ 2 đến {max}, hoặc bấm Bỏ qua.",
    "wizard_ask_interval": "Mỗi lần chạy cách nhau bao nhiêu phút? (từ 1 đến {max})",
    "wizard_interval_invalid": "Vui lòng gửi số phút là số nguyên từ 1 đến {max}.",
    # -- every service type (issue 12): intro, one question, one refusal, one summary label per parameter
    "wizard_intro": "🛒 <b>{name}</b> (#{id})\nGiá: {price} · tối thiểu {min} · tối đa {max}\nGửi /cancel để dừng.",
    "wizard_ask_usernames": "Gửi danh sách <b>username</b>, mỗi dòng một username (từ {min} đến {max}), ví dụ <code>@name</code>.",
    "wizard_ask_hashtags": "Gửi danh sách <b>hashtag</b>, mỗi dòng một hashtag (từ {min} đến {max}), ví dụ <code>#dulich</code>.",
    "wizard_ask_hashtag": "Gửi <b>hashtag</b> dùng để tìm tài khoản, ví dụ <code>#dulich</code>.",
    "wizard_ask_username": "Gửi <b>username</b>, ví dụ <code>@name</code>.",
    "wizard_ask_media": "Gửi <b>link bài viết</b> (URL dạng https://…): những người đã thích bài viết này sẽ được nhắc tên.",
    "wizard_ask_answer_number": "Lượt bình chọn dành cho <b>đáp án</b> nào? Gửi số thứ tự của đáp án (từ {min} đến {max}).",
    "wizard_ask_groups": "Gửi các <b>nhóm</b> nguồn để mời thành viên, mỗi dòng một nhóm (tối đa {max}).",
    "wizard_ask_min": "Số lượng <b>tối thiểu</b> cho mỗi bài mới? Gửi số nguyên từ {min} đến {max}.",
    "wizard_ask_max": "Số lượng <b>tối đa</b> cho mỗi bài mới? Gửi số nguyên từ {min} đến {max}.",
    "wizard_ask_posts": "Áp dụng cho bao nhiêu <b>bài mới</b>? Gửi số nguyên từ {min} đến {max}.",
    "wizard_ask_old_posts": "Áp dụng thêm cho bao nhiêu <b>bài đã đăng</b>? Gửi số nguyên từ {min} đến {max} (gửi 0 nếu không cần).",
    "wizard_ask_delay": (
        "Chờ bao nhiêu phút (<b>độ trễ</b>) rồi mới bắt đầu chạy cho mỗi bài? Chọn một trong các giá trị: 0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600."
    ),
    "wizard_ask_expiry": "Gói sẽ <b>kết thúc</b> vào ngày nào? Gửi một ngày sau hôm nay theo dạng ngày/tháng/năm, ví dụ <code>31/12/2027</code>.",
    "wizard_lines_count": "Bạn đã gửi {count} dòng; cần từ {min} đến {max} dòng, mỗi dòng một mục. Vui lòng gửi lại.",
    "wizard_usernames_invalid": "Dòng {line} (<code>{value}</code>) không phải là username. Hãy gửi username dạng <code>@name</code>, mỗi dòng một username.",
    "wizard_hashtags_invalid": "Dòng {line} (<code>{value}</code>) không phải là hashtag. Hãy gửi hashtag dạng <code>#dulich</code>, mỗi dòng một hashtag.",
    "wizard_hashtag_invalid": "Vui lòng gửi một hashtag, ví dụ <code>#dulich</code> (chỉ gồm chữ, số và _).",
    "wizard_username_invalid": "Vui lòng gửi một username, ví dụ <code>@name</code> (chỉ gồm chữ, số, _ và .).",
    "wizard_media_invalid": "Vui lòng gửi link đầy đủ của bài viết, ví dụ <code>https://instagram.com/p/…</code>.",
    "wizard_answer_number_invalid": "Vui lòng gửi số thứ tự đáp án: số nguyên từ {min} đến {max}.",
    "wizard_groups_invalid": "Mỗi nhóm dài tối đa {limit} ký tự, mỗi dòng một nhóm. Vui lòng gửi lại.",
    "wizard_sub_min_invalid": "Số lượng tối thiểu phải là số nguyên từ {min} đến {max}. Vui lòng gửi lại.",
    "wizard_sub_max_invalid": "Số lượng tối đa phải là số nguyên từ {min} (mức tối thiểu bạn đã chọn) đến {max}. Vui lòng gửi lại.",
    "wizard_posts_invalid": "Số bài phải là số nguyên từ {min} đến {max}. Vui lòng gửi lại.",
    "wizard_old_posts_invalid": "Số bài đã đăng phải là số nguyên từ {min} đến {max} (0 nếu không cần). Vui lòng gửi lại.",
    "wizard_delay_invalid": "Độ trễ phải là một trong các số phút sau: {allowed}.",
    "wizard_expiry_invalid": "Vui lòng gửi một ngày sau hôm nay theo dạng ngày/tháng/năm, ví dụ <code>31/12/2027</code>.",
    "wizard_summary_field": "{label}: {value}\n",
    "wizard_summary_unknown_type": (
        "ℹ️ Với loại dịch vụ “{type}” của panel, bot chỉ gửi link và số lượng; nếu dịch vụ cần thêm thông tin, hãy xem phần mô tả dịch vụ.\n"
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
    "wizard_label_old_posts": "Bài đã đăng",
    "wizard_label_delay": "Độ trễ (phút)",
    "wizard_label_expiry": "Ngày kết thúc",
    # -- end of issue 12 block
    "wizard_summary": (
        "<b>Xác nhận đơn hàng</b>\nDịch vụ: {name} (#{id})\nLink: {link}\nSố lượng: {quantity}\n{drip}Giá: {price}\n<b>Tổng tiền: {total}</b>\n\nBạn có muốn đặt đơn này không?"
    ),
    "wizard_summary_drip": "Chạy nhỏ giọt: {runs} lần × {quantity}, cách nhau {interval} phút\n",
    "wizard_btn_confirm": "✅ Xác nhận",
    "wizard_btn_cancel": "✖ Hủy",
    "wizard_btn_skip": "Bỏ qua ›",
    "wizard_btn_status": "🔄 Trạng thái",
    "wizard_btn_again": "🛒 Đặt lại",
    "wizard_tap_buttons": "Vui lòng bấm ✅ Xác nhận hoặc ✖ Hủy bên dưới, hoặc gửi /cancel.",
    "wizard_placing": "⏳ Đang đặt đơn…",
    "wizard_placed": (
        "✅ <b>Đặt đơn thành công!</b>\nMã đơn: <b>{order_id}</b>\n{name}\nLink: {link}\nSố lượng: {quantity}\nThành tiền: {total}\n\nTheo dõi đơn trong /orders."
    ),
    "wizard_failed": "❌ Panel đã từ chối đơn: {message}\nBạn chưa bị trừ tiền.",
    "wizard_failed_unavailable": (
        "❌ Không kết nối được panel nên đơn chưa được đặt và bạn chưa bị trừ tiền. "
        "Vui lòng thử lại sau ít phút."
    ),
    "wizard_unknown": (
        "⚠️ Panel không xác nhận đơn kịp thời nên chưa rõ đơn đã được tạo hay chưa — vui lòng <b>đừng đặt lại vội</b>. Quản trị viên sẽ đối chiếu với panel và nhắn cho bạn tại đây ngay khi có kết quả.\n\n{name}\nLink: {link}\nSố lượng: {quantity}\nThành tiền: {total}"
    ),
    "wizard_already_placed": "Đơn này đã được đặt rồi (mã đơn {order_id}).",
    "wizard_price_changed": "⚠️ Giá đã thay đổi kể từ lúc bạn xem tóm tắt. Vui lòng kiểm tra lại tổng tiền mới.",
    "wizard_cancelled": "Đã hủy. Không có đơn nào được đặt.",
    "wizard_nothing_to_cancel": "Không có gì để hủy. Gửi /order để bắt đầu đặt đơn.",
    "wizard_timeout": "⌛ Phiên đặt đơn đã kết thúc vì lâu không thấy bạn trả lời. Gửi /order để bắt đầu lại.",
    # -- issue 13: the wizard's Back, Edit, quick quantities and precise quantity errors
    "wizard_quantity_below": (
        "Số lượng <b>{value}</b> thấp hơn mức tối thiểu <b>{min}</b>. "
        "Vui lòng gửi một số nguyên từ <b>{min}</b> đến <b>{max}</b>."
    ),
    "wizard_quantity_above": (
        "Số lượng <b>{value}</b> vượt quá mức tối đa <b>{max}</b>. "
        "Vui lòng gửi một số nguyên từ <b>{min}</b> đến <b>{max}</b>."
    ),
    "wizard_btn_back": "‹ Quay lại",
    "wizard_btn_edit": "✏️ Sửa",
    "wizard_edit_which": "✏️ Bạn muốn sửa thông tin nào?",
    "wizard_edit_link": "🔗 Link",
    "wizard_edit_quantity": "🔢 Số lượng",
    # -- end of issue 13 wizard block
    # --- catalog & search ---
    "cat_title": (
        "📂 <b>Danh mục dịch vụ</b>\n{categories} danh mục · {services} dịch vụ\nChọn một danh mục:"
    ),
    "cat_empty": "Panel hiện chưa có dịch vụ nào để hiển thị. Vui lòng thử lại sau.",
    "cat_category": "📂 <b>{category}</b>\n{count} dịch vụ\nChọn một dịch vụ:",
    "cat_card": (
        "<b>{name}</b>\n\nID: <code>{id}</code>\nDanh mục: {category}\nLoại: {type}\nGiá: <b>{price}</b>\nTối thiểu: {min} · Tối đa: {max}\nBảo hành: {refill}\nHủy đơn: {cancel}"
    ),
    "cat_price_per_1000": "{amount} / 1000",
    "cat_price_per_package": "{amount} / gói",
    "cat_button_per_1000": "{amount}/1000",
    "cat_button_per_package": "{amount}/gói",
    "cat_yes": "✅ có",
    "cat_no": "❌ không",
    "cat_order": "🛒 Đặt đơn",
    # -- issue 13: platforms and favorites
    "cat_platforms": (
        "📂 <b>Danh mục dịch vụ</b>\n{platforms} nền tảng · {categories} danh mục · {services} dịch vụ\nChọn một nền tảng:"
    ),
    "cat_platform": "📂 <b>{platform}</b>\n{categories} danh mục · {services} dịch vụ\nChọn một danh mục:",
    "cat_platform_counts": "{categories} danh mục",
    "cat_platform_other": "Khác",
    "cmd_favorites": "Dịch vụ yêu thích",
    "fav_add": "⭐ Thêm vào yêu thích",
    "fav_remove": "💔 Bỏ khỏi yêu thích",
    "fav_added": "⭐ Đã thêm vào /favorites",
    "fav_removed": "Đã bỏ khỏi danh sách yêu thích",
    "fav_title": "⭐ <b>Dịch vụ yêu thích</b>\n{count} dịch vụ\nChọn một dịch vụ:",
    "fav_empty": (
        "⭐ Bạn chưa có dịch vụ yêu thích nào.\n\nMở một dịch vụ trong /services hoặc /search rồi bấm “⭐ Thêm vào yêu thích”: dịch vụ đó sẽ xuất hiện ở đây."
    ),
    # -- end of issue 13 platforms and favorites
    "search_hint": (
        "🔎 Gửi <code>/search</code> kèm từ khóa cần tìm, ví dụ <code>/search tang like</code>, hoặc gõ thẳng từ khóa vào đây. Gõ có dấu hay không dấu đều được, tìm theo ID dịch vụ cũng được."
    ),
    "search_results": "🔎 Tìm thấy <b>{count}</b> kết quả cho “{query}”",
    "search_none": (
        "😕 Không tìm thấy dịch vụ nào cho “{query}”. Hãy thử từ khóa khác hoặc bớt từ (không cần gõ dấu), nhập ID dịch vụ, hoặc xem /services."
    ),
    "search_inline_description": "{price} · {min}–{max}",
    # --- orders & refills ---
    "orders_title": "📦 <b>Đơn hàng của bạn</b> ({total}), đơn mới nhất ở trên cùng. Bấm vào một đơn để xem chi tiết.",
    "orders_empty": (
        "📦 Bạn chưa có đơn hàng nào.\n\nXem dịch vụ trong /services và đặt đơn đầu tiên nhé."
    ),
    "orders_unknown": "chưa rõ — hãy kiểm tra trên panel",
    "orders_card": (
        "📦 <b>Đơn {number}</b>\n\nDịch vụ: {service}\nLink: {link}\nSố lượng: {quantity}\nThành tiền: {charge}\nTrạng thái: {status}\nSố lượng ban đầu: {start_count}\nCòn lại: {remains}\nNgày tạo: {date}"
    ),
    "orders_card_unknown_note": (
        "⚠️ Kết nối bị gián đoạn khi đang đặt đơn này nên chưa biết panel đã nhận đơn hay chưa. Quản trị viên đang kiểm tra; bạn sẽ nhận được tin nhắn tại đây khi có kết quả."
    ),
    "orders_card_failed_note": "Panel đã từ chối đơn này: {error}. Bạn không bị trừ tiền.",
    "orders_btn_refresh": "🔄 Cập nhật",
    "orders_btn_refill": "♻️ Bảo hành",
    "orders_btn_cancel": "✖ Hủy đơn",
    "orders_btn_cancel_yes": "✖ Đồng ý hủy",
    "orders_btn_refills": "♻️ Bảo hành của tôi",
    "orders_btn_orders": "📦 Đơn của tôi",
    "orders_cancel_confirm": (
        "Hủy đơn <b>{number}</b>?\n{service}\n\nPanel sẽ hoàn tiền cho phần chưa chạy."
    ),
    "orders_refreshed": "Trạng thái: {status}",
    "orders_canceled": "Đã hủy đơn.",
    "orders_not_found": "Không tìm thấy đơn hàng.",
    "orders_not_placed": "Panel chưa xác nhận đơn này nên không thể thao tác với đơn tại đây.",
    "orders_cancel_not_supported": "Dịch vụ này không cho phép hủy đơn.",
    "orders_cancel_final": "Đơn đã kết thúc nên không thể hủy.",
    # --- orders and messages (issue 13): labeled list, filters, search, pending refill, own cancel ---
    "orders_item": (
        "{icon} <b>{number}</b> · {service}\n"
        "      {status} · Số lượng: {quantity} · Thành tiền: {charge}\n"
        "      🔗 {host} · {date}"
    ),
    "orders_unknown_item": (
        "❓ <b>chưa rõ — hãy kiểm tra trên panel</b> · {service}\n"
        "      Số lượng: {quantity} · Link: {link}\n      {date}"
    ),
    "orders_filter_all": "Tất cả",
    "orders_filter_active": "⏳ Đang chạy",
    "orders_filter_finished": "✅ Đã xong",
    "orders_title_active": "📦 <b>Đơn đang chạy</b> ({total}), đơn mới nhất ở trên cùng. Bấm vào một đơn để xem chi tiết.",
    "orders_title_finished": "📦 <b>Đơn đã xong</b> ({total}), đơn mới nhất ở trên cùng. Bấm vào một đơn để xem chi tiết.",
    "orders_empty_active": "📦 Hiện không có đơn nào đang chạy.",
    "orders_empty_finished": "📦 Bạn chưa có đơn nào kết thúc.",
    "orders_search_hint": (
        "🔎 Tìm đơn: <code>/orders 123456</code> (mã đơn) hoặc "
        "<code>/orders facebook.com/…</code> (một phần của link)."
    ),
    "orders_search_title": "🔎 <b>Đơn khớp với “{query}”</b>: {total} đơn, mới nhất ở trên cùng.",
    "orders_search_none": (
        "🔎 Không tìm thấy đơn nào của bạn có mã đó hoặc có link chứa “{query}”.\nHãy gửi mã đơn (<code>/orders 123456</code>) hoặc một phần của link (<code>/orders facebook.com/…</code>), hoặc gửi /orders để xem tất cả."
    ),
    "orders_search_more": "Đang hiển thị {shown} đơn mới nhất; hãy gửi thêm một phần link để thu hẹp kết quả.",
    "refill_already_pending": (
        "♻️ Đơn <b>#{order}</b> đang có một yêu cầu bảo hành chưa xong nên bot chưa gửi thêm yêu cầu mới.\nMã bảo hành: <b>{refill}</b>\nTrạng thái: {status}\nThời gian yêu cầu: {date}\n\nTheo dõi trong /refills; bạn sẽ nhận được tin nhắn khi bảo hành xong."
    ),
    "notify_canceled_requested": "✖ Đơn <b>{order_id}</b> đã được hủy theo yêu cầu của bạn.\n{name}\nLink: {link}",
    "notify_refunded_requested": (
        "↩️ Đơn <b>{order_id}</b> đã được hủy theo yêu cầu của bạn và đã hoàn tiền.\n{name}\nLink: {link}"
    ),
    "admin_stats_top": "<b>Nhiều nhất trong 30 ngày qua</b>",
    "refill_usage": (
        "♻️ Gửi /refill kèm mã đơn, ví dụ <code>/refill 100001</code>.\nMã đơn của bạn có trong /orders."
    ),
    "refill_requested": (
        "♻️ Đã gửi yêu cầu bảo hành cho đơn <b>#{order}</b>.\nMã bảo hành: <b>{refill}</b>\n\nTheo dõi trong /refills."
    ),
    "refill_not_supported": "Dịch vụ này không có bảo hành.",
    "refill_not_completed": "Chỉ có thể yêu cầu bảo hành cho đơn đã hoàn thành.",
    "refill_list_title": "♻️ <b>Yêu cầu bảo hành của bạn</b> ({total}), mới nhất ở trên cùng.",
    "refill_list_empty": (
        "♻️ Bạn chưa có yêu cầu bảo hành nào.\n\nMở một đơn đã hoàn thành trong /orders rồi bấm ♻️ Bảo hành, hoặc gửi /refill kèm mã đơn."
    ),
    "refill_line": "{icon} <b>Bảo hành {refill}</b> · đơn #{order}\n      {status} · {date}",
    "status_usage": (
        "📊 Gửi /status kèm một hoặc nhiều mã đơn, ví dụ <code>/status 100001</code> hoặc "
        "<code>/status 100001, 100002</code>.\nMã đơn của bạn có trong /orders."
    ),
    "status_too_many": "📊 Mỗi lần chỉ xem được tối đa {max} mã đơn.",
    "status_title": "📊 <b>Trạng thái đơn hàng</b>",
    "status_line": "{icon} <b>#{order}</b> · {status} · còn lại {remains}\n      {service}",
    "status_not_found": "❔ <b>#{order}</b> · không tìm thấy",
    "status_panel_error": "⚠️ <b>#{order}</b> · panel báo lỗi: {message}",
    "status_pending": "Đang chờ",
    "status_in_progress": "Đang chạy",
    "status_processing": "Đang xử lý",
    "status_completed": "Hoàn thành",
    "status_partial": "Hoàn thành một phần",
    "status_canceled": "Đã hủy",
    "status_failed": "Thất bại",
    "status_rejected": "Bị từ chối",
    "status_error": "Lỗi",
    "status_unknown": "Chưa rõ",
    # --- statuses said as they are, panel refusals in plain words (issue 12) ---
    "status_refunded": "Đã hoàn tiền",
    "notify_refunded": "↩️ Đơn <b>{order_id}</b> đã được panel hoàn tiền.\n{name}\nLink: {link}",
    "cat_unknown": "❔ chưa rõ (tùy panel)",
    "panel_refused": "⚠️ {message}",
    "refusal_shop_unavailable": "Cửa hàng tạm thời chưa nhận đơn. Vui lòng thử lại sau.",
    "refusal_link_busy": (
        "Link này đang có một đơn của bạn chạy dở. Hãy đợi đơn hiện tại trên link này hoàn thành rồi đặt tiếp."
    ),
    "refusal_below_minimum": (
        "Số lượng thấp hơn mức tối thiểu của dịch vụ. Hãy đặt ít nhất bằng mức tối thiểu ghi trên dịch vụ."
    ),
    "refusal_above_maximum": (
        "Số lượng vượt mức tối đa của dịch vụ. Hãy đặt không quá mức tối đa ghi trên dịch vụ, "
        "hoặc chia thành nhiều đơn."
    ),
    "refusal_bad_link": (
        "Panel không dùng được link này. Hãy kiểm tra đó là link công khai, đầy đủ và đúng loại (bài viết, trang cá nhân, video…) rồi đặt lại."
    ),
    "refusal_no_such_service": "Dịch vụ này không còn nữa. Vui lòng chọn dịch vụ khác trong /services.",
    "refusal_no_such_order": "Panel không tìm thấy mã đơn này. Hãy kiểm tra lại mã đơn trong /orders.",
    "refusal_refill_running": (
        "Đơn này đang có một yêu cầu bảo hành chưa xong. Hãy đợi yêu cầu đó hoàn thành (xem /refills) rồi gửi lại."
    ),
    # --- notifications ---
    "notify_started": "🔄 Đơn <b>{order_id}</b> đã bắt đầu chạy.\n{name}\nLink: {link}\nSố lượng: {quantity}",
    "notify_completed": "✅ Đơn <b>{order_id}</b> đã hoàn thành!\n{name}\nLink: {link}\nSố lượng: {quantity}\nThành tiền: {charge}",
    "notify_partial": (
        "◐ Đơn <b>{order_id}</b> chỉ hoàn thành một phần: đã chạy {delivered}/{quantity}, <b>còn thiếu {remains}</b>.\n{name}\nLink: {link}\nThành tiền cuối cùng: {charge}"
    ),
    "notify_canceled": "✖ Đơn <b>{order_id}</b> đã bị panel hủy.\n{name}\nLink: {link}",
    "notify_refill_completed": "♻️ Bảo hành <b>{refill_id}</b> của đơn {order_id} đã hoàn thành.\n{name}\nLink: {link}",
    "notify_refill_rejected": "♻️ Bảo hành <b>{refill_id}</b> của đơn {order_id} đã bị panel từ chối.\n{name}\nLink: {link}",
    "notify_btn_refill": "♻️ Bảo hành",
    "notify_btn_details": "📄 Chi tiết",
    "alert_low_balance": "⚠️ Số dư panel sắp hết: <b>{amount}</b> (ngưỡng cảnh báo {threshold}). Hãy nạp thêm để các đơn không bị gián đoạn.",
    "alert_panel_down": "🚨 Panel đã không phản hồi suốt {minutes} phút. Không thể đặt hay theo dõi đơn cho đến khi panel hoạt động lại.",
    "alert_unknown_orders": "❓ {count} đơn chưa rõ kết quả đang chờ bạn xử lý: /unknown",
    "alert_panel_back": "✅ Panel đã hoạt động trở lại; bot tiếp tục theo dõi đơn.",
    # --- request format (issue 12): the panel refuses the API key in every body format ---
    "alert_key_refused": "🔑 Panel từ chối khóa API của bot nên hiện không thể đặt đơn; người dùng đang được báo thử lại sau. Hãy đối chiếu <code>SMM_API_KEY</code> với khóa trên trang API của panel (và để <code>SMM_API_FORMAT</code> ở giá trị auto), rồi khởi động lại bot.",
    # --- access & admin ---
    "access_refused": "🔒 Bot này là bot riêng. Để sử dụng, hãy nhờ chủ bot thêm ID Telegram của bạn: <code>{user_id}</code>",
    "access_claimed_admin": (
        "👑 Bạn là quản trị viên của bot này: bạn là người đầu tiên gửi /start và ADMIN_IDS chưa được thiết lập (panel thử nghiệm). Để giữ quyền này lâu dài, hãy thêm <code>{user_id}</code> vào ADMIN_IDS. Gửi /help để xem các lệnh dành cho bạn."
    ),
    "access_refused_unconfigured": (
        "🔒 Bot này là bot riêng và hiện chưa ai được phép dùng.\nNếu bạn là chủ bot: thêm ID <code>{user_id}</code> của bạn vào ADMIN_IDS (trong tệp .env mà bot đọc, nằm ở thư mục bạn khởi chạy bot), rồi khởi động lại bot."
    ),
    "unknown_command": "🤔 Mình chưa hiểu lệnh này. Gửi /help để xem mọi việc mình làm được.",
    "access_refused_short": "🔒 Bot riêng. Hãy nhờ chủ bot thêm ID {user_id}.",
    "slow_down": "⏳ Bạn gửi hơi nhanh: mình vẫn đang xử lý các tin nhắn trước của bạn. Đợi mình trả lời xong rồi gửi tiếp nhé.",
    "access_inline_button": "🔒 Bot riêng — xin quyền từ chủ bot",
    "group_private_only": "👋 Mình chỉ hoạt động trong chat riêng để giữ kín đơn hàng và số dư. Bấm nút bên dưới để nhắn riêng với mình.",
    "group_private_only_short": "Mình chỉ hoạt động trong chat riêng.",
    "group_open_private": "💬 Mở chat riêng",
    "admin_only": "Lệnh này chỉ dành cho quản trị viên của bot.",
    "admin_text": "{text}",
    "admin_allow_usage": "Cách dùng: <code>/allow 123456789</code> (ID người dùng Telegram).",
    "admin_deny_usage": "Cách dùng: <code>/deny 123456789</code> (ID người dùng Telegram).",
    "admin_allowed": "✅ <code>{user_id}</code> đã được phép dùng bot.",
    "admin_denied": "⛔ <code>{user_id}</code> không còn được dùng bot nữa.",
    "admin_deny_admin": "<code>{user_id}</code> là quản trị viên (ADMIN_IDS) nên không thể chặn ở đây.",
    "admin_users_header": "<b>Người dùng</b> ({count}) — ID · số đơn · chi tiêu",
    "admin_more": "…và {count} người khác.",
    "admin_stats_1d": "<b>Hôm nay</b>: {orders} đơn · {charge}",
    "admin_stats_7d": "<b>7 ngày qua</b>: {orders} đơn · {charge}",
    "admin_stats_30d": "<b>30 ngày qua</b>: {orders} đơn · {charge}",
    "admin_stats_users": "Người dùng nhiều nhất:",
    "admin_stats_services": "Dịch vụ nhiều nhất:",
    "admin_refreshed": "🔄 Đã tải lại danh mục: {services} dịch vụ trong {categories} danh mục.",
    "cmd_users": "Quản trị: người dùng, số đơn, chi tiêu",
    "cmd_stats": "Quản trị: thống kê đơn hàng",
    "cmd_allow": "Quản trị: cho phép một ID",
    "cmd_deny": "Quản trị: chặn một ID",
    "cmd_refresh": "Quản trị: tải lại danh mục ngay",
    "wizard_over_max_charge": "Đơn này có giá {total}, vượt hạn mức {limit} cho mỗi đơn. Vui lòng giảm số lượng, hoặc gửi /cancel.",
    "wizard_over_daily_limit": "Đơn này có giá {total}, nhưng trong 24 giờ bạn chỉ còn được chi {left} (hạn mức {limit} mỗi ngày). Vui lòng giảm số lượng, hoặc thử lại sau.",
    "recovered_unknown": (
        "⚠️ Bot đã khởi động lại trong lúc đặt đơn của bạn — đơn có thể đã đến panel hoặc chưa.\n{name}\nLink: {link}\nSố lượng: {quantity}\n\nVui lòng <b>đừng đặt lại vội</b>: quản trị viên sẽ đối chiếu với panel và nhắn cho bạn tại đây ngay khi có kết quả."
    ),
    # --- language ---
    "language_choose": "Chọn ngôn ngữ:",
    "language_set": "✅ Đã chuyển sang Tiếng Việt.",
    "language_name": "🇻🇳 Tiếng Việt",
    # --- xử lý đơn chưa rõ kết quả (/unknown, admin) ---
    "cmd_unknown": "Quản trị: xử lý đơn chưa rõ kết quả",
    "unknown_none": "✅ Không có đơn nào chưa rõ kết quả.",
    "unknown_title": (
        "❓ <b>Đơn chưa rõ kết quả</b> ({count})\nKiểm tra từng đơn trên trang web của panel, rồi xử lý: gắn mã đơn trên panel, hoặc đánh dấu là chưa đặt. Chủ đơn sẽ được báo trong cả hai trường hợp."
    ),
    "unknown_line": "<b>#{id}</b> · {user} · {date}\n{service}\n{link} · {quantity} · {charge}\n<i>{reason}</i>",
    "unknown_more": "…và {count} đơn nữa: hãy xử lý các đơn ở trên trước.",
    "unknown_btn_placed": "✅ #{id} đã đặt…",
    "unknown_btn_not_placed": "✖ #{id} chưa đặt",
    "unknown_btn_yes_not_placed": "✖ Đúng, chưa đặt",
    "unknown_btn_back": "‹ Về danh sách",
    "unknown_usage": (
        "<code>/unknown</code> liệt kê các đơn; <code>/unknown 12 98765</code> gắn đơn panel 98765 cho #12; <code>/unknown 12 no</code> đánh dấu #12 là chưa đặt."
    ),
    "unknown_ask_panel_id": "Gửi mã đơn trên panel của <b>#{id}</b> ({service}, {link}), hoặc gửi /cancel.",
    "unknown_panel_id_invalid": "Đó không phải là mã đơn. Hãy gửi số mà panel hiển thị cho đơn này, hoặc gửi /cancel.",
    "unknown_confirm_not_placed": (
        "Đánh dấu <b>#{id}</b> là <b>chưa đặt</b>? Chủ đơn sẽ được báo là đơn chưa được đặt và có thể đặt lại.\n\n{service}\n{link}"
    ),
    "unknown_settled_placed": "✅ #{id} giờ là đơn <b>{panel_id}</b> trên panel và đang được theo dõi; chủ đơn sẽ được báo.",
    "unknown_settled_not_placed": "✖ Đã đánh dấu #{id} là chưa đặt; chủ đơn sẽ được báo.",
    "unknown_cancelled": "Được rồi, không có gì thay đổi.",
    "settle_not_found": "Không có đơn #{order_id}.",
    "settle_already": "#{order_id} không còn ở trạng thái chưa rõ kết quả (đã được xử lý).",
    "settle_bad_panel_id": "Mã đơn panel này không hợp lệ.",
    "settle_panel_id_taken": "Đơn panel {panel_id} đã được gắn với đơn #{order_id}.",
    "settle_panel_unknown_id": "Panel không tìm thấy đơn {panel_id}: {message}",
    "settled_placed": (
        "✅ Tin vui: đơn của bạn đã được panel xác nhận với mã <b>#{order_id}</b>. Bạn sẽ được báo khi đơn hoàn thành.\n{name}\nLink: {link}\nSố lượng: {quantity}"
    ),
    "settled_not_placed": (
        "ℹ️ Đơn của bạn chưa đến được panel: đơn chưa được đặt và không bị trừ tiền. Bạn có thể đặt lại.\n"
        "{name}\nLink: {link}\nSố lượng: {quantity}"
    ),
    # --- đặt hàng loạt (/mass) ---
    "cmd_mass": "Đặt nhiều đơn cùng lúc",
    "mass_ask": (
        "📦 <b>Đặt hàng loạt</b>: gửi các đơn, mỗi dòng một đơn (tối đa {limit} dòng):\n"
        "<code>service_id | link | số lượng</code>\n\n"
        "Có thể ngăn cách ba phần bằng dấu cách hoặc dấu phẩy, ví dụ\n"
        "<code>123 https://instagram.com/p/abc 1000</code>\n/cancel để dừng."
    ),
    "mass_empty": "Hãy gửi ít nhất một dòng: <code>service_id | link | số lượng</code> (tối đa {limit} dòng).",
    "mass_too_many": "Danh sách có {count} dòng; mỗi lần đặt hàng loạt chỉ nhận tối đa {limit} dòng. Hãy chia nhỏ danh sách và gửi phần đầu trước.",
    "mass_invalid": "❌ Chưa có đơn nào được đặt: {count} dòng cần sửa.",
    "mass_send_again": "Hãy gửi lại toàn bộ danh sách đã sửa, hoặc gửi /cancel.",
    "mass_line_format": "Dòng {line}: hãy viết theo dạng <code>service_id | link | số lượng</code>.",
    "mass_line_service_id": "Dòng {line}: <code>{value}</code> không phải là ID dịch vụ.",
    "mass_line_no_service": "Dòng {line}: không có dịch vụ #{service_id}.",
    "mass_line_type": "Dòng {line}: dịch vụ #{service_id} ({type}) cần nhiều thông tin hơn link và số lượng. Hãy đặt bằng /order {service_id}.",
    "mass_line_link": "Dòng {line}: <code>{value}</code> không phải là link (một URL dạng https://… hoặc @username).",
    "mass_line_quantity": "Dòng {line}: số lượng phải là số nguyên từ {min} đến {max}.",
    "mass_line_over_max": "Dòng {line}: đơn này có giá {total}, vượt hạn mức {limit} cho mỗi đơn.",
    "mass_over_daily_limit": "Lần đặt hàng loạt này có tổng giá {total}, nhưng trong 24 giờ bạn chỉ còn được chi {left} (hạn mức {limit} mỗi ngày). Hãy gửi danh sách ngắn hơn, hoặc gửi /cancel.",
    "mass_summary": "📦 <b>Đặt hàng loạt</b>: {count} đơn",
    "mass_summary_line": "<b>{line}.</b> #{service_id} {name}\n     {link} · {quantity} — {charge}",
    "mass_summary_total": "\n<b>Tổng cộng: {total}</b> cho {count} đơn. Bấm ✅ Xác nhận để đặt.",
    "mass_placing": "⏳ Đang đặt đơn… xong {done}/{count}.",
    "mass_report": "📦 <b>Đặt hàng loạt</b>: đã đặt {placed}/{count} đơn, tổng {total}.",
    "mass_line_placed": "{line}. ✅ #{service_id}: mã đơn <b>{order_id}</b> · {charge}",
    "mass_line_placed_before": "{line}. ✅ #{service_id}: đã đặt trước đó, mã đơn <b>{order_id}</b>",
    "mass_line_refused": "{line}. ❌ #{service_id}: bị từ chối, không bị trừ tiền. {message}",
    "mass_line_unavailable": "{line}. ❌ #{service_id}: chưa đặt được vì panel không phản hồi. Không bị trừ tiền.",
    "mass_line_unknown": "{line}. ⚠️ #{service_id}: chưa rõ kết quả.",
    "mass_line_not_placed": "{line}. ⏸ #{service_id}: chưa đặt, {reason}",
    "mass_reason_price_changed": "giá đã thay đổi so với lúc xem tóm tắt.",
    "mass_reason_over_max": "đơn sẽ vượt hạn mức {limit} cho mỗi đơn.",
    "mass_reason_daily_limit": "bạn đã chạm hạn mức chi tiêu trong 24 giờ.",
    "mass_reason_service_gone": "dịch vụ không còn trong danh mục.",
    "mass_reason_error": "hệ thống bên mình gặp sự cố.",
    "mass_unknown_note": "\n⚠️ Panel không trả lời kịp cho các dòng có dấu ⚠️: đơn có thể đã được đặt hoặc chưa. Hãy xem /orders trước khi đặt lại; quản trị viên đang kiểm tra.",
    "mass_already_placed": "Lần đặt hàng loạt này đã được xác nhận rồi: xem báo cáo ở trên.",
    "mass_cancelled": "Đã hủy đặt hàng loạt. Chưa có đơn nào được đặt.",
    # --- service types as shown to users (issue 13); the panel's own value is what the API gets ---
    "type_default": "Tiêu chuẩn",
    "type_package": "Gói",
    "type_custom_comments": "Bình luận theo yêu cầu",
    "type_custom_comments_package": "Gói bình luận theo yêu cầu",
    "type_mentions": "Nhắc tên",
    "type_mentions_with_hashtags": "Nhắc tên kèm hashtag",
    "type_mentions_custom_list": "Nhắc tên theo danh sách",
    "type_mentions_hashtag": "Nhắc tên theo hashtag",
    "type_mentions_user_followers": "Nhắc tên người theo dõi một tài khoản",
    "type_mentions_media_likers": "Nhắc tên người thích bài viết",
    "type_mentions_media_likes": "Nhắc tên người thích bài viết",
    "type_comment_likes": "Thích bình luận",
    "type_comment_replies": "Trả lời bình luận",
    "type_poll": "Bình chọn",
    "type_subscriptions": "Tự động cho bài mới",
    "type_seo": "SEO",
    "type_invites_from_groups": "Mời thành viên từ nhóm",
    # -- the shop (wallets, markups)
    "balance_wallets": "👛 Tổng số dư ví của khách hàng: <b>{amount}</b>.",
    "cmd_wallet": "Lịch sử ví của bạn",
    "cmd_credit": "Quản trị: cộng tiền vào ví khách",
    "cmd_debit": "Quản trị: trừ tiền ví khách",
    "cmd_markup": "Quản trị: tỷ lệ lãi bán lẻ",
    "wallet_balance": "👛 Ví của bạn: <b>{balance}</b>",
    "wallet_topup_hint": "Để nạp tiền, hãy liên hệ quản trị viên của cửa hàng và gửi ID của bạn: <code>{user_id}</code>.",
    "wallet_btn_history": "📜 Lịch sử",
    "wallet_history_title": "📜 <b>Ví của bạn</b>: <b>{balance}</b> · {count} giao dịch",
    "wallet_history_of": "📜 <b>Ví của <code>{user_id}</code></b>: <b>{balance}</b> · {count} giao dịch",
    "wallet_history_empty": "Chưa có giao dịch nào.",
    "wallet_entry": "{when} · {kind} <b>{amount}</b> → {balance}{detail}",
    "wallet_kind_topup": "⬆️ Nạp tiền",
    "wallet_kind_charge": "🛒 Đơn hàng",
    "wallet_kind_refund": "↩️ Hoàn tiền",
    "wallet_kind_adjustment": "✍️ Điều chỉnh",
    "wallet_usage": "Cách dùng: /wallet để xem ví của bạn, hoặc (quản trị) /wallet <i>ID người dùng</i>.",
    "wallet_disabled": "Bot này không dùng ví (cửa hàng đang ở chế độ trực tiếp).",
    "wallet_after_order": "👛 Ví: {balance} → sau đơn này: <b>{after}</b>",
    "wallet_missing": "👛 Ví: {balance} — <b>còn thiếu {missing}</b> cho đơn này.\nĐể nạp tiền, hãy liên hệ quản trị viên của cửa hàng và gửi ID của bạn: <code>{user_id}</code>. Sau đó quay lại bản tóm tắt này bằng ✏️ Sửa hoặc gửi lại /order.",
    "wallet_paid": "👛 Đã thanh toán từ ví · số dư còn <b>{balance}</b>",
    "wallet_refunded_now": "↩️ Đã hoàn <b>{amount}</b> vào ví · số dư <b>{balance}</b>",
    "wallet_spent_meanwhile": "👛 Ví của bạn không còn đủ cho đơn này (một đơn khác đã dùng). Đây là bản tóm tắt mới.",
    "shop_failed": "❌ Không thể đặt đơn: {message}",
    "shop_failed_unavailable": "❌ Cửa hàng tạm thời chưa nhận được đơn. Vui lòng thử lại sau một phút.",
    "notify_wallet_refund": "↩️ Đã hoàn <b>{amount}</b> vào ví · số dư <b>{balance}</b>",
    "mass_admins_only": "Đặt đơn hàng loạt chỉ dành cho quản trị viên của cửa hàng. Vui lòng đặt từng dịch vụ bằng /order.",
    "wallet_credit_usage": "Cách dùng: /credit <i>ID người dùng</i> <i>số tiền</i> [ghi chú], ví dụ <code>/credit 123456789 50000 chuyển khoản</code>",
    "wallet_debit_usage": "Cách dùng: /debit <i>ID người dùng</i> <i>số tiền</i> [ghi chú], ví dụ <code>/debit 123456789 20000 điều chỉnh</code>",
    "wallet_credited": "✅ Đã cộng <b>{amount}</b> cho <code>{user_id}</code> · số dư của họ: <b>{balance}</b>",
    "wallet_debited": "✅ Đã trừ <b>{amount}</b> của <code>{user_id}</code> · số dư của họ: <b>{balance}</b>",
    "wallet_debit_short": "❌ Chưa trừ: ví của <code>{user_id}</code> chỉ còn <b>{balance}</b> (ví không bao giờ âm).",
    "wallet_credit_notice": "👛 Ví của bạn vừa được cộng <b>{amount}</b>. Số dư: <b>{balance}</b>\n{note}",
    "wallet_debit_notice": "👛 Ví của bạn vừa bị trừ <b>{amount}</b>. Số dư: <b>{balance}</b>\n{note}",
    "markup_usage": "/markup <i>phần trăm</i> — tỷ lệ lãi mặc định\n/markup <i>phần trăm</i> <i>ID dịch vụ</i> — một dịch vụ\n/markup <i>phần trăm</i> <i>tên danh mục</i> — một danh mục\n/markup off [<i>ID dịch vụ | tên danh mục</i>] — bỏ tỷ lệ đã đặt",
    "markup_default": "💹 Tỷ lệ lãi mặc định: <b>{percent}%</b>",
    "markup_from_settings": "(theo MARKUP_PERCENT)",
    "markup_service": "• Dịch vụ #{service_id}: <b>{percent}%</b>",
    "markup_category": "• {name}: <b>{percent}%</b>",
    "markup_no_category": "Không có danh mục nào khớp “{words}”. Xem tên danh mục trong /services.",
    "markup_pick_category": "Có {count} danh mục khớp. Bạn chọn danh mục nào?",
    "alert_funds_refused": "⚠️ Một đơn của khách bị từ chối vì số dư panel không đủ. Khách được báo cửa hàng tạm chưa nhận đơn và đã được hoàn tiền vào ví. Hãy nạp thêm tiền cho panel.",
    "alert_wallets_uncovered": "⚠️ Số dư panel (<b>{amount}</b>) thấp hơn tổng ví của khách (<b>{threshold}</b>): khách có thể đặt nhiều hơn số panel trả được. Hãy nạp thêm tiền cho panel.",
    "admin_stats_shop": "   doanh thu {revenue} · giá vốn {cost} · lãi <b>{margin}</b>",
    "admin_stats_liability": "👛 Ví của khách: <b>{owed}</b> · số dư panel: <b>{panel}</b>",
    # --- nạp tiền ---
    "cmd_topup": "Nạp tiền vào ví",
    "cmd_topups": "Các lần nạp và chuyển khoản chưa khớp",
    "cmd_assign": "Ghi có một chuyển khoản chưa khớp",
    "topup_btn": "➕ Nạp tiền",
    "topup_ask_amount": "➕ <b>Nạp tiền vào ví</b> · số dư <b>{balance}</b>\n\nBạn muốn nạp bao nhiêu? Chọn một mức hoặc gửi số tiền từ {minimum} đến {maximum}.\n/cancel để dừng.",
    "topup_amount_invalid": "Đó không phải số tiền. Hãy gửi một số như <code>{example}</code>, hoặc /cancel.",
    "topup_amount_low": "Số tiền nạp tối thiểu là <b>{minimum}</b>. Hãy gửi số lớn hơn, hoặc /cancel.",
    "topup_amount_high": "Số tiền nạp tối đa là <b>{maximum}</b>. Hãy gửi số nhỏ hơn, hoặc /cancel.",
    "topup_pick_method": "➕ Nạp <b>{amount}</b>. Bạn muốn thanh toán bằng cách nào?",
    "topup_btn_bank": "🏦 Chuyển khoản (VietQR)",
    "topup_btn_stars": "⭐ Telegram Stars ({stars} ⭐)",
    "topup_btn_cancel": "✖ Hủy",
    "topup_btn_cancel_topup": "✖ Hủy lần nạp này",
    "topup_unavailable": "Chưa thiết lập nạp tiền trong chat. Để nạp tiền, hãy liên hệ quản trị viên và gửi ID của bạn: <code>{user_id}</code>.",
    "topup_not_customer": "Nạp tiền dành cho ví của khách; bạn đặt đơn theo giá vốn từ số dư panel.",
    "topup_canceled": "✖ Đã hủy lần nạp. Bạn chưa bị trừ tiền.",
    "topup_cancel_too_late": "Lần nạp này không còn chờ thanh toán.",
    "topup_cancel_note": "✖ Đã hủy · chuyển khoản với mã này sẽ không được tự động cộng.",
    "topup_bank": "🏦 <b>Chuyển khoản · {amount}</b>\n\nQuét mã QR bằng ứng dụng ngân hàng, hoặc chuyển khoản thủ công:\nNgân hàng: <b>{bank}</b>\nSố tài khoản: <code>{account}</code>\nChủ tài khoản: <b>{name}</b>\nSố tiền: <code>{amount_plain}</code>\nNội dung: <code>{content}</code>\n\n⚠️ Nội dung chuyển khoản phải có <code>{content}</code> để hệ thống nhận ra giao dịch của bạn. Ví được cộng tự động khi ngân hàng báo về (thường trong vòng một phút). Hiệu lực đến {until}.",
    "topup_stars_title": "Nạp {amount}",
    "topup_stars_description": "Cộng {amount} vào ví của bạn ({rate} cho mỗi ⭐).",
    "topup_stars_label": "Nạp tiền vào ví",
    "topup_stars_sent": "⭐ Thanh toán hóa đơn phía trên để cộng <b>{amount}</b> vào ví. Hiệu lực đến {until}.",
    "topup_checkout_unknown": "Hóa đơn này không thuộc lần nạp nào của bạn. Hãy bắt đầu lại với /topup.",
    "topup_checkout_closed": "Lần nạp này đã hết hạn hoặc đã bị hủy. Hãy tạo lần nạp mới với /topup.",
    "topup_checkout_amount": "Số tiền của hóa đơn không khớp với lần nạp. Hãy bắt đầu lại với /topup.",
    "topup_credited": "✅ Đã cộng <b>{amount}</b> vào ví ({method}). Số dư: <b>{balance}</b>",
    "topup_credited_other": "✅ Bạn đã chuyển <b>{amount}</b> cho lần nạp {asked}: đã cộng <b>{amount}</b> vào ví ({method}). Số dư: <b>{balance}</b>",
    "topup_expired": "⌛ Lần nạp <code>{content}</code> ({amount}) đã hết hạn: chưa nhận được thanh toán. Nếu bạn đã chuyển khoản, tiền không mất: quản trị viên sẽ cộng cho bạn. /topup để tạo lần nạp mới.",
    "topup_method_bank": "chuyển khoản",
    "topup_method_stars": "Telegram Stars",
    "topup_method_assigned": "chuyển khoản, quản trị viên đã cộng",
    "topup_refunded_notice": "↩️ Lần nạp bằng Stars {amount} đã được hoàn về số dư Telegram Stars của bạn. Số dư ví: <b>{balance}</b>",
    "topups_title": "➕ <b>Nạp tiền</b>",
    "topups_pending": "<b>Đang chờ thanh toán</b> ({count})",
    "topups_paid": "<b>Đã thanh toán gần đây</b>",
    "topups_unmatched": "<b>Chuyển khoản chưa khớp</b> ({count}) — gán bằng /assign <i>ID chuyển khoản</i> <i>ID người dùng</i>, hoặc /assign <i>ID chuyển khoản</i> <code>dismiss</code>",
    "topups_none": "không có",
    "topups_line": "• #{id} <code>{content}</code> · {amount} · {method} · <code>{user_id}</code> · {when}",
    "topups_line_paid": "• #{id} · <b>{credited}</b> · {method} · <code>{user_id}</code> · {when}{refunded}",
    "topups_refunded_mark": " · ↩️ đã hoàn",
    "topups_transfer": "• T{id} · <b>{amount}</b> · “{content}” · {source} · {when} · {reason}",
    "topups_reason_no_code": "không có mã",
    "topups_reason_expired": "lần nạp đã hết hạn",
    "topups_reason_canceled": "lần nạp đã hủy",
    "topups_reason_already_paid": "lần nạp đã được thanh toán",
    "topups_stars_refund_hint": "Có thể hoàn lần nạp bằng Stars với /refundstars <i>ID lần nạp</i>.",
    "assign_usage": "Cách dùng: /assign <i>ID chuyển khoản</i> <i>ID người dùng</i> — cộng một chuyển khoản chưa khớp cho khách\n/assign <i>ID chuyển khoản</i> <code>dismiss</code> — không phải tiền của khách",
    "assign_not_open": "Chuyển khoản T{id} không chờ xử lý (đã gán, đã bỏ qua hoặc không tồn tại). Xem /topups.",
    "assign_confirm": "Cộng chuyển khoản T{id} <b>{amount}</b> (“{content}”) cho <code>{user_id}</code>?",
    "assign_confirm_dismiss": "Đánh dấu chuyển khoản T{id} <b>{amount}</b> (“{content}”) không phải tiền của khách? Giao dịch vẫn được lưu nhưng không cộng cho ai.",
    "assign_btn_yes": "✅ Cộng tiền",
    "assign_btn_dismiss": "✅ Không phải của khách",
    "assign_done": "✅ Chuyển khoản T{id}: đã cộng <b>{amount}</b> cho <code>{user_id}</code> · số dư của họ: <b>{balance}</b>",
    "assign_dismissed": "✅ Đã đánh dấu chuyển khoản T{id} không phải tiền của khách.",
    "assign_canceled": "✖ Không cộng gì.",
    "refundstars_usage": "Cách dùng: /refundstars <i>ID lần nạp</i> — hoàn một lần nạp bằng Stars (trừ ví trước)",
    "refundstars_confirm": "Hoàn lần nạp Stars #{id} của <code>{user_id}</code>: trả lại {stars} ⭐, trừ <b>{amount}</b> khỏi ví của họ?",
    "refundstars_btn": "↩️ Hoàn",
    "refundstars_not": "Lần nạp #{id} không phải lần nạp Stars đã thanh toán.",
    "refundstars_short": "❌ Chưa hoàn: ví của <code>{user_id}</code> chỉ còn <b>{balance}</b>, cần trừ <b>{amount}</b>.",
    "refundstars_done": "✅ Đã hoàn lần nạp #{id}: trả {stars} ⭐ cho <code>{user_id}</code>, trừ <b>{amount}</b> khỏi ví.",
    "refundstars_failed": "⚠️ Ví đã bị trừ nhưng Telegram từ chối hoàn Stars: {error}. Bấm để thử lại phần Telegram.",
    "refundstars_btn_retry": "🔁 Thử lại",
    "wallet_missing_topup": "👛 Ví: {balance} — <b>còn thiếu {missing}</b> cho đơn này.\nBấm ➕ Nạp tiền: khi tiền đã vào ví, quay lại bản tóm tắt này bằng ✏️ Sửa hoặc gửi /order lần nữa.",
    "topup_amount_stars": "Mỗi lần thanh toán Telegram Stars tối đa {stars} ⭐ (<b>{stars_maximum}</b>). Hãy gửi số tiền nhỏ hơn, hoặc /cancel.",
}
