"""Small helpers to drive the calls resource in checks: create a call, find its sid."""

import itertools
import os

import httpx

from conformance.exchange import Exchange, send
from conformance.failures import fail
from conformance.harness import Harness
from conformance.simulation import Capabilities, Simulation
from conformance.target import Target
from conformance.targeted import VALID_URL

_numbers = itertools.count(1000)


def unique_number() -> str:
    """A number no other check of this session uses (nor another xdist worker), so filters and scripts find one call."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    area = 312 + (int(worker) if worker.isdigit() else 0) % 600
    return f"+1{area}555{next(_numbers) % 10000:04d}"


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
        raise fail("call_ends", f"the call to {to} never fetched its document")
    return sid


def create_call(client: httpx.Client, target: Target, to: str, url: str = VALID_URL) -> tuple[Exchange, str]:
    """Start a call and return the exchange and the call's sid."""
    body = {"To": to, "From": "+13125550111", "ApplicationSid": target.application_sid, "Url": url}
    exchange = send(client, client.build_request("POST", target.calls_path, json=body))
    if exchange.status != 200:
        raise fail(
            "valid_call_accepted",
            f"a valid InitiateTexmlCall answered {exchange.status}: {exchange.response_body[:300]!r}",
        )
    result = exchange.response_json()
    sid = result.get("call_sid") if isinstance(result, dict) else None
    return exchange, sid or _sid_from_list(client, target, to)


def _sid_from_list(client: httpx.Client, target: Target, to: str) -> str:
    # The documented InitiateCall result carries no sid (errata E-004): find the call by its callee.
    listing = client.get(target.calls_path, params={"To": to}).json()
    calls = [call for call in listing.get("calls", []) if call.get("to") == to]
    if not calls:
        raise fail("created_call_listed", f"no call to {to} in GET {target.calls_path}?To={to}")
    return calls[0]["sid"]
