"""The collector pause used around big catalog loads: nested and concurrent pauses end
together, and a collector that was off before stays off."""

from __future__ import annotations

import gc
import threading

from bot import collector


def test_pauses_nest_and_the_collector_comes_back_after_the_last() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_concurrent_pauses_from_threads() -> None:
    inside = threading.Barrier(3)
    leave = threading.Event()

    def pause() -> None:
        with collector.paused():
            inside.wait()
            leave.wait(5)

    threads = [threading.Thread(target=pause) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()
    assert not gc.isenabled()
    leave.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


def test_a_collector_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
