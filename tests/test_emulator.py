"""The reference emulator answers per specs/: codes, pointers, state."""

import asyncio
import dataclasses
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.backend.backend import Backend
from conformance_emulator.backend.leg import LegSetup
from conformance_emulator.backend.outbound import Outbound
from conformance_emulator.backend.recording import Recording, Sound
from conformance_emulator.controllers.texml.setup import outbound_setup
from conformance_emulator.server import BackgroundServer
from conformance_specs.apis import api

CALL_STATUSES = {"queued", "ringing", "in-progress", "canceled", "completed", "failed", "busy", "no-answer"}
VALID = {"To": "+13125550100", "From": "+13125550111", "ApplicationSid": "1", "Url": "http://127.0.0.1:9/x"}


@pytest.fixture(scope="module")
def client():
    with (
        BackgroundServer(build_app(EmulatorSettings(api_key="k"))) as server,
        httpx.Client(base_url=f"{server.url}/v2", headers={"Authorization": "Bearer k"}) as http,
    ):
        yield http


@pytest.mark.parametrize(
    ("change", "code", "pointer"),
    [
        ({"To": None}, "10004", "/To"),
        ({"Timeout": "30"}, "10026", "/Timeout"),
        ({"UrlMethod": "PUT"}, "10032", "/UrlMethod"),
        ({"StatusCallbackEvent": "initiated hungup"}, "10032", "/StatusCallbackEvent"),
        ({"Timeout": 121}, "10033", "/Timeout"),
        ({"TimeLimit": 29}, "10033", "/TimeLimit"),
        ({"MachineDetectionTimeout": 60001}, "10033", "/MachineDetectionTimeout"),
    ],
)
def test_invalid_call_gets_its_code(client, change, code, pointer):
    body = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    response = client.post("/texml/Accounts/AC1/Calls", json=body)
    assert response.status_code == 422
    assert [(e["code"], e["source"]["pointer"]) for e in response.json()["errors"]] == [(code, pointer)]


def test_url_with_texml_is_rejected(client):
    response = client.post("/texml/Accounts/AC1/Calls", json={**VALID, "Texml": "<Response/>"})
    assert response.status_code == 422
    assert {e["source"]["pointer"] for e in response.json()["errors"]} == {"/Url", "/Texml"}


def test_call_lifecycle(client):
    sid = client.post("/texml/Accounts/AC1/Calls", json=VALID).json()["call_sid"]
    # The call runs at once (its Url is unreachable, so it soon ends): any status of the contract.
    assert client.get(f"/texml/Accounts/AC1/Calls/{sid}").json()["status"] in CALL_STATUSES
    assert client.post(f"/texml/Accounts/AC1/Calls/{sid}", data={"Status": "completed"}).json()["status"] == "completed"
    assert client.get(f"/texml/Accounts/AC2/Calls/{sid}").status_code == 404


