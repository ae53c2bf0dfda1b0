"""`python -m bot [--demo-panel]`: load settings, start the bot, stop cleanly on SIGTERM/SIGINT.

`python -m bot migrate` brings the database's schema up to date (start-up does it too);
`python -m bot copy-db --to postgresql://…` copies the database into an empty one;
`python -m bot audit` checks the shop's books (wallets, ledger, refunds): exit 1 on any
discrepancy.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot import collector
from bot.config import ConfigError, Settings, load_database_settings, load_settings
from bot.logs import setup_logging
from bot.redaction import Redactor

if TYPE_CHECKING:
    from bot.panel.simulator import PanelSimulator
    from bot.services.audit import AuditReport

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_FAILURE = 1  # could not run: Telegram unreachable, database unusable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--demo-panel",
        action="store_true",
        help="run against a built-in panel simulator on loopback (no real money involved)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "migrate", help="apply database migrations (DATABASE_URL or DATABASE_PATH), then exit"
    )
    copy = commands.add_parser(
        "copy-db",
        help="copy every row into an empty database, e.g. from SQLite to PostgreSQL",
        description="Copy every row of the configured database (or --from) into the empty database "
        "--to, in one transaction; row counts and money checksums are compared before it is kept.",
    )
    copy.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://user:password@host/db, or a SQLite path"
    )
    copy.add_argument(
        "--from", dest="source", metavar="URL", help="default: DATABASE_URL, else DATABASE_PATH"
    )
    audit = commands.add_parser(
        "audit",
        help="recompute every wallet from its ledger and every refund from its order; exit 1 on "
        "any discrepancy",
        description="Recompute every wallet from its ledger and every wallet-paid order's charge and "
        "refund; print each discrepancy and exit 1 if there is any.  A refund the tracking cycle "
        "has not settled yet is a warning, not a discrepancy.  Reads only; the schema must be current.",
    )
    audit.add_argument(
        "--decimals",
        type=_decimals,
        metavar="N",
        help="the shop currency's places, which partial refunds are rounded down to "
        "(default: PRICE_DECIMALS)",
    )
    args = parser.parse_args(argv)
    if args.command is not None:
        return _database_command(args)
    try:
        settings = load_settings(demo=args.demo_panel)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level, settings.secrets)
    with collector.paused():  # the stack's imports start here (see `_serve`)
        from telegram.error import InvalidToken, NetworkError
    try:
        asyncio.run(_serve(settings, demo=args.demo_panel))
    except InvalidToken:
        print("configuration error: TELEGRAM_BOT_TOKEN was rejected by Telegram", file=sys.stderr)
        return EXIT_CONFIG
    except NetworkError:  # already logged, before the shutdown lines
        return EXIT_FAILURE
    except Exception as exc:
        # Not imported up front: `bot.store` loads the whole store, which Telegram need not
        # wait for (see `bot.launch`).
        from bot.store.errors import DatabaseUnusable

        if not isinstance(exc, DatabaseUnusable):
            raise
        # One line, last, for the operator; redacted like the logs, though it names a path.
        print(f"database error: {Redactor(settings.secrets).redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    return 0


def _database_command(args: argparse.Namespace) -> int:
    """`migrate`, `copy-db` and `audit`: they need the database settings only, not a bot token."""
    from bot.store import database as db_urls
    from bot.store.copy import CopyMismatch, CopyRefused
    from bot.store.errors import DatabaseUnusable

    try:
        settings = load_database_settings()
        for url in (args.to, args.source) if args.command == "copy-db" else ():
            if url and "://" in url:
                db_urls.database_url(url)
    except (ConfigError, db_urls.UnsupportedDatabase) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    extra = tuple(p for p in (_password(args, "to"), _password(args, "source")) if p)
    redactor = Redactor((*settings.secrets, *extra))
    setup_logging(settings.log_level, (*settings.secrets, *extra))
    try:
        if args.command == "migrate":
            print(asyncio.run(_migrate(settings.database)))
        elif args.command == "audit":
            decimals = settings.price_decimals if args.decimals is None else args.decimals
            books = asyncio.run(_audit(settings.database, decimals))
            print(redactor.redact("\n".join(books.lines())))
            return 0 if books.clean else EXIT_FAILURE
        else:
            report = asyncio.run(_copy(args.source or settings.database, args.to))
            print(redactor.redact("\n".join(report)))
    except (DatabaseUnusable, SchemaNotCurrent) as exc:
        print(f"database error: {redactor.redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except CopyRefused as exc:
        print(f"copy refused: {redactor.redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except CopyMismatch as exc:
        print(redactor.redact("\n".join(exc.report.lines())), file=sys.stderr)
        print(f"copy failed: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    return 0


def _password(args: argparse.Namespace, name: str) -> str | None:
    from urllib.parse import unquote, urlsplit

    value = getattr(args, name, None)
    password = urlsplit(value).password if value and "://" in value else None
    return unquote(password) if password else None


async def _migrate(target: str | Path) -> str:
    from bot.store import migrate
    from bot.store.database import Database

    database = Database(target)
    await database.open()
    try:
        before, after = await migrate.migrate(database)
    finally:
        await database.close()
    if before == after:
        return f"database {database.description}: schema {after} is current"
    return f"database {database.description}: schema {before or 'empty'} → {after}"


class SchemaNotCurrent(Exception):
    """The audit reads a database as this code's schema describes it, and changes nothing."""


def _decimals(value: str) -> int:
    places = int(value) if value.isascii() and value.isdigit() else -1
    if not 0 <= places <= 8:
        raise argparse.ArgumentTypeError("must be 0 to 8: the places of the shop currency")
    return places


async def _audit(target: str | Path, decimals: int) -> AuditReport:
    """The audit reads, and never migrates: a schema other than this code's is refused."""
    from bot.services.audit import audit
    from bot.store import Store, migrate

    store = Store(target)
    await store.db.open()
    try:
        revision = await migrate.current(store.db)
        if revision != migrate.head():
            raise SchemaNotCurrent(
                f"the database {store.db.description} has schema {revision or 'empty'}, not this "
                f"code's {migrate.head()}: run `python -m bot migrate` first"
            )
        return await audit(store, decimals)
    except Exception as exc:
        unusable = store.db.unusable(exc)
        if unusable is None:
            raise
        raise unusable from None
    finally:
        await store.close()


async def _copy(source: str | Path, target: str) -> list[str]:
    from bot.store.copy import copy_database

    report = await copy_database(source, Path(target) if "://" not in target else target)
    return [*report.lines(), "copy complete: every row and amount matches"]


async def _serve(settings: Settings, *, demo: bool) -> None:
    """Start-up runs with the cycle collector paused, and what it made is then frozen (see
    `bot.collector`); Telegram is contacted before the rest of the bot loads (`bot.launch`)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    simulator: PanelSimulator | None = None
    try:
        with collector.paused():
            # Imported here so a configuration error is reported without loading the stack.
            from bot.launch import launch

            if demo:
                from bot.panel.simulator import PanelSimulator

                simulator = PanelSimulator(api_key=settings.smm_api_key, auto_advance_seconds=30)
                settings = replace(settings, smm_api_url=await simulator.start())
                log.info("demo mode: using the built-in panel simulator at %s", settings.smm_api_url)
            runtime = await launch(settings, demo=demo)
        collector.freeze()
        try:
            await stop.wait()
            log.info("stopping…")
        finally:
            await runtime.stop()
    finally:
        if simulator is not None:
            await simulator.stop()


if __name__ == "__main__":
    sys.exit(main())
