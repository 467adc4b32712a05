"""The calls resource end to end: a call that was accepted can be read, listed and ended."""

import pytest

from conformance.calls import create_call, live_call, unique_number
from conformance.exchange import send
from conformance.failures import Failure
from conformance.judge import judge
from conformance.meta import AREA_REST, CheckMeta, operation_fact


@pytest.fixture
def client(target):
    with target.client() as client:
        yield client


def _verdict(reporter, target, exchange, extra=()):
    failures = judge(exchange, target.base_url, target.api_key) + list(extra)
    reporter.verdict(exchange, failures, always_attach=True)


def _json_field(exchange, name):
    try:
        body = exchange.response_json()
    except ValueError:
        return None
    return body.get(name) if isinstance(body, dict) else None


@pytest.mark.operation("InitiateTexmlCall")
def test_initiate_result_echoes_numbers(client, target, reporter):
    reporter.rule("result echoes From and To")
    to = unique_number()
    exchange, _ = create_call(client, target, to)
    result = exchange.response_json()
    wrong = [
        f"{key}={result.get(key)!r}, sent {sent!r}"
        for key, sent in (("to", to), ("from", "+13125550111"))
        if result.get(key) != sent
    ]
    _verdict(reporter, target, exchange, [Failure("result_echoes_call", "; ".join(wrong))] if wrong else [])


@pytest.mark.operation("GetTexmlCall")
def test_created_call_is_retrievable(client, target, reporter):
    reporter.rule("a created call can be read")
    to = unique_number()
    _, sid = create_call(client, target, to)
    exchange = send(client, client.build_request("GET", f"{target.calls_path}/{sid}"))
    extra = []
    if exchange.status != 200:
        extra.append(Failure("retrieved_call_matches", f"GET of a call just created answered {exchange.status}"))
    elif (_json_field(exchange, "sid"), _json_field(exchange, "to")) != (sid, to):
        extra.append(Failure("retrieved_call_matches", f"expected sid {sid} to {to}, got {exchange.response_body!r}"))
    _verdict(reporter, target, exchange, extra)


@pytest.mark.operation("GetTexmlCalls")
def test_created_call_is_listed(client, target, reporter):
    reporter.rule("a created call is listed")
    to = unique_number()
    _, sid = create_call(client, target, to)
    exchange = send(client, client.build_request("GET", target.calls_path, params={"To": to}))
    calls = exchange.response_json().get("calls", []) if exchange.status == 200 else []
    extra = (
        []
        if any(call.get("sid") == sid for call in calls)
        else [Failure("created_call_listed", f"call {sid} missing from GET ?To={to}: {[c.get('sid') for c in calls]}")]
    )
    _verdict(reporter, target, exchange, extra)


@pytest.mark.operation("UpdateTexmlCall")
@pytest.mark.parametrize("encoding", ["form", "json"])
def test_update_status_completed_ends_call(encoding, client, target, capabilities, harness, reporter):
    reporter.rule(f"Status=completed ends the call ({encoding} body)")
    sid = live_call(client, target, capabilities, harness)
    body = {"data": {"Status": "completed"}} if encoding == "form" else {"json": {"Status": "completed"}}
    exchange = send(client, client.build_request("POST", f"{target.calls_path}/{sid}", **body))
    after = send(client, client.build_request("GET", f"{target.calls_path}/{sid}"))
    status = _json_field(after, "status")
    extra = (
        []
        if status == "completed"
        else [Failure("completed_ends_call", f"after Status=completed GET answers {after.status}, status {status!r}")]
    )
    _verdict(reporter, target, exchange, extra)


@pytest.mark.parametrize(
    "method",
    [
        pytest.param("GET", marks=pytest.mark.operation("GetTexmlCall")),
        pytest.param("POST", marks=pytest.mark.operation("UpdateTexmlCall")),
    ],
)
def test_unknown_call_is_not_found(method, client, target, reporter):
    reporter.rule("unknown call is 404")
    url = f"{target.calls_path}/v3:conformance-no-such-call"
    body = {} if method == "GET" else {"data": {"Status": "completed"}}
    exchange = send(client, client.build_request(method, url, **body))
    extra = (
        [] if exchange.status == 404 else [Failure("unknown_call_not_found", f"expected 404, got {exchange.status}")]
    )
    _verdict(reporter, target, exchange, extra)


@pytest.mark.operation("InitiateTexmlCall")
@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"To": "+1312', "application/json"),
        (b"To=%2B13125550100", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00", "application/json"),
    ],
    ids=["truncated JSON", "form body where JSON is declared", "bytes that are not UTF-8"],
)
def test_unreadable_body_is_refused(content, content_type, client, target, reporter):
    reporter.rule("unreadable body refused with a 4xx")
    request = client.build_request("POST", target.calls_path, content=content, headers={"content-type": content_type})
    exchange = send(client, request)
    _verdict(reporter, target, exchange)


def check_meta(item):
    operation_id = item.get_closest_marker("operation").args[0]
    return CheckMeta(AREA_REST, operation_id, frozenset({operation_fact(operation_id)}))
