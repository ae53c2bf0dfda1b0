"""Self-tests of the offline Telegram harness (tests/support/fake_telegram.py).

A tiny real PTB Application (real Updater long polling, real handlers) is pointed at the fake,
and the tests prove that the harness round-trips commands, button taps, edits, callback answers,
inline queries, and that it rejects what Telegram would reject (so bot bugs surface offline).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LabeledPrice,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from tests.support.fake_telegram import (
    CHARGE_ALREADY_REFUNDED,
    CHARGE_NOT_FOUND,
    NOT_MODIFIED,
    QUERY_ID_INVALID,
    QUERY_TOO_OLD,
    ApiError,
    FakeTelegram,
    SentMessage,
    render_text,
)

START_TEXT = "Welcome, <b>friend</b>! Pick one:"


def _kb(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


START_KB = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Balance", callback_data="bal"),
            InlineKeyboardButton("Same again", callback_data="same"),
        ],
        [
            InlineKeyboardButton("Alert me", callback_data="alert"),
            InlineKeyboardButton("Delete", callback_data="del"),
        ],
        [
            InlineKeyboardButton("Answer twice", callback_data="twice"),
            InlineKeyboardButton("Docs", url="https://example.com/docs"),
        ],
    ]
)


# --------------------------------------------------------------------------------------------
# The tiny bot under test
# --------------------------------------------------------------------------------------------
async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(START_TEXT, parse_mode=ParseMode.HTML, reply_markup=START_KB)


async def _on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    data = query.data
    if data == "bal":
        await query.answer("Balance loaded")
        await query.edit_message_text(
            "Balance: <b>42</b> USD", parse_mode=ParseMode.HTML, reply_markup=_kb([("Back", "back")])
        )
    elif data == "back":
        await query.answer()
        await query.edit_message_text(START_TEXT, parse_mode=ParseMode.HTML, reply_markup=START_KB)
    elif data == "same":
        await query.answer()
        # Re-render exactly what is shown: Telegram answers "message is not modified".
        msg = query.message
        await query.edit_message_text(msg.text_html, parse_mode=ParseMode.HTML, reply_markup=msg.reply_markup)
    elif data == "alert":
        await query.answer("Are you sure?", show_alert=True)
    elif data == "del":
        await query.answer()
        await query.delete_message()
    elif data == "twice":
        await query.answer("first")
        await query.answer("second")
    else:
        await query.answer(f"unknown: {data}")


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"you edited to: {update.edited_message.text}")


async def _sticker(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("nice sticker")


async def _poke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/poke <chat_id>: message another chat (used for blocked / unknown chat tests)."""
    assert context.args
    await context.bot.send_message(int(context.args[0]), "poke!")


_CASES: dict[str, dict[str, Any]] = {
    "long": {"text": "x" * 4097},
    "long_html_ok": {"text": "<b>" + "y" * 4096 + "</b>", "parse_mode": ParseMode.HTML},
    "escaped_ok": {"text": "&lt;" * 4096, "parse_mode": ParseMode.HTML},
    "long_html": {"text": "<i>" + "&amp;" * 4097 + "</i>", "parse_mode": ParseMode.HTML},
    "unclosed": {"text": "<b>bold forever", "parse_mode": ParseMode.HTML},
    "br": {"text": "line<br>line", "parse_mode": ParseMode.HTML},
    "empty_html": {"text": "<b> </b>", "parse_mode": ParseMode.HTML},
    "mdv2_dot": {"text": "Price: 1.5", "parse_mode": ParseMode.MARKDOWN_V2},
    "data65": {"text": "t", "reply_markup": _kb([("big", "d" * 65)])},
    "data64": {"text": "t", "reply_markup": _kb([("ok", "d" * 64)])},
    "data_utf8": {"text": "t", "reply_markup": _kb([("utf8", "é" * 33)])},
    "buttons101": {"text": "t", "reply_markup": _kb(*[[("b", str(i))] for i in range(101)])},
    "buttons100": {"text": "t", "reply_markup": _kb(*[[("b", str(i))] for i in range(100)])},
}


