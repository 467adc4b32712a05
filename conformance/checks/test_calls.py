"""The TeXML calls resource end to end: a call that was accepted can be read, listed and ended; a call of
another API (Call Control) is none of its calls."""

import contextlib
import dataclasses
import json

import httpx
import pytest

from conformance.core import rules
from conformance.core.exchange import send
from conformance.core.failures import Failure
from conformance.core.meta import AREA_REST, CheckMeta, operation_fact, seed_fact
from conformance.core.numbers import unique_number
from conformance.rest.calls import CALLER, create_call, listed
from conformance.rest.conclusion import conclude
from conformance.rest.contract import rest_contract
from conformance.rest.judge import judge
from conformance.rest.resources import DIAL_NEEDS, dial
from conformance.rest.targeted import VALID_URL
from conformance.texml.live import live_call
from conformance_specs.apis import api

TEXML = api("texml")


def check(*ids: str) -> pytest.MarkDecorator:
    """Parametrize a check with its id(s); every check's id is its parameter id."""
    return pytest.mark.parametrize("check_id", ids, ids=ids)


@pytest.fixture
def client(target):
    with target.client() as client:
        yield client


def _verdict(reporter, verdict, target, exchange, extra=()):
    conclude(exchange, rest_contract(TEXML), target, reporter, verdict, extra)


def _json_field(exchange, name):
    try:
        body = exchange.response_json()
    except ValueError:
        return None
    return body.get(name) if isinstance(body, dict) else None


@check("calls/InitiateTexmlCall/result-echoes-numbers")
def test_initiate_result_echoes_numbers(check_id, client, target, reporter, verdict):
    reporter.rule("result echoes From and To")
    to = unique_number()
    exchange, _ = verdict.during_setup(lambda: create_call(client, target, to))
    result = exchange.response_json()
    wrong = [
        f"{key}={result.get(key)!r}, sent {sent!r}"
        for key, sent in (("to", to), ("from", CALLER))
        if result.get(key) != sent
    ]
    extra = [Failure(rules.RESULT_ECHOES_CALL, "; ".join(wrong))] if wrong else []
    _verdict(reporter, verdict, target, exchange, extra)


@check("calls/GetTexmlCall/created-call-is-retrievable")
def test_created_call_is_retrievable(check_id, client, target, reporter, verdict):
    reporter.rule("a created call can be read")
    to = unique_number()
    _, sid = verdict.during_setup(lambda: create_call(client, target, to))
    exchange = send(client, client.build_request("GET", f"{target.calls_path}/{sid}"))
    extra = []
    if exchange.status != 200:
        extra.append(Failure(rules.RETRIEVED_CALL_MATCHES, f"GET of a call just created answered {exchange.status}"))
    elif (_json_field(exchange, "sid"), _json_field(exchange, "to")) != (sid, to):
        extra.append(
            Failure(rules.RETRIEVED_CALL_MATCHES, f"expected sid {sid} to {to}, got {exchange.response_body!r}")
        )
    _verdict(reporter, verdict, target, exchange, extra)


@check("calls/GetTexmlCalls/created-call-is-listed")
def test_created_call_is_listed(check_id, client, target, reporter, verdict):
    reporter.rule("a created call is listed, and the listing honours its To filter")
    to = unique_number()
    # A call to another number first: a listing that ignores its filter would show it too.
    verdict.during_setup(lambda: create_call(client, target, unique_number()))
    _, sid = verdict.during_setup(lambda: create_call(client, target, to))
    listed(client, target, to, lambda calls: any(call.get("sid") == sid for call in calls))
    exchange = send(client, client.build_request("GET", target.calls_path, params={"To": to}))
    calls = exchange.response_json().get("calls", []) if exchange.status == 200 else []
    extra = []
    if sid not in [call.get("sid") for call in calls]:
        extra.append(Failure(rules.CREATED_CALL_LISTED, f"call {sid} missing from GET ?To={to}: {calls}"))
    others = [call.get("to") for call in calls if call.get("to") != to]
    if others:
        extra.append(Failure(rules.CREATED_CALL_LISTED, f"GET ?To={to} also lists calls to {sorted(set(others))}"))
    _verdict(reporter, verdict, target, exchange, extra)


