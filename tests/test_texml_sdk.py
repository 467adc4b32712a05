"""The official telnyx SDK, unchanged, drives the emulator's TeXML REST API.

InitiateCall goes through ``client.texml.accounts.calls.calls`` with PascalCase keys (the
SDK sends snake_case keys verbatim, see the SDK notes); retrieve, list and update through
the SDK's own methods. A call the client acts on is kept live by scripting its far end on a
manual clock and giving it a long Pause; what it then does is read from the simulation
protocol's timeline.
"""

import time
from collections.abc import Iterator

import httpx
import pytest
import telnyx

from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer

KEY = "KEY_texml_sdk_5b17"
ACCOUNT = "AC-sdk"
CALLER = "+13125550111"
LONG_PAUSE = '<Response><Pause length="600"/><Say>never reached</Say></Response>'
DEADLINE_S = 5.0


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with BackgroundServer(build_app(EmulatorSettings(api_key=KEY))) as server:
        yield f"{server.url}/v2"


@pytest.fixture(scope="module")
def client(emulator) -> telnyx.Telnyx:
    return telnyx.Telnyx(api_key=KEY, base_url=emulator, max_retries=0)


@pytest.fixture(scope="module")
def simulation(emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{emulator}/simulation/v1", headers={"Authorization": f"Bearer {KEY}"}) as http:
        yield http


@pytest.fixture(scope="module")
def application_sid(client) -> str:
    created = client.texml_applications.create(friendly_name="sdk", voice_url="https://example.com/texml.xml")
    return created.data.id


def _initiate(client, application_sid: str, to: str, **members) -> str:
    body = {"To": to, "From": CALLER, "ApplicationSid": application_sid, **members}
    return client.texml.accounts.calls.calls(ACCOUNT, body=body).call_sid


def _timeline(simulation, sid: str, **query) -> dict:
    response = simulation.get(f"/calls/{sid}/timeline", params=query)
    assert response.is_success, response.text
    return response.json()


def _live_call(client, simulation, application_sid: str, to: str) -> str:
    """A call answered at once on a manual clock: it waits in its Pause until the client acts."""
    assert simulation.put(f"/parties/{to}", json={"clock": "manual"}).is_success
    sid = _initiate(client, application_sid, to, Texml=LONG_PAUSE)
    deadline = time.monotonic() + DEADLINE_S
    while not any(event["event"] == "silence" for event in _timeline(simulation, sid)["events"]):
        assert time.monotonic() < deadline, "the call never reached its Pause"
        time.sleep(0.01)
    return sid


def test_initiate_with_upstream_enum_values_then_retrieve_and_list(client, application_sid, simulation):
    sid = _initiate(
        client,
        application_sid,
        "+13125550301",
        Texml='<Response><Pause length="7"/></Response>',
        MachineDetection="Enable",
        DetectionMode="PremiumCallScreening",
        MachineDetectionPromptEndTimeout=5000,
        CallerId="Fidelity Check",
        StatusCallbackEvent="initiated answered",
        SipRegion="Middle East",
    )
    assert _timeline(simulation, sid, wait="ended")["status"] == "completed"

    call = client.texml.accounts.calls.retrieve(sid, account_sid=ACCOUNT)
    assert (call.sid, call.status, call.duration, call.caller_name) == (sid, "completed", "7", "Fidelity Check")
    assert call.start_time and call.end_time and call.uri

    listed = client.texml.accounts.calls.retrieve_calls(ACCOUNT, to="+13125550301", page_size=5)
    assert [c.sid for c in listed.calls] == [sid]
    assert listed.next_page_uri is None  # absent: this is the last page


def test_list_pages_link_to_pages_the_emulator_serves(client, application_sid, emulator):
    sids = [_initiate(client, application_sid, "+13125550302", Url="http://127.0.0.1:9/x") for _ in range(3)]
    first = client.texml.accounts.calls.retrieve_calls(ACCOUNT, to="+13125550302", page_size=2)
    assert isinstance(first.next_page_uri, str)
    root = emulator.removesuffix("/v2")
    with httpx.Client(base_url=root, headers={"Authorization": f"Bearer {KEY}"}) as http:
        second = http.get(first.next_page_uri).json()
        assert [c.sid for c in first.calls] + [c["sid"] for c in second["calls"]] == sids[::-1]
        assert http.get(first.calls[0].uri).json()["sid"] == sids[-1]


def test_update_with_status_completed_ends_the_live_call(client, application_sid, simulation):
    sid = _live_call(client, simulation, application_sid, "+13125550303")
    assert client.texml.accounts.calls.retrieve(sid, account_sid=ACCOUNT).status == "in-progress"
    updated = client.texml.accounts.calls.update(sid, account_sid=ACCOUNT, status="completed")
    assert updated.status == "completed"
    timeline = _timeline(simulation, sid, wait="ended", timeout=2)
    assert (timeline["status"], timeline["events"][-1]["event"]) == ("completed", "hangup")


def test_update_with_texml_runs_the_new_document(client, application_sid, simulation):
    sid = _live_call(client, simulation, application_sid, "+13125550304")
    texml = "<Response><Say>Replaced by the SDK.</Say><Hangup/></Response>"
    updated = client.texml.accounts.calls.update(sid, account_sid=ACCOUNT, texml=texml)
    assert updated.sid == sid
    simulation.post(f"/calls/{sid}/clock", json={"advance": 60})  # the Say takes call time
    timeline = _timeline(simulation, sid, wait="ended", timeout=2)
    said = [event["text"] for event in timeline["events"] if event["event"] == "say"]
    assert (said, timeline["status"]) == (["Replaced by the SDK."], "completed")


def test_application_members_round_trip_and_garbage_is_refused(client):
    created = client.texml_applications.create(
        friendly_name="sdk-full",
        voice_url="https://example.com/texml.xml",
        anchorsite_override="Frankfurt, Germany",
        inbound={"channel_limit": 3, "shaken_stir_enabled": True},
        outbound={"outbound_voice_profile_id": "1293384261075731499"},
        tags=["a", "b"],
    ).data
    assert (created.anchorsite_override, created.tags) == ("Frankfurt, Germany", ["a", "b"])
    assert (created.inbound.channel_limit, created.inbound.sip_subdomain_receive_settings) == (3, "from_anyone")
    assert created.outbound.outbound_voice_profile_id == "1293384261075731499"
    with pytest.raises(telnyx.UnprocessableEntityError) as refused:
        client.texml_applications.create(friendly_name="sdk-bad", voice_url="not a url")
    assert [(e["code"], e["source"]["pointer"]) for e in refused.value.body["errors"]] == [("10026", "/voice_url")]
