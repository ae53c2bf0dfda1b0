"""Pausing Python's cycle collector while a big catalog is decoded and built, and while the
bot starts.

Decoding and indexing 50,000 services creates millions of objects; the collector, triggered
by those allocations, then walks all of them in one go while holding the interpreter lock,
and every user waits (measured: 59 ms pauses of the event loop during a reload, 21 ms without
the collector; see BENCHMARKS.md).  The work itself runs in a worker thread; this keeps the
collector from stopping the world meanwhile.  Nested and concurrent pauses are counted: the
collector comes back when the last one ends.

Start-up is the same case: importing PTB, SQLAlchemy and aiohttp makes about a million
objects and no garbage, and the collector walked them over and over (a fifth of the time to
the first `getUpdates`).  After it, `freeze` moves them out of the collector's sight for good:
they live as long as the process, and every later full collection would walk them again.
"""

from __future__ import annotations

import ctypes
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


def freeze() -> None:
    """Everything alive now (modules, handlers, start-up's data) is permanent: later
    collections skip it."""
    gc.freeze()


def trim() -> None:
    """Give the memory freed by a big catalog's reload back to the system (glibc keeps freed
    heap pages mapped: the 23 MB of text and the decoded entries stayed in the resident set
    after a reload).  Does nothing where the C library has no `malloc_trim`."""
    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # no such C library, or no such function
        pass
