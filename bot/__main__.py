"""`python -m bot [--demo-panel]`: load settings, start the bot, stop cleanly on SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from dataclasses import replace

from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging
from bot.redaction import Redactor
from bot.store.errors import DatabaseUnusable

log = logging.getLogger("bot")

EXIT_CONFIG = 2
EXIT_FAILURE = 1  # could not run: Telegram unreachable, database unusable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "--demo-panel",
        action="store_true",
        help="run against a built-in panel simulator on loopback (no real money involved)",
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings(demo=args.demo_panel)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(settings.log_level, settings.secrets)
    try:
        asyncio.run(_serve(settings, demo=args.demo_panel))
    except InvalidToken:
        print("configuration error: TELEGRAM_BOT_TOKEN was rejected by Telegram", file=sys.stderr)
        return EXIT_CONFIG
    except NetworkError:  # already logged by the runtime, before its shutdown lines
        return EXIT_FAILURE
    except DatabaseUnusable as exc:
        # One line, last, for the operator; redacted like the logs, though it names a path.
        print(f"database error: {Redactor(settings.secrets).redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    return 0


async def _serve(settings: Settings, *, demo: bool) -> None:
    # Imported here so a configuration error is reported without loading the whole stack.
    from bot.panel.simulator import PanelSimulator
    from bot.runtime import BotRuntime

    simulator: PanelSimulator | None = None
    if demo:
        simulator = PanelSimulator(api_key=settings.smm_api_key, auto_advance_seconds=30)
        settings = replace(settings, smm_api_url=await simulator.start())
        log.info("demo mode: using the built-in panel simulator at %s", settings.smm_api_url)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    runtime = BotRuntime(settings, demo=demo)
    try:
        await runtime.start()
        await stop.wait()
        log.info("stopping…")
    finally:
        await runtime.stop()
        if simulator is not None:
            await simulator.stop()


if __name__ == "__main__":
    sys.exit(main())
