"""Requests the emulator makes: fetching TeXML documents and delivering callbacks.

By default only loopback addresses are contacted, so that fuzzed URLs in calls
never reach the network. Callbacks go through a per-call queue: delivered in
order, retried a few times, then dropped; the call never waits for them.
"""

import asyncio
import contextlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

FETCH_TIMEOUT_S = 5.0
MAX_DOCUMENT_BYTES = 1 << 20
CALLBACK_RETRY_DELAYS_S = (0.05, 0.25)
MAX_QUEUED_CALLBACKS = 1000


class FetchFailed(Exception):
    """No usable document came back; the message says why."""


@dataclass(frozen=True)
class Document:
    url: str
    text: str


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Outbound:
    def __init__(self, allow_remote: bool = False) -> None:
        self._allow_remote = allow_remote
        self._client = httpx.AsyncClient(timeout=FETCH_TIMEOUT_S, follow_redirects=False)

    def _permitted(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and (self._allow_remote or is_loopback(url))

    async def send(self, url: str, method: str, params: Mapping[str, str]) -> httpx.Response:
        if not self._permitted(url):
            raise FetchFailed(f"{url!r} is not an address this emulator may contact")
        if method.upper() == "GET":
            return await self._client.get(url, params=dict(params))
        return await self._client.post(url, data=dict(params))

    async def fetch(self, url: str, method: str, params: Mapping[str, str]) -> Document:
        try:
            response = await self.send(url, method, params)
        except httpx.HTTPError as error:
            raise FetchFailed(f"{method} {url}: {type(error).__name__}") from None
        if response.status_code >= 400:
            raise FetchFailed(f"{method} {url}: HTTP {response.status_code}")
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise FetchFailed(f"{method} {url}: document larger than {MAX_DOCUMENT_BYTES} bytes")
        return Document(str(response.url), response.text)

    async def aclose(self) -> None:
        await self._client.aclose()


class CallbackQueue:
    """Callbacks of one call, delivered in the order they were queued."""

    def __init__(self, outbound: Outbound) -> None:
        self._outbound = outbound
        self._queue: asyncio.Queue[tuple[str, str, dict[str, str]] | None] = asyncio.Queue(MAX_QUEUED_CALLBACKS)
        self._task = asyncio.create_task(self._deliver())

    def put(self, url: str, method: str, params: dict[str, str]) -> None:
        # Bounded memory: a call whose receiver cannot keep up loses the excess.
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait((url, method, params))

    def close(self) -> None:
        try:
            self._queue.put_nowait(None)
        except asyncio.QueueFull:
            self._task.cancel()

    async def _deliver(self) -> None:
        while (item := await self._queue.get()) is not None:
            url, method, params = item
            for delay in (0.0, *CALLBACK_RETRY_DELAYS_S):
                await asyncio.sleep(delay)
                try:
                    response = await self._outbound.send(url, method, params)
                except FetchFailed:
                    break  # a forbidden address stays forbidden
                except httpx.HTTPError:
                    continue
                if response.status_code < 500:
                    break
