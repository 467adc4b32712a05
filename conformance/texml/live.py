"""A call that stays live until the check ends it, for checks of UpdateCall."""

import httpx

from conformance.core import rules
from conformance.core.failures import fail
from conformance.core.harness import Harness
from conformance.core.numbers import unique_number
from conformance.core.simulation import Capabilities, Simulation
from conformance.core.target import Target
from conformance.rest.calls import create_call


def live_call(client: httpx.Client, target: Target, capabilities: Capabilities, harness: Harness) -> str:
    """The sid of a call that stays in progress until told otherwise.

    With a manual clock the target holds the call inside a long Pause; a target
    without the simulation protocol gets a plain call, live for as long as it rings.
    """
    to = unique_number()
    if capabilities.missing(frozenset({"parties", "manual-clock"})):
        return create_call(client, target, to)[1]
    Simulation(client).script_party(to, {"clock": "manual"})
    scenario = harness.open("live-call", {"start.xml": '<Response><Pause length="180"/></Response>'})
    _, sid = create_call(client, target, to, url=scenario.url("start.xml"))
    if not scenario.wait_for(lambda requests: bool(requests), target.request_timeout):
        raise fail(rules.CALL_ENDS, f"the call to {to} never fetched its document")
    return sid
