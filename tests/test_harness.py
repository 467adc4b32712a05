"""The harness's WebSocket endpoint for media streams ($WSBASE/streams/<name>, errata E-155).

A target that really connects to the stream_url a scenario names reaches the harness, which
records the connection, each message and the close, bounded as requests are, and never sleeps:
tests wait on recorded events with a deadline.
"""

from collections.abc import Iterator

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from conformance.callcontrol import fixtures as callcontrol_fixtures
from conformance.callcontrol.runner import STREAMS, CallControlRunner
from conformance.core import harness as harness_module
from conformance.core.harness import MAX_BODY_BYTES, MAX_STREAM_EVENTS_PER_SCENARIO, Harness, Scenario
from conformance.core.simulation import discover
from conformance.core.target import Target, provision_application
from conformance.core.trace import Context, value_problem
from conformance.options import DEFAULT_ACCOUNT_SID
from conformance.texml.fixtures import default_dir
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from conformance_specs.apis import api

DEADLINE_S = 5.0


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    harness = Harness().start()
    yield harness
    harness.stop()


@pytest.fixture
def scenario(harness) -> Iterator[Scenario]:
    scenario = harness.open("streams", {})
    yield scenario
    harness.close(scenario)


def _kinds(scenario: Scenario) -> list[str]:
    return [event.kind for event in scenario.stream_snapshot()]


def _closed(count: int = 1):
    return lambda events: sum(event.kind == "closed" for event in events) >= count


def test_wsbase_is_the_scenario_url_with_the_websocket_scheme(harness, scenario):
    assert scenario.ws_base_url == "ws" + scenario.base_url.removeprefix("http")
    assert scenario.expand("$WSBASE/streams/a $BASE/media/a.wav") == (
        f"{scenario.ws_base_url}/streams/a {scenario.base_url}/media/a.wav"
    )
    secure = Scenario("1-x", "https://harness.example/s/1-x", {})
    assert secure.expand("$WSBASE/streams/a") == "wss://harness.example/s/1-x/streams/a"
    context = Context("c", "a", "+1", "+2", scenario.base_url)
    assert value_problem("$WSBASE/streams/live", f"{scenario.ws_base_url}/streams/live", context) is None
    assert value_problem("$WSBASE/streams/live", "wss://media.example.com/live", context) is not None


def test_a_stream_is_accepted_and_every_message_recorded_until_the_target_closes(scenario):
    with connect(f"{scenario.ws_base_url}/streams/live", proxy=None) as websocket:
        websocket.send('{"event": "connected", "version": "1.0.0"}')
        websocket.send(b"\x80\x00rtp")
        websocket.send("not json")
    assert scenario.wait_for_streams(_closed(), DEADLINE_S), _kinds(scenario)
    events = scenario.stream_snapshot()
    assert [event.kind for event in events] == ["connected", "message", "message", "message", "closed"]
    assert {event.path for event in events} == {"streams/live"} and {event.connection for event in events} == {1}
    assert [event.entry() for event in events[1:]] == [
        {
            "path": "streams/live",
            "connection": 1,
            "event": "message",
            "message": {"event": "connected", "version": "1.0.0"},
        },
        {"path": "streams/live", "connection": 1, "event": "message", "bytes": 5},
        {"path": "streams/live", "connection": 1, "event": "message", "text": "not json"},
        {"path": "streams/live", "connection": 1, "event": "closed", "code": 1000},
    ]
    assert events[2].data == b"\x80\x00rtp"
    assert scenario.requests == []  # streams are no part of the requests channel


def test_connections_are_numbered_and_kept_apart(scenario):
    with connect(f"{scenario.ws_base_url}/streams/a", proxy=None) as first:
        with connect(f"{scenario.ws_base_url}/streams/b", proxy=None) as second:
            second.send("two")
        first.send("one")
    assert scenario.wait_for_streams(_closed(2), DEADLINE_S), _kinds(scenario)
    messages = {event.path: (event.connection, event.text) for event in scenario.stream_snapshot() if event.text}
    assert messages == {"streams/a": (1, "one"), "streams/b": (2, "two")}


def test_paths_outside_streams_and_unknown_scenarios_are_refused(harness, scenario):
    strays = harness.strays
    for url in (
        f"{scenario.ws_base_url}/webhook",
        f"{scenario.ws_base_url}/streams/",
        f"{harness.ws_url}/s/0-gone/streams/a",
    ):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, proxy=None, open_timeout=DEADLINE_S)
        assert refused.value.response.status_code == 403, url
    assert harness.strays == strays + 1
    assert scenario.stream_snapshot() == []


def test_a_long_message_is_cut_and_flagged(scenario):
    with connect(f"{scenario.ws_base_url}/streams/big", proxy=None) as websocket:
        websocket.send("x" * (MAX_BODY_BYTES + 10))
        websocket.send(b"y" * (MAX_BODY_BYTES + 10))
    assert scenario.wait_for_streams(_closed(), DEADLINE_S), _kinds(scenario)
    text, data = (event for event in scenario.stream_snapshot() if event.kind == "message")
    assert text.truncated and text.text == "x" * MAX_BODY_BYTES
    assert data.truncated and data.data == b"y" * MAX_BODY_BYTES


def test_a_flood_is_counted_not_stored(scenario, monkeypatch):
    monkeypatch.setattr(harness_module, "MAX_STREAM_EVENTS_PER_SCENARIO", 20)
    with connect(f"{scenario.ws_base_url}/streams/flood", proxy=None) as websocket:
        for index in range(50):
            websocket.send(str(index))
    # connected + 50 messages + closed = 52 events: 20 stored, 32 counted.
    assert scenario.wait_for(lambda _: scenario.streams_dropped == 32, DEADLINE_S), scenario.streams_dropped
    assert len(scenario.stream_snapshot()) == 20 < MAX_STREAM_EVENTS_PER_SCENARIO


def test_the_reference_emulator_streams_to_a_loopback_stream_url(harness):
    """It connects to $WSBASE/streams/live and sends upstream's connected, start and stop frames, then closes."""
    callcontrol = api("callcontrol")
    fixture = next(
        fixture
        for fixture in callcontrol_fixtures.load_all(default_dir(), callcontrol)
        if fixture.id == "call-control/streaming_start/streams-to-the-url"
    )
    with BackgroundServer(build_app(EmulatorSettings(api_key="k"))) as server:
        base_url = f"{server.url}/v2"
        target = Target(base_url, "k", DEFAULT_ACCOUNT_SID, provision_application(base_url, "k", harness.url), False)
        result = CallControlRunner(callcontrol, target, harness, discover(target), DEADLINE_S).run(fixture)
    assert result.failures == []
    streams = result.observed.channel(STREAMS)
    assert [entry["event"] for entry in streams] == ["connected", "message", "message", "message", "closed"]
    frames = [entry["message"] for entry in streams if entry["event"] == "message"]
    assert [frame["event"] for frame in frames] == ["connected", "start", "stop"]
    assert frames[1]["start"]["call_control_id"] == result.context.call_sid
    assert frames[1]["stream_id"] == frames[2]["stream_id"]
    assert [frame.get("sequence_number") for frame in frames] == [None, "1", "2"]
