"""Client of the simulation control protocol (specs/simulation.openapi.yaml)."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from conformance.core.target import Target
from conformance.core.waiting import poll
from conformance_specs import load

PREFIX = "/simulation/v1"
SUPPORTED_MAJOR = load("simulation.openapi.yaml")["info"]["version"].split(".")[0]
# Party members a target acts on only under a capability (protocol 1.3.0 to 1.5.0): a scenario
# whose party sets one needs that capability, and is not applicable on a target without it.
PARTY_NEEDS = {
    "refer_response": "callcontrol-refer-refusal",
    "recording_error": "callcontrol-recording-failure",
    "speech": "speech",
    "auth_challenge": "call-offer",
}


def party_needs(party: dict[str, Any] | None) -> set[str]:
    """The capabilities a party script needs for the members it sets (null sets nothing)."""
    return {need for member, need in PARTY_NEEDS.items() if (party or {}).get(member) is not None}


class SimulationError(Exception):
    """The target's control protocol answered something unusable; the message says what."""


@dataclass(frozen=True)
class Capabilities:
    """What the target declared it can simulate; empty when it does not speak the protocol."""

    names: frozenset[str]
    version: str | None = None
    why_none: str = ""
    webhook_public_key: str | None = None  # base64 of the raw Ed25519 key the target signs webhooks with

    def missing(self, needs: frozenset[str]) -> list[str]:
        return sorted(needs - self.names)


def discover(target: Target) -> Capabilities:
    with target.client() as client:
        try:
            response = client.get(PREFIX)
        except httpx.HTTPError as error:
            return Capabilities(frozenset(), why_none=f"GET {PREFIX} failed: {type(error).__name__}")
    if response.status_code != 200:
        return Capabilities(
            frozenset(), why_none=f"the target does not speak it (GET {PREFIX} -> HTTP {response.status_code})"
        )
    try:
        body = response.json()
        version, names = str(body["version"]), frozenset(body["capabilities"])
        public_key = body.get("webhook_public_key")
    except (ValueError, KeyError, TypeError):
        return Capabilities(frozenset(), why_none=f"GET {PREFIX} answered an unreadable discovery document")
    if version.split(".")[0] != SUPPORTED_MAJOR:
        return Capabilities(frozenset(), version, f"protocol version {version} is not {SUPPORTED_MAJOR}.x")
    return Capabilities(names, version, webhook_public_key=public_key if isinstance(public_key, str) else None)


class Simulation:
    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def _call(
        self, method: str, path: str, body: Any = None, expect: int = 200, params: dict[str, Any] | None = None
    ) -> Any:
        timeout = self._client.timeout.read or 0
        if params and "timeout" in params:  # a long poll may hold the answer that long
            timeout += float(params["timeout"])
        response = self._client.request(method, PREFIX + path, json=body, params=params, timeout=timeout or None)
        if response.status_code != expect:
            raise SimulationError(
                f"{method} {PREFIX}{path} answered HTTP {response.status_code}: {response.text[:300]}"
            )
        return response.json() if response.content else None

    def script_party(self, address: str, script: dict[str, Any]) -> None:
        self._call("PUT", f"/parties/{quote(address, safe='')}", script)

    def start_inbound_call(self, body: dict[str, str]) -> str:
        return str(self._call("POST", "/inbound_calls", body, expect=201)["call_sid"])

    def timeline(self, call_sid: str, wait: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        """The call's timeline; with ``wait`` (ended, settled) answered once that holds or ``timeout`` passes."""
        params = {"wait": wait, "timeout": timeout} if wait else None
        return self._call("GET", f"/calls/{quote(call_sid, safe='')}/timeline", params=params)

    def wait_for_event(self, call_sid: str, event: str, deadline_s: float) -> bool:
        """Whether the call's timeline shows ``event`` within ``deadline_s``."""
        return poll(lambda: any(entry.get("event") == event for entry in self.timeline(call_sid)["events"]), deadline_s)

    def advance(self, call_sid: str, seconds: float) -> None:
        self._call("POST", f"/calls/{quote(call_sid, safe='')}/clock", {"advance": seconds})
