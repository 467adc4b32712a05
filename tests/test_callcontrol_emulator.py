"""The reference emulator's Call Control API: commands, their webhooks, and the order of its answers."""

import base64
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from nacl.signing import VerifyKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer

DEADLINE_S = 5.0
CALLER = "+13125550111"


class Receiver:
    """A loopback application: records every webhook (raw body and headers) and answers 200."""

    def __init__(self) -> None:
        self.received: list[tuple[str, bytes, dict[str, str]]] = []
        self._changed = threading.Condition()
        # A speak sent to the emulator at (base URL) before answering call.answered for a call to this number.
        self.replies: dict[str, tuple[str, dict[str, Any]]] = {}
        self.app = Starlette(routes=[Route("/{name}", self._record, methods=["POST"])])

    async def _record(self, request: Request) -> Response:
        body = await request.body()
        data = json.loads(body)["data"]
        reply = self.replies.get(data["payload"].get("to", ""))
        if reply is not None and data["event_type"] == "call.answered":
            async with httpx.AsyncClient(headers={"Authorization": "Bearer k"}) as http:
                await http.post(f"{reply[0]}/calls/{data['payload']['call_control_id']}/actions/speak", json=reply[1])
        with self._changed:
            self.received.append((request.path_params["name"], body, dict(request.headers)))
            self._changed.notify_all()
        return Response(status_code=200)

    def events(self, call_control_id: str, name: str | None = None) -> list[dict[str, Any]]:
        with self._changed:
            items = list(self.received)
        found = []
        for where, body, _ in items:
            data = json.loads(body)["data"]
            if data["payload"].get("call_control_id") == call_control_id and name in (None, where):
                found.append(data)
        return found

    def wait_for(self, call_control_id: str, event_type: str, count: int = 1) -> list[dict[str, Any]]:
        deadline = time.monotonic() + DEADLINE_S
        with self._changed:
            while True:
                events = self.events(call_control_id)
                if sum(e["event_type"] == event_type for e in events) >= count:
                    return events
                left = deadline - time.monotonic()
                assert left > 0, f"no {event_type} for {call_control_id}: {[e['event_type'] for e in events]}"
                self._changed.wait(left)


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, str]]:
    hooks = Receiver()
    with BackgroundServer(hooks.app) as server:
        yield hooks, server.url


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with (
        BackgroundServer(build_app(EmulatorSettings(api_key="k"))) as server,
        httpx.Client(base_url=f"{server.url}/v2", headers={"Authorization": "Bearer k"}) as http,
    ):
        yield http


@pytest.fixture(scope="module")
def connection_id(client, receiver) -> str:
    body = {"application_name": "cc-tests", "webhook_event_url": f"{receiver[1]}/app"}
    response = client.post("/call_control_applications", json=body)
    assert response.status_code == 201
    assert response.json()["data"]["record_type"] == "call_control_application"
    return response.json()["data"]["id"]


_numbers = iter(range(100, 10000))


def _dial(client, connection_id, party: dict[str, Any] | None = None, **extra: Any) -> str:
    to = f"+1312555{next(_numbers):04d}"
    client.put(f"/simulation/v1/parties/{to}", json={"clock": "manual", **(party or {})}).raise_for_status()
    response = client.post("/calls", json={"to": to, "from": CALLER, "connection_id": connection_id, **extra})
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["record_type"] == "call" and data["is_alive"] is True
    return data["call_control_id"]


def test_commands_sent_before_answering_a_webhook_act_before_time_moves(client, receiver, connection_id):
    # Auto clock: once no webhook is in flight, time jumps to the 30 s limit at once.
    to = f"+1312555{next(_numbers):04d}"
    receiver[0].replies[to] = (str(client.base_url).rstrip("/"), {"payload": "Hi", "voice": "x"})
    body = {"to": to, "from": CALLER, "connection_id": connection_id, "time_limit_secs": 30}
    sid = client.post("/calls", json=body).json()["data"]["call_control_id"]
    events = receiver[0].wait_for(sid, "call.hangup")
    assert [e["event_type"] for e in events][1:] == ["call.answered", "call.speak.started", "call.speak.ended",
                                                      "call.hangup"]  # fmt: skip
    timeline = client.get(f"/simulation/v1/calls/{sid}/timeline").json()["events"]
    said, hangup = (next(e for e in timeline if e["event"] == kind) for kind in ("say", "hangup"))
    assert said["at"] == 0 and hangup["at"] == 30