@check("calls/UpdateTexmlCall/status-completed-ends-call-form", "calls/UpdateTexmlCall/status-completed-ends-call-json")
def test_update_status_completed_ends_call(check_id, client, target, capabilities, harness, reporter, verdict):
    encoding = check_id.rsplit("-", 1)[1]
    reporter.rule(f"Status=completed ends the call ({encoding} body)")
    sid = verdict.during_setup(lambda: live_call(client, target, capabilities, harness))
    body = {"data": {"Status": "completed"}} if encoding == "form" else {"json": {"Status": "completed"}}
    exchange = send(client, client.build_request("POST", f"{target.calls_path}/{sid}", **body))
    after = send(client, client.build_request("GET", f"{target.calls_path}/{sid}"))
    status = _json_field(after, "status")
    extra = (
        []
        if status == "completed"
        else [
            Failure(rules.COMPLETED_ENDS_CALL, f"after Status=completed GET answers {after.status}, status {status!r}")
        ]
    )
    _verdict(reporter, verdict, target, exchange, extra)


@check("calls/GetTexmlCall/unknown-call-is-404", "calls/UpdateTexmlCall/unknown-call-is-404")
def test_unknown_call_is_not_found(check_id, client, target, reporter, verdict):
    reporter.rule("unknown call is 404")
    method = "GET" if "/GetTexmlCall/" in check_id else "POST"
    url = f"{target.calls_path}/v3:conformance-no-such-call"
    body = {} if method == "GET" else {"data": {"Status": "completed"}}
    exchange = send(client, client.build_request(method, url, **body))
    extra = (
        []
        if exchange.status == 404
        else [Failure(rules.UNKNOWN_CALL_NOT_FOUND, f"expected 404, got {exchange.status}")]
    )
    _verdict(reporter, verdict, target, exchange, extra)


# A target serving both APIs keeps their calls apart (DESIGN.md, "The call model": state owned per API):
# the call_control_id of a dialled Call Control call names nothing on the TeXML calls resource.
APART = (
    "calls/GetTexmlCall/call-control-call-not-found",
    "calls/UpdateTexmlCall/call-control-call-not-found",
    "calls/GetTexmlCalls/call-control-call-not-listed",
)


@check(*APART)
def test_call_control_call_is_no_texml_call(check_id, client, target, capabilities, reporter, verdict):
    reporter.rule("a Call Control call is no TeXML call: 404 on the TeXML call paths, absent from their listing")
    if "callcontrol" not in target.apis:
        pytest.skip("not applicable: the target does not serve the Call Control API, so it has no call to keep apart")
    missing = capabilities.missing(DIAL_NEEDS)
    if missing:
        pytest.skip(f"not applicable: needs {', '.join(missing)} to dial a call whose far end is scripted")
    to = unique_number()
    call_control_id = verdict.during_setup(lambda: dial(client, target, {"clock": "manual"}, to))
    try:
        exchange, extra = _seek_call_control_call(check_id.split("/")[1], client, target, call_control_id, to)
    finally:
        with contextlib.suppress(httpx.HTTPError):  # tidying up, not judged
            client.post(f"/calls/{call_control_id}/actions/hangup", json={})
    _verdict(reporter, verdict, target, exchange, extra)


def _seek_call_control_call(operation_id, client, target, call_control_id, to):
    """The exchange that looks for the Call Control call on the TeXML calls resource, and what it found wrong."""
    if operation_id == "GetTexmlCalls":
        exchange = send(client, client.build_request("GET", target.calls_path, params={"To": to}))
        calls = _json_field(exchange, "calls") if exchange.status == 200 else []
        shown = [call for call in calls or [] if isinstance(call, dict)]
        # No TeXML call was ever made to this fresh number: any call the listing shows for it is the dialled one.
        leaked = [call.get("sid") for call in shown if call.get("sid") == call_control_id or call.get("to") == to]
        message = f"GET ?To={to} lists the Call Control call {call_control_id} as a TeXML call: {leaked}"
        return exchange, [Failure(rules.APIS_KEEP_CALLS_APART, message)] if leaked else []
    url = f"{target.calls_path}/{call_control_id}"
    if operation_id == "GetTexmlCall":
        request = client.build_request("GET", url)
    else:
        request = client.build_request("POST", url, data={"Status": "completed"})
    exchange = send(client, request)
    if exchange.status == 404:
        return exchange, []
    message = f"the Call Control call {call_control_id} on the TeXML call path: expected 404, got {exchange.status}"
    return exchange, [Failure(rules.APIS_KEEP_CALLS_APART, message)]


UNREADABLE_BODIES = {
    "calls/InitiateTexmlCall/unreadable-body-truncated-json": (b'{"To": "+1312', "application/json"),
    "calls/InitiateTexmlCall/unreadable-body-not-utf-8": (b"\xff\xfe\x00", "application/json"),
}


