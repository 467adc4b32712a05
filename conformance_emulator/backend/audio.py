"""The audio a call plays, for both APIs (a TeXML Play, a Call Control playback or gather prompt): how
long a file lasts, fetched through the emulator's one client.

No source states how long audio lasts that cannot be fetched or read (errata E-030): the emulator lets
it last UNREADABLE_SECONDS. A WAV file it fetches lasts as long as its frames say (errata E-151).
"""

import io
import wave

import httpx

from conformance_emulator.backend.outbound import NotPermitted, Outbound

MAX_AUDIO_BYTES = 8 << 20
UNREADABLE_SECONDS = 3.0


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
