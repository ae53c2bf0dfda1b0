"""The start-up floor: the smallest python-telegram-bot polling bot that answers /start.

`python -m bench.floor_bot`, configured like the bot (TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL).
`bench.startup` spawns it beside `python -m bot` and times it the same way, so the bot's
start-up is reported as a ratio to what PTB itself costs on the same machine in the same run:
the interpreter, PTB's imports, `getMe`, and the first `getUpdates`.  No database, no panel,
no settings module: anything the bot does beyond this is its own.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("Hi!")


def main() -> None:
    builder = Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
    if "TELEGRAM_API_URL" in os.environ:
        builder = builder.base_url(os.environ["TELEGRAM_API_URL"])  # as the bot passes it
    application = builder.build()
    application.add_handler(CommandHandler("start", start))
    application.run_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
