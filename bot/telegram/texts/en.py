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
        "<b>Browse and order</b>\n"
        "/services — the catalog by platform and category · /favorites — your ⭐ services\n"
        "/search <i>words</i> — find a service (or just send me words)\n"
        "/order — place an order (or /order <i>service ID</i>)\n"
        "/mass — many orders at once, one line each: <code>service | link | quantity</code>\n"
        "/cancel — leave the order form\n\n"
        "<b>Your orders</b>\n"
        "/orders — your orders (/orders <i>ID or link</i> to search)\n"
        "/status <i>ID</i> — live status (several IDs allowed)\n"
        "/refill <i>ID</i> — request a refill · /refills — your refills\n\n"
        "<b>Other</b>\n"
        "/balance — your balance · /topup — top up · /wallet — your wallet's history\n"
        "/language — English / Tiếng Việt\n"
        "/start — welcome message · /help — this list\n\n"
        "Prices are per 1000 units. In any chat, type "
        "<code>@{bot}</code> and words to share a service."
    ),
    "balance": "💰 Panel balance: <b>{amount}</b>",
    "panel_unavailable": (
        "⚠️ The panel is not answering right now. Nothing was changed — please try again in a minute."
    ),
    "panel_outcome_unknown": (
        "⚠️ The panel did not answer in time, so it is not known whether your request went "
        "through. Please check /orders or /refills in a minute before trying again."
    ),
    "panel_error": "⚠️ The panel said: {message}",
    "error_generic": "😕 Sorry, something went wrong on our side. Please try again.",
    "cmd_start": "Welcome and what this bot does",
    "cmd_help": "Everything the bot can do",
    "cmd_services": "Browse the service catalog",
    "cmd_search": "Search services",
    "cmd_order": "Place an order",
    "cmd_orders": "My orders",
    "cmd_status": "Live status of an order",
    "cmd_refill": "Request a refill",
    "cmd_refills": "My refills",
    "cmd_language": "Change language",
    "cmd_cancel": "Leave the order form",
    "cmd_balance": "Your balance",
    # shared navigation
    "nav_prev": "‹ Prev",
    "nav_next": "Next ›",
    "nav_back": "‹ Back",
    "stale_button": "This button is no longer active. Send /start to begin again.",
    # --- order wizard ---
    "wizard_ask_service": (
        "🛒 Which service would you like to order? Send its ID (e.g. <code>123</code>), "
        "or browse /services and tap 🛒 Order.\n/cancel to stop."
    ),
    "wizard_service_id_invalid": "Please send a service ID — a number like <code>123</code>. /cancel to stop.",
    "wizard_service_not_found": (
        "There is no service with ID {service_id}. Send another ID, or browse /services."
    ),
    "wizard_type_unsupported": (
        "This service's type ({type}) needs details that can't be entered in chat. "
        "Please order it on the panel's website."
    ),
    "wizard_ask_link": (
        "🛒 <b>{name}</b> (#{id})\n"
        "Price: {price} · min {min} · max {max}\n\n"
        "Send the <b>link</b> to promote (a URL like https://… or an @username).\n/cancel to stop."
    ),
    "wizard_link_invalid": (
        "That doesn't look like a link. Send a full URL such as "
        "<code>https://facebook.com/…</code> or an @username."
    ),
    "wizard_ask_quantity": "How many? Send a whole number from <b>{min}</b> to <b>{max}</b>.",
    "wizard_quantity_invalid": (
        "Please send a whole number from <b>{min}</b> to <b>{max}</b> (no decimals)."
    ),
    "wizard_ask_comments": "Send the comments, <b>one per line</b> ({min} to {max} lines).",
    "wizard_comments_count": (
        "You sent {count} comments; this service needs {min} to {max}, one per line. Please send them again."
    ),
    "wizard_comments_too_long": "Each comment can be at most {limit} characters. Please send them again.",
    "wizard_ask_runs": (
        "This service can <b>drip-feed</b>: deliver the quantity several times. "
        "How many runs? Send a number from 2 to {max}, or tap Skip for a single delivery."
    ),
    "wizard_runs_invalid": "Please send a whole number of runs from 2 to {max}, or tap Skip.",
    "wizard_ask_interval": "How many minutes between runs? (1 to {max})",
    "wizard_interval_invalid": "Please send a whole number of minutes from 1 to {max}.",
    # -- every service type (issue 12): intro, one question, one refusal, one summary label per parameter
    "wizard_intro": "🛒 <b>{name}</b> (#{id})\nPrice: {price} · min {min} · max {max}\n/cancel to stop.",
    "wizard_ask_usernames": "Send the <b>usernames</b>, one per line ({min} to {max}), e.g. <code>@name</code>.",
    "wizard_ask_hashtags": "Send the <b>hashtags</b>, one per line ({min} to {max}), e.g. <code>#travel</code>.",
    "wizard_ask_hashtag": "Send the <b>hashtag</b> to take the accounts from, e.g. <code>#travel</code>.",
    "wizard_ask_username": "Send the <b>username</b>, e.g. <code>@name</code>.",
    "wizard_ask_media": "Send the <b>media link</b> (a URL like https://…) whose likers to mention.",
    "wizard_ask_answer_number": "Which <b>answer</b> of the poll should get the votes? Send its number ({min} to {max}).",
    "wizard_ask_groups": "Send the <b>groups</b> to invite from, one per line (up to {max}).",
    "wizard_ask_min": "<b>Minimum</b> quantity for each new post? Send a whole number from {min} to {max}.",
    "wizard_ask_max": "<b>Maximum</b> quantity for each new post? Send a whole number from {min} to {max}.",
    "wizard_ask_posts": "For how many <b>new posts</b>? Send a whole number from {min} to {max}.",
    "wizard_ask_old_posts": "How many <b>existing posts</b> too? Send a whole number from {min} to {max} (0 for none).",
    "wizard_ask_delay": (
        "<b>Delay</b> in minutes before each post is served? One of: "
        "0, 5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600."
    ),
    "wizard_ask_expiry": "When should the subscription <b>end</b>? Send a date after today as day/month/year, e.g. <code>31/12/2027</code>.",
    "wizard_lines_count": "You sent {count} lines; this needs {min} to {max}, one per line. Please send them again.",
    "wizard_usernames_invalid": "Line {line} (<code>{value}</code>) is not a username. Send usernames like <code>@name</code>, one per line.",
    "wizard_hashtags_invalid": "Line {line} (<code>{value}</code>) is not a hashtag. Send hashtags like <code>#travel</code>, one per line.",
    "wizard_hashtag_invalid": "Please send one hashtag, like <code>#travel</code> (letters, digits and _ only).",
    "wizard_username_invalid": "Please send one username, like <code>@name</code> (letters, digits, _ and . only).",
    "wizard_media_invalid": "Please send the media as a full link, such as <code>https://instagram.com/p/…</code>.",
    "wizard_answer_number_invalid": "Please send the answer's number: a whole number from {min} to {max}.",
    "wizard_groups_invalid": "Each group can be at most {limit} characters, one per line. Please send them again.",
    "wizard_sub_min_invalid": "Please send a whole number from {min} to {max} for the minimum.",
    "wizard_sub_max_invalid": "Please send a whole number from {min} (your minimum) to {max} for the maximum.",
    "wizard_posts_invalid": "Please send a whole number of posts from {min} to {max}.",
    "wizard_old_posts_invalid": "Please send a whole number of existing posts from {min} to {max} (0 for none).",
    "wizard_delay_invalid": "The delay must be one of these numbers of minutes: {allowed}.",
    "wizard_expiry_invalid": "Please send a date after today as day/month/year, e.g. <code>31/12/2027</code>.",
    "wizard_summary_field": "{label}: {value}\n",
    "wizard_summary_unknown_type": (
        "ℹ️ This panel's service type “{type}” is ordered with a link and a quantity only; "
        "check the service description if it needs more.\n"
    ),
    "wizard_label_comments": "Comments",
    "wizard_label_usernames": "Usernames",
    "wizard_label_hashtags": "Hashtags",
    "wizard_label_hashtag": "Hashtag",
    "wizard_label_username": "Username",
    "wizard_label_media": "Media",
    "wizard_label_answer_number": "Answer number",
    "wizard_label_groups": "Groups",
    "wizard_label_min": "Minimum per post",
    "wizard_label_max": "Maximum per post",
    "wizard_label_posts": "New posts",
    "wizard_label_old_posts": "Existing posts",
    "wizard_label_delay": "Delay (minutes)",
    "wizard_label_expiry": "Ends on",
    # -- end of issue 12 block
    "wizard_summary": (
        "<b>Order summary</b>\n"
        "Service: {name} (#{id})\n"
        "Link: {link}\n"
        "Quantity: {quantity}\n"
        "{drip}"
        "Price: {price}\n"
        "<b>Total: {total}</b>\n\n"
        "Place this order?"
    ),
    "wizard_summary_drip": "Drip-feed: {runs} runs × {quantity}, every {interval} min\n",
    "wizard_btn_confirm": "✅ Confirm",
    "wizard_btn_cancel": "✖ Cancel",
    "wizard_btn_skip": "Skip ›",
    "wizard_btn_status": "🔄 Status",
    "wizard_btn_again": "🛒 Order again",
    "wizard_tap_buttons": "Please tap ✅ Confirm or ✖ Cancel under the summary, or send /cancel.",
    "wizard_placing": "⏳ Placing your order…",
    "wizard_placed": (
        "✅ <b>Order placed!</b>\n"
        "Order ID: <b>{order_id}</b>\n"
        "{name}\n"
        "Link: {link}\n"
        "Quantity: {quantity}\n"
        "Charge: {total}\n\n"
        "Follow it with /orders."
    ),
    "wizard_failed": "❌ The panel refused the order: {message}\nNothing was charged.",
    "wizard_failed_unavailable": (
        "❌ The panel could not be reached, so the order was not placed and nothing was charged. "
        "Please try again in a minute."
    ),
    "wizard_unknown": (
        "⚠️ The panel did not confirm the order in time. It may or may not have been placed — "
        "please <b>don't order again yet</b>. The bot's admin checks it with the panel, and you'll get a message here "
        "as soon as it's settled.\n\n"
        "{name}\nLink: {link}\nQuantity: {quantity}\nCharge: {total}"
    ),
    "wizard_already_placed": "This order was already placed (order ID {order_id}).",
    "wizard_price_changed": "⚠️ The price changed since the summary. Please check the new total.",
    "wizard_cancelled": "Order cancelled. Nothing was ordered.",
    "wizard_nothing_to_cancel": "There is nothing to cancel. Send /order to start an order.",
    "wizard_timeout": "⌛ The order form was closed because there was no answer for a while. Send /order to start again.",
    # -- issue 13: the wizard's Back, Edit, quick quantities and precise quantity errors
    "wizard_quantity_below": (
        "<b>{value}</b> is below the minimum of <b>{min}</b>. Send a whole number from <b>{min}</b> to <b>{max}</b>."
    ),
    "wizard_quantity_above": (
        "<b>{value}</b> is above the maximum of <b>{max}</b>. Send a whole number from <b>{min}</b> to <b>{max}</b>."
    ),
    "wizard_btn_back": "‹ Back",
    "wizard_btn_edit": "✏️ Edit",
    "wizard_edit_which": "✏️ What would you like to change?",
    "wizard_edit_link": "🔗 Link",
    "wizard_edit_quantity": "🔢 Quantity",
    # -- end of issue 13 wizard block
    # --- catalog & search ---
    "cat_title": (
        "📂 <b>Service categories</b>\nCategories: {categories} · services: {services}\nChoose a category:"
    ),
    "cat_empty": "The panel has no services to show right now. Please try again later.",
    "cat_category": "📂 <b>{category}</b>\nServices: {count}\nChoose a service:",
    "cat_card": (
        "<b>{name}</b>\n\n"
        "ID: <code>{id}</code>\n"
        "Category: {category}\n"
        "Type: {type}\n"
        "Price: <b>{price}</b>\n"
        "Min: {min} · Max: {max}\n"
        "Refill: {refill}\n"
        "Cancel: {cancel}"
    ),
    "cat_price_per_1000": "{amount} per 1000",
    "cat_price_per_package": "{amount} per package",
    "cat_button_per_1000": "{amount}/1000",
    "cat_button_per_package": "{amount}/pkg",
    "cat_yes": "✅ yes",
    "cat_no": "❌ no",
    "cat_order": "🛒 Order",
    # -- issue 13: platforms and favorites
    "cat_platforms": (
        "📂 <b>Service categories</b>\nPlatforms: {platforms} · categories: {categories} · "
        "services: {services}\nChoose a platform:"
    ),
    "cat_platform": "📂 <b>{platform}</b>\nCategories: {categories} · services: {services}\nChoose a category:",
    "cat_platform_counts": "{categories} categories",
    "cat_platform_other": "Other",
    "cmd_favorites": "Your favorite services",
    "fav_add": "⭐ Add to favorites",
    "fav_remove": "💔 Remove from favorites",
    "fav_added": "⭐ Added to /favorites",
    "fav_removed": "Removed from your favorites",
    "fav_title": "⭐ <b>Your favorites</b>\nServices: {count}\nChoose a service:",
    "fav_empty": (
        "⭐ You have no favorite services yet.\n\nOpen a service from /services or /search and tap "
        "“⭐ Add to favorites” on its card: it will be listed here."
    ),
    # -- end of issue 13 platforms and favorites
    "search_hint": (
        "🔎 Send <code>/search</code> followed by what you are looking for, e.g. "
        "<code>/search tang like</code>, or simply type the words here. "
        "Accents are optional and service IDs work too."
    ),
    "search_results": "🔎 Results for “{query}”: <b>{count}</b>",
    "search_none": (
        "😕 Nothing matches “{query}”. Try other or fewer words (accents are optional), "
        "a service ID, or browse /services."
    ),
    "search_inline_description": "{price} · {min}–{max}",
    # --- orders & refills ---
    "orders_title": "📦 <b>Your orders</b> ({total}), newest first. Tap one for details.",
    "orders_empty": (
        "📦 You have no orders yet.\n\nBrowse the services with /services and place your first one."
    ),
    "orders_unknown": "unknown — check on the panel",
    "orders_card": (
        "📦 <b>Order {number}</b>\n\n"
        "Service: {service}\n"
        "Link: {link}\n"
        "Quantity: {quantity}\n"
        "Charge: {charge}\n"
        "Status: {status}\n"
        "Start count: {start_count}\n"
        "Remains: {remains}\n"
        "Created: {date}"
    ),
    "orders_card_unknown_note": (
        "⚠️ The connection dropped while this order was being placed, so we don't know whether "
        "the panel received it. The bot's admin is checking; you'll get a message here once it's settled."
    ),
    "orders_card_failed_note": "The panel refused this order: {error}. Nothing was charged.",
    "orders_btn_refresh": "🔄 Refresh",
    "orders_btn_refill": "♻️ Refill",
    "orders_btn_cancel": "✖ Cancel",
    "orders_btn_cancel_yes": "✖ Yes, cancel it",
    "orders_btn_refills": "♻️ My refills",
    "orders_btn_orders": "📦 My orders",
    "orders_cancel_confirm": (
        "Cancel order <b>{number}</b>?\n{service}\n\nThe panel refunds what was not delivered."
    ),
    "orders_refreshed": "Status: {status}",
    "orders_canceled": "Order canceled.",
    "orders_not_found": "Order not found.",
    "orders_not_placed": "The panel never confirmed this order, so it can't be changed here.",
    "orders_cancel_not_supported": "This service can't be canceled.",
    "orders_cancel_final": "This order is already finished and can't be canceled.",
    # --- orders and messages (issue 13): labeled list, filters, search, pending refill, own cancel ---
    "orders_item": (
        "{icon} <b>{number}</b> · {service}\n"
        "      {status} · Quantity: {quantity} · Charge: {charge}\n"
        "      🔗 {host} · {date}"
    ),
    "orders_unknown_item": (
        "❓ <b>unknown — check on the panel</b> · {service}\n      Quantity: {quantity} · Link: {link}\n      {date}"
    ),
    "orders_filter_all": "All",
    "orders_filter_active": "⏳ Active",
    "orders_filter_finished": "✅ Finished",
    "orders_title_active": "📦 <b>Your active orders</b> ({total}), newest first. Tap one for details.",
    "orders_title_finished": "📦 <b>Your finished orders</b> ({total}), newest first. Tap one for details.",
    "orders_empty_active": "📦 None of your orders is running right now.",
    "orders_empty_finished": "📦 None of your orders has finished yet.",
    "orders_search_hint": (
        "🔎 Find an order: <code>/orders 123456</code> (order ID) or "
        "<code>/orders facebook.com/…</code> (part of the link)."
    ),
    "orders_search_title": "🔎 <b>Orders matching “{query}”</b>: {total}, newest first.",
    "orders_search_none": (
        "🔎 None of your orders has that ID or a link with “{query}”.\n"
        "Send an order ID (<code>/orders 123456</code>) or part of the link "
        "(<code>/orders facebook.com/…</code>), or /orders to see them all."
    ),
    "orders_search_more": "Showing the newest {shown}; send more of the link to narrow it down.",
    "refill_already_pending": (
        "♻️ Order <b>#{order}</b> already has a refill in progress, so no new one was requested.\n"
        "Refill ID: <b>{refill}</b>\nStatus: {status}\nRequested: {date}\n\n"
        "Follow it with /refills; you'll get a message when it's done."
    ),
    "notify_canceled_requested": "✖ Order <b>{order_id}</b> was canceled at your request.\n{name}\nLink: {link}",
    "notify_refunded_requested": (
        "↩️ Order <b>{order_id}</b> was canceled at your request and refunded.\n{name}\nLink: {link}"
    ),
    "admin_stats_top": "<b>Top of the last 30 days</b>",
    "refill_usage": (
        "♻️ Send /refill and the order ID, e.g. <code>/refill 100001</code>.\nYour order IDs are in /orders."
    ),
    "refill_requested": (
        "♻️ Refill requested for order <b>#{order}</b>.\nRefill ID: <b>{refill}</b>\n\n"
        "Follow it with /refills."
    ),
    "refill_not_supported": "This service has no refill (no warranty).",
    "refill_not_completed": "Only a completed order can be refilled.",
    "refill_list_title": "♻️ <b>Your refills</b> ({total}), newest first.",
    "refill_list_empty": (
        "♻️ You have no refills yet.\n\nOpen a completed order in /orders and tap ♻️ Refill, "
        "or send /refill and the order ID."
    ),
    "refill_line": "{icon} <b>Refill {refill}</b> · order #{order}\n      {status} · {date}",
    "status_usage": (
        "📊 Send /status and one or more order IDs, e.g. <code>/status 100001</code> or "
        "<code>/status 100001, 100002</code>.\nYour order IDs are in /orders."
    ),
    "status_too_many": "📊 At most {max} order IDs at a time, please.",
    "status_title": "📊 <b>Order status</b>",
    "status_line": "{icon} <b>#{order}</b> · {status} · remains {remains}\n      {service}",
    "status_not_found": "❔ <b>#{order}</b> · not found",
    "status_panel_error": "⚠️ <b>#{order}</b> · the panel said: {message}",
    "status_pending": "Pending",
    "status_in_progress": "In progress",
    "status_processing": "Processing",
    "status_completed": "Completed",
    "status_partial": "Partial",
    "status_canceled": "Canceled",
    "status_failed": "Failed",
    "status_rejected": "Rejected",
    "status_error": "Error",
    "status_unknown": "Unknown",
    # --- statuses said as they are, panel refusals in plain words (issue 12) ---
    "status_refunded": "Refunded",
    "notify_refunded": "↩️ Order <b>{order_id}</b> was refunded by the panel.\n{name}\nLink: {link}",
    "cat_unknown": "❔ not stated (the panel decides)",
    "panel_refused": "⚠️ {message}",
    "refusal_shop_unavailable": "The shop can't take orders right now. Please try again later.",
    "refusal_link_busy": (
        "You already have an order running on this link. Wait until your current order on this "
        "link finishes, then order again."
    ),
    "refusal_below_minimum": (
        "The quantity is below this service's minimum. Order at least the minimum shown on the service."
    ),
    "refusal_above_maximum": (
        "The quantity is above this service's maximum. Order at most the maximum shown on the "
        "service, or split it into several orders."
    ),
    "refusal_bad_link": (
        "The panel can't use this link. Check that it is the full public link of the right kind "
        "(post, profile, video…) and order again."
    ),
    "refusal_no_such_service": "This service is no longer available. Please choose another one in /services.",
    "refusal_no_such_order": "The panel doesn't know this order ID. Check the ID in /orders.",
    "refusal_refill_running": (
        "A refill of this order is still running. Wait until it finishes (see /refills), then ask again."
    ),
    # --- notifications ---
    "notify_started": "🔄 Order <b>{order_id}</b> has started.\n{name}\nLink: {link}\nQuantity: {quantity}",
    "notify_completed": "✅ Order <b>{order_id}</b> is completed!\n{name}\nLink: {link}\nQuantity: {quantity}\nCharge: {charge}",
    "notify_partial": (
        "◐ Order <b>{order_id}</b> finished partially: {delivered} of {quantity} delivered, "
        "<b>{remains} not delivered</b>.\n{name}\nLink: {link}\nFinal charge: {charge}"
    ),
    "notify_canceled": "✖ Order <b>{order_id}</b> was canceled by the panel.\n{name}\nLink: {link}",
    "notify_refill_completed": "♻️ Refill <b>{refill_id}</b> of order {order_id} is completed.\n{name}\nLink: {link}",
    "notify_refill_rejected": "♻️ Refill <b>{refill_id}</b> of order {order_id} was rejected by the panel.\n{name}\nLink: {link}",
    "notify_btn_refill": "♻️ Refill",
    "notify_btn_details": "📄 Details",
    "alert_low_balance": "⚠️ The panel balance is low: <b>{amount}</b> (alert threshold {threshold}). Top up to keep orders flowing.",
    "alert_panel_down": "🚨 The panel has been unreachable for {minutes} minutes. Orders can't be placed or tracked until it is back.",
    "alert_unknown_orders": "❓ {count} order(s) of unknown outcome wait for your verdict: /unknown",
    "alert_panel_back": "✅ The panel is reachable again; tracking has resumed.",
    # --- request format (issue 12): the panel refuses the API key in every body format ---
    "alert_key_refused": "🔑 The panel refuses the bot's API key, so orders can't be placed; users are asked to try again later. Check <code>SMM_API_KEY</code> against the key on your panel's API page (and leave <code>SMM_API_FORMAT</code> at auto), then restart the bot.",
    # --- access & admin ---
    "access_refused": "🔒 This bot is private. To use it, ask the bot's owner to add your Telegram ID: <code>{user_id}</code>",
    "access_claimed_admin": (
        "👑 You are this bot's admin: you were the first to /start it and no ADMIN_IDS is set (demo panel). "
        "To make it permanent, put <code>{user_id}</code> in ADMIN_IDS. /help lists your commands."
    ),
    "access_refused_unconfigured": (
        "🔒 This bot is private, and nobody may use it yet.\n"
        "If you are its owner: put your ID <code>{user_id}</code> in ADMIN_IDS (in the .env file the bot reads, "
        "in the folder you start it from), then restart the bot."
    ),
    "unknown_command": "🤔 I don't know that command. /help lists everything I can do.",
    "access_refused_short": "🔒 This bot is private. Ask the owner to add ID {user_id}.",
    "slow_down": "⏳ Slow down, please: I'm still working on your earlier messages. Send more once I've answered them.",
    "access_inline_button": "🔒 Private bot — ask the owner for access",
    "group_private_only": "👋 I only work in private chat, so orders and balances stay private. Tap below to talk to me there.",
    "group_private_only_short": "I only work in private chat.",
    "group_open_private": "💬 Open private chat",
    "admin_only": "This command is for the bot's admins.",
    "admin_text": "{text}",
    "admin_allow_usage": "Usage: <code>/allow 123456789</code> (a Telegram user ID).",
    "admin_deny_usage": "Usage: <code>/deny 123456789</code> (a Telegram user ID).",
    "admin_allowed": "✅ <code>{user_id}</code> may use the bot now.",
    "admin_denied": "⛔ <code>{user_id}</code> can no longer use the bot.",
    "admin_deny_admin": "<code>{user_id}</code> is an admin (ADMIN_IDS) and can't be denied here.",
    "admin_users_header": "<b>Users</b> ({count}) — ID · orders · spend",
    "admin_more": "…and {count} more.",
    "admin_stats_1d": "<b>Today</b>: {orders} orders · {charge}",
    "admin_stats_7d": "<b>Last 7 days</b>: {orders} orders · {charge}",
    "admin_stats_30d": "<b>Last 30 days</b>: {orders} orders · {charge}",
    "admin_stats_users": "Top users:",
    "admin_stats_services": "Top services:",
    "admin_refreshed": "🔄 Catalog reloaded: {services} services in {categories} categories.",
    "cmd_users": "Admin: users, orders and spend",
    "cmd_stats": "Admin: order statistics",
    "cmd_allow": "Admin: allow a user ID",
    "cmd_deny": "Admin: deny a user ID",
    "cmd_refresh": "Admin: reload the catalog now",
    "wizard_over_max_charge": "This order would cost {total}, more than the limit of {limit} per order. Please order less, or /cancel.",
    "wizard_over_daily_limit": "This order would cost {total}, but you can spend only {left} more in 24 hours (limit {limit} a day). Please order less, or try again later.",
    "recovered_unknown": (
        "⚠️ The bot restarted while placing your order — it may or may not have reached the panel.\n"
        "{name}\nLink: {link}\nQuantity: {quantity}\n\n"
        "Please <b>don't order again yet</b>: the bot's admin checks it with the panel, and you'll get a message here "
        "as soon as it's settled."
    ),
    # --- language ---
    "language_choose": "Choose your language:",
    "language_set": "✅ Language set to English.",
    "language_name": "🇬🇧 English",
    # --- settling orders of unknown outcome (/unknown, admins) ---
    "cmd_unknown": "Admin: settle orders of unknown outcome",
    "unknown_none": "✅ No orders of unknown outcome.",
    "unknown_title": (
        "❓ <b>Orders of unknown outcome</b> ({count})\n"
        "Check each on the panel's website, then settle it: attach its panel order ID, or mark it not placed. "
        "Its owner is told either way."
    ),
    "unknown_line": "<b>#{id}</b> · {user} · {date}\n{service}\n{link} · {quantity} · {charge}\n<i>{reason}</i>",
    "unknown_more": "…and {count} more: settle these first.",
    "unknown_btn_placed": "✅ #{id} placed…",
    "unknown_btn_not_placed": "✖ #{id} not placed",
    "unknown_btn_yes_not_placed": "✖ Yes, not placed",
    "unknown_btn_back": "‹ Back to the list",
    "unknown_usage": (
        "<code>/unknown</code> lists them; <code>/unknown 12 98765</code> attaches panel order 98765 to #12; "
        "<code>/unknown 12 no</code> marks #12 not placed."
    ),
    "unknown_ask_panel_id": "Send the panel's order ID for <b>#{id}</b> ({service}, {link}), or /cancel.",
    "unknown_panel_id_invalid": "That is not an order ID. Send the number the panel shows for this order, or /cancel.",
    "unknown_confirm_not_placed": (
        "Mark <b>#{id}</b> as <b>not placed</b>? Its owner will be told nothing was ordered and may order again.\n\n"
        "{service}\n{link}"
    ),
    "unknown_settled_placed": "✅ #{id} is now panel order <b>{panel_id}</b> and is tracked; its owner will be told.",
    "unknown_settled_not_placed": "✖ #{id} is marked not placed; its owner will be told.",
    "unknown_cancelled": "OK, nothing changed.",
    "settle_not_found": "There is no order #{order_id}.",
    "settle_already": "#{order_id} is no longer of unknown outcome (already settled).",
    "settle_bad_panel_id": "That panel order ID can't be right.",
    "settle_panel_id_taken": "Panel order {panel_id} already belongs to order #{order_id}.",
    "settle_panel_unknown_id": "The panel doesn't know order {panel_id}: {message}",
    "settled_placed": (
        "✅ Good news: your order was confirmed on the panel as <b>#{order_id}</b>. "
        "You'll be told when it completes.\n{name}\nLink: {link}\nQuantity: {quantity}"
    ),
    "settled_not_placed": (
        "ℹ️ Your order did not reach the panel: it was not placed and nothing was charged. You may order again.\n"
        "{name}\nLink: {link}\nQuantity: {quantity}"
    ),
    # --- mass order (/mass) ---
    "cmd_mass": "Place many orders at once",
    "mass_ask": (
        "📦 <b>Mass order</b>: send the orders, one per line (up to {limit}):\n"
        "<code>service_id | link | quantity</code>\n\n"
        "Spaces or commas between the three work too, e.g.\n"
        "<code>123 https://instagram.com/p/abc 1000</code>\n/cancel to stop."
    ),
    "mass_empty": "Send at least one line: <code>service_id | link | quantity</code> (up to {limit} lines).",
    "mass_too_many": "That is {count} lines; a mass order takes at most {limit}. Please split the list and send the first part.",
    "mass_invalid": "❌ Nothing was ordered: {count} line(s) need fixing.",
    "mass_send_again": "Send the whole corrected list again, or /cancel.",
    "mass_line_format": "Line {line}: write it as <code>service_id | link | quantity</code>.",
    "mass_line_service_id": "Line {line}: <code>{value}</code> is not a service ID.",
    "mass_line_no_service": "Line {line}: there is no service #{service_id}.",
    "mass_line_type": "Line {line}: service #{service_id} ({type}) needs more than a link and a quantity. Order it with /order {service_id}.",
    "mass_line_link": "Line {line}: <code>{value}</code> is not a link (a URL like https://… or an @username).",
    "mass_line_quantity": "Line {line}: the quantity must be a whole number from {min} to {max}.",
    "mass_line_over_max": "Line {line}: it would cost {total}, more than the limit of {limit} per order.",
    "mass_over_daily_limit": "This mass order would cost {total}, but you can spend only {left} more in 24 hours (limit {limit} a day). Send a shorter list, or /cancel.",
    "mass_summary": "📦 <b>Mass order</b>: {count} line(s)",
    "mass_summary_line": "<b>{line}.</b> #{service_id} {name}\n     {link} · {quantity} — {charge}",
    "mass_summary_total": "\n<b>Total: {total}</b> for {count} line(s). Tap ✅ Confirm to place them all.",
    "mass_placing": "⏳ Placing the orders… {done} of {count} done.",
    "mass_report": "📦 <b>Mass order</b>: {placed} of {count} placed, {total} in all.",
    "mass_line_placed": "{line}. ✅ #{service_id}: order ID <b>{order_id}</b> · {charge}",
    "mass_line_placed_before": "{line}. ✅ #{service_id}: already placed, order ID <b>{order_id}</b>",
    "mass_line_refused": "{line}. ❌ #{service_id}: refused, nothing charged. {message}",
    "mass_line_unavailable": "{line}. ❌ #{service_id}: not placed, the panel is not answering. Nothing charged.",
    "mass_line_unknown": "{line}. ⚠️ #{service_id}: outcome unknown.",
    "mass_line_not_placed": "{line}. ⏸ #{service_id}: not placed, {reason}",
    "mass_reason_price_changed": "the price changed since the summary.",
    "mass_reason_over_max": "it would cost more than the limit of {limit} per order.",
    "mass_reason_daily_limit": "your spending limit for 24 hours is reached.",
    "mass_reason_service_gone": "the service is no longer in the catalog.",
    "mass_reason_error": "something went wrong on our side.",
    "mass_unknown_note": "\n⚠️ The panel did not answer in time for the lines marked ⚠️: they may or may not have been placed. Check /orders before ordering them again; an admin is checking them.",
    "mass_already_placed": "This mass order was already confirmed: see its report above.",
    "mass_cancelled": "Mass order cancelled. Nothing was ordered.",
    # --- service types as shown to users (issue 13); the panel's own value is what the API gets ---
    "type_default": "Default",
    "type_package": "Package",
    "type_custom_comments": "Custom Comments",
    "type_custom_comments_package": "Custom Comments Package",
    "type_mentions": "Mentions",
    "type_mentions_with_hashtags": "Mentions with Hashtags",
    "type_mentions_custom_list": "Mentions Custom List",
    "type_mentions_hashtag": "Mentions Hashtag",
    "type_mentions_user_followers": "Mentions User Followers",
    "type_mentions_media_likers": "Mentions Media Likers",
    "type_mentions_media_likes": "Mentions Media Likes",
    "type_comment_likes": "Comment Likes",
    "type_comment_replies": "Comment Replies",
    "type_poll": "Poll",
    "type_subscriptions": "Subscriptions",
    "type_seo": "SEO",
    "type_invites_from_groups": "Invites from Groups",
    # -- the shop (wallets, markups)
    'balance_wallets': "👛 Customers' wallets hold <b>{amount}</b> in total.",
    'cmd_wallet': "Your wallet's history",
    'cmd_credit': "Admin: credit a customer's wallet",
    'cmd_debit': "Admin: debit a customer's wallet",
    "cmd_markup": "Admin: retail markups",
    "wallet_balance": "👛 Your wallet: <b>{balance}</b>",
    'wallet_topup_hint': "To top up, ask the shop's admin and give them your ID: <code>{user_id}</code>.",
    "wallet_btn_history": "📜 History",
    "wallet_history_title": "📜 <b>Your wallet</b>: <b>{balance}</b> · {count} entries",
    "wallet_history_of": "📜 <b>Wallet of <code>{user_id}</code></b>: <b>{balance}</b> · {count} entries",
    "wallet_history_empty": "No entries yet.",
    "wallet_entry": "{when} · {kind} <b>{amount}</b> → {balance}{detail}",
    "wallet_kind_topup": "⬆️ Top-up",
    "wallet_kind_charge": "🛒 Order",
    "wallet_kind_refund": "↩️ Refund",
    "wallet_kind_adjustment": "✍️ Adjustment",
    "wallet_usage": "Usage: /wallet for yours, or (admins) /wallet <i>user ID</i>.",
    "wallet_disabled": "This bot has no wallets (the shop runs in direct mode).",
    "wallet_after_order": "👛 Wallet: {balance} → after this order: <b>{after}</b>",
    'wallet_missing': "👛 Wallet: {balance} — <b>{missing} missing</b> for this order.\nTo top up, ask the shop's admin and give them your ID: <code>{user_id}</code>. Then come back to this summary with ✏️ Edit or send /order again.",
    "wallet_paid": "👛 Paid from your wallet · balance now <b>{balance}</b>",
    "wallet_refunded_now": "↩️ <b>{amount}</b> went back to your wallet · balance <b>{balance}</b>",
    "wallet_spent_meanwhile": "👛 Your wallet no longer covers this order (another order used it). Here is the summary again.",
    "shop_failed": "❌ The order could not be placed: {message}",
    "shop_failed_unavailable": "❌ The shop could not take the order right now. Please try again in a minute.",
    "notify_wallet_refund": "↩️ <b>{amount}</b> went back to your wallet · balance <b>{balance}</b>",
    'mass_admins_only': "Mass orders are for the shop's admins. Please order with /order, one service at a time.",
    "wallet_credit_usage": "Usage: /credit <i>user ID</i> <i>amount</i> [note], e.g. <code>/credit 123456789 50000 bank transfer</code>",
    "wallet_debit_usage": "Usage: /debit <i>user ID</i> <i>amount</i> [note], e.g. <code>/debit 123456789 20000 correction</code>",
    "wallet_credited": "✅ Credited <b>{amount}</b> to <code>{user_id}</code> · their balance: <b>{balance}</b>",
    "wallet_debited": "✅ Debited <b>{amount}</b> from <code>{user_id}</code> · their balance: <b>{balance}</b>",
    "wallet_debit_short": "❌ Not debited: the wallet of <code>{user_id}</code> holds only <b>{balance}</b> (a wallet never goes below zero).",
    "wallet_credit_notice": "👛 <b>{amount}</b> was added to your wallet. Balance: <b>{balance}</b>\n{note}",
    "wallet_debit_notice": "👛 <b>{amount}</b> was taken from your wallet. Balance: <b>{balance}</b>\n{note}",
    "markup_usage": "/markup <i>percent</i> — the default markup\n/markup <i>percent</i> <i>service ID</i> — one service\n/markup <i>percent</i> <i>category words</i> — one category\n/markup off [<i>service ID | category words</i>] — remove a markup",
    "markup_default": "💹 Default markup: <b>{percent}%</b>",
    "markup_from_settings": "(from MARKUP_PERCENT)",
    "markup_service": "• Service #{service_id}: <b>{percent}%</b>",
    "markup_category": "• {name}: <b>{percent}%</b>",
    "markup_no_category": "No category matches “{words}”. Check /services for its name.",
    "markup_pick_category": "{count} categories match. Which one?",
    'alert_funds_refused': "⚠️ A customer's order was refused because the panel balance is too low. Customers are told the shop can't take orders right now; the order was refunded to their wallet. Top up the panel.",
    'alert_wallets_uncovered': "⚠️ The panel balance (<b>{amount}</b>) is below what customers' wallets hold (<b>{threshold}</b>): they could order more than the panel can pay for. Top up the panel.",
    "admin_stats_shop": "   sales {revenue} · cost {cost} · margin <b>{margin}</b>",
    'admin_stats_liability': "👛 Customers' wallets: <b>{owed}</b> · panel balance: <b>{panel}</b>",
    # --- top-ups ---
    "cmd_topup": "Top up your wallet",
    "cmd_topups": "Top-ups and unmatched transfers",
    "cmd_assign": "Credit an unmatched transfer",
    "topup_btn": "➕ Top up",
    "topup_ask_amount": "➕ <b>Top up your wallet</b> · balance <b>{balance}</b>\n\nHow much? Tap an amount or send one between {minimum} and {maximum}.\n/cancel to stop.",
    "topup_amount_invalid": "That isn't an amount. Send a number like <code>{example}</code>, or /cancel.",
    "topup_amount_low": "The smallest top-up is <b>{minimum}</b>. Send a larger amount, or /cancel.",
    "topup_amount_high": "The largest top-up is <b>{maximum}</b>. Send a smaller amount, or /cancel.",
    "topup_pick_method": "➕ Top up <b>{amount}</b>. How do you want to pay?",
    "topup_btn_bank": "🏦 Bank transfer (VietQR)",
    "topup_btn_stars": "⭐ Telegram Stars ({stars} ⭐)",
    "topup_btn_cancel": "✖ Cancel",
    "topup_btn_cancel_topup": "✖ Cancel this top-up",
    "topup_unavailable": "Top-ups in the chat aren't set up yet. To top up, ask the shop's admin and give them your ID: <code>{user_id}</code>.",
    "topup_not_customer": "Top-ups are for customers' wallets; you order at cost from the panel balance.",
    "topup_canceled": "✖ Top-up canceled. Nothing was charged.",
    "topup_cancel_too_late": "This top-up is no longer waiting for a payment.",
    "topup_cancel_note": "✖ Canceled · a transfer with this code will not be credited automatically.",
    "topup_bank": "🏦 <b>Bank transfer · {amount}</b>\n\nScan the QR code in your banking app, or transfer by hand:\nBank: <b>{bank}</b>\nAccount: <code>{account}</code>\nName: <b>{name}</b>\nAmount: <code>{amount_plain}</code>\nContent: <code>{content}</code>\n\n⚠️ The content must contain <code>{content}</code>: that is how your transfer is recognised. Your wallet is credited automatically once the bank reports it (usually within a minute). Valid until {until}.",
    "topup_stars_title": "Top-up {amount}",
    "topup_stars_description": "Adds {amount} to your wallet ({rate} per ⭐).",
    "topup_stars_label": "Wallet top-up",
    "topup_stars_sent": "⭐ Pay the invoice above to add <b>{amount}</b> to your wallet. Valid until {until}.",
    "topup_checkout_unknown": "This invoice isn't one of your top-ups. Start again with /topup.",
    "topup_checkout_closed": "This top-up expired or was canceled. Start a new one with /topup.",
    "topup_checkout_amount": "The amount of this invoice doesn't match its top-up. Start again with /topup.",
    "topup_credited": "✅ <b>{amount}</b> added to your wallet ({method}). Balance: <b>{balance}</b>",
    "topup_credited_other": "✅ You sent <b>{amount}</b> for a top-up of {asked}: <b>{amount}</b> was added to your wallet ({method}). Balance: <b>{balance}</b>",
    "topup_expired": "⌛ Your top-up <code>{content}</code> of {amount} expired: no payment arrived in time. If you transferred anyway, your money is safe: the admin will credit it. /topup to start a new one.",
    "topup_method_bank": "bank transfer",
    "topup_method_stars": "Telegram Stars",
    "topup_method_assigned": "bank transfer, credited by the admin",
    "topup_refunded_notice": "↩️ Your Stars top-up of {amount} was refunded to your Telegram Stars balance. Wallet balance: <b>{balance}</b>",
    "topups_title": "➕ <b>Top-ups</b>",
    "topups_pending": "<b>Waiting for payment</b> ({count})",
    "topups_paid": "<b>Recently paid</b>",
    "topups_unmatched": "<b>Unmatched transfers</b> ({count}) — assign with /assign <i>transfer ID</i> <i>user ID</i>, or /assign <i>transfer ID</i> <code>dismiss</code>",
    "topups_none": "none",
    "topups_line": "• #{id} <code>{content}</code> · {amount} · {method} · <code>{user_id}</code> · {when}",
    "topups_line_paid": "• #{id} · <b>{credited}</b> · {method} · <code>{user_id}</code> · {when}{refunded}",
    "topups_refunded_mark": " · ↩️ refunded",
    "topups_transfer": "• T{id} · <b>{amount}</b> · “{content}” · {source} · {when} · {reason}",
    "topups_reason_no_code": "no code",
    "topups_reason_expired": "top-up expired",
    "topups_reason_canceled": "top-up canceled",
    "topups_reason_already_paid": "top-up already paid",
    "topups_stars_refund_hint": "A Stars top-up can be refunded with /refundstars <i>top-up ID</i>.",
    "assign_usage": "Usage: /assign <i>transfer ID</i> <i>user ID</i> — credit an unmatched transfer to a customer\n/assign <i>transfer ID</i> <code>dismiss</code> — not a customer's money",
    "assign_not_open": "Transfer T{id} isn't waiting for an admin (assigned or dismissed already, or unknown). See /topups.",
    "assign_confirm": "Credit transfer T{id} of <b>{amount}</b> (“{content}”) to <code>{user_id}</code>?",
    "assign_confirm_dismiss": "Mark transfer T{id} of <b>{amount}</b> (“{content}”) as not a customer's? It stays recorded but is credited to nobody.",
    "assign_btn_yes": "✅ Credit",
    "assign_btn_dismiss": "✅ Not a customer's",
    "assign_done": "✅ Transfer T{id}: <b>{amount}</b> credited to <code>{user_id}</code> · their balance: <b>{balance}</b>",
    "assign_dismissed": "✅ Transfer T{id} marked as not a customer's.",
    "assign_canceled": "✖ Nothing was credited.",
    "refundstars_usage": "Usage: /refundstars <i>top-up ID</i> — give a Stars top-up back (its credit is taken from the wallet first)",
    "refundstars_confirm": "Refund Stars top-up #{id} of <code>{user_id}</code>: {stars} ⭐ back to them, <b>{amount}</b> taken from their wallet?",
    "refundstars_btn": "↩️ Refund",
    "refundstars_not": "Top-up #{id} isn't a paid Stars top-up.",
    "refundstars_short": "❌ Not refunded: the wallet of <code>{user_id}</code> holds only <b>{balance}</b> of the <b>{amount}</b> to take back.",
    "refundstars_done": "✅ Top-up #{id} refunded: {stars} ⭐ back to <code>{user_id}</code>, <b>{amount}</b> taken from their wallet.",
    "refundstars_failed": "⚠️ The wallet was debited but Telegram refused the Stars refund: {error}. Tap to try the Telegram part again.",
    "refundstars_btn_retry": "🔁 Try again",
    "wallet_missing_topup": "👛 Wallet: {balance} — <b>{missing} missing</b> for this order.\nTap ➕ Top up: once the money is in, come back to this summary with ✏️ Edit or send /order again.",
    "topup_amount_stars": "One Telegram Stars payment carries at most {stars} ⭐ (<b>{stars_maximum}</b>). Send a smaller amount, or /cancel.",
}
