"""The Call Control API's backend: its applications, its calls and its queues, over the shared leg core.

A Call Control call is the driver the controller runs its leg with (its call_control_id is the
leg's sid); this backend keeps them without knowing the controller's class. Only the Call
Control API reaches these; TeXML's calls, applications, queues and conferences live in its own
backend. Bridges are the core's (backend.py): they link legs, whatever API runs them.
"""

import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from conformance_emulator.backend.backend import Backend
from conformance_emulator.backend.leg import Driver
from conformance_emulator.backend.queues import Queues

# Fuzzing dials thousands of calls; the oldest are forgotten past this many.
MAX_CALLS = 5000

CallT = TypeVar("CallT", bound=Driver)


def iso(epoch: float) -> str:
    """An ISO 8601 UTC time with milliseconds, as Call Control shows times."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class CallControlBackend(Generic[CallT]):
    def __init__(self, core: Backend) -> None:
        self.core = core
        self._calls: OrderedDict[str, CallT] = OrderedDict()
        self._applications: dict[str, dict[str, Any]] = {}
        self.queues = Queues()

    def add_application(self, body: dict[str, Any]) -> dict[str, Any]:
        """A Call Control application as CreateCallControlApplication asks for it, with its defaults."""
        now = iso(time.time())
        record = {
            "id": self.core.new_application_id(),
            "record_type": "call_control_application",
            "application_name": body["application_name"],
            "webhook_event_url": body["webhook_event_url"],
            "webhook_event_failover_url": body.get("webhook_event_failover_url"),
            "webhook_api_version": body.get("webhook_api_version", "2"),
            "webhook_timeout_secs": body.get("webhook_timeout_secs"),
            "first_command_timeout": body.get("first_command_timeout", False),
            "first_command_timeout_secs": body.get("first_command_timeout_secs", 30),
            "active": body.get("active", True),
            "dtmf_type": body.get("dtmf_type", "RFC 2833"),
            "created_at": now,
            "updated_at": now,
        }
        self._applications[record["id"]] = record
        return record

    def application(self, application_id: str) -> dict[str, Any] | None:
        return self._applications.get(application_id)

    def add_call(self, call_control_id: str, call: CallT) -> None:
        self._calls[call_control_id] = call
        while len(self._calls) > MAX_CALLS:
            self._calls.popitem(last=False)

    def call(self, call_control_id: str) -> CallT | None:
        return self._calls.get(call_control_id)