def test_wrong_key_is_401_with_10009(client):
    response = client.get("/texml/Accounts/AC1/Calls", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "10009"


def _timeline(client, sid, **query):
    return client.get(f"/simulation/v1/calls/{sid}/timeline", params=query)


def test_timeline_settles_once_callbacks_are_delivered_or_given_up(client):
    body = {k: v for k, v in VALID.items() if k != "Url"}
    # Nothing listens on port 9: the completed callback is retried, then given up.
    body |= {"Texml": "<Response><Hangup/></Response>", "StatusCallback": "http://127.0.0.1:9/status"}
    sid = client.post("/texml/Accounts/AC1/Calls", json=body).json()["call_sid"]
    ended = _timeline(client, sid, wait="ended").json()
    assert (ended["status"], ended["settled"]) == ("completed", False)  # its retries take 0.3 s of wall time
    settled = _timeline(client, sid, wait="settled", timeout=5).json()
    assert (settled["status"], settled["settled"]) == ("completed", True)
    assert _timeline(client, sid).json()["settled"] is True


def test_wait_answers_at_its_timeout_when_the_call_goes_on(client):
    # A manual clock keeps the call ringing until someone advances it.
    assert client.put("/simulation/v1/parties/%2B13125550199", json={"clock": "manual", "answer_after": 5}).is_success
    sid = client.post("/texml/Accounts/AC1/Calls", json={**VALID, "To": "+13125550199"}).json()["call_sid"]
    timeline = _timeline(client, sid, wait="ended", timeout=0.2).json()
    assert (timeline["status"], timeline["settled"]) == ("ringing", False)


@pytest.mark.parametrize(("query", "code"), [({"wait": "done"}, "10032"), ({"wait": "ended", "timeout": 31}, "10033")])
def test_bad_wait_gets_its_code(client, query, code):
    sid = client.post("/texml/Accounts/AC1/Calls", json=VALID).json()["call_sid"]
    response = _timeline(client, sid, **query)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == code


def test_a_child_leg_joins_its_parents_tree_and_clock():
    async def legs():
        backend = Backend(Outbound())
        parent = backend.add_leg(LegSetup("AC1", "CA-parent", "+13125550111", "+13125550100", "outbound-api"), "x")
        child_setup = LegSetup("AC1", "CA-child", "+13125550100", "+13125550122", "outbound-api")
        child = backend.add_leg(child_setup, "y", parent=parent)
        for leg in (parent, child):
            leg.callbacks.close()
            await leg.callbacks.drained.wait()
        return parent, child

    parent, child = asyncio.run(legs())
    assert child.clock is parent.clock
    assert (parent.as_timeline()["child_call_sids"], child.as_timeline()["parent_call_sid"]) == (
        ["CA-child"],
        parent.sid,
    )


@pytest.mark.parametrize("body", ["[]", '"x"', "3", "null"])
def test_a_body_that_is_no_object_gets_only_its_type_error(client, body):
    # Every oneOf branch holds vacuously for a non-object: no member conflict may be reported.
    for path in ("/texml/Accounts/AC1/Calls", "/texml/Accounts/AC1/Calls/v3:unknown"):
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422
        assert [(e["code"], e["source"]["pointer"]) for e in response.json()["errors"]] == [("10026", "/")]


def _live_call(client, to, texml):
    """A call answered at once on a manual clock, so it stays in its first document until told otherwise."""
    assert client.put(f"/simulation/v1/parties/{to.replace('+', '%2B')}", json={"clock": "manual"}).is_success
    body = {**{k: v for k, v in VALID.items() if k != "Url"}, "To": to, "Texml": texml}
    sid = client.post("/texml/Accounts/AC1/Calls", json=body).json()["call_sid"]
    for _ in range(200):
        if any(e["event"] == "silence" for e in _timeline(client, sid).json()["events"]):
            return sid
        time.sleep(0.01)
    raise AssertionError("the call never reached its Pause")


LONG_PAUSE = '<Response><Pause length="600"/><Say>after the pause</Say></Response>'


def test_update_with_texml_replaces_the_running_document(client):
    sid = _live_call(client, "+13125550181", LONG_PAUSE)
    texml = "<Response><Say>second</Say><Hangup/></Response>"
    response = client.post(f"/texml/Accounts/AC1/Calls/{sid}", json={"Texml": texml})
    assert response.status_code == 200
    client.post(f"/simulation/v1/calls/{sid}/clock", json={"advance": 60})  # Say takes time too
    timeline = _timeline(client, sid, wait="ended", timeout=3).json()
    said = [e["text"] for e in timeline["events"] if e["event"] == "say"]
    assert (said, timeline["status"]) == (["second"], "completed")


def test_update_with_status_completed_answers_the_ended_call(client):
    sid = _live_call(client, "+13125550182", LONG_PAUSE)
    response = client.post(f"/texml/Accounts/AC1/Calls/{sid}", json={"Status": "completed"})
    assert (response.status_code, response.json()["status"]) == (200, "completed")
    assert client.get(f"/texml/Accounts/AC1/Calls/{sid}").json()["status"] == "completed"


@pytest.mark.parametrize("base_path", ["/v2", "/elsewhere/v9"])
def test_uris_of_calls_and_pages_are_served_where_the_emulator_lives(base_path):
    with (
        BackgroundServer(build_app(EmulatorSettings(api_key="k", base_path=base_path))) as server,
        httpx.Client(base_url=server.url, headers={"Authorization": "Bearer k"}) as http,
    ):
        calls = f"{base_path}/texml/Accounts/AC9/Calls"
        sids = {http.post(calls, json={**VALID, "To": f"+1312555020{n}"}).json()["call_sid"] for n in range(3)}
        call = http.get(f"{calls}/{sids.pop()}").json()
        assert call["uri"].startswith(f"{base_path}/") and not call["uri"].endswith(".json")
        assert http.get(call["uri"]).json()["sid"] == call["sid"]
        first = http.get(calls, params={"PageSize": 2, "From": VALID["From"]}).json()
        assert first["uri"].startswith(base_path) and isinstance(first["next_page_uri"], str)
        assert http.get(first["first_page_uri"]).json()["calls"] == first["calls"]
        last = http.get(first["next_page_uri"]).json()
        assert (last["page"], len(last["calls"]), "next_page_uri" in last) == (1, 1, False)


def test_an_ended_call_tells_when_it_started_and_how_long_it_lasted(client):
    body = {k: v for k, v in VALID.items() if k != "Url"}
    body |= {"To": "+13125550183", "Texml": '<Response><Pause length="42"/></Response>', "CallerId": "Conformance"}
    sid = client.post("/texml/Accounts/AC1/Calls", json=body).json()["call_sid"]
    assert _timeline(client, sid, wait="ended").json()["status"] == "completed"
    call = client.get(f"/texml/Accounts/AC1/Calls/{sid}").json()
    assert (call["duration"], call["caller_name"], call["to_formatted"]) == ("42", "Conformance", "(312) 555-0183")
    started, ended = (parsedate_to_datetime(call[name]) for name in ("start_time", "end_time"))
    assert (ended - started).total_seconds() == 42


APPLICATION = {"friendly_name": "fidelity", "voice_url": "https://example.com/texml.xml"}


def test_an_application_echoes_its_upstream_members_with_their_defaults(client):
    given = {
        **APPLICATION,
        "anchorsite_override": "Amsterdam, Netherlands",
        "inbound": {"channel_limit": 10, "sip_subdomain": "example"},
        "outbound": {"channel_limit": 5, "outbound_voice_profile_id": "1293384261075731499"},
        "tags": ["tag1", "tag2"],
        "status_callback": "https://example.com/status",
    }
    created = client.post("/texml_applications", json=given)
    assert created.status_code == 201
    data = created.json()["data"]
    assert {name: data[name] for name in given} == {
        **given,
        "inbound": {**given["inbound"], "shaken_stir_enabled": False, "sip_subdomain_receive_settings": "from_anyone"},
    }
    plain = client.post("/texml_applications", json=APPLICATION).json()["data"]
    assert (plain["anchorsite_override"], plain["tags"], plain["outbound"]) == ("Latency", [], {})


def test_an_application_leaves_out_the_urls_it_was_not_given(client):
    """Upstream types them string yet defaults them to null: absent fits both its schema and ours (errata E-065)."""
    data = client.post("/texml_applications", json=APPLICATION).json()["data"]
    assert {"voice_fallback_url", "status_callback"}.isdisjoint(data)
    fallback = "https://example.com/fallback.xml"
    given = client.post("/texml_applications", json={**APPLICATION, "voice_fallback_url": fallback}).json()["data"]
    assert given["voice_fallback_url"] == fallback


@pytest.mark.parametrize(
    ("change", "code", "pointer"),
    [
        ({"voice_url": "not a url"}, "10026", "/voice_url"),
        ({"voice_fallback_url": "example.com/fallback"}, "10026", "/voice_fallback_url"),
        ({"status_callback": "http://exa mple.com"}, "10026", "/status_callback"),
        ({"anchorsite_override": "Mars"}, "10032", "/anchorsite_override"),
        ({"inbound": {"channel_limit": "ten"}}, "10026", "/inbound/channel_limit"),
        ({"inbound": {"sip_subdomain_receive_settings": "anyone"}}, "10032", "/inbound/sip_subdomain_receive_settings"),
        ({"outbound": {"outbound_voice_profile_id": 7}}, "10026", "/outbound/outbound_voice_profile_id"),
        ({"tags": ["ok", 3]}, "10026", "/tags/1"),
        ({"tags": "tag1"}, "10026", "/tags"),
    ],
)
def test_an_application_with_a_garbage_member_is_refused(client, change, code, pointer):
    response = client.post("/texml_applications", json={**APPLICATION, **change})
    assert response.status_code == 422
    assert [(e["code"], e["source"]["pointer"]) for e in response.json()["errors"]] == [(code, pointer)]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"DetectionMode": "PremiumCallScreening", "MachineDetection": "Enable"}, None),
        ({"MachineDetectionPromptEndTimeout": 1000}, None),
        ({"MachineDetectionPromptEndTimeout": 120001}, "10033"),
        ({"MachineDetectionPromptEndTimeout": 999}, "10033"),
        ({"MachineDetectionPromptEndTimeout": "5000"}, "10026"),
        ({"CallerId": "x" * 128}, None),
        ({"CallerId": "x" * 129}, "10033"),
    ],
)
def test_initiate_call_members_refreshed_from_upstream(client, change, code):
    response = client.post("/texml/Accounts/AC1/Calls", json={**VALID, **change})
    if code is None:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 422
        assert [(e["code"], e["source"]["pointer"]) for e in response.json()["errors"]] == [
            (code, f"/{next(iter(change))}")
        ]


