"""Pausing Python's cycle collector while a big catalog is decoded and built.

Decoding and indexing 50,000 services creates millions of objects; the collector, triggered
by those allocations, then walks all of them in one go while holding the interpreter lock,
and every user waits (measured: 59 ms pauses of the event loop during a reload, 21 ms without
the collector; see BENCHMARKS.md).  The work itself runs in a worker thread; this keeps the
collector from stopping the world meanwhile.  Nested and concurrent pauses are counted: the
collector comes back when the last one ends.
"""

from __future__ import annotations

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
