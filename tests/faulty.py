"""Purpose-built faulty targets: the reference emulator with one rule broken each.

Each entry wraps the emulator's ASGI app and rewrites requests or answers, so
the suite's verdict against it shows which checks notice which fault.
"""

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from conformance.core.rules import RULES
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.backend.texml import Call
from conformance_specs.apis import api

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable, Callable], Awaitable[None]]
Rewrite = Callable[[Scope, int, bytes], tuple[int, bytes]]
ONE_CALL = re.compile(r"/Calls/[^/]+$")
TEXML_CALLS = re.compile(r"/texml/Accounts/(?P<account>[^/]+)/Calls(?:/(?P<sid>[^/]+))?$")


def rewrite_responses(app: ASGIApp, rewrite: Rewrite, content_type: bytes | None = None) -> ASGIApp:
    """Buffer each answer of ``app`` and pass its status and body through ``rewrite``.

    ``content_type``, when given, replaces the Content-Type of every answer.
    """

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
                    replaced = {b"content-length"} | ({b"content-type"} if content_type else set())
                    headers = [(k, v) for k, v in started.get("headers", []) if k.lower() not in replaced]
                    headers.append((b"content-length", str(len(body)).encode()))
                    if content_type:
                        headers.append((b"content-type", content_type))
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await app(scope, receive, capture)

    return wrapped


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


async def _read_body(receive: Callable) -> bytes:
    """The whole request body, read from the ASGI channel."""
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replaying(body: bytes) -> Callable[[], Awaitable[dict[str, Any]]]:
    """An ASGI receive channel that hands the app ``body`` again, already read by a fault."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _is_initiate(scope: Scope) -> bool:
    return scope["method"] == "POST" and scope["path"].endswith("/Calls")


def accept_everything(app: ASGIApp, api_key: str) -> ASGIApp:
    body = json.dumps({"from": "+13125550111", "to": "+13125550100", "status": "queued", "call_sid": "v3:x"}).encode()
    return rewrite_responses(app, lambda scope, status, _: (200, body))


def server_error_at_timeout_maximum(app: ASGIApp, api_key: str) -> ASGIApp:
    """Crashes on a valid call whose Timeout is exactly its documented maximum (120)."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        body = await _read_body(receive)
        parsed = _json(body)
        if scope["method"] == "POST" and isinstance(parsed, dict) and parsed.get("Timeout") == 120:
            await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Internal Server Error"})
            return

        await app(scope, _replaying(body), send)

    return wrapped


def required_members_only_with_url(app: ASGIApp, api_key: str) -> ASGIApp:
    """Checks To, From and ApplicationSid only on a body with Url: one with inline Texml, or with
    neither, is accepted (200) even when it lacks one of them."""
    accepted = json.dumps({"from": "+13125550111", "to": "+13125550100", "status": "queued", "call_sid": "v3:x"})

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not _is_initiate(scope):
            return await app(scope, receive, send)
        body = await _read_body(receive)
        parsed = _json(body)
        required = ("To", "From", "ApplicationSid")
        if isinstance(parsed, dict) and "Url" not in parsed and not all(name in parsed for name in required):
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": accepted.encode()})
            return

        await app(scope, _replaying(body), send)

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
        if status == 200 and _is_initiate(scope) and isinstance(parsed, dict):
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


def listing_crashes(app: ASGIApp, api_key: str) -> ASGIApp:
    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        listing = scope["method"] == "GET" and scope["path"].endswith("/Calls")
        return (500, b"Internal Server Error") if listing else (status, body)

    return rewrite_responses(app, rewrite)


def json_served_as_html(app: ASGIApp, api_key: str) -> ASGIApp:
    return rewrite_responses(app, lambda scope, status, body: (status, body), content_type=b"text/html")


def wrong_unauthenticated_code(app: ASGIApp, api_key: str) -> ASGIApp:
    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        if status != 401:
            return status, body
        return status, json.dumps({"errors": [{"code": "10010", "title": "Not authorized"}]}).encode()

    return rewrite_responses(app, rewrite)


def errors_without_pointer(app: ASGIApp, api_key: str) -> ASGIApp:
    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        if status != 422 or not isinstance(parsed, dict):
            return status, body
        for error in parsed.get("errors", []):
            error.pop("source", None)
        return status, json.dumps(parsed).encode()

    return rewrite_responses(app, rewrite)