def test_405_names_every_method_the_path_takes(client):
    response = client.request("DELETE", "/texml/Accounts/AC1/Calls")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "POST"}


# -- what the far end of a call is offered (simulation protocol 1.5.0, capability call-offer) --------

HANG_UP = {k: v for k, v in VALID.items() if k != "Url"} | {"Texml": "<Response><Hangup/></Response>"}


def _ended_events(client, body):
    sid = client.post("/texml/Accounts/AC1/Calls", json=body).json()["call_sid"]
    timeline = _timeline(client, sid, wait="ended", timeout=5).json()
    return timeline["status"], timeline["events"]


def test_discovery_declares_the_call_offer(client):
    assert "call-offer" in client.get("/simulation/v1").json()["capabilities"]


def test_ringing_shows_the_offer_with_its_defaults(client):
    _, events = _ended_events(client, HANG_UP)
    ringing = events[0]
    assert ringing["event"] == "ringing"
    assert {k: v for k, v in ringing.items() if k not in ("at", "event")} == {
        "caller_number": VALID["From"],
        "caller_name": VALID["From"],  # no CallerId: the From number is the display name
        "headers": [],
        "codecs": ["PCMU", "PCMA"],  # the emulator's own choice (errata E-112)
        "media_encryption": "disabled",
        "sip_region": "US",
    }


