"""Run one fixture against the target: serve its documents, start the call, collect the trace."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.core import rules
from conformance.core.failures import Failure, fail
from conformance.core.harness import Harness, Recorded, Scenario, is_media
from conformance.core.numbers import unique_number, unique_sip_uri
from conformance.core.simulation import Simulation, SimulationError
from conformance.core.target import Target
from conformance.core.trace import INTEGER, TIMELINE, Context, Observed, mismatches, missing_entries
from conformance.core.waiting import poll
from conformance.texml.fixtures import RECORDING_STATUS_PATH, START_PATH, STATUS_PATH, Fixture

TERMINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
ALL_STATUS_EVENTS = "initiated ringing answered completed"
# After the call ends, requests still in flight get this long to arrive before a mismatch stands
# (only while a channel has fewer entries than expected: waiting cannot fix a wrong value).
SETTLE_S = 1.0
# After this many scenarios in a row whose calls never end, the target is not running calls:
# the rest fail at once instead of each waiting out its deadline.
MAX_STUCK_IN_A_ROW = 3


@dataclass
class ScenarioResult:
    fixture: Fixture
    scenario: Scenario
    context: Context
    observed: Observed
    problems: list[str] = field(default_factory=list)

    def failures(self, encoding: str | None = None) -> list[Failure]:
        """The rules the scenario broke: each trace mismatch, a callback in the wrong encoding, a flood."""
        found = [Failure(rules.TRACE_MATCHES, problem) for problem in self.problems]
        found += _encoding_failures(self.scenario.snapshot(), encoding)
        if self.scenario.dropped:
            message = f"the target flooded the harness: {self.scenario.dropped} requests beyond the bound"
            found.append(Failure(rules.TRACE_MATCHES, message))
        return found


def _encoding_failures(recorded: list[Recorded], encoding: str | None) -> list[Failure]:
    """Callbacks sent with POST must carry the API's documented encoding (GET ones carry a query)."""
    callbacks = [r for r in recorded if r.path in (STATUS_PATH, RECORDING_STATUS_PATH) and r.method == "POST"]
    found = []
    for request in callbacks:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if encoding and media_type != encoding:
            message = f"callback #{request.order} to {request.path} is {media_type or 'untyped'}, not {encoding}"
            found.append(Failure(rules.CALLBACK_ENCODING, message))
    return found


def observe(recorded: list[Recorded], timeline: list[dict[str, Any]]) -> Observed:
    """A TeXML call's trace: what it fetched, its status and recording callbacks, its timeline.

    Fetches of the harness's audio (a Play of $BASE/media/...) are no part of it: whether and how
    often a target fetches the audio it plays is its own business (errata E-151).
    """

    def entries(paths: Callable[[str], bool]) -> list[dict[str, Any]]:
        return [{"path": r.path, "method": r.method, **r.params} for r in recorded if paths(r.path)]

    return Observed(
        {
            "requests": entries(lambda p: p not in (STATUS_PATH, RECORDING_STATUS_PATH) and not is_media(p)),
            "callbacks": sorted(entries(lambda p: p == STATUS_PATH), key=_sequence),
            "recording_callbacks": entries(lambda p: p == RECORDING_STATUS_PATH),
            TIMELINE: timeline,
        }
    )


def _sequence(entry: dict[str, Any]) -> float:
    value = str(entry.get("SequenceNumber", ""))
    return int(value) if INTEGER.match(value) else math.inf


def _substitute(value: Any, scenario: Scenario) -> Any:
    return scenario.expand(value) if isinstance(value, str) else value


