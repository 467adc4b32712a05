"""How a broken rule is raised, so every failure reads the same and names its rule."""

from dataclasses import dataclass

# Rules checked by scenario tests (the judge's own rules are registered in conformance.judge).
SCENARIO_RULES = frozenset(
    {
        "answers_in_time",
        "valid_call_accepted",
        "documented_error_code",
        "error_pointer",
        "result_echoes_call",
        "retrieved_call_matches",
        "created_call_listed",
        "completed_ends_call",
        "unknown_call_not_found",
        "call_ends",
        "trace_matches",
        "simulation_protocol_answers",
    }
)


class ConformanceFailure(AssertionError):
    """A target broke a documented rule; the message names each rule and how to reproduce."""


class InfrastructureError(Exception):
    """The exchange could not happen (connection refused or cut): no rule can be judged."""


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def fail(rule: str, message: str) -> ConformanceFailure:
    """A failure of one rule before any exchange could be judged (no answer, setup refused)."""
    return ConformanceFailure(f"1 rule(s) broken:\n  {Failure(rule, message)}")
