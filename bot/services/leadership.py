"""Which process runs the tracking cycle (polls the panel, sends the notices) when several
share one database: the holder of a lease in it, renewed while it works.

A holder that dies stops renewing; its lease expires after `ttl` and another process, which
asks every half interval, takes over: within about 1.5 poll intervals of the death (the
issue's bound is two).  A holder that stops cleanly gives the lease up at once.  A cycle that
outlives its lease (renewals failed: the database was unreachable, the process froze) is
cancelled rather than let run beside the new holder's.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Protocol

log = logging.getLogger(__name__)


class Leases(Protocol):
    async def acquire(self, name: str, holder: str, ttl: timedelta) -> bool: ...
    async def release(self, name: str, holder: str) -> None: ...


class Leadership:
    def __init__(self, leases: Leases, name: str, ttl: timedelta, holder: str | None = None) -> None:
        self._leases = leases
        self._name = name
        self._ttl = ttl
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False

    async def claim(self) -> bool:
        """Take the lease, or renew it if ours; False if another process holds it (or the
        database can't say: then nobody here should act as the holder)."""
        try:
            leading = await self._leases.acquire(self._name, self.holder, self._ttl)
        except Exception as exc:
            log.warning("could not renew the %s lease: %s", self._name, exc)
            leading = False
        if leading != self.leading:
            log.info(
                "%s: %s", self._name, "this process runs it now" if leading else "another process runs it"
            )
        self.leading = leading
        return leading

    @asynccontextmanager
    async def kept(self) -> AsyncIterator[None]:
        """Renew the lease while the block runs; cancel the block if it is lost."""
        worker = asyncio.current_task()
        assert worker is not None
        lost = False

        async def renew() -> None:
            nonlocal lost
            while True:
                await asyncio.sleep(self._ttl.total_seconds() / 3)
                if not await self.claim():
                    lost = True
                    log.warning("%s: lease lost mid-cycle; stopping this cycle", self._name)
                    worker.cancel()
                    return

        keeper = asyncio.create_task(renew())
        try:
            yield
        except asyncio.CancelledError:
            if not lost:
                raise
        finally:
            keeper.cancel()

    async def release(self) -> None:
        if self.leading:
            self.leading = False
            await self._leases.release(self._name, self.holder)