def test_ringing_shows_the_members_initiate_call_was_given(client):
    members = {
        "To": "sip:offer@conformance.invalid",
        "CallerId": "Front Desk",
        "CustomHeaders": [{"name": "X-One", "value": "1"}, {"name": "X-Two", "value": "2"}],
        "PreferredCodecs": " G722 ,PCMA",
        "MediaEncryption": "DTLS",
        "SipRegion": "Middle East",
    }
    _, events = _ended_events(client, {**HANG_UP, **members})
    ringing = events[0]
    assert (ringing["caller_name"], ringing["headers"], ringing["codecs"]) == (
        "Front Desk",
        members["CustomHeaders"],
        ["G722", "PCMA"],
    )
    assert (ringing["media_encryption"], ringing["sip_region"]) == ("DTLS", "Middle East")


def test_a_number_is_reached_unencrypted_whatever_media_encryption_says(client):
    _, events = _ended_events(client, {**HANG_UP, "MediaEncryption": "SRTP"})  # errata E-110
    assert events[0]["media_encryption"] == "disabled"


def test_a_party_keeps_its_auth_challenge(client):
    script = {"auth_challenge": {"username": "u", "password": "p"}}
    answer = client.put("/simulation/v1/parties/sip%3Aalice%40conformance.invalid", json=script)
    assert answer.json()["auth_challenge"] == script["auth_challenge"]
    refused = client.put(
        "/simulation/v1/parties/sip%3Abob%40conformance.invalid", json={"auth_challenge": {"username": "u"}}
    )
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("credentials", "status", "events"),
    [
        ({"SipAuthUsername": "u", "SipAuthPassword": "p"}, "completed", ["ringing", "answered", "hangup"]),
        ({"SipAuthUsername": "u", "SipAuthPassword": "x"}, "failed", ["hangup"]),
        ({}, "failed", ["hangup"]),
    ],
)
def test_a_challenging_party_takes_only_its_credentials(client, credentials, status, events):
    address = "sip:carol@conformance.invalid"
    script = {"auth_challenge": {"username": "u", "password": "p"}}
    assert client.put(f"/simulation/v1/parties/{quote(address, safe='')}", json=script).is_success
    ended, timeline = _ended_events(client, {**HANG_UP, "To": address, **credentials})
    assert (ended, [event["event"] for event in timeline]) == (status, events)


# -- recording the whole call (InitiateCall's Record; errata E-101..E-104) --------------------------


# The recording InitiateCall asks for with Record alone: every other member at its contract default.
DEFAULT_RECORDING = outbound_setup("s", "AC1", {**VALID, "Record": True}, None)[0].recording


def _recording(**changes: Any) -> Recording:
    assert DEFAULT_RECORDING is not None
    return Recording(dataclasses.replace(DEFAULT_RECORDING, **changes), "sid", 0.0)


