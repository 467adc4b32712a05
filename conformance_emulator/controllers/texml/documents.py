"""Fetching TeXML documents, and the audio they play, from the application, bounded and through the
emulator's one client."""

import io
import wave
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from conformance_emulator.backend.outbound import NotPermitted, Outbound

MAX_DOCUMENT_BYTES = 1 << 20
MAX_AUDIO_BYTES = 8 << 20


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


async def audio_seconds(outbound: Outbound, url: str) -> float | None:
    """How long the audio at ``url`` lasts, when it can be fetched and is a WAV file; None otherwise
    (the emulator decodes no other format)."""
    try:
        response = await outbound.send(url, "GET", {})
    except (NotPermitted, httpx.HTTPError):
        return None
    if response.status_code >= 400 or len(response.content) > MAX_AUDIO_BYTES:
        return None
    try:
        with wave.open(io.BytesIO(response.content)) as audio:
            frames, rate = audio.getnframes(), audio.getframerate()
    except (wave.Error, EOFError):
        return None
    return frames / rate if rate > 0 else None
