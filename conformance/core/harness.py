"""The harness: an HTTP server the target fetches TeXML from and sends callbacks to.

Each scenario gets a prefix (/s/<id>/) under which it serves its documents and records
every request: method, path, query, parsed form or JSON body, headers, arrival order.
Tests wait on recorded requests with a condition and a deadline, never a fixed sleep.
Memory is bounded: bodies are cut at MAX_BODY_BYTES and each scenario keeps at most
MAX_REQUESTS_PER_SCENARIO; the excess is counted, so a flood is reported, not stored.

Audio for Play: every path under MEDIA_PREFIX ending in .wav (e.g. $BASE/media/menu.wav) serves
the same real WAV file of AUDIO_SECONDS, built in memory, so a target that fetches the audio a
document plays gets audio of a known length (errata E-151). Scenarios cannot serve documents there.

Media streams: every path under STREAMS_PREFIX accepts a WebSocket ($WSBASE/streams/<name>, $WSBASE
being the scenario's URL with ws:// or wss://), so a target that really connects to the stream_url a
scenario names reaches something (errata E-155). The harness records the connection, each message it
receives and its close, bounded as requests are (MAX_STREAM_EVENTS_PER_SCENARIO events, each message
cut at MAX_BODY_BYTES; the excess is counted), never sends anything and closes only when the target
does (or the harness stops).
"""

import io
import itertools
import json
import math
import struct
import threading
import time
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from conformance.core.trace import websocket_url
from conformance_emulator.server import BackgroundServer

MAX_BODY_BYTES = 64 * 1024
MAX_REQUESTS_PER_SCENARIO = 500
MAX_STREAM_EVENTS_PER_SCENARIO = 500
MAX_LIVE_SCENARIOS = 64
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
MEDIA_PREFIX = "media/"
STREAMS_PREFIX = "streams/"
POLICY_VIOLATION = 1008  # WebSocket close code: a handshake refused before it is accepted (HTTP 403)
AUDIO_SECONDS = 1
AUDIO_RATE = 8000  # Hz: 16-bit mono PCM, the narrowband rate of a phone call


def is_media(path: str) -> bool:
    """Whether ``path`` (relative to a scenario) is one of the audio files the harness serves."""
    return path.startswith(MEDIA_PREFIX) and path.endswith(".wav")


def tone_wav(seconds: int = AUDIO_SECONDS, rate: int = AUDIO_RATE, pitch: float = 440.0) -> bytes:
    """A WAV file (16-bit mono PCM) holding ``seconds`` of a steady tone: sound, not silence."""
    samples = (round(8000 * math.sin(2 * math.pi * pitch * n / rate)) for n in range(seconds * rate))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(b"".join(struct.pack("<h", sample) for sample in samples))
    return buffer.getvalue()


AUDIO = tone_wav()


def is_stream(path: str) -> bool:
    """Whether ``path`` (relative to a scenario) is one where the harness accepts a media stream's WebSocket."""
    return path.startswith(STREAMS_PREFIX) and len(path) > len(STREAMS_PREFIX)


@dataclass(frozen=True)
class Recorded:
    """One request the target made to the harness."""

    order: int
    method: str
    path: str  # relative to the scenario prefix, e.g. "start.xml"
    query: dict[str, str]
    params: dict[str, str]  # form or JSON body members, then query members
    headers: dict[str, str]
    body_truncated: bool = False
    body: bytes = b""  # as sent (up to MAX_BODY_BYTES): signatures are over the exact bytes

    def describe(self) -> str:
        shown = " ".join(f"{key}={value}" for key, value in sorted(self.params.items()))
        return f"#{self.order} {self.method} {self.path} {shown}".rstrip()


