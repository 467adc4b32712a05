"""Scripted far ends: how the party at an address behaves when called (or when it calls)."""

from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("answer", "busy", "no-answer", "failed", "machine")
MAX_PARTIES = 10000
# SIP final statuses from 300 up refuse a REFER; 2xx ones accept it.
REFER_REFUSED_FROM = 300


@dataclass(frozen=True)
class KeyPress:
    at: float  # seconds after the call was answered
    keys: str


@dataclass(frozen=True)
class Speech:
    at: float  # seconds after the call was answered
    length: float  # seconds the party talks


@dataclass(frozen=True)
class Party:
    outcome: str = "answer"
    answer_after: float = 0.0
    hangup_at: float | None = None
    digits: tuple[KeyPress, ...] = ()
    speech: tuple[Speech, ...] = ()  # when the party talks (what a recording of its track hears)
    clock: str = "auto"
    refer_response: int = 200  # the final SIP status a REFER sent to this party ends with
    recording_error: str | None = None  # why recordings of its calls cannot be stored; None: they are
    auth_challenge: tuple[str, str] | None = None  # (username, password) its INVITE challenge accepts; None: none

    @property
    def refuses_refer(self) -> bool:
        return self.refer_response >= REFER_REFUSED_FROM

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> "Party":
        presses = sorted((KeyPress(float(p["at"]), str(p["keys"])) for p in body.get("digits", [])), key=_at)
        hangup_at = body.get("hangup_at")
        challenge = body.get("auth_challenge")
        speech = sorted((Speech(float(s["at"]), float(s["length"])) for s in body.get("speech", [])), key=_at)
        return cls(
            outcome=body.get("outcome", "answer"),
            answer_after=float(body.get("answer_after", 0)),
            hangup_at=None if hangup_at is None else float(hangup_at),
            digits=tuple(presses),
            speech=tuple(speech),
            clock=body.get("clock", "auto"),
            refer_response=int(body.get("refer_response", 200)),
            recording_error=body.get("recording_error"),
            auth_challenge=None if challenge is None else (str(challenge["username"]), str(challenge["password"])),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "answer_after": self.answer_after,
            "hangup_at": self.hangup_at,
            "digits": [{"at": press.at, "keys": press.keys} for press in self.digits],
            "speech": [{"at": talk.at, "length": talk.length} for talk in self.speech],
            "clock": self.clock,
            "refer_response": self.refer_response,
            "recording_error": self.recording_error,
            "auth_challenge": None
            if self.auth_challenge is None
            else {"username": self.auth_challenge[0], "password": self.auth_challenge[1]},
        }


def _at(moment: KeyPress | Speech) -> float:
    return moment.at


@dataclass
class Parties:
    """Scripts keyed by address; an address without one answers at once and never presses a key."""

    _scripts: dict[str, Party] = field(default_factory=dict)

    def put(self, address: str, party: Party) -> None:
        self._scripts.pop(address, None)
        self._scripts[address] = party
        while len(self._scripts) > MAX_PARTIES:
            self._scripts.pop(next(iter(self._scripts)))

    def remove(self, address: str) -> bool:
        return self._scripts.pop(address, None) is not None

    def get(self, address: str) -> Party:
        return self._scripts.get(address, Party())
