"""The judge classifies requests by what they break as sent."""

import json

import pytest

from conformance.core.exchange import Exchange
from conformance.rest.contract import rest_contract
from conformance.rest.judge import RequestKind, expect, judge
from conformance_specs.apis import api

BASE = "http://127.0.0.1:1/v2"
KEY = "k"
CALLS = f"{BASE}/texml/Accounts/AC1/Calls"
CONTRACT = rest_contract(api("texml"))
VALID = {"To": "+1", "From": "+2", "ApplicationSid": "1", "Url": "http://127.0.0.1:9/x"}


def exchange(
    method="POST", url=CALLS, body=VALID, media="application/json", auth=f"Bearer {KEY}", status=200, answer=None
):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": media, **({"authorization": auth} if auth else {})}
    answer = answer if answer is not None else {"from": "+2", "to": "+1", "status": "queued"}
    return Exchange(
        method, url, headers, raw, status, {"content-type": "application/json"}, json.dumps(answer).encode()
    )


@pytest.mark.parametrize(
    ("sent", "kind", "statuses"),
    [
        (exchange(), RequestKind.VALID, {200}),
        (exchange(auth=None), RequestKind.UNAUTHENTICATED, {401}),
        (exchange(method="DELETE"), RequestKind.UNDECLARED_METHOD, {404, 405}),
        (exchange(media="text/plain"), RequestKind.UNSUPPORTED_MEDIA_TYPE, {400, 415}),
        (exchange(body=b"{"), RequestKind.MALFORMED_BODY, {400}),
        (exchange(body={**VALID, "Timeout": 4}), RequestKind.INVALID, {422}),
        (exchange(method="GET", url=f"{CALLS}/v3:x", body=b""), RequestKind.VALID, {200, 404}),
        (exchange(method="GET", url=f"{CALLS}?Page=x", body=b""), RequestKind.INVALID, {422}),
    ],
    ids=["valid", "no auth", "undeclared method", "media type", "malformed", "out of range", "by id", "bad query"],
)
def test_classification(sent, kind, statuses):
    expectation = expect(sent, CONTRACT, BASE, KEY)
    assert expectation.kind is kind
    assert expectation.allowed_statuses == statuses


@pytest.mark.parametrize(
    "sent",
    [
        exchange(url=f"{CALLS}/v3:x", body=b"", media="application/x-www-form-urlencoded"),
        exchange(body=b"", media=""),
    ],
    ids=["empty form body on UpdateCall", "no body and no content type"],
)
def test_a_required_body_left_out_must_be_refused_but_not_as_a_wrong_media_type_only(sent):
    expectation = expect(sent, CONTRACT, BASE, KEY)
    assert expectation.kind is RequestKind.MISSING_BODY
    assert {400, 415, 422} <= expectation.allowed_statuses
    assert not any(200 <= status < 300 for status in expectation.allowed_statuses)


def test_form_value_that_is_a_string_on_the_wire_is_valid():
    # Negative generation may mean Url=123, but a form body can only carry the string "123".
    sent = exchange(url=f"{CALLS}/v3:x", body=b"Url=123", media="application/x-www-form-urlencoded")
    assert expect(sent, CONTRACT, BASE, KEY).kind is RequestKind.VALID


def test_wrong_code_is_named():
    answer = {"errors": [{"code": "10026", "title": "Invalid parameter type", "source": {"pointer": "/Timeout"}}]}
    failures = judge(exchange(body={**VALID, "Timeout": 4}, status=422, answer=answer), CONTRACT, BASE, KEY)
    assert [f.rule for f in failures] == ["error_codes_match_violations"]


def test_conforming_answer_breaks_no_rule():
    answer = {"errors": [{"code": "10033", "title": "Value outside of range", "source": {"pointer": "/Timeout"}}]}
    assert judge(exchange(body={**VALID, "Timeout": 4}, status=422, answer=answer), CONTRACT, BASE, KEY) == []


