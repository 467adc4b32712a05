"""Purpose-built faulty targets: the reference emulator with one rule broken each.

Each entry wraps the emulator's ASGI app and rewrites requests or answers, so
the suite's verdict against it shows which checks notice which fault.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from emulator import EmulatorSettings, build_app

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]
Rewrite = Callable[[Scope, int, bytes], tuple[int, bytes]]


def rewrite_responses(app: ASGIApp, rewrite: Rewrite) -> ASGIApp:
    """Buffer each answer of ``app`` and pass its status and body through ``rewrite``."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    status, body = rewrite(scope, started["status"], b"".join(chunks))
                    headers = [(k, v) for k, v in started.get("headers", []) if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def accept_everything(app: ASGIApp, api_key: str) -> ASGIApp:
    body = json.dumps({"from": "+13125550111", "to": "+13125550100", "status": "queued", "call_sid": "v3:x"}).encode()
    return rewrite_responses(app, lambda scope, status, _: (200, body))


def server_error_at_timeout_maximum(app: ASGIApp, api_key: str) -> ASGIApp:
    """Crashes on a valid call whose Timeout is exactly its documented maximum (120)."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        parsed = _json(body)
        if scope["method"] == "POST" and isinstance(parsed, dict) and parsed.get("Timeout") == 120:
            await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Internal Server Error"})
            return

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, replay, send)

    return wrapped


def bad_request_instead_of_422(app: ASGIApp, api_key: str) -> ASGIApp:
    return rewrite_responses(app, lambda scope, status, body: (400 if status == 422 else status, body))


def malformed_error_envelope(app: ASGIApp, api_key: str) -> ASGIApp:
    flat = json.dumps({"error": "request invalid"}).encode()
    return rewrite_responses(app, lambda scope, status, body: (status, flat if status == 422 else body))


def range_reported_as_type_error(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers 422 for out-of-range values with 10026 (wrong type) instead of 10033."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        if status != 422 or not isinstance(parsed, dict):
            return status, body
        for error in parsed.get("errors", []):
            if error.get("code") == "10033":
                error.update(code="10026", title="Invalid parameter type")
        return status, json.dumps(parsed).encode()

    return rewrite_responses(app, rewrite)


def ignores_auth(app: ASGIApp, api_key: str) -> ASGIApp:
    """Serves every request as if it carried the right key."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"authorization"]
            headers.append((b"authorization", f"Bearer {api_key}".encode()))
            scope = {**scope, "headers": headers}
        await app(scope, receive, send)

    return wrapped


def initiate_result_breaks_schema(app: ASGIApp, api_key: str) -> ASGIApp:
    """A 200 InitiateCall result whose `to` is a number and whose `status` is missing."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        if status == 200 and isinstance(parsed, dict) and "call_sid" in parsed:
            parsed["to"] = 13125550100
            parsed.pop("status", None)
            return status, json.dumps(parsed).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def floods_list_answers(app: ASGIApp, api_key: str) -> ASGIApp:
    """Pads every call listing past the size the suite reads (valid JSON, 9 MiB of whitespace)."""
    flood = b'{"calls": []' + b" " * (9 * 1024 * 1024) + b"}"

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        listing = scope["method"] == "GET" and scope["path"].endswith("/Calls")
        return (status, flood) if listing and status == 200 else (status, body)

    return rewrite_responses(app, rewrite)


@dataclass(frozen=True)
class Fault:
    name: str
    wrap: Callable[[ASGIApp, str], ASGIApp]
    # Rules the suite must report broken against this target (each in at least one failed check).
    caught_by: tuple[str, ...]

    def app(self, api_key: str) -> ASGIApp:
        return self.wrap(build_app(EmulatorSettings(api_key=api_key)), api_key)


FAULTS = (
    Fault("accepts everything with 200", accept_everything, ("status_matches_request_kind",)),
    Fault("500 on a valid Timeout at its maximum", server_error_at_timeout_maximum, ("no_server_error",)),
    Fault("400 instead of 422", bad_request_instead_of_422, ("status_matches_request_kind", "documented_error_code")),
    Fault("422 with a malformed envelope", malformed_error_envelope, ("error_envelope_conforms",)),
    Fault(
        "422 with the wrong code",
        range_reported_as_type_error,
        ("error_codes_match_violations", "documented_error_code"),
    ),
    Fault("ignores auth", ignores_auth, ("status_matches_request_kind",)),
    Fault(
        "200 body breaks the response schema",
        initiate_result_breaks_schema,
        ("response_conforms_to_contract", "response_schema_conformance"),
    ),
    Fault("floods list answers", floods_list_answers, ("response_within_size_limit",)),
)
