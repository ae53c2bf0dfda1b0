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
        "/start — lời chào\n"
        "/balance — số dư tài khoản panel\n"
        "/help — danh sách này\n\n"
        "Giá tính theo 1000 đơn vị, bằng đơn vị tiền của panel."
    ),
    "balance": "💰 Số dư panel: <b>{amount}</b>",
    "panel_unavailable": (
        "⚠️ Panel hiện không phản hồi. Chưa có gì thay đổi — vui lòng thử lại sau ít phút."
    ),
    "panel_error": "⚠️ Panel báo: {message}",
    "error_generic": "😕 Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại.",
    "cmd_start": "Lời chào và giới thiệu bot",
    "cmd_help": "Tất cả các lệnh của bot",
    "cmd_balance": "Số dư tài khoản panel",
    # shared navigation
    "nav_prev": "‹ Trước",
    "nav_next": "Sau ›",
    "nav_back": "‹ Quay lại",
    "stale_button": "Nút này không còn hiệu lực. Gửi /start để bắt đầu lại.",
    # --- order wizard ---
    # --- catalog & search ---
    # --- orders & refills ---
    # --- language ---
}