@dataclass(frozen=True)
class StreamEvent:
    """What happened on a WebSocket the target opened to the harness: connected, a message, closed."""

    order: int
    path: str  # relative to the scenario prefix, e.g. "streams/live"
    connection: int  # the scenario's connections, numbered from 1 in the order they were accepted
    kind: str  # "connected", "message" or "closed"
    text: str | None = None  # a text message, as sent (up to MAX_BODY_BYTES)
    data: bytes | None = None  # a binary message (up to MAX_BODY_BYTES)
    truncated: bool = False
    code: int | None = None  # the close code the target gave ("closed")

    def entry(self) -> dict[str, Any]:
        """The event as a trace entry (a JSON text message's members under ``message``)."""
        entry: dict[str, Any] = {"path": self.path, "connection": self.connection, "event": self.kind}
        if self.kind == "closed":
            entry["code"] = self.code
        if self.text is not None:
            try:
                entry["message"] = json.loads(self.text)
            except ValueError:
                entry["text"] = self.text
        if self.data is not None:
            entry["bytes"] = len(self.data)
        return entry | ({"truncated": True} if self.truncated else {})


@dataclass
class Scenario:
    """What one check serves, and what the target asked of it."""

    id: str
    base_url: str
    documents: dict[str, str]
    sinks: frozenset[str] = frozenset()  # paths that take callbacks (answered 204)
    # The application's reaction to a callback, awaited before the callback is answered.
    react: Callable[[Recorded], Awaitable[None]] | None = None
    requests: list[Recorded] = field(default_factory=list)
    dropped: int = 0
    streams: list[StreamEvent] = field(default_factory=list)
    streams_dropped: int = 0  # stream events past MAX_STREAM_EVENTS_PER_SCENARIO, counted only
    connections: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    @property
    def ws_base_url(self) -> str:
        """This scenario's URL with ws:// (or wss://), for the streams it accepts ($WSBASE)."""
        return websocket_url(self.base_url)

    def expand(self, text: str) -> str:
        """``text`` with $WSBASE and $BASE replaced by this scenario's URLs (documents and call members may
        use them)."""
        return text.replace("$WSBASE", self.ws_base_url).replace("$BASE", self.base_url)

    def record(self, request: Recorded) -> None:
        with self._changed:
            if len(self.requests) >= MAX_REQUESTS_PER_SCENARIO:
                self.dropped += 1
            else:
                self.requests.append(request)
            self._changed.notify_all()

    def snapshot(self) -> list[Recorded]:
        with self._changed:
            return list(self.requests)

    def wait_for(self, condition: Callable[[list[Recorded]], bool], timeout: float) -> bool:
        """Block until ``condition(requests)`` holds or ``timeout`` seconds pass; returns whether it held."""
        return self._wait(lambda: condition(list(self.requests)), timeout)

    def connect_stream(self) -> int:
        """The number of a newly accepted stream connection."""
        with self._changed:
            self.connections += 1
            return self.connections

    def record_stream(self, path: str, connection: int, kind: str, **details: Any) -> None:
        with self._changed:
            if len(self.streams) >= MAX_STREAM_EVENTS_PER_SCENARIO:
                self.streams_dropped += 1
            else:
                order = len(self.streams) + 1
                self.streams.append(StreamEvent(order, path, connection, kind, **details))
            self._changed.notify_all()

    def stream_snapshot(self) -> list[StreamEvent]:
        with self._changed:
            return list(self.streams)

    def wait_for_streams(self, condition: Callable[[list[StreamEvent]], bool], timeout: float) -> bool:
        """Block until ``condition(stream events)`` holds or ``timeout`` seconds pass; returns whether it held."""
        return self._wait(lambda: condition(list(self.streams)), timeout)

    def _wait(self, holds: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not holds():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True


class Harness:
    def __init__(self, public_url: str | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self._scenarios: dict[str, Scenario] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.strays = 0  # requests and WebSockets for no live scenario
        self._server = BackgroundServer(self._app(), host=host, port=port)
        self._public_url = public_url

    @property
    def url(self) -> str:
        return (self._public_url or self._server.url).rstrip("/")

    def start(self) -> "Harness":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def ws_url(self) -> str:
        return websocket_url(self.url)

    def open(self, name: str, documents: dict[str, str], sinks: frozenset[str] = frozenset()) -> Scenario:
        """A new scenario serving ``documents`` and the audio under MEDIA_PREFIX, and accepting WebSockets
        under STREAMS_PREFIX; requests to ``sinks`` get 204, to any other path 404."""
        with self._lock:
            scenario_id = f"{next(self._ids)}-{name}"
            scenario = Scenario(scenario_id, f"{self.url}/s/{scenario_id}", {}, frozenset(sinks))
            scenario.documents = {path: scenario.expand(text) for path, text in documents.items()}
            self._scenarios[scenario_id] = scenario
            while len(self._scenarios) > MAX_LIVE_SCENARIOS:
                self._scenarios.pop(next(iter(self._scenarios)))
            return scenario

    def close(self, scenario: Scenario) -> None:
        with self._lock:
            self._scenarios.pop(scenario.id, None)

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/s/{scenario}/{path:path}", self._serve, methods=["GET", "POST"]),
                WebSocketRoute("/s/{scenario}/{path:path}", self._stream),
            ]
        )

    async def _stream(self, websocket: WebSocket) -> None:
        """Accept a media stream under STREAMS_PREFIX and record what the target sends until it closes."""
        scenario = self._scenarios.get(websocket.path_params["scenario"])
        path = websocket.path_params["path"]
        if scenario is None or not is_stream(path):
            if scenario is None:
                self.strays += 1
            await websocket.close(POLICY_VIOLATION)  # before accept: the handshake is refused
            return
        await websocket.accept()
        connection = scenario.connect_stream()
        scenario.record_stream(path, connection, "connected")
        while (message := await websocket.receive())["type"] != "websocket.disconnect":
            text, data = message.get("text"), message.get("bytes")
            if text is not None:
                raw = text.encode()
                details: dict[str, Any] = {"text": raw[:MAX_BODY_BYTES].decode("utf-8", "ignore")}
            else:
                raw = data or b""
                details = {"data": raw[:MAX_BODY_BYTES]}
            scenario.record_stream(path, connection, "message", truncated=len(raw) > MAX_BODY_BYTES, **details)
        scenario.record_stream(path, connection, "closed", code=message.get("code"))

    async def _serve(self, request: Request) -> Response:
        scenario = self._scenarios.get(request.path_params["scenario"])
        if scenario is None:
            self.strays += 1
            return Response("no such scenario", status_code=404)
        body, truncated = await _read_limited(request)
        query = dict(request.query_params)
        recorded = Recorded(
            order=len(scenario.requests) + scenario.dropped + 1,
            method=request.method,
            path=request.path_params["path"],
            query=query,
            params={**_parse(request.headers.get("content-type", ""), body), **query},
            headers={k: v for k, v in request.headers.items() if k.lower() not in SECRET_HEADERS},
            body_truncated=truncated,
            body=body,
        )
        scenario.record(recorded)
        if recorded.path in scenario.sinks and scenario.react is not None:
            await scenario.react(recorded)
        document = scenario.documents.get(recorded.path)
        if document is not None:
            return Response(document, media_type="application/xml")
        if is_media(recorded.path):
            return Response(AUDIO, media_type="audio/wav")
        return Response(status_code=204 if recorded.path in scenario.sinks else 404)


async def _read_limited(request: Request) -> tuple[bytes, bool]:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
    body = b"".join(chunks)[:MAX_BODY_BYTES]
    return body, size > MAX_BODY_BYTES


def _parse(content_type: str, body: bytes) -> dict[str, str]:
    text = body.decode("utf-8", "replace")
    if "json" in content_type:
        try:
            parsed: Any = json.loads(text)
        except ValueError:
            return {}
        return (
            {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}
            if isinstance(parsed, dict)
            else {}
        )
    return dict(parse_qsl(text, keep_blank_values=True))
