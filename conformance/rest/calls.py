"""Create a call through the TeXML calls resource and find its sid."""

from collections.abc import Callable

import httpx

from conformance.core import rules
from conformance.core.exchange import Exchange, send
from conformance.core.failures import fail
from conformance.core.numbers import unique_number
from conformance.core.target import Target
from conformance.core.waiting import poll
from conformance.rest.targeted import VALID_URL

CALLER = "+13125550111"


def create_call(
    client: httpx.Client, target: Target, to: str | None = None, url: str = VALID_URL
) -> tuple[Exchange, str]:
    """Start a call (to a fresh number unless ``to`` is given) and return the exchange and the call's sid."""
    to = to or unique_number()
    body = {"To": to, "From": CALLER, "ApplicationSid": target.application_sid, "Url": url}
    exchange = send(client, client.build_request("POST", target.calls_path, json=body))
    if exchange.status != 200:
        raise fail(
            rules.VALID_CALL_ACCEPTED,
            f"a valid InitiateTexmlCall answered {exchange.status}: {exchange.response_body[:300]!r}",
        )
    result = exchange.response_json()
    sid = result.get("call_sid") if isinstance(result, dict) else None
    return exchange, sid or _sid_from_list(client, target, to)


def _sid_from_list(client: httpx.Client, target: Target, to: str) -> str:
    # The documented InitiateCall result carries no sid (errata E-004): find the call by its callee.
    calls = listed(client, target, to, lambda found: bool(found))
    if not calls:
        raise fail(rules.CREATED_CALL_LISTED, f"no call to {to} in GET {target.calls_path}?To={to}")
    return calls[0]["sid"]


def listed(client: httpx.Client, target: Target, to: str, enough: Callable[[list[dict]], bool]) -> list[dict]:
    """The calls to ``to`` the listing shows, asked again until ``enough`` of them appear or --request-timeout
    passes: upstream documents the listing as eventually consistent."""
    shown: list[dict] = []

    def enough_listed() -> bool:
        response = client.get(target.calls_path, params={"To": to})
        body = response.json() if response.status_code == 200 else {}
        calls = body.get("calls", []) if isinstance(body, dict) else []
        shown[:] = [call for call in calls if isinstance(call, dict)]
        return enough(shown)

    poll(enough_listed, target.request_timeout)
    return shown