class ScenarioRunner:
    """Runs scenarios against one target.

    ``settles``: the target declared the ``settled`` capability (protocol 1.1), so one
    long-polled timeline request returns once the call has ended and every callback it
    sent has been delivered; without it the runner polls and allows a settle window.
    """

    def __init__(
        self, target: Target, harness: Harness, client: httpx.Client, deadline_s: float, settles: bool = False
    ) -> None:
        self._target = target
        self._harness = harness
        self._client = client
        self._simulation = Simulation(client)
        self._deadline_s = deadline_s
        self._settles = settles
        self._stuck_in_a_row = 0

    def run(self, fixture: Fixture) -> ScenarioResult:
        if self._stuck_in_a_row >= MAX_STUCK_IN_A_ROW:
            raise fail(
                rules.CALL_ENDS,
                f"not run: the last {self._stuck_in_a_row} scenarios' calls never ended; "
                "the target does not seem to execute calls",
            )
        sinks = frozenset({STATUS_PATH, RECORDING_STATUS_PATH})
        scenario = self._harness.open(fixture.id.replace("/", "-"), fixture.documents, sinks)
        try:
            return self._run(fixture, scenario)
        finally:
            self._harness.close(scenario)

    def _run(self, fixture: Fixture, scenario: Scenario) -> ScenarioResult:
        caller, callee = unique_number(), unique_sip_uri() if fixture.callee == "sip" else unique_number()
        if fixture.party is not None:
            self._simulation.script_party(caller if fixture.start == "inbound" else callee, fixture.party)
        if fixture.start == "inbound":
            call_sid = self._start_inbound(fixture, scenario, caller, callee)
        else:
            call_sid = self._start_outbound(fixture, scenario, caller, callee)
        context = Context(call_sid, self._target.account_sid, caller, callee, scenario.base_url)
        uses_timeline = "timeline" in fixture.needs
        for step in fixture.steps:
            self._step(step, call_sid, scenario)
        if self._settles:
            return self._settled_result(fixture, scenario, context, call_sid)
        self._wait_for_end(scenario, call_sid, uses_timeline)
        timeline = self._simulation.timeline(call_sid)["events"] if uses_timeline else []

        def current() -> Observed:
            return observe(scenario.snapshot(), timeline)

        def settled(_: list[Recorded]) -> bool:
            observed = current()
            return not mismatches(fixture.expect, observed, context) or not missing_entries(fixture.expect, observed)

        scenario.wait_for(settled, SETTLE_S)
        observed = current()
        return ScenarioResult(fixture, scenario, context, observed, mismatches(fixture.expect, observed, context))

    def _start_outbound(self, fixture: Fixture, scenario: Scenario, caller: str, callee: str) -> str:
        # A scenario that sets application members calls through its own application, so what the
        # call inherits from it (its voice URL and method) is known; otherwise the target's is used.
        application_sid = (
            self._target.application_sid if fixture.application is None else self._create_application(fixture, scenario)
        )
        body: dict[str, Any] = {
            "ApplicationSid": application_sid,
            "To": callee,
            "From": caller,
            "Url": scenario.url(START_PATH),
            "StatusCallback": scenario.url(STATUS_PATH),
            "StatusCallbackEvent": ALL_STATUS_EVENTS,
        }
        body.update({key: _substitute(value, scenario) for key, value in fixture.call.items()})
        body = {key: value for key, value in body.items() if value is not None}
        response = self._client.post(self._target.calls_path, json=body)
        if response.status_code != 200:
            raise fail(
                rules.VALID_CALL_ACCEPTED, f"InitiateTexmlCall answered {response.status_code}: {response.text[:300]}"
            )
        sid = response.json().get("call_sid")
        if not sid:
            raise fail(rules.VALID_CALL_ACCEPTED, "InitiateTexmlCall returned no call_sid to follow the call with")
        return str(sid)

    def _start_inbound(self, fixture: Fixture, scenario: Scenario, caller: str, callee: str) -> str:
        application_sid = self._create_application(fixture, scenario)
        inbound = {"From": caller, "To": callee, "ApplicationSid": application_sid}
        return self._simulation.start_inbound_call({**inbound, "AccountSid": self._target.account_sid})

    def _create_application(self, fixture: Fixture, scenario: Scenario) -> str:
        """A TeXML application for this scenario: its documents, its status sink, and the fixture's members."""
        application = {
            "friendly_name": f"texml-conformance {fixture.id}",
            "voice_url": scenario.url(START_PATH),
            "status_callback": scenario.url(STATUS_PATH),
        }
        members = fixture.application or {}
        application.update({key: _substitute(value, scenario) for key, value in members.items()})
        response = self._client.post("/texml_applications", json=application)
        if response.status_code not in (200, 201):
            raise fail(rules.VALID_CALL_ACCEPTED, f"CreateTexmlApplication answered {response.status_code}")
        return str(response.json()["data"]["id"])

    def _step(self, step: dict[str, Any], call_sid: str, scenario: Scenario) -> None:
        if "wait_for" in step:
            kind = step["wait_for"]
            if not self._poll(lambda: any(e["event"] == kind for e in self._simulation.timeline(call_sid)["events"])):
                raise fail(rules.CALL_ENDS, f"the timeline never showed a {kind!r} event within {self._deadline_s} s")
        elif "update" in step:
            body = {key: _substitute(value, scenario) for key, value in step["update"].items()}
            response = self._client.post(f"{self._target.calls_path}/{call_sid}", data=body)
            if response.status_code != 200:
                raise fail(rules.VALID_CALL_ACCEPTED, f"UpdateTexmlCall answered {response.status_code}")
        elif "advance" in step:
            self._simulation.advance(call_sid, step["advance"])

    def _settled_result(self, fixture: Fixture, scenario: Scenario, context: Context, call_sid: str) -> ScenarioResult:
        """Wait for the target's word that the call is over and its callbacks delivered, then compare once."""
        document = self._simulation.timeline(call_sid, wait="settled", timeout=self._deadline_s)
        if document.get("status") not in TERMINAL:
            self._stuck_in_a_row += 1
            raise fail(rules.CALL_ENDS, f"the call did not end within {self._deadline_s} s of wall time")
        self._stuck_in_a_row = 0
        timeline = document["events"] if "timeline" in fixture.needs else []
        observed = observe(scenario.snapshot(), timeline)
        return ScenarioResult(fixture, scenario, context, observed, mismatches(fixture.expect, observed, context))

    def _wait_for_end(self, scenario: Scenario, call_sid: str, uses_timeline: bool) -> None:
        def ended(requests: list[Recorded]) -> bool:
            return any(r.path == STATUS_PATH and r.params.get("CallStatus") in TERMINAL for r in requests)

        if uses_timeline:
            over = self._poll(lambda: self._simulation.timeline(call_sid)["status"] in TERMINAL)
        else:
            over = scenario.wait_for(ended, self._deadline_s)
        if not over:
            self._stuck_in_a_row += 1
            raise fail(rules.CALL_ENDS, f"the call did not end within {self._deadline_s} s of wall time")
        self._stuck_in_a_row = 0

    def _poll(self, condition: Callable[[], bool]) -> bool:
        """Ask ``condition`` until it holds or the scenario deadline passes (an unreadable answer counts as no)."""

        def holds() -> bool:
            try:
                return condition()
            except (httpx.HTTPError, SimulationError, KeyError, TypeError, ValueError):
                return False

        return poll(holds, self._deadline_s)
