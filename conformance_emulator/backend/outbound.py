"""The emulator's HTTP client: the one way out, for documents and callbacks alike.

By default only loopback addresses are contacted, so that fuzzed URLs in calls
never reach the network.
"""

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

TIMEOUT_S = 5.0
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
