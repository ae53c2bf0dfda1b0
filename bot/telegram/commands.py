"""The command menu shown by Telegram clients, in every language of the catalogs."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.telegram.texts import DEFAULT_LANGUAGE, LANGUAGES, text

# Order matters: Telegram shows the menu in this order.
USER_COMMANDS: tuple[str, ...] = (
    "start", "help", "services", "search", "order", "orders", "status", "refill", "refills",
    "balance", "language", "cancel",
)


def menu(language: str) -> list[BotCommand]:
    return [BotCommand(name, text(language, f"cmd_{name}")) for name in USER_COMMANDS]


async def register_commands(bot: Bot) -> None:
    """Default menu in English, plus one per other language for clients set to it."""
    await bot.set_my_commands(menu(DEFAULT_LANGUAGE))
    for lang in LANGUAGES:
        if lang != DEFAULT_LANGUAGE:
            await bot.set_my_commands(menu(lang), language_code=lang)
