"""Fetching TeXML documents from the application, bounded and through the emulator's one client (the
audio they play: backend/audio.py, shared with Call Control)."""

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from conformance_emulator.backend.outbound import NotPermitted, Outbound

MAX_DOCUMENT_BYTES = 1 << 20


class FetchFailed(Exception):
    """No usable document came back; the message says why."""


@dataclass(frozen=True)
class Document:
    url: str
    text: str


async def fetch_document(outbound: Outbound, url: str, method: str, params: Mapping[str, str]) -> Document:
    try:
        response = await outbound.send(url, method, params)
    except NotPermitted as error:
        raise FetchFailed(str(error)) from None
    except httpx.HTTPError as error:
        raise FetchFailed(f"{method} {url}: {type(error).__name__}") from None
    if response.status_code >= 400:
        raise FetchFailed(f"{method} {url}: HTTP {response.status_code}")
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise FetchFailed(f"{method} {url}: document larger than {MAX_DOCUMENT_BYTES} bytes")
    return Document(str(response.url), response.text)
