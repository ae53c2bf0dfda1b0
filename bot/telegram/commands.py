"""The command menu shown by Telegram clients, in every language of the catalogs."""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.telegram.texts import DEFAULT_LANGUAGE, LANGUAGES, text

# Order matters: Telegram shows the menu in this order.
USER_COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "services",
    "search",
    "favorites",
    "order",
    "mass",
    "orders",
    "status",
    "refill",
    "refills",
    "balance",
    "topup",
    "wallet",
    "language",
    "cancel",
)


ADMIN_COMMANDS: tuple[str, ...] = (
    "users",
    "stats",
    "unknown",
    "allow",
    "deny",
    "credit",
    "debit",
    "markup",
    "topups",
    "assign",
    "refresh",
)


def menu(language: str, *, admin: bool = False) -> list[BotCommand]:
    names = USER_COMMANDS + (ADMIN_COMMANDS if admin else ())
    return [BotCommand(name, text(language, f"cmd_{name}")) for name in names]


async def register_commands(bot: Bot) -> None:
    """Default menu in English, plus one per other language for clients set to it (at once:
    each is a round trip to Telegram, during start-up)."""
    await asyncio.gather(
        *(
            bot.set_my_commands(menu(lang), language_code=None if lang == DEFAULT_LANGUAGE else lang)
            for lang in LANGUAGES
        )
    )


async def set_admin_menu(bot: Bot, admin_id: int) -> None:
    """Admin commands appear in the admin's own chat only (a chat scope), hidden from others.
    Set when the admin first writes: Telegram can't scope a chat the admin never opened."""
    for lang in LANGUAGES:
        code = None if lang == DEFAULT_LANGUAGE else lang
        with contextlib.suppress(TelegramError):  # cosmetic: never worth failing an update
            await bot.set_my_commands(
                menu(lang, admin=True), scope=BotCommandScopeChat(admin_id), language_code=code
            )