def _command(client, call_control_id: str, action: str, **body: Any) -> httpx.Response:
    return client.post(f"/calls/{call_control_id}/actions/{action}", json=body)


def _advance(client, call_control_id: str, seconds: float) -> None:
    client.post(f"/simulation/v1/calls/{call_control_id}/clock", json={"advance": seconds}).raise_for_status()


def _error(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["errors"][0]
    return response.status_code, error["code"], error.get("source", {}).get("pointer")


def test_dial_reports_initiated_then_answered(client, receiver, connection_id):
    sid = _dial(client, connection_id)
    events = receiver[0].wait_for(sid, "call.answered")
    assert [e["event_type"] for e in events] == ["call.initiated", "call.answered"]
    payload = events[0]["payload"]
    assert payload["connection_id"] == connection_id and payload["direction"] == "outgoing"
    assert payload["call_leg_id"] and payload["call_session_id"] and payload["from"] == CALLER


def test_a_dial_answers_a_challenging_far_end_with_its_sip_credentials(client, receiver, connection_id):
    challenge = {"auth_challenge": {"username": "u", "password": "p"}}
    sid = _dial(client, connection_id, challenge, sip_auth_username="u", sip_auth_password="p")
    events = receiver[0].wait_for(sid, "call.answered")
    assert [e["event_type"] for e in events] == ["call.initiated", "call.answered"]


def test_speak_reports_started_and_ended_on_the_timeline_too(client, receiver, connection_id):
    sid = _dial(client, connection_id)
    receiver[0].wait_for(sid, "call.answered")
    ok = _command(client, sid, "speak", payload="Hello there", voice="female", language="en-US")
    assert ok.json() == {"data": {"result": "ok"}}
    _advance(client, sid, 5)
    events = receiver[0].wait_for(sid, "call.speak.ended")
    assert [e["event_type"] for e in events][-2:] == ["call.speak.started", "call.speak.ended"]
    timeline = client.get(f"/simulation/v1/calls/{sid}/timeline").json()["events"]
    assert {"event": "say", "text": "Hello there", "voice": "female", "language": "en-US"}.items() <= next(
        e for e in timeline if e["event"] == "say"
    ).items()


def test_hangup_reports_cause_and_source_and_later_commands_get_90018(client, receiver, connection_id):
    sid = _dial(client, connection_id)
    receiver[0].wait_for(sid, "call.answered")
    assert _command(client, sid, "hangup").status_code == 200
    hangup = receiver[0].wait_for(sid, "call.hangup")[-1]["payload"]
    assert (hangup["hangup_cause"], hangup["hangup_source"], hangup["state"]) == ("normal_clearing", "caller", "hangup")
    assert _error(_command(client, sid, "speak", payload="late", voice="female")) == (422, "90018", None)
    status = client.get(f"/calls/{sid}").json()["data"]
    assert status["is_alive"] is False and "end_time" in status


def test_time_limit_ends_the_call_on_the_virtual_clock(client, receiver, connection_id):
    sid = _dial(client, connection_id, time_limit_secs=30)
    receiver[0].wait_for(sid, "call.answered")
    _advance(client, sid, 31)
    hangup = receiver[0].wait_for(sid, "call.hangup")[-1]["payload"]
    assert hangup["hangup_cause"] == "time_limit"


def test_client_state_is_echoed_until_updated(client, receiver, connection_id):
    first, second = base64.b64encode(b"one").decode(), base64.b64encode(b"two").decode()
    sid = _dial(client, connection_id, client_state=first)
    receiver[0].wait_for(sid, "call.answered")
    _command(client, sid, "speak", payload="Hi", voice="female")
    _advance(client, sid, 2)
    receiver[0].wait_for(sid, "call.speak.ended")
    client.put(f"/calls/{sid}/actions/client_state_update", json={"client_state": second}).raise_for_status()
    _command(client, sid, "hangup")
    events = receiver[0].wait_for(sid, "call.hangup")
    states = [(e["event_type"], e["payload"]["client_state"]) for e in events]
    assert states == [
        ("call.initiated", first),
        ("call.answered", first),
        ("call.speak.started", first),
        ("call.speak.ended", first),
        ("call.hangup", second),
    ]


def test_a_repeated_command_id_has_one_effect(client, receiver, connection_id):
    sid = _dial(client, connection_id)
    receiver[0].wait_for(sid, "call.answered")
    for _ in range(2):
        response = _command(client, sid, "fork_start", command_id="same")
        assert response.json() == {"data": {"result": "ok"}}
        response = _command(client, sid, "record_start", format="wav", channels="single", command_id="rec")
        assert response.status_code == 200
    _command(client, sid, "fork_stop")
    _command(client, sid, "hangup")
    events = receiver[0].wait_for(sid, "call.hangup")
    kinds = [e["event_type"] for e in events]
    assert kinds.count("call.fork.started") == 1 and kinds.count("call.recording.saved") == 1
    timeline = client.get(f"/simulation/v1/calls/{sid}/timeline").json()["events"]
    assert [e["event"] for e in timeline].count("record-start") == 1


def test_per_command_webhook_url_overrides_the_application(client, receiver, connection_id):
    hooks, url = receiver
    sid = _dial(client, connection_id, webhook_url=f"{url}/override")
    hooks.wait_for(sid, "call.answered")
    assert hooks.events(sid, "app") == []
    assert [e["event_type"] for e in hooks.events(sid, "override")] == ["call.initiated", "call.answered"]


def test_gather_collects_the_party_digits(client, receiver, connection_id):
    sid = _dial(client, connection_id, party={"digits": [{"at": 1, "keys": "12#"}]})
    receiver[0].wait_for(sid, "call.answered")
    _command(client, sid, "gather", minimum_digits=2, maximum_digits=5)
    _advance(client, sid, 2)
    events = receiver[0].wait_for(sid, "call.gather.ended")
    assert [e["payload"]["digit"] for e in events if e["event_type"] == "call.dtmf.received"] == ["1", "2", "#"]
    ended = events[-1]["payload"]
    assert (ended["digits"], ended["status"]) == ("12", "valid")


@pytest.mark.parametrize(
    ("party", "outcome", "status"),
    [
        ({}, "call.refer.completed", 200),
        ({"refer_response": 299}, "call.refer.completed", 299),
        ({"refer_response": 300}, "call.refer.failed", 300),
        ({"refer_response": 603}, "call.refer.failed", 603),
    ],
    ids=["unscripted", "last-2xx", "first-refusal", "decline"],
)
def test_the_party_answer_to_a_refer_decides_completed_or_failed(client, receiver, connection_id, party, outcome,
                                                                 status):  # fmt: skip
    sid = _dial(client, connection_id, party=party)
    receiver[0].wait_for(sid, "call.answered")
    assert _command(client, sid, "refer", sip_address="sip:agent@example.com").status_code == 200
    events = receiver[0].wait_for(sid, outcome)
    assert [e["event_type"] for e in events][2:] == ["call.refer.started", outcome]
    assert events[-1]["payload"]["sip_notify_response"] == status
    # Accepted or refused, the leg stays with the application until someone hangs up.
    assert client.get(f"/calls/{sid}").json()["data"]["is_alive"] is True
    assert _command(client, sid, "hangup").status_code == 200


def test_a_recording_that_cannot_be_stored_reports_its_reason_instead_of_urls(client, receiver, connection_id):
    sid = _dial(client, connection_id, party={"recording_error": "Unsupported backend"})
    receiver[0].wait_for(sid, "call.answered")
    # Virtual time only jumps to timers: max_length gives the recording one.
    _command(client, sid, "record_start", format="mp3", channels="single", max_length=4)
    _advance(client, sid, 5)
    events = receiver[0].wait_for(sid, "call.recording.error")
    assert [e["event_type"] for e in events][2:] == ["call.recording.error"]
    payload = events[-1]["payload"]
    assert payload["reason"] == "Unsupported backend" and "recording_urls" not in payload
    # The media plane did record; only storing it failed, and the call goes on.
    timeline = client.get(f"/simulation/v1/calls/{sid}/timeline").json()["events"]
    assert {"event": "record-stop", "duration": 4}.items() <= next(
        e for e in timeline if e["event"] == "record-stop"
    ).items()
    assert client.get(f"/calls/{sid}").json()["data"]["is_alive"] is True
    _command(client, sid, "hangup")
    assert "call.recording.saved" not in [e["event_type"] for e in receiver[0].wait_for(sid, "call.hangup")]


def test_a_recording_from_answer_fails_the_same_way(client, receiver, connection_id):
    sid = _dial(client, connection_id, party={"recording_error": "Internal server error"}, record="record-from-answer")
    receiver[0].wait_for(sid, "call.answered")
    _command(client, sid, "hangup")
    kinds = [e["event_type"] for e in receiver[0].wait_for(sid, "call.hangup")]
    assert kinds[2:] == ["call.recording.error", "call.hangup"]


@pytest.mark.parametrize(
    "script",
    [{"refer_response": 199}, {"refer_response": 700}, {"refer_response": "603"}, {"recording_error": "disk full"}],
    ids=["below-200", "above-699", "text", "unknown-reason"],
)
def test_a_party_script_outside_the_protocol_is_refused(client, script):
    assert client.put("/simulation/v1/parties/%2B13125559999", json=script).status_code == 422


def test_a_party_script_gives_back_its_refusals(client):
    script = {"refer_response": 486, "recording_error": "Invalid credentials json"}
    answer = client.put("/simulation/v1/parties/%2B13125559998", json=script)
    assert script.items() <= answer.json().items()
    defaults = client.put("/simulation/v1/parties/%2B13125559998", json={}).json()
    assert (defaults["refer_response"], defaults["recording_error"]) == (200, None)


def test_discovery_declares_refer_refusal_and_recording_failure(client):
    capabilities = client.get("/simulation/v1").json()["capabilities"]
    assert {"callcontrol-refer-refusal", "callcontrol-recording-failure"} <= set(capabilities)


def test_unknown_call_is_90015_with_its_pointer(client):
    assert _error(_command(client, "v3:nobody", "hangup")) == (422, "90015", "/call_control_id")
    assert _error(client.get("/calls/v3:nobody")) == (422, "90015", "/call_control_id")


# Each API owns its calls (DESIGN.md, "The call model"): neither reaches the other's by accident.
TEXML_ACCOUNTS = ("callcontrol", "AC1")
TEXML_NOT_FOUND = (404, "10005")
TEXML_UPDATES = ({"data": {"Status": "completed"}}, {"json": {"Texml": "<Response><Hangup/></Response>"}})


@pytest.mark.parametrize("account", TEXML_ACCOUNTS)
def test_a_call_control_call_is_no_texml_call(client, connection_id, account):
    sid = _dial(client, connection_id)
    calls = f"/texml/Accounts/{account}/Calls"
    assert _error(client.get(f"{calls}/{sid}"))[:2] == TEXML_NOT_FOUND
    for update in TEXML_UPDATES:
        assert _error(client.post(f"{calls}/{sid}", **update))[:2] == TEXML_NOT_FOUND
    listed = client.get(calls, params={"PageSize": 1000}).json()["calls"]
    assert sid not in [call["sid"] for call in listed]
    # The updates reached nothing: the call is still up, and Call Control still ends it.
    assert client.get(f"/calls/{sid}").json()["data"]["is_alive"] is True
    assert _command(client, sid, "hangup").status_code == 200


def test_a_texml_call_is_unknown_to_call_control(client, connection_id):
    to = f"+1312555{next(_numbers):04d}"
    client.put(f"/simulation/v1/parties/{to}", json={"clock": "manual"}).raise_for_status()
    texml = {"To": to, "From": CALLER, "ApplicationSid": "1", "Texml": '<Response><Pause length="600"/></Response>'}
    sid = client.post("/texml/Accounts/AC1/Calls", json=texml).json()["call_sid"]
    assert _error(client.get(f"/calls/{sid}")) == (422, "90015", "/call_control_id")
    assert _error(_command(client, sid, "hangup")) == (422, "90015", "/call_control_id")
    other = _dial(client, connection_id)
    bridge = client.post(f"/calls/{other}/actions/bridge", json={"call_control_id": sid})
    assert _error(bridge)[:2] == (422, "90015")
    assert client.get(f"/texml/Accounts/AC1/Calls/{sid}").json()["status"] not in ("completed", "canceled")
    assert client.post(f"/texml/Accounts/AC1/Calls/{sid}", data={"Status": "completed"}).status_code == 200
    assert _command(client, other, "hangup").status_code == 200


def test_body_rules_come_before_the_call_lookup(client):
    response = _command(client, "v3:nobody", "speak", voice="female")
    assert _error(response) == (422, "10004", "/payload")


@pytest.mark.parametrize(
    ("to", "pointer"), [([{}], "/to/0"), (5, "/to"), ({}, "/to")], ids=["list of objects", "number", "object"]
)
def test_a_to_that_is_neither_a_number_nor_a_list_of_them_is_a_type_error(client, connection_id, to, pointer):
    # Found by `schemathesis run`: a list of objects reached the dialler and answered 500.
    response = client.post("/calls", json={"connection_id": connection_id, "from": CALLER, "to": to})
    assert _error(response) == (422, "10026", pointer)


def test_a_webhook_url_that_is_no_absolute_uri_is_refused(client):
    body = {"application_name": "a", "webhook_event_url": "https://example.test/hooks"}
    response = client.post("/call_control_applications", json={**body, "webhook_event_failover_url": ""})
    assert _error(response) == (422, "10026", "/webhook_event_failover_url")


def test_media_commands_on_a_ringing_leg_get_90034(client, connection_id):
    sid = _dial(client, connection_id, party={"answer_after": 5})
    assert _error(_command(client, sid, "speak", payload="Too early", voice="female")) == (422, "90034", None)
    assert _command(client, sid, "client_state_update", client_state="eA==").status_code == 405  # PUT only
    response = client.put(f"/calls/{sid}/actions/client_state_update", json={"client_state": "eA=="})
    assert response.status_code == 200
    assert _command(client, sid, "hangup").status_code == 200


def test_every_webhook_verifies_with_the_discovery_key(client, receiver, connection_id):
    sid = _dial(client, connection_id)
    receiver[0].wait_for(sid, "call.answered")
    _command(client, sid, "hangup")
    receiver[0].wait_for(sid, "call.hangup")
    key = VerifyKey(base64.b64decode(client.get("/simulation/v1").json()["webhook_public_key"]))
    signed = [(b, h) for _, b, h in receiver[0].received if json.loads(b)["data"]["payload"]["call_control_id"] == sid]
    assert len(signed) == 3
    for body, headers in signed:
        stamp = headers["telnyx-timestamp"]
        assert abs(int(stamp) - time.time()) < 60
        key.verify(stamp.encode() + b"|" + body, base64.b64decode(headers["telnyx-signature-ed25519"]))


def test_a_fixed_signing_key_gives_its_public_half():
    seed = base64.b64encode(bytes(range(32))).decode()
    with (
        BackgroundServer(build_app(EmulatorSettings(api_key="k", webhook_signing_key=seed))) as server,
        httpx.Client(base_url=f"{server.url}/v2", headers={"Authorization": "Bearer k"}) as http,
    ):
        first = http.get("/simulation/v1").json()["webhook_public_key"]
    from nacl.signing import SigningKey

    assert first == base64.b64encode(bytes(SigningKey(bytes(range(32))).verify_key)).decode()


def test_callcontrol_can_be_switched_off():
    with (
        BackgroundServer(build_app(EmulatorSettings(api_key="k", callcontrol=False))) as server,
        httpx.Client(base_url=f"{server.url}/v2", headers={"Authorization": "Bearer k"}) as http,
    ):
        assert http.post("/calls", json={}).status_code == 404
        assert "callcontrol" not in http.get("/simulation/v1").json()["capabilities"]


def _ended(client, call_control_id: str) -> dict[str, Any]:
    response = client.get(f"/simulation/v1/calls/{call_control_id}/timeline", params={"wait": "ended", "timeout": 2})
    return response.json()


def test_bridged_calls_share_one_clock_so_each_hangs_up_on_its_own_script(client, receiver, connection_id):
    # Issue 17: A hangs up at 100 s, B at 30 s, both on manual clocks; advancing A must run B's time too.
    a = _dial(client, connection_id, party={"hangup_at": 100})
    b = _dial(client, connection_id, party={"hangup_at": 30})
    for sid in (a, b):
        receiver[0].wait_for(sid, "call.answered")
    assert client.post(f"/calls/{a}/actions/bridge", json={"call_control_id": b}).status_code == 200
    for sid in (a, b):
        receiver[0].wait_for(sid, "call.bridged")
    _advance(client, a, 200)
    first, second = _ended(client, b), _ended(client, a)
    assert first["status"] == second["status"] == "completed"
    assert [(e["at"], e["event"]) for e in first["events"]] == [
        (0.0, "ringing"), (0.0, "answered"), (0.0, "bridged"), (30.0, "hangup")
    ]  # fmt: skip
    assert first["events"][-1]["source"] == "callee"
    assert [(e["at"], e["event"]) for e in second["events"]] == [
        (0.0, "ringing"), (0.0, "answered"), (0.0, "bridged"), (30.0, "unbridged"), (100.0, "hangup")
    ]  # fmt: skip
    assert second["events"][3]["with_call"] == b
    hangups = [receiver[0].wait_for(sid, "call.hangup")[-1]["payload"]["hangup_source"] for sid in (a, b)]
    assert hangups == ["callee", "callee"]
