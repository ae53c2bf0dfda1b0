"""Logging set-up with secret redaction.

The bot token appears in every Bot API URL and the panel key in every panel
request body; libraries (httpx, PTB, aiohttp) may log either.  Redaction is
done in the root handler's formatter, so it covers our loggers, library
loggers and formatted tracebacks alike.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.redaction import REDACTED, Redactor

__all__ = ["REDACTED", "RedactingFormatter", "setup_logging"]


class RedactingFormatter(logging.Formatter):
    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._redactor = Redactor(secrets)

    def redact(self, text: str) -> str:
        return self._redactor.redact(text)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def setup_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic narrates every connection ("Context impl …"); `bot.store.migrate` logs what changed.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The database drivers log every statement at DEBUG: thousands of lines a minute that
    # drown the bot's own DEBUG lines (SQL is SQLAlchemy's to log, with `echo`, if ever needed).
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    logging.getLogger("asyncpg").setLevel(logging.INFO)
