"""Calling applications back: status callbacks now, webhooks later, over real HTTP.

Each call gets its own channel: callbacks delivered in the order they were queued,
retried a few times, then given up; the call never waits for them. A channel is
drained once its call closed it and every callback was delivered or given up.
"""

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import httpx

from conformance_emulator.backend.outbound import FORM, NotPermitted, Outbound

RETRY_DELAYS_S = (0.05, 0.25)
MAX_QUEUED_CALLBACKS = 1000

Callback = tuple[str, str, Mapping[str, Any], str]


class Channel:
    """The callbacks of one call, delivered in order."""

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound
        self._queue: asyncio.Queue[Callback | None] = asyncio.Queue(MAX_QUEUED_CALLBACKS)
        self.drained = asyncio.Event()
        self._task = asyncio.create_task(self._deliver())
        self._task.add_done_callback(lambda _: self.drained.set())

    def put(self, url: str, method: str, payload: Mapping[str, Any], encoding: str = FORM) -> None:
        # Bounded memory: a call whose receiver cannot keep up loses the excess.
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait((url, method, payload, encoding))

    def close(self) -> None:
        """No more callbacks: the channel drains what it holds, then is done."""
        try:
            self._queue.put_nowait(None)
        except asyncio.QueueFull:
            self._task.cancel()

    async def _deliver(self) -> None:
        while (item := await self._queue.get()) is not None:
            await self._send(*item)

    async def _send(self, url: str, method: str, payload: Mapping[str, Any], encoding: str) -> None:
        for delay in (0.0, *RETRY_DELAYS_S):
            await asyncio.sleep(delay)
            try:
                response = await self._outbound.send(url, method, payload, encoding)
            except NotPermitted:
                return  # a forbidden address stays forbidden
            except httpx.HTTPError:
                continue
            if response.status_code < 500:
                return


class Notifier:
    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound

    def channel(self) -> Channel:
        """A new channel for one call (must be opened inside the server's event loop)."""
        return Channel(self._outbound)
