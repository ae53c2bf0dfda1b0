"""English texts (HTML parse mode: escape user- and panel-supplied values before inserting)."""

TEXTS: dict[str, str] = {
    "start": (
        "👋 Hi {name}!\n\n"
        "I'm the Telegram front end of your SMM panel. Here you can browse the panel's "
        "services, place orders, follow their status, request refills, and get a message "
        "when an order is done.\n\n"
        "Send /help to see everything I can do."
    ),
    "help": (
        "<b>What I can do</b>\n\n"
        "/start — welcome message\n"
        "/balance — the panel account's balance\n"
        "/help — this list\n\n"
        "Prices are per 1000 units, in the panel's currency."
    ),
    "balance": "💰 Panel balance: <b>{amount}</b>",
    "panel_unavailable": (
        "⚠️ The panel is not answering right now. Nothing was changed — please try again "
        "in a minute."
    ),
    "panel_error": "⚠️ The panel said: {message}",
    "error_generic": "😕 Sorry, something went wrong on our side. Please try again.",
    "cmd_start": "Welcome and what this bot does",
    "cmd_help": "Everything the bot can do",
    "cmd_balance": "Panel account balance",
    # shared navigation
    "nav_prev": "‹ Prev",
    "nav_next": "Next ›",
    "nav_back": "‹ Back",
    "stale_button": "This button is no longer active. Send /start to begin again.",
    # --- order wizard ---
    # --- catalog & search ---
    # --- orders & refills ---
    # --- language ---
}
