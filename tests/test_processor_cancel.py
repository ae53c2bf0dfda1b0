"""An update cancelled while it waits for its user's turn (a shutdown) is closed, not left
"never awaited": the processor owns the coroutine PTB handed it."""

from __future__ import annotations

import asyncio
import gc
import warnings

from telegram import Chat, Message, Update, User

from bot.telegram.processor import PerUserUpdateProcessor


def update(update_id: int) -> Update:
    user = User(7, "A", False)
    message = Message(update_id, None, Chat(7, "private"), from_user=user, text="hi")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_an_update_cancelled_in_the_queue_is_closed() -> None:
    processor = PerUserUpdateProcessor()
    release = asyncio.Event()
    handled: list[int] = []

    async def first() -> None:
        await release.wait()
        handled.append(1)

    async def second() -> None:
        handled.append(2)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        running = asyncio.create_task(processor.process_update(update(1), first()))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(processor.process_update(update(2), second()))
        await asyncio.sleep(0)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        release.set()
        await running
        del waiting  # its exception holds the frame that holds the coroutine
        for _ in range(3):
            gc.collect()
            await asyncio.sleep(0)
    assert not [w for w in caught if "never awaited" in str(w.message)]
    assert handled == [1]  # the cancelled one never ran