@check(*UNREADABLE_BODIES)
def test_unreadable_body_is_refused(check_id, client, target, reporter, verdict):
    reporter.rule("unreadable body refused with a 4xx")
    content, content_type = UNREADABLE_BODIES[check_id]
    request = client.build_request("POST", target.calls_path, content=content, headers={"content-type": content_type})
    _verdict(reporter, verdict, target, send(client, request))


# Where the sources disagree on a form-encoded InitiateCall (errata E-121): each documented answer, and what it follows.
FORM_REFUSED = frozenset({415, 400})
FOLLOWS_REFUSAL = "seed 000 and upstream: InitiateTexmlCall declares a JSON body only, so a form is refused (E-121)"
FOLLOWS_FORM = "seed 004's form-encoded call request and seed 002's form dialect: the form is read as JSON (E-121)"


# The id is kept from when a form was only ever refused: ids are a public interface.
@check("calls/InitiateTexmlCall/unreadable-body-form-where-json-is-declared")
def test_form_encoded_call_refused_or_read(check_id, client, target, reporter, verdict, follows):
    reporter.rule(
        "a form-encoded InitiateCall is refused with 415 or 400 (JSON is its only declared body, seed 000) "
        "or read as the call its JSON twin makes (seed 004's form-encoded example, seed 002's dialect); errata E-121"
    )
    to = unique_number()
    members = {"To": to, "From": CALLER, "ApplicationSid": target.application_sid, "Url": VALID_URL}
    exchange = send(client, client.build_request("POST", target.calls_path, data=members))
    if exchange.status in FORM_REFUSED:
        follows(FOLLOWS_REFUSAL, f"answered {exchange.status}")
        _verdict(reporter, verdict, target, exchange)
        return
    # Read as JSON: judged as the JSON twin would be (a valid call: 200 and the documented result).
    twin = dataclasses.replace(
        exchange,
        request_headers={**exchange.request_headers, "content-type": "application/json"},
        request_body=json.dumps(members).encode(),
    )
    extra = []
    if 200 <= exchange.status < 300:
        follows(FOLLOWS_FORM, f"answered {exchange.status}")
        extra += _same_call_problems(client, target, exchange, to)
    else:
        message = f"answered {exchange.status}: neither refused (415, 400) nor the call its JSON twin makes (200)"
        extra.append(Failure(rules.FORM_CALL_REFUSED_OR_READ, message))
    failures = judge(twin, rest_contract(TEXML), target.base_url, target.api_key) + extra
    reporter.exchange(exchange, failures, always=True)
    verdict.on_exchange(exchange, failures)


def _same_call_problems(client, target, exchange, to) -> list[Failure]:
    """How an accepted form call differs from its JSON twin's: the numbers it echoes, and whether it exists."""
    wrong = [
        f"{key}={_json_field(exchange, key)!r}, the form sent {sent!r}"
        for key, sent in (("to", to), ("from", CALLER))
        if _json_field(exchange, key) != sent
    ]
    if wrong:
        return [Failure(rules.FORM_CALL_REFUSED_OR_READ, "the result is not the form's call: " + "; ".join(wrong))]
    if not listed(client, target, to, lambda calls: any(call.get("to") == to for call in calls)):
        return [Failure(rules.FORM_CALL_REFUSED_OR_READ, f"accepted, yet no call to {to} is listed under To={to}")]
    return []


@check("calls/UpdateTexmlCall/empty-form-body-refused")
def test_empty_update_is_refused(check_id, client, target, reporter, verdict):
    reporter.rule("an update with no member is refused (its body is required)")
    _, sid = verdict.during_setup(lambda: create_call(client, target))
    headers = {"content-type": "application/x-www-form-urlencoded"}
    request = client.build_request("POST", f"{target.calls_path}/{sid}", content=b"", headers=headers)
    _verdict(reporter, verdict, target, send(client, request))


# Seed facts (specs/facts/) a check proves, beyond its operation.
PROVES = {
    # A valid JSON call must be answered 200 (create_call), with a body the contract's InitiateCallResult
    # (from, to and status, each a string) accepts (the judge), echoing From and To.
    "calls/InitiateTexmlCall/result-echoes-numbers": (
        "initiate-call/json-body",
        "initiate-call/accepted-answers-200",
        "initiate-call/result-field-from",
        "initiate-call/result-field-to",
        "initiate-call/result-field-status",
        "initiate-call/result-echoes-call",
    ),
}


def check_meta(item):
    check_id = item.callspec.params["check_id"]
    operation_id = check_id.split("/")[1]
    facts = {operation_fact(operation_id), *map(seed_fact, PROVES.get(check_id, ()))}
    return CheckMeta(AREA_REST, operation_id, frozenset(facts))