def test_a_recording_keeps_the_sounds_of_its_tracks_merged_and_trimmed():
    sounds = [Sound(2, 4, "outbound"), Sound(3, 6, "inbound"), Sound(8, 9, "inbound")]
    assert _recording().heard(sounds, 10) == [(2, 6), (8, 9)]
    assert _recording(track="outbound").heard(sounds, 10) == [(2, 4)]
    assert _recording().length(sounds, 10) == 7  # trimmed: from 2 to 9
    assert _recording(trim="do-not-trim").length(sounds, 10) == 10
    assert _recording(track="outbound").length([Sound(1, 2, "inbound")], 10) is None  # absent


def test_the_silence_timer_starts_with_the_first_sound_and_restarts_with_each():
    assert _recording(silence_timeout=3).silence_stop([]) == math.inf  # nothing heard: no timer
    assert _recording(silence_timeout=3).silence_stop([Sound(5, 6, "outbound")]) == 9
    # A gap shorter than the timeout does not stop it; the first long enough one does.
    sounds = [Sound(1, 2, "outbound"), Sound(4, 5, "inbound"), Sound(20, 21, "inbound")]
    assert _recording(silence_timeout=3).silence_stop(sounds) == 8
    assert _recording().silence_stop(sounds) == math.inf  # 0: never


def test_the_recording_callback_names_the_recording_only_once_it_ended():
    recording = _recording(channels="dual", send_url=False)
    assert recording.callback_params("in-progress", None) == {
        "RecordingStatus": "in-progress",
        "RecordingChannels": "2",
        "RecordingSource": "OutboundAPI",
    }
    assert "RecordingUrl" not in recording.callback_params("completed", 4)
    assert _recording().callback_params("completed", 4.6)["RecordingDuration"] == "4"
    assert "RecordingUrl" not in _recording().callback_params("absent", None)


def test_initiate_call_records_only_when_asked_with_the_contract_defaults():
    assert outbound_setup("s", "AC1", dict(VALID), None)[0].recording is None
    contract = api("texml").contract
    members = contract.component("InitiateCallRequest")["properties"]
    default = {name: contract.resolved(members[name])["default"] for name in ("RecordingChannels", "Trim")}
    assert DEFAULT_RECORDING is not None
    assert (DEFAULT_RECORDING.channels, DEFAULT_RECORDING.trim) == (default["RecordingChannels"], default["Trim"])
    asked = {**VALID, "Record": True, "RecordingStatusCallbackEvent": "in-progress absent", "RecordingTimeout": 5}
    recording = outbound_setup("s", "AC1", asked, None)[0].recording
    assert recording is not None
    assert (recording.callback_events, recording.silence_timeout) == (frozenset({"in-progress", "absent"}), 5)


def _recorded_call(client, to: str, party: dict, texml: str, **members: object) -> list[dict]:
    assert client.put(f"/simulation/v1/parties/{to.replace('+', '%2B')}", json=party).json()["speech"] == party.get(
        "speech", []
    )
    body = {k: v for k, v in VALID.items() if k != "Url"} | {"To": to, "Texml": texml, "Record": True, **members}
    sid = client.post("/texml/Accounts/AC1/Calls", json=body).json()["call_sid"]
    return _timeline(client, sid, wait="ended", timeout=5).json()["events"]


def test_the_far_ends_speech_is_on_the_inbound_track(client):
    speech = {"speech": [{"at": 2, "length": 3}]}
    events = _recorded_call(client, "+13125550181", speech, '<Response><Pause length="9"/></Response>')
    stop = next(e for e in events if e["event"] == "record-stop")
    assert (stop["duration"], stop["reason"]) == (3, "hangup")
    outbound = _recorded_call(
        client, "+13125550182", speech, '<Response><Pause length="9"/></Response>', RecordingTrack="outbound"
    )
    assert next(e for e in outbound if e["event"] == "record-stop")["duration"] == 0  # nothing heard: absent


def test_a_prompt_cut_short_by_a_key_press_is_recorded_until_the_press(client):
    texml = "<Response><Gather><Say>one two three four five six seven eight nine ten</Say></Gather></Response>"
    events = _recorded_call(client, "+13125550183", {"digits": [{"at": 1, "keys": "5"}]}, texml)
    assert next(e for e in events if e["event"] == "record-stop")["duration"] == 1


def test_a_call_never_answered_records_nothing(client):
    events = _recorded_call(client, "+13125550184", {"outcome": "busy"}, "<Response><Say>hi</Say></Response>")
    assert [e["event"] for e in events] == ["ringing", "hangup"]
