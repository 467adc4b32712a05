"""Run one Call Control scenario: the harness plays the application, the target runs the call.

The harness is the application's webhook endpoint, serves the audio commands play
($BASE/media/<name>.wav, errata E-151, E-153; fetches of it are no part of the trace) and accepts
the media streams they start ($WSBASE/streams/<name>, E-155: the observed trace shows what a stream
received, under ``streams``, which no expectation names yet). For
each webhook it receives it sends the scenario's reactions (commands to the call the
webhook is about) before it answers:
the target must hold the call's virtual clock while a webhook is in flight, so the
commands act before time moves. The runner waits for the target's word that the call is
over and every webhook delivered (simulation protocol ``wait=settled``), then compares.
"""

import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

import conformance_specs as specs
from conformance.callcontrol.fixtures import WEBHOOK_PATH, CallControlFixture
from conformance.core import rules
from conformance.core.failures import Failure, fail
from conformance.core.harness import Harness, Recorded, Scenario
from conformance.core.numbers import unique_number
from conformance.core.signatures import signature_problem
from conformance.core.simulation import Capabilities, Simulation
from conformance.core.target import Target
from conformance.core.trace import TIMELINE, Context, Observed, mismatches
from conformance.rest.contract import rest_contract
from conformance_specs.apis import Api
from conformance_specs.contract import ErrorCode

CALLER = "+13125550111"
TERMINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
# Paths of the scenario that take webhooks: the application's, and one a command may name instead.
WEBHOOK_SINKS = frozenset({WEBHOOK_PATH, "other-webhook"})
STREAMS = "streams"  # what the harness's WebSocket endpoint received: shown in the trace, never expected


@dataclass
class CallControlResult:
    fixture: CallControlFixture
    scenario: Scenario
    context: Context
    observed: Observed
    failures: list[Failure] = field(default_factory=list)
    follows: str | None = None  # the documented behaviour the trace matched, where the sources disagree


class CallControlRunner:
    def __init__(
        self, api: Api, target: Target, harness: Harness, capabilities: Capabilities, deadline_s: float
    ) -> None:
        self._api = api
        self._target = target
        self._harness = harness
        self._capabilities = capabilities
        self._deadline_s = deadline_s

    def run(self, fixture: CallControlFixture) -> CallControlResult:
        scenario = self._harness.open(fixture.id.replace("/", "-"), {}, WEBHOOK_SINKS)
        commands: list[dict[str, Any]] = []
        scenario.react = self._reactor(fixture, scenario, commands)
        try:
            with self._target.client() as client:
                return self._run(fixture, scenario, client, commands)
        finally:
            self._harness.close(scenario)

    def _run(
        self, fixture: CallControlFixture, scenario: Scenario, client: httpx.Client, commands: list[dict[str, Any]]
    ) -> CallControlResult:
        simulation = Simulation(client)
        callee = unique_number()
        simulation.script_party(callee, fixture.party)
        connection_id = self._application(fixture, scenario, client)
        dial = {"to": callee, "from": CALLER, "connection_id": connection_id}
        dial.update({key: _expanded(value, scenario) for key, value in fixture.dial.items()})
        response = client.post("/calls", json={key: value for key, value in dial.items() if value is not None})
        if response.status_code != 200:
            raise fail(rules.VALID_CALL_ACCEPTED, f"Dial answered {response.status_code}: {response.text[:300]}")
        call_id = str(response.json()["data"]["call_control_id"])
        document = simulation.timeline(call_id, wait="settled", timeout=self._deadline_s)
        if document.get("status") not in TERMINAL:
            raise fail(rules.CALL_ENDS, f"the call did not end within {self._deadline_s} s of wall time")
        context = Context(call_id, self._target.account_sid, CALLER, callee, scenario.base_url)
        recorded = [request for request in scenario.snapshot() if request.path in WEBHOOK_SINKS]
        observed = Observed(
            {
                "webhooks": [_webhook_entry(r) for r in recorded],
                "commands": list(commands),
                TIMELINE: document["events"],
                STREAMS: _stream_entries(scenario),
            }
        )
        follows, failures = _matched(fixture, observed, context)
        failures += self._webhook_failures(recorded)
        if scenario.dropped:
            failures.append(
                Failure(rules.TRACE_MATCHES, f"the target flooded the harness: {scenario.dropped} requests")
            )
        return CallControlResult(fixture, scenario, context, observed, failures, follows)

    def _application(self, fixture: CallControlFixture, scenario: Scenario, client: httpx.Client) -> str:
        body = {"application_name": f"conformance {fixture.id}", "webhook_event_url": scenario.url(WEBHOOK_PATH)}
        body.update({key: _expanded(value, scenario) for key, value in fixture.application.items()})
        response = client.post("/call_control_applications", json=body)
        if response.status_code not in (200, 201):
            raise fail(rules.VALID_CALL_ACCEPTED, f"CreateCallControlApplication answered {response.status_code}")
        return str(response.json()["data"]["id"])

    def _reactor(
        self, fixture: CallControlFixture, scenario: Scenario, commands: list[dict[str, Any]]
    ) -> Callable[[Recorded], Awaitable[None]]:
        left = [reaction.times for reaction in fixture.reactions]
        lock = threading.Lock()
        target, headers = self._target, self._api.auth_headers(self._target.api_key)
        calls = f"{target.base_url}{self._api.base_path}/calls"
        methods = _command_methods(self._api)
        states = rest_contract(self._api).errors.resource_state

        async def react(webhook: Recorded) -> None:
            entry = _webhook_entry(webhook)
            for index, reaction in enumerate(fixture.reactions):
                with lock:
                    due = reaction.webhook == entry.get("event_type") and left[index] > 0
                    left[index] -= due
                if not due:
                    continue
                body = {key: _expanded(value, scenario) for key, value in reaction.body.items()}
                url = f"{calls}/{entry.get('call_control_id')}/actions/{reaction.send}"
                async with httpx.AsyncClient(headers=headers, timeout=target.request_timeout) as client:
                    refusal: dict[str, str] = {}
                    try:
                        method = methods.get(reaction.send, "POST")
                        response = await client.request(method, url, json=body)
                        status, refusal = response.status_code, _refusal(response, states)
                    except httpx.HTTPError as error:
                        status = f"{type(error).__name__}"
                commands.append({"send": reaction.send, "webhook": reaction.webhook, "status": status, **refusal})

        return react

    def _webhook_failures(self, recorded: list[Recorded]) -> list[Failure]:
        """Every webhook is signed by the target's key (when it publishes one) and matches its event's schema."""
        failures, now = [], time.time()
        key = self._capabilities.webhook_public_key
        events = specs.load(self._api.callbacks_file)["events"] if self._api.callbacks_file else {}
        contract = rest_contract(self._api)
        for webhook in recorded:
            event = _webhook_entry(webhook).get("event_type")
            if key is not None and (problem := signature_problem(key, webhook.headers, webhook.body, now)):
                failures.append(Failure(rules.WEBHOOK_SIGNED, f"webhook #{webhook.order} ({event}): {problem}"))
            if event not in events:
                failures.append(
                    Failure(rules.WEBHOOK_CONFORMS, f"webhook #{webhook.order}: unknown event_type {event!r}")
                )
                continue
            errors = list(contract.component_validator(events[event]["schema"]).iter_errors(_json(webhook.body)))
            if errors:
                where = "/".join(map(str, errors[0].absolute_path)) or "body"
                failures.append(
                    Failure(
                        rules.WEBHOOK_CONFORMS,
                        f"webhook #{webhook.order} ({event}) breaks its schema at {where}: {errors[0].message}",
                    )
                )
        return failures


