"""Webhook payloads of one Call Control leg, shaped by the contract's Webhook* components.

Every event carries the leg's ids, the connection (application) id and the call's current
client_state; the other members an event declares (from, to, direction, state, ...) are
filled in from what the caller passes, and members an event does not declare are left out.
"""

import uuid
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from conformance_emulator.backend.callcontrol import iso
from conformance_emulator.backend.notifier import Webhook
from conformance_emulator.backend.signing import Signer
from conformance_specs.apis import api

if TYPE_CHECKING:
    from conformance_emulator.controllers.callcontrol.driver import CallDriver

# How legs end (CallEnded.cause) in the words of the contract's HangupCause.
HANGUP_CAUSES = {
    "no-answer": "timeout",
    "busy": "user_busy",
    "failed": "unspecified",
    "hangup": "normal_clearing",
    "time-limit": "time_limit",
}
HANGUP_SOURCES = frozenset({"caller", "callee", "unknown"})


@cache
def declared_members(event_type: str) -> frozenset[str]:
    """The payload members the contract declares for ``event_type``."""
    document = api("callcontrol").document()
    ref = document["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return frozenset(component["properties"]["data"]["properties"]["payload"]["properties"])


def hangup_cause(cause: str) -> str:
    return HANGUP_CAUSES.get(cause, cause if cause in _causes() else "unspecified")


@cache
def _causes() -> frozenset[str]:
    return frozenset(api("callcontrol").contract.component("HangupCause")["enum"])


def send(driver: "CallDriver", event_type: str, **fields: Any) -> None:
    """Queue ``event_type`` on the leg's channel, to the call's webhook URL (none: nothing is sent)."""
    url = driver.webhook_url
    if not url:
        return
    leg = driver.leg
    payload = {
        "call_control_id": leg.sid,
        "call_leg_id": driver.call_leg_id,
        "call_session_id": driver.call_session_id,
        "connection_id": driver.connection_id,
        "client_state": driver.client_state,
        "from": leg.setup.from_,
        "to": leg.setup.to,
        "direction": "incoming" if leg.setup.direction == "inbound" else "outgoing",
        "start_time": iso(leg.clock.start_epoch),
        **fields,
    }
    declared = declared_members(event_type)
    envelope: Mapping[str, Any] = {
        "data": {
            "record_type": "event",
            "event_type": event_type,
            "id": str(uuid.uuid4()),
            "occurred_at": iso(leg.clock.epoch()),
            "payload": {name: value for name, value in payload.items() if name in declared},
        }
    }
    leg.callbacks.put_webhook(Webhook(url, envelope, driver.signer, leg.clock))


__all__ = ["HANGUP_SOURCES", "Signer", "hangup_cause", "iso", "send"]
