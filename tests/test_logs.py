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


async def test_one_line_per_update_without_contents(
    bot: object, telegram: object, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.fake_telegram import FakeTelegram

    assert isinstance(telegram, FakeTelegram)
    caplog.set_level(logging.INFO, logger="bot.updates")
    alice = telegram.user(1001)
    await alice.send("/help")
    await alice.reply()
    await alice.send("my private words 4111-1111")
    await alice.reply()
    await alice.tap_data("cat:0", message=alice.last)
    await telegram.wait_idle()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert len(lines) == 3
    assert lines[0].startswith("update user=1001 /help ") and lines[0].endswith("ms")
    assert "message:text" in lines[1] and "callback:cat" in lines[2]
    assert not any("private words" in line or "4111" in line for line in lines)
