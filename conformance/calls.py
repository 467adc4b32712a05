"""Small helpers to drive the calls resource in checks: create a call, find its sid."""

import itertools

import httpx

from conformance.exchange import Exchange, send
from conformance.failures import fail
from conformance.target import Target
from conformance.targeted import VALID_URL

_numbers = itertools.count(1000)


def unique_number() -> str:
    """A callee number no other check of this session uses, so list filters find one call."""
    return f"+1312555{next(_numbers):04d}"


def create_call(client: httpx.Client, target: Target, to: str) -> tuple[Exchange, str]:
    """Start a call and return the exchange and the call's sid."""
    body = {"To": to, "From": "+13125550111", "ApplicationSid": target.application_sid, "Url": VALID_URL}
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
