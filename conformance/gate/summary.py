"""The run's verdict per spec area: counts of each outcome and a conformance percentage."""

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.core.meta import AREAS
from conformance.gate.outcomes import (
    ERROR,
    EXPECTED_FAILURE,
    FAILED,
    JUDGED,
    NOT_APPLICABLE,
    OUTCOMES,
    PASSED,
    UNEXPECTED_PASS,
)

SHORT = {
    PASSED: "passed",
    FAILED: "failed",
    EXPECTED_FAILURE: "xfail",
    UNEXPECTED_PASS: "xpass",
    NOT_APPLICABLE: "n/a",
    ERROR: "error",
}


@dataclass(frozen=True)
class CheckResult:
    check: str
    area: str
    subject: str
    outcome: str
    detail: str = ""  # why: the first broken rule, the skip reason, the expectation


def conformance_percent(counts: Counter[str]) -> float | None:
    """Share of judged checks whose rule holds, in percent cut (never rounded up) to two decimals,
    as the HTML report's header shows it: one failure in thousands is never "100%". None when nothing was judged.
    """
    judged = sum(counts[outcome] for outcome in JUDGED)
    if not judged:
        return None
    return math.floor(10000 * (counts[PASSED] + counts[UNEXPECTED_PASS]) / judged) / 100


@dataclass
class Summary:
    results: dict[str, CheckResult] = field(default_factory=dict)

    def add(self, result: CheckResult) -> None:
        self.results[result.check] = result

    def rows(self) -> list[tuple[str, str, Counter[str]]]:
        """(area, subject, counts) in area order, subjects sorted; subject '' is the area's total."""
        by_row: dict[tuple[str, str], Counter[str]] = {}
        for result in self.results.values():
            by_row.setdefault((result.area, result.subject), Counter())[result.outcome] += 1
            by_row.setdefault((result.area, ""), Counter())[result.outcome] += 1
        subjects: dict[str, int] = Counter(area for area, subject in by_row if subject)
        # An area with a single subject (a scenario folder) needs no row below its total.
        by_row = {key: counts for key, counts in by_row.items() if not key[1] or subjects[key[0]] > 1}
        order = {area: index for index, area in enumerate(AREAS)}
        keys = sorted(by_row, key=lambda key: (order.get(key[0], len(order)), key[0], key[1] != "", key[1]))
        return [(area, subject, by_row[area, subject]) for area, subject in keys]

    def totals(self) -> Counter[str]:
        return Counter(result.outcome for result in self.results.values())

    def unexpected(self, strict: bool) -> list[CheckResult]:
        """What fails the gate: failures and errors, and with strict expectations unexpected passes."""
        failing = {FAILED, ERROR} | ({UNEXPECTED_PASS} if strict else set())
        return [result for result in self.results.values() if result.outcome in failing]

    def table(self) -> list[str]:
        header = f"{'area / subject':<38}" + "".join(f"{SHORT[o]:>8}" for o in OUTCOMES) + f"{'conformant':>12}"
        lines = [header, "-" * len(header)]
        for area, subject, counts in self.rows():
            name = area if not subject else f"  {subject}"
            lines.append(f"{name[:38]:<38}" + "".join(f"{counts[o]:>8}" for o in OUTCOMES) + _percent(counts))
        totals = self.totals()
        lines += ["-" * len(header), f"{'total':<38}" + "".join(f"{totals[o]:>8}" for o in OUTCOMES) + _percent(totals)]
        return lines

    def as_json(self) -> dict[str, Any]:
        totals = self.totals()
        return {
            "totals": {o: totals[o] for o in OUTCOMES} | {"conformance_percent": conformance_percent(totals)},
            "areas": [
                {"area": area, "subject": subject or None}
                | {o: counts[o] for o in OUTCOMES}
                | {"conformance_percent": conformance_percent(counts)}
                for area, subject, counts in self.rows()
            ],
            "checks": [
                {"id": r.check, "area": r.area, "subject": r.subject, "outcome": r.outcome, "detail": r.detail}
                for r in sorted(self.results.values(), key=lambda r: r.check)
            ],
        }


def _percent(counts: Counter[str]) -> str:
    value = conformance_percent(counts)
    return f"{'-':>12}" if value is None else f"{value:>11.2f}%"
