"""Calling applications back: status callbacks (TeXML) and signed JSON webhooks (Call Control), over real HTTP.

Each call gets its own channel: callbacks delivered in the order they were queued,
retried a few times, then given up; the call never waits for them. A channel is
drained once its call closed it and every callback was delivered or given up.

A webhook holds its call's clock, and so the call's whole time domain, from the moment it is
queued until the application answers it (or it is given up): the application holds the turn,
so virtual time must not move while it may still send commands in reply.

A media stream's frames (Call Control stream_url, errata E-155) travel on the same channel, in
order with the webhooks: its first frame opens the WebSocket, its last closes it. A stream that
cannot connect, or whose connection fails, loses its frames; nothing else notices.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from conformance_emulator.backend.clock import VirtualClock
from conformance_emulator.backend.outbound import FORM, NotPermitted, Outbound
from conformance_emulator.backend.signing import Signer

RETRY_DELAYS_S = (0.05, 0.25)
MAX_QUEUED_CALLBACKS = 1000

Callback = tuple[str, str, Mapping[str, Any], str]


@dataclass(frozen=True)
class Webhook:
    """A JSON event, signed when sent; ``clock`` stays held while it is in flight."""

    url: str
    envelope: Mapping[str, Any]
    signer: Signer
    clock: VirtualClock


@dataclass(frozen=True)
class StreamFrame:
    """A JSON frame for the WebSocket of media stream ``stream_id`` at ``url``; None closes the stream."""

    url: str
    stream_id: str
    frame: Mapping[str, Any] | None


class Channel:
    """The callbacks of one call, delivered in order."""

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound
        self._queue: asyncio.Queue[Callback | Webhook | StreamFrame | None] = asyncio.Queue(MAX_QUEUED_CALLBACKS)
        self._streams: dict[str, ClientConnection | None] = {}  # open streams; None: one that could not connect
        self.drained = asyncio.Event()
        self._task = asyncio.create_task(self._deliver())
        self._task.add_done_callback(lambda _: self.drained.set())

    def put(self, url: str, method: str, payload: Mapping[str, Any], encoding: str = FORM) -> None:
        # Bounded memory: a call whose receiver cannot keep up loses the excess.
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait((url, method, payload, encoding))

    def put_webhook(self, webhook: Webhook) -> None:
        """Queue a webhook; its clock is held from now until the application answered it."""
        webhook.clock.hold()
        try:
            self._queue.put_nowait(webhook)
        except asyncio.QueueFull:
            webhook.clock.release()

    def put_frame(self, frame: StreamFrame) -> None:
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(frame)

    def close(self) -> None:
        """No more callbacks: the channel drains what it holds, then is done."""
        try:
            self._queue.put_nowait(None)
        except asyncio.QueueFull:
            self._task.cancel()

    async def _deliver(self) -> None:
        try:
            while (item := await self._queue.get()) is not None:
                if isinstance(item, Webhook):
                    try:
                        await self._send_webhook(item)
                    finally:
                        item.clock.release()
                elif isinstance(item, StreamFrame):
                    await self._stream(item)
                else:
                    await self._send(*item)
        finally:
            for connection in self._streams.values():  # a stream the call left open ends with it
                if connection is not None:
                    connection.transport.abort()
            # Cancelled with webhooks still queued: none of them may hold its clock forever.
            while not self._queue.empty():
                if isinstance(left := self._queue.get_nowait(), Webhook):
                    left.clock.release()

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

    async def _stream(self, item: StreamFrame) -> None:
        if item.frame is None and item.stream_id not in self._streams:
            return  # its frames were lost to a full queue: nothing to close
        if item.stream_id not in self._streams:
            try:
                self._streams[item.stream_id] = await self._outbound.open_stream(item.url)
            except (NotPermitted, OSError, TimeoutError, ValueError, WebSocketException):
                self._streams[item.stream_id] = None  # unreachable, or no URL at all (a port of 99999)
        connection = self._streams[item.stream_id]
        try:
            if item.frame is None:
                self._streams.pop(item.stream_id)
                if connection is not None:
                    await connection.close()
            elif connection is not None:
                await connection.send(json.dumps(item.frame, separators=(",", ":")))
        except (OSError, WebSocketException):
            if item.stream_id in self._streams:
                self._streams[item.stream_id] = None

    async def _send_webhook(self, webhook: Webhook) -> None:
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS_S), start=1):
            await asyncio.sleep(delay)
            meta = {"attempt": attempt, "delivered_to": webhook.url}
            body = json.dumps({**webhook.envelope, "meta": meta}, separators=(",", ":")).encode()
            headers = webhook.signer.headers(body, int(time.time()))
            try:
                response = await self._outbound.post_json(webhook.url, body, headers)
            except NotPermitted:
                return
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