async def _case(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/case <name>: send one of the boundary-condition messages from _CASES."""
    assert update.effective_chat is not None and context.args
    await context.bot.send_message(update.effective_chat.id, **_CASES[context.args[0]])


async def _inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.inline_query is not None
    q = update.inline_query.query
    await update.inline_query.answer(
        [
            InlineQueryResultArticle(
                id=str(i), title=f"{q} #{i}", input_message_content=InputTextMessageContent(q)
            )
            for i in range(3)
        ],
        cache_time=0,
    )


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Collect handler exceptions so tests can assert on the exact PTB error."""
    context.application.bot_data.setdefault("errors", []).append(context.error)


async def _invoice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/invoice <stars> <payload>: a Telegram Stars invoice (Telegram adds the Pay button)."""
    assert update.effective_chat is not None and context.args
    await context.bot.send_invoice(
        update.effective_chat.id,
        title="Top up",
        description="Stars for your balance",
        payload=context.args[1],
        currency="XTR",
        prices=[LabeledPrice("Top up", int(context.args[0]))],
    )


async def _pre_checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer by payload: ok* -> ok; no -> refuse; twice -> answer twice; late -> answer after
    0.4 s; silent -> never answer."""
    query = update.pre_checkout_query
    assert query is not None
    payload = query.invoice_payload
    if payload == "no":
        await query.answer(ok=False, error_message="Sold out, sorry")
    elif payload == "twice":
        await query.answer(ok=True)
        await query.answer(ok=True)
    elif payload == "late":
        await asyncio.sleep(0.4)
        await query.answer(ok=True)
    elif payload != "silent":
        await query.answer(ok=True)


async def _paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    msg = update.effective_message
    assert msg is not None and msg.successful_payment is not None
    sp = msg.successful_payment
    await msg.reply_text(
        f"paid {sp.total_amount} {sp.currency} {sp.invoice_payload} {sp.telegram_payment_charge_id}"
    )


def build_app(fake: FakeTelegram) -> Application:
    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", _start))
    app.add_handler(CommandHandler("case", _case))
    app.add_handler(CommandHandler("poke", _poke))
    app.add_handler(CommandHandler("invoice", _invoice))
    app.add_handler(PreCheckoutQueryHandler(_pre_checkout))
    app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, _paid))
    app.add_handler(CallbackQueryHandler(_on_button))
    app.add_handler(InlineQueryHandler(_inline_query))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, _edited))
    app.add_handler(MessageHandler(filters.Sticker.ALL, _sticker))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, _echo))
    app.add_error_handler(_on_error)
    return app


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------
@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def app(fake: FakeTelegram) -> AsyncIterator[Application]:
    application = build_app(fake)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def handler_errors(app: Application) -> list[BaseException]:
    return list(app.bot_data.get("errors", []))