@pytest.mark.parametrize(
    ("code", "broken"), [("10004", []), ("10032", ["error_codes_match_violations"])], ids=["10004", "10032"]
)
def test_an_empty_update_refused_with_422_must_name_what_an_empty_body_breaks(code, broken):
    """Errata E-053: an update with no member is refused 422 with 10004, the code of minProperties."""
    answer = {"errors": [{"code": code, "title": "t", "source": {"pointer": "/"}}]}
    sent = exchange(url=f"{CALLS}/v3:x", body=b"", media="application/x-www-form-urlencoded", status=422, answer=answer)
    assert [failure.rule for failure in judge(sent, CONTRACT, BASE, KEY)] == broken


CALLCONTROL = rest_contract(api("callcontrol"))
DIAL = ("/calls", {"from": "+13125550111", "connection_id": "c"})
PLAYBACK = ("/calls/v3:x/actions/playback_start", {"audio_url": "https://example.com/a.mp3"})


@pytest.mark.parametrize(
    ("operation", "member", "value", "code"),
    [
        (DIAL, "to", [True, True], "10026"),
        (DIAL, "to", 123, "10026"),
        (PLAYBACK, "loop", 0, "10033"),
        (PLAYBACK, "loop", "forever", "10032"),
    ],
    ids=["to a list of booleans", "to a number", "loop 0", "loop a word but infinity"],
)
def test_a_value_that_fits_none_of_its_alternatives_is_invalid(operation, member, value, code):
    """to is a string or a list of strings, loop 1..100 or "infinity": a value that is neither must be refused."""
    path, body = operation
    answer = {"errors": [{"code": code, "title": "t", "source": {"pointer": f"/{member}"}}]}
    sent = exchange(url=BASE + path, body={**body, member: value}, status=422, answer=answer)
    assert expect(sent, CALLCONTROL, BASE, KEY).kind is RequestKind.INVALID
    assert judge(sent, CALLCONTROL, BASE, KEY) == []


@pytest.mark.parametrize(
    ("value", "wrong_code"),
    [(0, "10032"), (0, "10026"), ("forever", "10033")],
    ids=["0 as no word", "0 as a type", "a word as a range"],
)
def test_an_alternative_of_another_kind_names_no_rule_the_value_broke(value, wrong_code):
    """loop 0 is an integer out of 1..100 (10033): the word alternative it is no kind of names nothing it broke."""
    path, body = PLAYBACK
    answer = {"errors": [{"code": wrong_code, "title": "t", "source": {"pointer": "/loop"}}]}
    sent = exchange(url=BASE + path, body={**body, "loop": value}, status=422, answer=answer)
    assert "error_codes_match_violations" in {failure.rule for failure in judge(sent, CALLCONTROL, BASE, KEY)}


RECORD_PAUSE = "/calls/v3:x/actions/record_pause"


@pytest.mark.parametrize(
    ("recording_id", "kind"),
    [
        ("g3e70682-c209-1cac-a29f-6fbed82c07cd", RequestKind.INVALID),
        ("3e70682c-2091-cac2-9f6f-bed82c07cd00\n", RequestKind.INVALID),
        ("3E70682C-2091-CAC2-9F6F-BED82C07CD00", RequestKind.VALID),
    ],
    ids=["not hex", "a newline after it", "upper case"],
)
def test_a_recording_id_must_be_a_uuid(recording_id, kind):
    """Errata E-080: format uuid is asserted, so a malformed id is refused 422 10026, never a valid request."""
    answer = {"errors": [{"code": "10026", "title": "t", "source": {"pointer": "/recording_id"}}]}
    sent = exchange(url=BASE + RECORD_PAUSE, body={"recording_id": recording_id}, status=422, answer=answer)
    assert expect(sent, CALLCONTROL, BASE, KEY).kind is kind
    if kind is RequestKind.INVALID:
        assert judge(sent, CALLCONTROL, BASE, KEY) == []