def result_swaps_numbers(app: ASGIApp, api_key: str) -> ASGIApp:
    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        if status == 200 and _is_initiate(scope) and isinstance(parsed, dict):
            parsed["from"], parsed["to"] = parsed.get("to"), parsed.get("from")
            return status, json.dumps(parsed).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def calls_not_retrievable(app: ASGIApp, api_key: str) -> ASGIApp:
    missing = json.dumps({"errors": [{"code": "10005", "title": "Resource not found"}]}).encode()

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        if scope["method"] == "GET" and ONE_CALL.search(scope["path"]) and status == 200:
            return 404, missing
        return status, body

    return rewrite_responses(app, rewrite)


def listing_ignores_calls(app: ASGIApp, api_key: str) -> ASGIApp:
    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        if scope["method"] == "GET" and status == 200 and isinstance(parsed, dict) and "calls" in parsed:
            parsed["calls"] = []
            return status, json.dumps(parsed).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def unknown_call_found(app: ASGIApp, api_key: str) -> ASGIApp:
    invented = {"sid": "v3:invented", "account_sid": "AC", "from": "+1", "to": "+2", "status": "completed"}

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        if ONE_CALL.search(scope["path"]) and status == 404:
            return 200, json.dumps(invented).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def refuses_valid_calls(app: ASGIApp, api_key: str) -> ASGIApp:
    refusal = {
        "errors": [{"code": "10016", "title": "Phone number must be in +E164 format", "source": {"pointer": "/To"}}]
    }

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        if scope["method"] == "POST" and scope["path"].endswith("/Calls") and status == 200:
            return 422, json.dumps(refusal).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def refuses_party_scripts(app: ASGIApp, api_key: str) -> ASGIApp:
    """Declares the simulation protocol but answers 500 to every party script."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        if scope["method"] == "PUT" and "/simulation/v1/parties/" in scope["path"]:
            return 500, b"party scripts are broken"
        return status, body

    return rewrite_responses(app, rewrite)


def timeline_hides_answers(app: ASGIApp, api_key: str) -> ASGIApp:
    """The media timeline leaves out every 'answered' event."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        if scope["path"].endswith("/timeline") and isinstance(parsed, dict):
            parsed["events"] = [event for event in parsed.get("events", []) if event.get("event") != "answered"]
            return status, json.dumps(parsed).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def update_ignores_status(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers updates but never applies them (the body the emulator sees is replaced by one that changes nothing)."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and ONE_CALL.search(scope["path"]):
            headers = [(k, v) for k, v in scope["headers"] if k.lower() not in (b"content-type", b"content-length")]
            scope = {**scope, "headers": [*headers, (b"content-type", b"application/json")]}

            async def empty() -> dict[str, Any]:
                return {"type": "http.request", "body": b'{"Method": "POST"}', "more_body": False}

            return await app(scope, empty, send)
        await app(scope, receive, send)

    return wrapped


def slow_on_unknown_calls(app: ASGIApp, api_key: str) -> ASGIApp:
    """Takes 2 s to answer reads of call ids it never issued (run with --request-timeout=0.5)."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and scope["method"] == "GET" and ONE_CALL.search(path) and "/Calls/v3:" not in path:
            await asyncio.sleep(2)
        await app(scope, receive, send)

    return wrapped


def call_state_codes_swapped(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers an unknown call with the ended call's code and the other way round."""
    swapped = {"90015": "90018", "90018": "90015"}

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        if status != 422 or not isinstance(parsed, dict):
            return status, body
        for error in parsed.get("errors", []):
            error["code"] = swapped.get(error.get("code"), error.get("code"))
        return status, json.dumps(parsed).encode()

    return rewrite_responses(app, rewrite)


def ended_calls_take_commands(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers 200 to a command the emulator refused because the call had ended."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        codes = [e.get("code") for e in parsed.get("errors", [])] if isinstance(parsed, dict) else []
        if status == 422 and "90018" in codes:
            return 200, json.dumps({"data": {"result": "ok"}}).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def dial_ignores_webhook_url(app: ASGIApp, api_key: str) -> ASGIApp:
    """Dials as asked but drops the webhook_url member: the call's webhooks go to the application's URL."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/calls"):
            return await app(scope, receive, send)
        body = _json(await _read_body(receive))
        if isinstance(body, dict):
            body.pop("webhook_url", None)
        replayed = json.dumps(body).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(replayed)).encode())]}

        await app(scope, _replaying(replayed), send)

    return wrapped


def listing_ignores_filters(app: ASGIApp, api_key: str) -> ASGIApp:
    """Lists every call whatever the query asks for."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith("/Calls"):
            scope = {**scope, "query_string": b""}
        await app(scope, receive, send)

    return wrapped


def accepts_empty_updates(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers 200 (the call as it is) to an update that carries no member."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        codes = [e.get("code") for e in parsed.get("errors", [])] if isinstance(parsed, dict) else []
        if scope["method"] == "POST" and ONE_CALL.search(scope["path"]) and status == 422 and codes == ["10004"]:
            return 200, json.dumps({"sid": "v3:x", "status": "in-progress"}).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def empty_updates_refused_with_the_wrong_code(app: ASGIApp, api_key: str) -> ASGIApp:
    """Refuses an update that carries no member, but as an unknown enumerated value (10032), not 10004."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed = _json(body)
        codes = [e.get("code") for e in parsed.get("errors", [])] if isinstance(parsed, dict) else []
        if scope["method"] == "POST" and ONE_CALL.search(scope["path"]) and status == 422 and codes == ["10004"]:
            entry = {"code": "10032", "title": "Invalid enumerated value", "source": {"pointer": "/"}}
            return 422, json.dumps({"errors": [entry]}).encode()
        return status, body

    return rewrite_responses(app, rewrite)


def method_not_allowed_without_allow(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers 405 without saying which methods the path takes."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        async def strip(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                message = {**message, "headers": [(k, v) for k, v in message["headers"] if k.lower() != b"allow"]}
            await send(message)

        await app(scope, receive, strip)

    return wrapped


def _is_form_initiate(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    form = headers.get(b"content-type", b"").split(b";")[0].strip().lower() == b"application/x-www-form-urlencoded"
    return scope["type"] == "http" and _is_initiate(scope) and form


def _json_scope(scope: Scope, body: bytes) -> Scope:
    """The request's scope, now typed application/json and sized for ``body``."""
    kept = [(k, v) for k, v in scope["headers"] if k.lower() not in (b"content-type", b"content-length")]
    headers = [*kept, (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return {**scope, "headers": headers}


def server_error_on_form_calls(app: ASGIApp, api_key: str) -> ASGIApp:
    """Crashes on a form-encoded InitiateCall instead of refusing it or reading it (errata E-121)."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if not _is_form_initiate(scope):
            return await app(scope, receive, send)
        await _read_body(receive)
        await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})

    return wrapped


def _json_answer(status: int, document: Any) -> Callable[[Callable], Awaitable[None]]:
    async def answer(send: Callable) -> None:
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": json.dumps(document).encode()})

    return answer


def _refusal(code: str, title: str, pointer: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": code, "title": title, "detail": "refused by a purpose-built target"}
    return {"errors": [entry | ({"source": {"pointer": pointer}} if pointer else {})]}


def answering_before_the_emulator(
    decide: Callable[[Scope, Any], tuple[int, Any] | None],
) -> Callable[[ASGIApp, str], ASGIApp]:
    """A target that answers a request itself (status and JSON document) when ``decide`` says so, from the path
    and the parsed body, and otherwise hands it to the emulator."""

    def wrap(app: ASGIApp, api_key: str) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
            if scope["type"] != "http" or scope["method"] != "POST":
                return await app(scope, receive, send)
            body = await _read_body(receive)
            answer = decide(scope, _json(body))
            if answer is not None:
                return await _json_answer(*answer)(send)
            await app(scope, _replaying(body), send)

        return wrapped

    return wrap


def _dial_timeout(scope: Scope, body: Any) -> Any:
    if scope["path"].endswith("/calls") and isinstance(body, dict):
        return body.get("timeout_secs")
    return None


def _is_command(scope: Scope, *actions: str) -> bool:
    return scope["path"].rsplit("/", 2)[-2:-1] == ["actions"] and scope["path"].rsplit("/", 1)[1] in actions


OUT_OF_RANGE = ("10033", "Value outside of range")
NOT_IN_ENUM = ("10032", "Invalid enumerated value")


def dial_refuses_ring_timeout_120(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Refuses a Dial ringing 120 s or more: a range no source gives (seed 001 allows up to 120)."""
    timeout = _dial_timeout(scope, body)
    return (422, _refusal(*OUT_OF_RANGE, "/timeout_secs")) if isinstance(timeout, int) and timeout >= 120 else None


def dial_takes_ring_timeout_601(app: ASGIApp, api_key: str) -> ASGIApp:
    """Dials with timeout_secs 601 as if it were 600: past every source's maximum, yet taken."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        body = _json(await _read_body(receive))
        if _dial_timeout(scope, body) == 601:
            body["timeout_secs"] = 600
        replayed = json.dumps(body).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(replayed)).encode())]}
        await app(scope, _replaying(replayed), send)

    return wrapped


def _emptied(value: Any) -> Any:
    return type(value)() if isinstance(value, (dict, list)) else value


def nested_members_unchecked(app: ASGIApp, api_key: str) -> ASGIApp:
    """Checks a JSON body no deeper than its top-level members: an object or a list is checked to be one, never
    what it holds (the emulator sees it empty)."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        body = await _read_body(receive)
        parsed = _json(body)
        if isinstance(parsed, dict) and any(isinstance(value, (dict, list)) for value in parsed.values()):
            emptied = {name: _emptied(value) for name, value in parsed.items()}
            body = json.dumps(emptied).encode()
            scope = _json_scope(scope, body)
        await app(scope, _replaying(body), send)

    return wrapped


def nested_errors_point_at_another_member(app: ASGIApp, api_key: str) -> ASGIApp:
    """Refuses a broken nested member with the right code, but points at a member beside it, which neither
    holds it nor is it (/custom_headers/0/elsewhere for /custom_headers/0/name)."""

    def rewrite(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        document = _json(body)
        if status != 422 or not isinstance(document, dict):
            return status, body
        for entry in document.get("errors", []):
            pointer = (entry.get("source") or {}).get("pointer")
            if isinstance(pointer, str) and pointer.count("/") > 1:
                entry["source"]["pointer"] = pointer.rsplit("/", 1)[0] + "/elsewhere"
        return status, json.dumps(document).encode()

    return rewrite_responses(app, rewrite)


def form_calls_read_without_members(app: ASGIApp, api_key: str) -> ASGIApp:
    """Takes a form-encoded InitiateCall as JSON but loses every member: the emulator sees {} (and refuses it)."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if not _is_form_initiate(scope):
            return await app(scope, receive, send)
        await _read_body(receive)
        await app(_json_scope(scope, b"{}"), _replaying(b"{}"), send)

    return wrapped


def form_calls_accepted_for_other_numbers(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers a form-encoded InitiateCall 200 with a call to numbers the form never named."""
    other = json.dumps({"from": "+13125550998", "to": "+13125550999", "status": "queued"}).encode()

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if not _is_form_initiate(scope):
            return await app(scope, receive, send)
        await _read_body(receive)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": other})

    return wrapped


def reads_form_calls_as_json(app: ASGIApp, api_key: str) -> ASGIApp:
    """Not a fault: the other documented behaviour (errata E-121), a form-encoded InitiateCall read as its JSON twin."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if not _is_form_initiate(scope):
            return await app(scope, receive, send)
        members = dict(parse_qsl((await _read_body(receive)).decode("utf-8"), keep_blank_values=True))
        body = json.dumps(members).encode()
        await app(_json_scope(scope, body), _replaying(body), send)

    return wrapped


def dial_ring_timeout_past_120_as_type_error(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Refuses a Dial ringing past 120 s, as seed 001 may, but with 10026 (wrong type), which names no broken rule."""
    timeout = _dial_timeout(scope, body)
    refused = isinstance(timeout, int) and 120 < timeout <= 600
    return (422, _refusal("10026", "Invalid parameter type", "/timeout_secs")) if refused else None


def answer_refuses_pcma(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Refuses Answer's stream_codec PCMA and PCMU, which every source lists."""
    codec = body.get("stream_codec") if isinstance(body, dict) else None
    refused = _is_command(scope, "answer") and codec in ("PCMA", "PCMU")
    return (422, _refusal(*NOT_IN_ENUM, "/stream_codec")) if refused else None


def _valid_answer_or_reject(scope: Scope, body: Any) -> bool:
    """A request to Answer or Reject whose body keeps every rule of the contract."""
    components = {"answer": "AnswerRequest", "reject": "RejectRequest"}
    action = scope["path"].rsplit("/", 1)[1]
    if not _is_command(scope, *components) or not isinstance(body, dict):
        return False
    return not api("callcontrol").contract.body_violations(components[action], body)


def answer_and_reject_crash(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Answers 500 to a valid Answer or Reject (the call goes on untouched)."""
    crashed = {"errors": [{"code": "10007", "title": "Internal server error"}]}
    return (500, crashed) if _valid_answer_or_reject(scope, body) else None


def answer_and_reject_refused_with_an_undocumented_code(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Refuses a valid Answer or Reject with 422 and a code no source documents (90099); the call goes on."""
    return (422, _refusal("90099", "Not an incoming call")) if _valid_answer_or_reject(scope, body) else None


E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def dial_refuses_e164_numbers(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Refuses every Dial to a +E.164 number with 10016, the very form every source asks for."""
    to = body.get("to") if isinstance(body, dict) and scope["path"].endswith("/calls") else None
    refused = isinstance(to, str) and E164.fullmatch(to) is not None
    return (422, _refusal("10016", "Phone number must be in +E164 format", "/to")) if refused else None


def dial_refuses_other_destinations_as_an_enum(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Refuses a Dial whose to is not a number, as seed 001 may, but with 10032 (an enumerated value)."""
    to = body.get("to") if isinstance(body, dict) and scope["path"].endswith("/calls") else None
    refused = isinstance(to, str) and not E164.fullmatch(to) and not to.startswith(("sip:", "sips:"))
    return (422, _refusal(*NOT_IN_ENUM, "/to")) if refused else None


def answer_takes_undocumented_codecs(app: ASGIApp, api_key: str) -> ASGIApp:
    """Answers a stream_codec no source lists as if it were default."""

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _is_command(scope, "answer"):
            return await app(scope, receive, send)
        body = _json(await _read_body(receive))
        if isinstance(body, dict) and body.get("stream_codec") == "not-a-documented-value":
            body["stream_codec"] = "default"
        replayed = json.dumps(body).encode()
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
        scope = {**scope, "headers": [*headers, (b"content-length", str(len(replayed)).encode())]}
        await app(scope, _replaying(replayed), send)

    return wrapped


def callcontrol_calls_served_as_texml_calls(app: ASGIApp, api_key: str) -> ASGIApp:
    """One store for both APIs: every call Dial made is read, updated (answered as it is) and listed as a TeXML
    call of whichever account the path names, as the reference emulator did before issue 17."""
    dialled: dict[str, tuple[str, str]] = {}  # call_control_id -> (to, from)

    def resource(path: str, account: str, sid: str) -> dict[str, Any]:
        to, from_ = dialled[sid]
        calls_path = path[: path.index("/Calls") + len("/Calls")]
        return Call(sid, account, to, from_, status="in-progress").as_resource(calls_path)

    def listing(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
        parsed, found = _json(body), TEXML_CALLS.search(scope["path"])
        if status != 200 or found is None or not isinstance(parsed, dict) or not isinstance(parsed.get("calls"), list):
            return status, body
        wanted = dict(parse_qsl(scope["query_string"].decode())).get("To")
        shown = [sid for sid, (to, _) in dialled.items() if wanted in (None, to)]
        parsed["calls"] = [resource(scope["path"], found["account"], sid) for sid in shown] + parsed["calls"]
        return status, json.dumps(parsed).encode()

    async def wrapped(scope: Scope, receive: Callable, send: Callable) -> None:
        found = TEXML_CALLS.search(scope.get("path", "")) if scope["type"] == "http" else None
        if found and found["sid"] in dialled:
            if scope["method"] == "POST":
                await _read_body(receive)
            return await _json_answer(200, resource(scope["path"], found["account"], found["sid"]))(send)
        if found and scope["method"] == "GET" and found["sid"] is None:
            return await rewrite_responses(app, listing)(scope, receive, send)
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/calls"):
            return await app(scope, receive, send)
        raw = await _read_body(receive)
        request = _json(raw)

        def remember(scope: Scope, status: int, body: bytes) -> tuple[int, bytes]:
            data = (_json(body) or {}).get("data") if status == 200 else None
            if isinstance(data, dict) and isinstance(request, dict):
                dialled[data["call_control_id"]] = (str(request.get("to")), str(request.get("from")))
            return status, body

        await rewrite_responses(app, remember)(scope, _replaying(raw), send)

    return wrapped


@dataclass(frozen=True)
class Fault:
    name: str
    wrap: Callable[[ASGIApp, str], ASGIApp]
    # The checks meant to catch this fault: the suite runs only these against it.
    checks: tuple[str, ...]
    extra_args: tuple[str, ...] = ()

    def app(self, api_key: str) -> ASGIApp:
        return self.wrap(build_app(EmulatorSettings(api_key=api_key)), api_key)

    @property
    def caught_by(self) -> set[str]:
        """Rules the suite must report broken against this target: those the registry says it proves."""
        return {rule.name for rule in RULES.values() if f"fault:{self.name}" in rule.proven_by}


TIMEOUT_121 = "rest/InitiateTexmlCall/Timeout=121->10033"
# Refused (415/400) or read as its JSON twin, either documented (errata E-121); the id predates the ruling.
FORM_CALL = "calls/InitiateTexmlCall/unreadable-body-form-where-json-is-declared"
WRONG_KEY = "auth/GetTexmlCalls/wrong-bearer-key"
# A URL that is no absolute URI, in each API's application.
NOT_A_URI = (
    "rest/CreateTexmlApplication/voice_url='not a uri'->10026",
    "rest/CreateCallControlApplication/webhook_event_failover_url='not a uri'->10026",
)

# Members nested in an object or in the entries of a list, one of each kind of rule.
NESTED = (
    "rest/DialCall/answering_machine_detection_config.total_analysis_time_millis='twelve'->10026",
    "rest/DialCall/custom_headers[0].name=(absent)->10004",
    "rest/DialCall/sip_headers[0].name='not-a-documented-value'->10032",
    "rest/InitiateTexmlCall/CustomHeaders[0]='not-an-object'->10026",
)


FAULTS = (
    Fault("accepts everything with 200", accept_everything, (TIMEOUT_121, *NOT_A_URI)),
    Fault(
        "500 on a valid Timeout at its maximum",
        server_error_at_timeout_maximum,
        ("rest/InitiateTexmlCall/Timeout=120->accepted",),
    ),
    Fault("400 instead of 422", bad_request_instead_of_422, (TIMEOUT_121,)),
    Fault(
        "required members checked only with a Url",
        required_members_only_with_url,
        (
            "rest/InitiateTexmlCall/inline-texml:To=(absent)->10004",
            "rest/InitiateTexmlCall/application-default:ApplicationSid=(absent)->10004",
        ),
    ),
    Fault("422 with a malformed envelope", malformed_error_envelope, (TIMEOUT_121,)),
    Fault("422 with the wrong code", range_reported_as_type_error, (TIMEOUT_121,)),
    Fault("ignores auth", ignores_auth, (WRONG_KEY,)),
    Fault(
        "200 body breaks the response schema",
        initiate_result_breaks_schema,
        ("calls/InitiateTexmlCall/result-echoes-numbers", "fuzz/positive/InitiateTexmlCall"),
    ),
    Fault("floods list answers", floods_list_answers, ("fuzz/positive/GetTexmlCalls",)),
    Fault("listing crashes", listing_crashes, ("fuzz/positive/GetTexmlCalls",)),
    Fault("JSON served as text/html", json_served_as_html, ("fuzz/positive/GetTexmlCalls",)),
    Fault("401 with the wrong code", wrong_unauthenticated_code, (WRONG_KEY,)),
    Fault("422 without source.pointer", errors_without_pointer, (TIMEOUT_121,)),
    Fault("result swaps From and To", result_swaps_numbers, ("calls/InitiateTexmlCall/result-echoes-numbers",)),
    Fault("created calls cannot be read", calls_not_retrievable, ("calls/GetTexmlCall/created-call-is-retrievable",)),
    Fault("listing omits calls", listing_ignores_calls, ("calls/GetTexmlCalls/created-call-is-listed",)),
    Fault("405 without Allow", method_not_allowed_without_allow, ("rest/GetTexmlCalls/method=DELETE->405",)),
    Fault("500 on a form-encoded InitiateCall", server_error_on_form_calls, (FORM_CALL,)),
    Fault("form-encoded InitiateCall read without its members", form_calls_read_without_members, (FORM_CALL,)),
    Fault("form-encoded InitiateCall accepted for other numbers", form_calls_accepted_for_other_numbers, (FORM_CALL,)),
    Fault("accepts empty updates", accepts_empty_updates, ("calls/UpdateTexmlCall/empty-form-body-refused",)),
    Fault(
        "empty updates refused with the wrong code",
        empty_updates_refused_with_the_wrong_code,
        ("calls/UpdateTexmlCall/empty-form-body-refused",),
    ),
    Fault("listing ignores the To filter", listing_ignores_filters, ("calls/GetTexmlCalls/created-call-is-listed",)),
    Fault("unknown call answers 200", unknown_call_found, ("calls/GetTexmlCall/unknown-call-is-404",)),
    Fault(
        "Call Control calls served as TeXML calls",
        callcontrol_calls_served_as_texml_calls,
        (
            "calls/GetTexmlCall/call-control-call-not-found",
            "calls/UpdateTexmlCall/call-control-call-not-found",
            "calls/GetTexmlCalls/call-control-call-not-listed",
        ),
    ),
    Fault(
        "refuses valid calls",
        refuses_valid_calls,
        # A scenario's call refused while it is set up still fails as that scenario, with its rerun line.
        ("calls/InitiateTexmlCall/result-echoes-numbers", "texml/pause/default-length"),
    ),
    Fault(
        "update ignores Status",
        update_ignores_status,
        ("calls/UpdateTexmlCall/status-completed-ends-call-json", "texml/call/update-completed-ends-call"),
        ("--scenario-timeout=2",),
    ),
    Fault("timeline hides answers", timeline_hides_answers, ("texml/pause/default-length",)),
    Fault("refuses party scripts", refuses_party_scripts, ("texml/gather/finish-on-key-star",)),
    Fault(
        "call states answered with each other's codes",
        call_state_codes_swapped,
        ("rest/SpeakCall/call=unknown->90015",),
    ),
    Fault("commands to ended calls accepted", ended_calls_take_commands, ("rest/SpeakCall/call=ended->90018",)),
    # Rulings that accept two documented behaviours (errata E-130 on) still fail what no source allows.
    Fault(
        "Dial refuses the ring timeout 120",
        answering_before_the_emulator(dial_refuses_ring_timeout_120),
        ("rest/DialCall/timeout_secs=120->accepted",),
    ),
    Fault("Dial takes the ring timeout 601", dial_takes_ring_timeout_601, ("rest/DialCall/timeout_secs=601->10033",)),
    Fault(
        "Dial ring timeout past 120 refused as a type error",
        answering_before_the_emulator(dial_ring_timeout_past_120_as_type_error),
        ("rest/DialCall/timeout_secs=121->accepted-or-10033",),
    ),
    Fault(
        "Answer refuses the stream codec PCMA",
        answering_before_the_emulator(answer_refuses_pcma),
        ("rest/AnswerCall/stream_codec='PCMA'->accepted",),
    ),
    Fault(
        "Answer takes a stream codec no source lists",
        answer_takes_undocumented_codecs,
        ("rest/AnswerCall/stream_codec='not-a-documented-value'->10032",),
    ),
    Fault(
        "Dial refuses E.164 numbers",
        answering_before_the_emulator(dial_refuses_e164_numbers),
        ("rest/DialCall/timeout_secs=5->accepted",),
    ),
    Fault(
        "Dial refuses other destinations as an enumerated value",
        answering_before_the_emulator(dial_refuses_other_destinations_as_an_enum),
        ("rest/DialCall/to='not-a-number'->accepted-or-10016",),
    ),
    Fault(
        "Answer and Reject answered 500",
        answering_before_the_emulator(answer_and_reject_crash),
        ("callcontrol/reject/answered-call-rejected", "rest/AnswerCall/record_max_length=0->accepted"),
    ),
    Fault(
        "Answer and Reject refused with an undocumented code",
        answering_before_the_emulator(answer_and_reject_refused_with_an_undocumented_code),
        ("callcontrol/reject/answered-call-rejected", "rest/AnswerCall/record_max_length=0->accepted"),
    ),
    Fault("Dial ignores webhook_url", dial_ignores_webhook_url, ("callcontrol/dial/webhook-url-overrides",)),
    Fault("nested members unchecked", nested_members_unchecked, NESTED),
    Fault("nested errors point at another member", nested_errors_point_at_another_member, NESTED),
    Fault(
        "slow on unknown calls",
        slow_on_unknown_calls,
        ("fuzz/positive/GetTexmlCall",),
        ("--request-timeout=0.5",),
    ),
)