async def _last_error(fake: FakeTelegram, app: Application) -> tuple[Any, BaseException]:
    """The fake's last error answer and the exception the bot's handler raised for it."""
    await fake.wait_for(lambda: bool(handler_errors(app)), what="a handler error")
    assert fake.errors, "expected the fake to have answered an error"
    errs = handler_errors(app)
    assert errs, "expected the handler to raise"
    return fake.errors[-1], errs[-1]


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------
async def test_bootstrap_calls(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("ping")
    await alice.reply()  # a long poll is logged when it completes
    methods = [c.method for c in fake.calls]
    assert methods[:3] == ["getMe", "deleteWebhook", "getUpdates"]
    assert app.bot.username == fake.bot_username
    assert not fake.errors


async def test_command_reply_with_keyboard(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/start")
    msg = await alice.reply()
    assert msg.text == START_TEXT
    assert msg.plain_text == "Welcome, friend! Pick one:"
    assert msg.parse_mode == "HTML"
    assert msg.entities == [{"type": "bold", "offset": 9, "length": 6}]
    assert msg.button_texts == ["Balance", "Same again", "Alert me", "Delete", "Answer twice", "Docs"]
    assert msg.button("Bal").callback_data == "bal"  # prefix
    assert msg.button("twice").callback_data == "twice"  # substring
    assert msg.button("Docs").url == "https://example.com/docs"
    with pytest.raises(AssertionError, match="available buttons"):
        msg.button("Nope")
    call = fake.calls_of("sendMessage")[-1]
    assert call.params["chat_id"] == alice.chat_id  # JSON-decoded int
    assert isinstance(call.params["reply_markup"], dict)
    assert alice.last is fake.messages[alice.chat_id][-1]
    await alice.silence()


async def test_button_tap_edits_and_answers(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/start")
    first = await alice.reply()
    qid = await alice.tap("Balance")
    edited = await alice.reply()
    assert edited.message_id == first.message_id
    assert edited.plain_text == "Balance: 42 USD"
    assert edited.edits == 1
    assert edited.button_texts == ["Back"]
    assert await alice.answered(qid) == {"text": "Balance loaded", "show_alert": False}
    assert alice.answer(qid) == alice.answers[qid]
    # The earlier reply is a snapshot and did not change.
    assert first.button_texts[0] == "Balance" and first.edits == 0
    # Back again; the callback query carried the live message.
    qid2 = await alice.tap("Back")
    back = await alice.reply()
    assert back.plain_text == first.plain_text and back.edits == 2
    assert (await alice.answered(qid2))["text"] is None
    await alice.silence()
    assert not fake.errors


async def test_alert_and_delete(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/start")
    msg = await alice.reply()
    qid = await alice.tap("Alert me", msg)
    assert await alice.answered(qid) == {"text": "Are you sure?", "show_alert": True}
    await alice.tap("Delete")
    await fake.wait_idle()
    assert fake.messages[alice.chat_id][0].deleted
    assert alice.last is None
    with pytest.raises(AssertionError, match="no bot message with inline buttons"):
        await alice.tap("Balance")


async def test_echo_and_multiple_users(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    bob = fake.user(1002, first_name="Bob", username="bob")
    assert fake.user(1002) is bob
    await alice.send("hello")
    await bob.send("yo")
    await alice.send("second")
    a1, a2 = await alice.replies(2)
    assert [a1.plain_text, a2.plain_text] == ["echo: hello", "echo: second"]
    assert (await bob.reply()).plain_text == "echo: yo"
    # Message ids are per chat and shared with the user's own messages (1 and 2 here).
    assert [m.message_id for m in alice.messages] == [3, 4]


async def test_edited_message_sticker_and_group(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    sent = await alice.send("typo")
    assert (await alice.reply()).plain_text == "echo: typo"
    await alice.edit_message(sent["message_id"], "fixed")
    assert (await alice.reply()).plain_text == "you edited to: fixed"
    await alice.send_raw(
        {
            "sticker": {
                "file_id": "S1",
                "file_unique_id": "U1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        }
    )
    assert (await alice.reply()).plain_text == "nice sticker"
    group_msg = alice.make_message("/start@smm_test_bot", chat_type="supergroup")
    assert group_msg["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]
    fake.push_update({"message": group_msg})
    await fake.wait_idle()
    group_id = group_msg["chat"]["id"]
    assert fake.messages[group_id][0].plain_text == "Welcome, friend! Pick one:"
    # In groups PTB quotes the command; the fake validated the reply target.
    assert (
        fake.calls_of("sendMessage")[-1].params["reply_parameters"]["message_id"] == (group_msg["message_id"])
    )


async def test_inline_query(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    qid = await alice.inline("cats")
    await fake.wait_idle()
    results = alice.inline_results(qid)
    assert results is not None
    assert [r["title"] for r in results] == ["cats #0", "cats #1", "cats #2"]
    assert fake.inline_answers[qid]["cache_time"] == 0


async def test_tap_data_forged(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/start")
    await alice.reply()
    qid = await alice.tap_data("../../admin")
    assert (await alice.answered(qid))["text"] == "unknown: ../../admin"


async def test_silence_detects_unexpected_message(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("hi")
    with pytest.raises(AssertionError, match="expected silence"):
        await alice.silence()


async def test_reply_timeout_reports_recent_calls(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/case long")
    with pytest.raises(AssertionError, match="message is too long"):
        await alice.reply(timeout=0.5)


# --------------------------------------------------------------------------------------------
# Honesty: limits and errors surface as PTB exceptions in the handler
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "description"),
    [
        ("long", "Bad Request: message is too long"),
        ("long_html", "Bad Request: message is too long"),
        ("unclosed", "Bad Request: can't parse entities: Can't find end tag corresponding to"),
        ("br", 'Bad Request: can\'t parse entities: Unsupported start tag "br"'),
        ("empty_html", "Bad Request: message text is empty"),
        ("mdv2_dot", "Bad Request: can't parse entities: Character '.' is reserved"),
        ("data65", "Bad Request: BUTTON_DATA_INVALID"),
        ("data_utf8", "Bad Request: BUTTON_DATA_INVALID"),
        ("buttons101", "Bad Request: reply markup is too long"),
    ],
)
async def test_limits_raise_bad_request(
    fake: FakeTelegram, app: Application, case: str, description: str
) -> None:
    alice = fake.user()
    await alice.send(f"/case {case}")
    call, err = await _last_error(fake, app)
    assert call.method == "sendMessage"
    assert call.error_code == 400
    assert call.description.startswith(description)
    assert isinstance(err, BadRequest)
    assert str(err).lower() in call.description.lower()
    assert not alice.messages


@pytest.mark.parametrize("case", ["long_html_ok", "escaped_ok", "data64", "buttons100"])
async def test_limits_boundaries_are_accepted(fake: FakeTelegram, app: Application, case: str) -> None:
    alice = fake.user()
    await alice.send(f"/case {case}")
    msg = await alice.reply()
    assert msg.plain_text
    assert len(msg.plain_text) <= 4096
    assert not fake.errors and not handler_errors(app)


async def test_edit_identical_is_not_modified(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/start")
    await alice.reply()
    await alice.tap("Same again")
    call, err = await _last_error(fake, app)
    assert call.method == "editMessageText"
    assert call.description == NOT_MODIFIED
    assert isinstance(err, BadRequest) and "not modified" in str(err)
    await alice.silence()  # the failed edit changed nothing


async def test_double_answer_is_rejected(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/start")
    await alice.reply()
    qid = await alice.tap("Answer twice")
    call, err = await _last_error(fake, app)
    assert call.method == "answerCallbackQuery"
    assert "query is too old" in call.description
    assert isinstance(err, BadRequest)
    assert alice.answer(qid) == {"text": "first", "show_alert": False}


async def test_blocked_user_is_forbidden(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    bob = fake.user(1002, first_name="Bob")
    await bob.send("/start")
    await bob.reply()
    fake.block(bob.id)
    await alice.send(f"/poke {bob.id}")
    call, err = await _last_error(fake, app)
    assert (call.error_code, call.description) == (403, "Forbidden: bot was blocked by the user")
    assert isinstance(err, Forbidden)
    fake.unblock(bob.id)
    await alice.send(f"/poke {bob.id}")
    assert (await bob.reply()).plain_text == "poke!"


async def test_unknown_chat_not_found(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/poke 424242")
    call, err = await _last_error(fake, app)
    assert call.description == "Bad Request: chat not found"
    assert isinstance(err, BadRequest)


# --------------------------------------------------------------------------------------------
# Direct Bot API checks (no Application needed)
# --------------------------------------------------------------------------------------------
async def test_commands_and_bot_errors(fake: FakeTelegram) -> None:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
        await bot.set_my_commands(
            [BotCommand("start", "Начать")],
            scope=BotCommandScopeAllPrivateChats(),
            language_code="ru",
        )
        assert fake.commands[("default", "")][1] == {"command": "help", "description": "Help"}
        assert fake.commands[("all_private_chats", "ru")][0]["description"] == "Начать"
        got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="ru")
        assert [c.command for c in got] == ["start"]
        await bot.delete_my_commands()
        assert ("default", "") not in fake.commands
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Start", "uppercase is invalid")])
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("definitelyNotAMethod")
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_chat_action(999, "typing")
        alice = fake.user()
        fake.push_update({"message": alice.make_message("hi")})  # makes the chat known
        with pytest.raises(BadRequest, match="Message to edit not found"):
            await bot.edit_message_text("x", chat_id=alice.chat_id, message_id=99)
        with pytest.raises(BadRequest, match="Message can't be edited"):
            await bot.edit_message_text("x", chat_id=alice.chat_id, message_id=1)
        await bot.send_chat_action(alice.chat_id, "typing")
        assert fake.chat_actions == [(alice.chat_id, "typing")]
        chat = await bot.get_chat(alice.chat_id)
        assert chat.first_name == "Alice"
    assert fake.calls_of("definitelyNotAMethod")[0].error_code == 404


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    bot = Bot("999:wrong-token", base_url=fake.base_url)
    with pytest.raises(InvalidToken):
        await bot.initialize()
    assert fake.errors[-1].error_code == 401
    assert fake.errors[-1].description == "Unauthorized"


async def test_rate_limits() -> None:
    async with FakeTelegram(rate_limit_per_s=3, per_chat_per_s=2) as fake:
        alice, bob = fake.user(), fake.user(1002)
        fake.push_update({"message": alice.make_message("hi")})
        fake.push_update({"message": bob.make_message("hi")})
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await bot.send_message(alice.chat_id, "1")
            await bot.send_message(alice.chat_id, "2")
            with pytest.raises(RetryAfter) as per_chat:
                await bot.send_message(alice.chat_id, "3")  # per-chat: 2/s
            await bot.send_message(bob.chat_id, "1")
            with pytest.raises(RetryAfter):
                await bot.send_message(bob.chat_id, "2")  # global: 3/s
        assert "retry in 1 seconds" in str(per_chat.value).lower()
        assert fake.throttled == 2
        throttled = [c for c in fake.errors if c.error_code == 429]
        assert throttled[0].description == "Too Many Requests: retry after 1"


async def test_raw_http_leniency_and_long_poll(fake: FakeTelegram) -> None:
    alice = fake.user()
    fake.push_update({"message": alice.make_message("hi")})
    url = f"{fake.base_url}{fake.token}"
    async with aiohttp.ClientSession() as http:
        # JSON body with typed values.
        async with http.post(f"{url}/sendMessage", json={"chat_id": alice.chat_id, "text": "123"}) as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["text"] == "123"
        assert fake.calls_of("sendMessage")[-1].params["text"] == "123"  # stays a string
        # Query string.
        async with http.get(f"{url}/getMe") as resp:
            assert (await resp.json())["result"]["username"] == fake.bot_username
        # Error shape.
        async with http.post(f"{url}/sendMessage", data={"chat_id": "1001", "text": ""}) as resp:
            assert resp.status == 400
            assert await resp.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: message text is empty",
            }
        # getUpdates: pending update returned immediately; offset acknowledges it.
        async with http.post(f"{url}/getUpdates", data={"timeout": "5"}) as resp:
            updates = (await resp.json())["result"]
        assert [u["update_id"] for u in updates] == [1]
        t0 = time.monotonic()
        async with http.post(f"{url}/getUpdates", data={"offset": "2", "timeout": "0.2"}) as r:
            assert (await r.json())["result"] == []
        assert 0.15 <= time.monotonic() - t0 < 1.5
        assert fake.pending_updates == []
        # A long poll is woken by a pushed update.
        poll = asyncio.create_task(http.post(f"{url}/getUpdates", data={"offset": "2", "timeout": "10"}))
        await asyncio.sleep(0.05)
        t0 = time.monotonic()
        await alice.send("wake up")
        resp = await asyncio.wait_for(poll, 2)
        assert (await resp.json())["result"][0]["message"]["text"] == "wake up"
        resp.release()
        assert time.monotonic() - t0 < 1


async def test_stop_releases_long_poll() -> None:
    fake = FakeTelegram()
    await fake.start()
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as http:
        poll = asyncio.create_task(http.post(url, data={"timeout": "20"}))
        await asyncio.sleep(0.05)
        t0 = time.monotonic()
        await fake.stop()
        resp = await asyncio.wait_for(poll, 2)
        assert (await resp.json())["result"] == []
        assert time.monotonic() - t0 < 1.5


async def test_wait_idle_times_out_without_bot(fake: FakeTelegram) -> None:
    fake.user().make_message("x")
    fake.push_update({"message": fake.user().make_message("nobody polls")})
    with pytest.raises(AssertionError, match="not idle"):
        await fake.wait_idle(timeout=0.2)


# --------------------------------------------------------------------------------------------
# Text rendering unit checks
# --------------------------------------------------------------------------------------------
def test_render_html_entities_and_utf16_offsets() -> None:
    plain, ents = render_text(
        '😀 <b>bold <i>both</i></b> <a href="https://x.y/?a=1&amp;b=2">link</a> &lt;3 &#128512;',
        "HTML",
    )
    assert plain == "😀 bold both link <3 😀"
    assert ents == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://x.y/?a=1&b=2"},
    ]
    plain, ents = render_text('<pre><code class="language-py">x = 1</code></pre>', "HTML")
    assert ents == [{"type": "pre", "offset": 0, "length": 5, "language": "py"}]


@pytest.mark.parametrize(
    ("text", "mode", "fragment"),
    [
        ("<b>x</i>", "HTML", "Unmatched end tag"),
        ("a < b", "HTML", "Unsupported start tag"),
        ('<span class="x">s</span>', "HTML", 'Unsupported start tag "span"'),
        ("*bold", "MarkdownV2", "Can't find end of Bold entity"),
        ("a-b", "MarkdownV2", "Character '-' is reserved"),
        ("_italic", "Markdown", "Can't find end of the entity"),
    ],
)
def test_render_rejects_bad_markup(text: str, mode: str, fragment: str) -> None:
    with pytest.raises(ApiError) as exc:
        render_text(text, mode)
    assert exc.value.code == 400
    assert fragment in exc.value.description


def test_render_markdown_v2_ok() -> None:
    plain, ents = render_text(r"*Total:* 1\.5 \- [site](https://e.com/a\)b) `c\`d`", "MarkdownV2")
    assert plain == "Total: 1.5 - site c`d"
    assert [e["type"] for e in ents] == ["bold", "text_link", "code"]
    assert ents[1]["url"] == "https://e.com/a)b"


def test_sent_message_snapshot_is_independent() -> None:
    msg = SentMessage(1, 1, "t", reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    snap = msg.snapshot()
    msg.reply_markup = None
    assert snap.button_texts == ["A"] and msg.button_texts == []


# --------------------------------------------------------------------------------------------
# Media uploads keep their bytes
# --------------------------------------------------------------------------------------------
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # every byte value, 10 KiB


async def test_send_photo_and_document_keep_uploaded_bytes(fake: FakeTelegram) -> None:
    alice = fake.user()
    fake.push_update({"message": alice.make_message("hi")})
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sent = await bot.send_photo(alice.chat_id, photo=PNG_BYTES, caption="Scan to pay")
        await bot.send_document(alice.chat_id, document=b"a,b\n1,2\n", filename="report.csv")
        await bot.send_photo(alice.chat_id, photo="AgACAgIAAxkBAAFAKE")  # a file_id: no upload
    photo, doc, by_id = fake.messages[alice.chat_id]
    assert (photo.kind, photo.file_bytes, photo.plain_text) == ("photo", PNG_BYTES, "Scan to pay")
    assert photo.snapshot().file_bytes == PNG_BYTES
    assert (doc.kind, doc.file_bytes, doc.file_name) == ("document", b"a,b\n1,2\n", "report.csv")
    assert (by_id.kind, by_id.file_bytes, by_id.file_name) == ("photo", None, "AgACAgIAAxkBAAFAKE")
    assert sent.caption == "Scan to pay" and sent.photo
    # The logged parameters keep their old shape (no bytes in the call log).
    upload = fake.calls_of("sendPhoto")[0].params["photo"]
    assert upload == {
        "_upload": True,
        "filename": upload["filename"],
        "content_type": upload["content_type"],
        "size": len(PNG_BYTES),
    }
    assert "\\x89PNG" not in fake.describe_recent_calls()


# --------------------------------------------------------------------------------------------
# Payments: sendInvoice
# --------------------------------------------------------------------------------------------
def _invoice_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "title": "Top up",
        "description": "100 stars for your balance",
        "payload": "topup:42",
        "currency": "XTR",
        "prices": [LabeledPrice("Top up", 100)],
    }
    kwargs.update(overrides)
    return kwargs


async def test_send_invoice_stars_happy_path(fake: FakeTelegram) -> None:
    alice = fake.user()
    fake.push_update({"message": alice.make_message("hi")})
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sent = await bot.send_invoice(alice.chat_id, **_invoice_kwargs())
        custom = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Pay 10 ⭐", pay=True)],
                [InlineKeyboardButton("Cancel", callback_data="cancel")],
            ]
        )
        await bot.send_invoice(
            alice.chat_id,
            **_invoice_kwargs(prices=[LabeledPrice("Max", 10_000)], provider_token="", reply_markup=custom),
        )
    assert sent.invoice is not None
    assert (sent.invoice.title, sent.invoice.description) == ("Top up", "100 stars for your balance")
    assert (sent.invoice.currency, sent.invoice.total_amount, sent.invoice.start_parameter) == (
        "XTR",
        100,
        "",
    )
    first, second = fake.messages[alice.chat_id]
    assert first.kind == "invoice" and first.text is None
    assert first.invoice is not None
    assert first.invoice["payload"] == "topup:42"
    assert first.invoice["prices"] == [{"label": "Top up", "amount": 100}]
    assert first.invoice["total_amount"] == 100
    assert first.buttons[0][0].raw.get("pay") is True  # Telegram's own Pay button
    assert second.invoice is not None and second.invoice["total_amount"] == 10_000
    assert second.button_texts == ["Pay 10 ⭐", "Cancel"]
    assert not fake.errors


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        ({"prices": [LabeledPrice("a", 50), LabeledPrice("b", 50)]}, "Bad Request: STARS_INVOICE_INVALID"),
        ({"prices": [LabeledPrice("zero", 0)]}, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"prices": [LabeledPrice("negative", -5)]}, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"prices": [LabeledPrice("too much", 10_001)]}, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID"),
        ({"prices": []}, "Bad Request: there must be at least one price part"),
        ({"provider_token": "284685063:TEST:abc"}, "Bad Request: PAYMENT_PROVIDER_INVALID"),
        ({"currency": "USD"}, "Bad Request: PAYMENT_PROVIDER_INVALID"),
        ({"currency": "TXR"}, "Bad Request: PAYMENT_PROVIDER_INVALID"),
        ({"title": "t" * 33}, "Bad Request: TITLE_INVALID"),
        ({"title": ""}, 'Bad Request: parameter "title" is required'),
        ({"description": "d" * 256}, "Bad Request: DESCRIPTION_INVALID"),
        ({"payload": "é" * 65}, "Bad Request: INVOICE_PAYLOAD_INVALID"),  # 130 bytes
        (
            {"reply_markup": InlineKeyboardMarkup([[InlineKeyboardButton("Cancel", callback_data="x")]])},
            "Bad Request: REPLY_MARKUP_BUY_EMPTY",
        ),
        (
            {
                "reply_markup": InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton("Cancel", callback_data="x"),
                            InlineKeyboardButton("Pay", pay=True),
                        ]
                    ]
                )
            },
            "Bad Request: REPLY_MARKUP_BUY_EMPTY",
        ),
    ],
)
async def test_send_invoice_refusals(fake: FakeTelegram, overrides: dict[str, Any], description: str) -> None:
    alice = fake.user()
    fake.push_update({"message": alice.make_message("hi")})
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        with pytest.raises(BadRequest):
            await bot.send_invoice(alice.chat_id, **_invoice_kwargs(**overrides))
    assert [(c.error_code, c.description) for c in fake.errors] == [(400, description)]
    assert alice.messages == []


async def test_send_invoice_boundaries_and_raw_errors(fake: FakeTelegram) -> None:
    alice = fake.user()
    fake.push_update({"message": alice.make_message("hi")})
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        await bot.send_invoice(
            alice.chat_id, **_invoice_kwargs(title="t" * 32, description="d" * 255, payload="p" * 128)
        )
        await bot.send_invoice(alice.chat_id, **_invoice_kwargs(prices=[LabeledPrice("one", 1)]))
        fake.block(alice.id)
        with pytest.raises(Forbidden):
            await bot.send_invoice(alice.chat_id, **_invoice_kwargs())
    assert len(alice.messages) == 2 and alice.messages[1].invoice["total_amount"] == 1  # type: ignore[index]
    assert (fake.errors[-1].error_code, fake.errors[-1].description) == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    fake.unblock(alice.id)
    url = f"{fake.base_url}{fake.token}/sendInvoice"
    base = {"chat_id": alice.chat_id, "title": "T", "description": "D", "payload": "p", "currency": "XTR"}
    async with aiohttp.ClientSession() as http:
        for prices, expected in [
            ([{"label": "x", "amount": 1.5}], 'Bad Request: field "amount" must be a valid Number'),
            ("not json", "Bad Request: can't parse prices JSON object"),
            (None, 'Bad Request: parameter "prices" is required'),
        ]:
            body = dict(base) if prices is None else {**base, "prices": prices}
            async with http.post(url, json=body) as resp:
                assert resp.status == 400
                assert (await resp.json())["description"] == expected
        # A numeric payload stays a string (form fields are not JSON-decoded for "payload").
        async with http.post(
            url, data={**base, "payload": "123", "prices": '[{"label":"x","amount":5}]'}
        ) as resp:
            assert (await resp.json())["ok"]
    assert alice.messages[-1].invoice == {
        "title": "T",
        "description": "D",
        "payload": "123",
        "currency": "XTR",
        "prices": [{"label": "x", "amount": 5}],
        "total_amount": 5,
        "provider_token": "",
        "start_parameter": "",
    }


# --------------------------------------------------------------------------------------------
# Payments: paying through a real PTB Application
# --------------------------------------------------------------------------------------------
async def test_pay_ok_delivers_successful_payment_with_unique_charge(
    fake: FakeTelegram, app: Application
) -> None:
    alice = fake.user()
    await alice.send("/invoice 150 ok1")
    invoice = await alice.reply()
    assert invoice.kind == "invoice" and invoice.plain_text == "Top up\nStars for your balance"
    first = await alice.pay(invoice)
    assert first["ok"] is True and first["answered"] is True and first["error_message"] is None
    charge1 = first["charge_id"]
    assert isinstance(charge1, str) and charge1.startswith("stxFAKE")
    assert (await alice.reply()).plain_text == f"paid 150 XTR ok1 {charge1}"
    assert fake.pre_checkout_answers[first["query_id"]]["ok"] is True
    second = await alice.pay(invoice)  # the same invoice can be paid again: a new charge
    assert second["ok"] and second["charge_id"] != charge1
    assert (await alice.reply()).plain_text == f"paid 150 XTR ok1 {second['charge_id']}"
    charges = fake.star_charges
    assert set(charges) == {charge1, second["charge_id"]}
    assert (charges[charge1].user_id, charges[charge1].stars, charges[charge1].payload) == (
        alice.id,
        150,
        "ok1",
    )
    assert charges[charge1].refunded is False
    # The pre-checkout query carried the invoice as Telegram sends it.
    [query_update] = [
        c.result for c in fake.calls_of("getUpdates") if c.result and "pre_checkout_query" in c.result[0]
    ][:1]
    pq = query_update[0]["pre_checkout_query"]
    assert (pq["currency"], pq["total_amount"], pq["invoice_payload"]) == ("XTR", 150, "ok1")
    assert pq["from"]["id"] == alice.id
    assert not fake.errors and not handler_errors(app)


async def test_pay_refused_sends_no_successful_payment(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/invoice 10 no")
    invoice = await alice.reply()
    result = await alice.pay(invoice)
    assert result == {
        "ok": False,
        "error_message": "Sold out, sorry",
        "charge_id": None,
        "query_id": result["query_id"],
        "answered": True,
    }
    assert fake.pre_checkout_answers[result["query_id"]]["error_message"] == "Sold out, sorry"
    assert fake.star_charges == {}
    await alice.silence()
    assert not any(
        "successful_payment" in (u.get("message") or {})
        for c in fake.calls_of("getUpdates")
        for u in c.result or []
    )


async def test_pay_unanswered_and_double_answer(fake: FakeTelegram, app: Application) -> None:
    alice = fake.user()
    await alice.send("/invoice 10 silent")
    result = await alice.pay(await alice.reply(), timeout=0.5)
    assert (result["ok"], result["answered"], result["charge_id"]) == (False, False, None)
    await alice.send("/invoice 10 twice")
    result = await alice.pay(await alice.reply())
    assert result["ok"] is True  # the first answer counted
    call, err = await _last_error(fake, app)
    assert (call.method, call.description) == ("answerPreCheckoutQuery", QUERY_ID_INVALID)
    assert isinstance(err, BadRequest)
    assert len(fake.star_charges) == 1


async def test_pay_late_answer_is_refused(fake: FakeTelegram, app: Application) -> None:
    fake.pre_checkout_timeout_s = 0.2  # the handler answers after 0.4 s
    alice = fake.user()
    await alice.send("/invoice 10 late")
    result = await alice.pay(await alice.reply(), timeout=1.5)
    assert (result["ok"], result["answered"]) == (False, False)
    call, err = await _last_error(fake, app)
    assert (call.method, call.description) == ("answerPreCheckoutQuery", QUERY_TOO_OLD)
    assert isinstance(err, BadRequest) and "query is too old" in str(err).lower()
    assert result["query_id"] not in fake.pre_checkout_answers and fake.star_charges == {}


# --------------------------------------------------------------------------------------------
# Payments: answerPreCheckoutQuery and refundStarPayment called directly
# --------------------------------------------------------------------------------------------
async def test_answer_pre_checkout_query_rules(fake: FakeTelegram) -> None:
    alice = fake.user()
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        with pytest.raises(BadRequest, match=r"(?i)query_id_invalid"):
            await bot.answer_pre_checkout_query("12345", ok=True)
        qid = await alice.pre_checkout("XTR", 25, "order:1")
        url = f"{fake.base_url}{fake.token}/answerPreCheckoutQuery"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json={"pre_checkout_query_id": qid, "ok": False}) as resp:
                assert resp.status == 400
                assert "error_message" in (await resp.json())["description"]
            async with http.post(url, json={"pre_checkout_query_id": qid}) as resp:
                assert (await resp.json())["description"] == 'Bad Request: parameter "ok" is required'
        assert qid not in fake.pre_checkout_answers  # refused answers do not count
        assert await bot.answer_pre_checkout_query(qid, ok=False, error_message="No stock") is True
        assert fake.pre_checkout_answers[qid]["ok"] is False
        assert fake.pre_checkout_answers[qid]["error_message"] == "No stock"
        with pytest.raises(BadRequest, match=r"(?i)query_id_invalid"):
            await bot.answer_pre_checkout_query(qid, ok=True)
        assert fake.pre_checkout_answers[qid]["ok"] is False  # the second answer changed nothing
        fake.pre_checkout_timeout_s = 0.05
        old = await alice.pre_checkout("XTR", 25, "order:2")
        await asyncio.sleep(0.1)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_pre_checkout_query(old, ok=True)
    assert fake.errors[-1].description == QUERY_TOO_OLD


async def test_refund_star_payment(fake: FakeTelegram) -> None:
    alice, bob = fake.user(), fake.user(1002, first_name="Bob")
    charge = await alice.successful_payment("XTR", 70, "topup:7")
    replay = await alice.successful_payment("XTR", 70, "topup:7", charge_id=charge)  # duplicate delivery
    assert replay == charge and list(fake.star_charges) == [charge]
    bob_charge = await bob.successful_payment("XTR", 5, "topup:8")
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        with pytest.raises(BadRequest, match=r"(?i)charge_not_found"):
            await bot.refund_star_payment(bob.id, charge)  # another user's charge
        with pytest.raises(BadRequest, match=r"(?i)charge_not_found"):
            await bot.refund_star_payment(alice.id, "stxNOPE")
        assert fake.star_charges[charge].refunded is False
        assert await bot.refund_star_payment(alice.id, charge) is True
        assert fake.star_charges[charge].refunded is True
        with pytest.raises(BadRequest, match=r"(?i)charge_already_refunded"):
            await bot.refund_star_payment(alice.id, charge)
        assert fake.star_charges[bob_charge].refunded is False
    assert [c.description for c in fake.errors] == [
        CHARGE_NOT_FOUND,
        CHARGE_NOT_FOUND,
        CHARGE_ALREADY_REFUNDED,
    ]
    # Telegram tells the user's chat about the refund.
    refunds = [
        u["message"]["refunded_payment"]
        for u in fake.pending_updates
        if "refunded_payment" in u.get("message", {})
    ]
    assert refunds == [
        {
            "currency": "XTR",
            "total_amount": 70,
            "invoice_payload": "topup:7",
            "telegram_payment_charge_id": charge,
        }
    ]
    # Both deliveries of the successful payment are there, with the same charge id.
    paid = [
        u["message"]["successful_payment"]
        for u in fake.pending_updates
        if "successful_payment" in u.get("message", {})
    ]
    assert [p["telegram_payment_charge_id"] for p in paid] == [charge, charge, bob_charge]
    assert paid[0]["provider_payment_charge_id"] == ""


async def test_pre_checkout_respects_allowed_updates(fake: FakeTelegram) -> None:
    alice = fake.user()
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as http:
        await alice.pre_checkout("XTR", 1, "a")
        async with http.post(url, json={"allowed_updates": ["message"], "timeout": 0}) as resp:
            assert (await resp.json())["result"] == []
        assert "pre_checkout_query" in fake.dropped_updates[-1]
        qid = await alice.pre_checkout("XTR", 2, "b")
        async with http.post(
            url, json={"allowed_updates": ["message", "pre_checkout_query"], "timeout": 0}
        ) as resp:
            [update] = (await resp.json())["result"]
    assert update["pre_checkout_query"]["id"] == qid
    assert update["pre_checkout_query"]["total_amount"] == 2
