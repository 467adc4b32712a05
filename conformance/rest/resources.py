"""A live resource for checks whose path names one (``{call_sid}``, ``{call_control_id}``), per API.

A request that keeps every rule should reach a resource that can take it, so that only
the rule under test can break. Each API that names resources in its paths registers how
to make one; an API without an entry gets an id that names nothing (its checks then
accept the API's resource statuses, e.g. 404).
"""

from collections.abc import Callable

import httpx

from conformance.core import rules
from conformance.core.failures import fail
from conformance.core.numbers import unique_number
from conformance.core.simulation import Capabilities, Simulation
from conformance.core.target import Target
from conformance.rest.calls import CALLER, create_call
from conformance_specs.apis import Api

UNKNOWN_ID = "v3:conformance-unknown"
# Seconds to wait for a dialled call to be answered before its commands are judged.
ANSWER_DEADLINE_S = 5.0
# What the target must simulate to dial a call whose far end is scripted (no real phone rings) and stays put.
DIAL_NEEDS = frozenset({"parties", "manual-clock"})

Provider = Callable[[httpx.Client, Target, Capabilities], str]


def _texml_call(client: httpx.Client, target: Target, capabilities: Capabilities) -> str:
    return create_call(client, target)[1]


def _callcontrol_call(client: httpx.Client, target: Target, capabilities: Capabilities) -> str:
    """An answered call that stays up: the far end answers at once and its clock only moves when told."""
    if capabilities.missing(frozenset({"parties", "manual-clock", "timeline"})):
        return UNKNOWN_ID
    simulation = Simulation(client)
    call_control_id = dial(client, target, {"clock": "manual"})
    if not simulation.wait_for_event(call_control_id, "answered", ANSWER_DEADLINE_S):
        raise fail(rules.CALL_ENDS, f"the dialled call {call_control_id} was not answered within {ANSWER_DEADLINE_S} s")
    return call_control_id


def dial(client: httpx.Client, target: Target, party: dict[str, object], to: str | None = None) -> str:
    """Dial ``to`` (a fresh number unless given), whose far end follows ``party``; the new call's call_control_id."""
    to = to or unique_number()
    Simulation(client).script_party(to, party)
    response = client.post("/calls", json={"to": to, "from": CALLER, "connection_id": target.connection_id})
    if response.status_code != 200:
        raise fail(rules.VALID_CALL_ACCEPTED, f"a valid Dial answered {response.status_code}: {response.text[:300]}")
    return str(response.json()["data"]["call_control_id"])


PROVIDERS: dict[str, Provider] = {"texml": _texml_call, "callcontrol": _callcontrol_call}

# What the target must simulate to put a Call Control call in each state the contract names.
STATES = {
    "unknown_call": frozenset(),
    "call_ended": frozenset({"parties", "manual-clock", "timeline"}),
    "not_answered": DIAL_NEEDS,
}


def call_in_state(state: str, client: httpx.Client, target: Target) -> str:
    """The id of a Call Control call in ``state`` (the capabilities STATES names are declared)."""
    if state == "unknown_call":
        return UNKNOWN_ID
    ringing = state == "not_answered"
    call_control_id = dial(client, target, {"clock": "manual", **({"answer_after": 3600} if ringing else {})})
    if ringing:
        return call_control_id
    simulation = Simulation(client)
    hangup = client.post(f"/calls/{call_control_id}/actions/hangup", json={})
    if hangup.status_code != 200 or simulation.timeline(call_control_id, wait="ended", timeout=ANSWER_DEADLINE_S).get(
        "status"
    ) not in ("completed", "canceled", "busy", "no-answer", "failed"):
        raise fail(rules.CALL_ENDS, f"call {call_control_id} did not end after hangup (HTTP {hangup.status_code})")
    return call_control_id


def live_resource(api: Api, client: httpx.Client, target: Target, capabilities: Capabilities) -> str:
    provider = PROVIDERS.get(api.name)
    return UNKNOWN_ID if provider is None else provider(client, target, capabilities)