def _matched(fixture: CallControlFixture, observed: Observed, context: Context) -> tuple[str | None, list[Failure]]:
    """Which documented behaviour the trace shows (expect's, or an alternative's), or why it shows none."""
    problems = mismatches(fixture.expect, observed, context)
    if not problems:
        return fixture.follows, []
    failures = [Failure(rules.TRACE_MATCHES, problem) for problem in problems]
    for alternative in fixture.alternatives:
        other = mismatches(alternative.expect, observed, context)
        if not other:
            return alternative.follows, []
        failures.append(Failure(rules.TRACE_MATCHES, f"nor the behaviour of {alternative.follows}: {other[0]}"))
    return None, failures


def _refusal(response: httpx.Response, states: Mapping[str, ErrorCode]) -> dict[str, str]:
    """A refused command's first error code and, when every code names a call state, that state's name."""
    if response.status_code < 400:
        return {}
    try:
        errors = response.json().get("errors")
        codes = [str(entry.get("code")) for entry in errors if isinstance(entry, dict)]
    except (ValueError, AttributeError, TypeError):
        return {}
    if not codes:
        return {}
    named = {error.code: kind for kind, error in states.items()}
    return {"code": codes[0]} | ({"state": named[codes[0]]} if all(code in named for code in codes) else {})


def _command_methods(api: Api) -> dict[str, str]:
    """The HTTP method of each command, by the last segment of its path (client_state_update is a PUT)."""
    return {
        path.rsplit("/", 1)[1]: method.upper()
        for path, item in api.document()["paths"].items()
        if "/actions/" in path
        for method in item
        if method in ("post", "put", "patch")
    }


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _webhook_entry(webhook: Recorded) -> dict[str, Any]:
    """A webhook as a trace entry: where it went, its event_type and its payload's members."""
    document = _json(webhook.body)
    data = document.get("data", {}) if isinstance(document, dict) else {}
    payload = data.get("payload", {}) if isinstance(data, dict) else {}
    entry = {"path": webhook.path, "event_type": data.get("event_type") if isinstance(data, dict) else None}
    return entry | (payload if isinstance(payload, dict) else {})


def _stream_entries(scenario: Scenario) -> list[dict[str, Any]]:
    """What the scenario's streams received; past the harness's bound, how much more (a stream's media
    frames may well number more: that is counted, never a failure)."""
    entries = [event.entry() for event in scenario.stream_snapshot()]
    return entries + ([{"event": "not stored", "count": scenario.streams_dropped}] if scenario.streams_dropped else [])


def _expanded(value: Any, scenario: Scenario) -> Any:
    return scenario.expand(value) if isinstance(value, str) else value
