"""The TeXML API's backend: its call resources, its applications, its queues and its conferences,
over the shared leg core.

Only the TeXML REST API (and the simulation protocol's inbound calls, which go to TeXML
applications) reach these; Call Control's calls, applications and queues live in its own
backend. The interpreter has a handle on this backend: its verbs put legs in these queues and
conferences, and in the core's bridges.
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from typing import Any

from conformance_emulator.backend.backend import Backend
from conformance_emulator.backend.conferences import Conferences
from conformance_emulator.backend.leg import TERMINAL, Leg, LegSetup
from conformance_emulator.backend.queues import Queues

# Fuzzing creates thousands of calls; the oldest are forgotten past this many.
MAX_CALLS = 5000


def _now_rfc2822() -> str:
    return format_datetime(datetime.now(UTC))


def _rfc2822(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(int(epoch), UTC))


def formatted_number(number: str) -> str:
    """A number as shown to people: (312) 555-0100 for a North American one, else unchanged."""
    digits = number.removeprefix("+1")
    if number.startswith("+1") and len(digits) == 10 and digits.isdigit():
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return number


@dataclass
class Call:
    """The call resource of the REST API; its leg is what runs."""

    sid: str
    account_sid: str
    to: str
    from_: str
    status: str = "queued"
    direction: str = "outbound-api"
    leg: Leg | None = field(default=None, repr=False)
    date_created: str = field(default_factory=_now_rfc2822)
    date_updated: str = field(default_factory=_now_rfc2822)
    end_time: str | None = None
    caller_name: str | None = None  # the CallerId the call was started with
    # Seconds of the call's virtual clock at which it ended (None while it goes on).
    ended_at: float | None = None

    def as_resource(self, calls_path: str) -> dict[str, Any]:
        """The resource as the REST API shows it; ``calls_path`` is where the emulator serves the account's calls."""
        resource: dict[str, Any] = {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "from": self.from_,
            "from_formatted": formatted_number(self.from_),
            "to": self.to,
            "to_formatted": formatted_number(self.to),
            "status": self.status,
            "direction": "outbound" if self.direction == "outbound-api" else "inbound",
            "date_created": self.date_created,
            "date_updated": self.date_updated,
            "start_time": self.date_created,
            "uri": f"{calls_path}/{self.sid}",
        }
        if self.caller_name:
            resource["caller_name"] = self.caller_name
        if self.end_time:
            resource["end_time"] = self.end_time
            resource["duration"] = str(self.duration())
        return resource

    def duration(self) -> int:
        """Whole seconds from answer to end, as the completed status callback's CallDuration; 0 if never answered."""
        answered = self.leg.answered_at if self.leg else None
        if answered is None or self.ended_at is None:
            return 0
        return int(self.ended_at - answered)


class TexmlBackend:
    def __init__(self, core: Backend) -> None:
        self.core = core
        self._calls: OrderedDict[tuple[str, str], Call] = OrderedDict()
        self._applications: dict[str, dict[str, Any]] = {}
        self.queues = Queues()
        self.conferences = Conferences()

    def add_call(self, setup: LegSetup, party_address: str, parent: Leg | None = None) -> Call:
        """A call resource and its leg, in the parent's tree (a child leg) or a new one; not yet running."""
        call = Call(setup.sid, setup.account_sid, setup.to, setup.from_, direction=setup.direction)
        self._calls[(call.account_sid, call.sid)] = call
        while len(self._calls) > MAX_CALLS:
            self._calls.popitem(last=False)
        self.attach(call, self.core.add_leg(setup, party_address, parent, partial(self.set_status, call)))
        return call

    def attach(self, call: Call, leg: Leg) -> None:
        """Give the call its leg: from now on its times follow the leg's (virtual) clock."""
        call.leg = leg
        call.date_created = call.date_updated = _rfc2822(leg.clock.epoch())

    def set_status(self, call: Call, status: str) -> None:
        # "initiated" names a callback event; the call resource has no such status and stays queued.
        call.status = "queued" if status == "initiated" else status
        # Times follow the call's virtual clock, so they agree with its duration and callbacks.
        call.date_updated = _rfc2822(call.leg.clock.epoch()) if call.leg else _now_rfc2822()
        if status in TERMINAL:
            call.end_time = call.date_updated
            call.ended_at = call.leg.clock.elapsed if call.leg else None

    def call(self, account_sid: str, sid: str) -> Call | None:
        return self._calls.get((account_sid, sid))

    def calls(self, account_sid: str) -> list[Call]:
        """The account's calls, newest first."""
        return [call for (account, _), call in reversed(self._calls.items()) if account == account_sid]

    def add_application(self, fields: dict[str, Any]) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        application = {
            "id": self.core.new_application_id(),
            "record_type": "texml_application",
            "voice_method": "post",
            "status_callback_method": "post",
            "active": True,
            "first_command_timeout": False,
            "first_command_timeout_secs": 30,
            "dtmf_type": "RFC 2833",
            "call_cost_in_webhooks": False,
            # voice_fallback_url and status_callback default to null upstream yet are typed string: left
            # absent unless given, so the answer fits both the upstream schema and this contract (errata E-065).
            "anchorsite_override": "Latency",
            "tags": [],
            **fields,
            # Nested settings keep their documented defaults for members not given; null ones stay absent.
            "inbound": {
                "shaken_stir_enabled": False,
                "sip_subdomain_receive_settings": "from_anyone",
                **fields.get("inbound", {}),
            },
            "outbound": dict(fields.get("outbound", {})),
            "created_at": now,
            "updated_at": now,
        }
        self._applications[application["id"]] = application
        return application

    def application(self, application_id: str) -> dict[str, Any] | None:
        return self._applications.get(application_id)
