"""The emulator's HTTP client: the one way out, for documents, callbacks and media streams alike.

By default only loopback addresses are contacted, so that fuzzed URLs in calls
never reach the network.
"""

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect

TIMEOUT_S = 5.0
STREAM_OPEN_TIMEOUT_S = 2.0  # a media stream's WebSocket handshake (loopback: it answers at once or never)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class NotPermitted(Exception):
    """The URL is not an address this emulator may contact."""


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
        self._client: httpx.AsyncClient | None = None

    def _permitted(self, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and (self._allow_remote or is_loopback(url))

    def permits_stream(self, url: str) -> bool:
        """Whether a media stream may connect to ``url`` (a ws:// or wss:// address this emulator may contact)."""
        try:
            return urlsplit(url).scheme in ("ws", "wss") and (self._allow_remote or is_loopback(url))
        except ValueError:  # not a URL at all (ws://[::1)
            return False

    async def open_stream(self, url: str) -> ClientConnection:
        """A WebSocket to ``url`` for a media stream (no proxy: loopback is reached directly)."""
        if not self.permits_stream(url):
            raise NotPermitted(f"{url!r} is not an address this emulator may contact")
        return await connect(url, proxy=None, compression=None, open_timeout=STREAM_OPEN_TIMEOUT_S,
                             close_timeout=TIMEOUT_S)  # fmt: skip

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # created on first use: it must belong to the server's event loop
            self._client = httpx.AsyncClient(timeout=TIMEOUT_S, follow_redirects=False)
        return self._client

    async def send(self, url: str, method: str, payload: Mapping[str, Any], encoding: str = FORM) -> httpx.Response:
        """GET carries ``payload`` in the query; POST carries it as a body in ``encoding``."""
        if not self._permitted(url):
            raise NotPermitted(f"{url!r} is not an address this emulator may contact")
        if method.upper() == "GET":
            return await self._http().get(url, params=dict(payload))
        if encoding == JSON:
            return await self._http().post(url, json=dict(payload))
        return await self._http().post(url, data=dict(payload))

    async def post_json(self, url: str, body: bytes, headers: Mapping[str, str]) -> httpx.Response:
        """POST ``body`` (already encoded JSON, e.g. because it is signed) with ``headers``."""
        if not self._permitted(url):
            raise NotPermitted(f"{url!r} is not an address this emulator may contact")
        return await self._http().post(url, content=body, headers={"content-type": JSON, **headers})
