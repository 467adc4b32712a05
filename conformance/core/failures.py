"""How a broken rule is raised, so every failure reads the same and names its registered rule."""

from dataclasses import dataclass

from conformance.core.rules import RULES


class ConformanceFailure(AssertionError):
    """A target broke a documented rule; the message names each rule and how to reproduce."""


class InfrastructureError(Exception):
    """The exchange could not happen (connection refused or cut): no rule can be judged."""


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise KeyError(f"rule {self.rule!r} is not registered in conformance.core.rules")

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def fail(rule: str, message: str) -> ConformanceFailure:
    """A failure of one rule before any exchange could be judged (no answer, setup refused)."""
    return ConformanceFailure(f"1 rule(s) broken:\n  {Failure(rule, message)}")


def broken(failures: list[Failure], headline: str, evidence: list[str]) -> ConformanceFailure | None:
    """The failure to raise when any rule broke (None when every rule held)."""
    if not failures:
        return None
    lines = [f"{len(failures)} rule(s) broken by {headline}:", *(f"  {failure}" for failure in failures)]
    return ConformanceFailure("\n".join([*lines, *evidence]))
