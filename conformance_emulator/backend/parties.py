"""Scripted far ends: how the party at an address behaves when called (or when it calls)."""

from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("answer", "busy", "no-answer", "failed", "machine")
MAX_PARTIES = 10000


@dataclass(frozen=True)
class KeyPress:
    at: float  # seconds after the call was answered
    keys: str


@dataclass(frozen=True)
class Party:
    outcome: str = "answer"
    answer_after: float = 0.0
    hangup_at: float | None = None
    digits: tuple[KeyPress, ...] = ()
    clock: str = "auto"

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> "Party":
        presses = sorted((KeyPress(float(p["at"]), str(p["keys"])) for p in body.get("digits", [])), key=_at)
        hangup_at = body.get("hangup_at")
        return cls(
            outcome=body.get("outcome", "answer"),
            answer_after=float(body.get("answer_after", 0)),
            hangup_at=None if hangup_at is None else float(hangup_at),
            digits=tuple(presses),
            clock=body.get("clock", "auto"),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "answer_after": self.answer_after,
            "hangup_at": self.hangup_at,
            "digits": [{"at": press.at, "keys": press.keys} for press in self.digits],
            "clock": self.clock,
        }


def _at(press: KeyPress) -> float:
    return press.at


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
