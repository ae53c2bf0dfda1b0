"""Secrets never reach a log line, including library loggers and tracebacks."""

from __future__ import annotations

import logging

import pytest

from bot.logs import REDACTED, RedactingFormatter, setup_logging

TOKEN = "123456:TEST-token-not-real"
KEY = "panel-secret-key"


def test_redacts_message_args_and_tracebacks() -> None:
    formatter = RedactingFormatter("%(name)s %(message)s", [TOKEN, KEY])
    try:
        raise RuntimeError(f"boom with {KEY}")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "httpx", logging.INFO, __file__, 1, "POST %s", (f"https://x/bot{TOKEN}/getMe",), sys.exc_info()
        )
    out = formatter.format(record)
    assert TOKEN not in out and KEY not in out
    assert out.count(REDACTED) == 2


def test_setup_silences_httpx_info(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("DEBUG", [TOKEN])
        logging.getLogger("httpx").info("HTTP Request: POST https://api/bot%s/getUpdates", TOKEN)
        logging.getLogger("telegram.ext").warning("token %s", TOKEN)
        err = capsys.readouterr().err
        assert "getUpdates" not in err
        assert TOKEN not in err and REDACTED in err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
