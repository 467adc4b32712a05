"""The headline coverage: the seed facts (specs/facts/), and the checks that prove each.

A seed fact is proven by the checks that name it (``seed:<id>`` in their metadata, a scenario's
``proves:``), and by the checks of the contract facts it lists under ``proven_by`` once every one
of them has a check. It is counted apart from the contract facts (conformance.gate.coverage).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from conformance.core.meta import SEED_PREFIX
from conformance.gate.coverage import Matrix
from conformance_specs import facts
from conformance_specs.facts import SeedFact


@dataclass(frozen=True)
class SeedCoverage:
    """The headline: the seed facts, and the checks that prove each."""

    facts: tuple[SeedFact, ...]
    proving: dict[str, tuple[str, ...]]  # seed fact id -> check ids

    @property
    def unchecked(self) -> list[SeedFact]:
        return [fact for fact in self.facts if not self.proving.get(fact.id)]

    def counts(self) -> dict[str, dict[str, Any]]:
        """Per seed: its facts, how many some check proves, and the same per subject and per kind."""
        found: dict[str, dict[str, Any]] = {}
        for fact in self.facts:
            checked = bool(self.proving.get(fact.id))
            row = found.setdefault(fact.seed, {"facts": 0, "checked": 0, "subjects": {}, "kinds": {}})
            for tally in (row, row["subjects"].setdefault(fact.subject, {}), row["kinds"].setdefault(fact.kind, {})):
                tally["facts"] = tally.get("facts", 0) + 1
                tally["checked"] = tally.get("checked", 0) + checked
        return found

    def totals(self) -> dict[str, int]:
        return {"total": len(self.facts), "checked": len(self.facts) - len(self.unchecked)}

    def as_json(self) -> dict[str, Any]:
        return {
            **self.totals(),
            "seeds": self.counts(),
            "facts": [
                {
                    "id": fact.id,
                    "seed": fact.seed,
                    "subject": fact.subject,
                    "kind": fact.kind,
                    "says": fact.says,
                    "source": fact.source,
                    "where": fact.where,
                    "erratum": fact.erratum,
                    "checks": list(self.proving.get(fact.id, ())),
                }
                for fact in self.facts
            ],
            "unchecked": [
                {
                    "id": fact.id,
                    "reason": fact.unchecked.reason if fact.unchecked else "no check names it",
                    "why": fact.unchecked.why if fact.unchecked else "",
                }
                for fact in self.unchecked
            ],
        }


class UnknownFact(ValueError):
    """A check names a seed fact the catalogue does not have (a bug in the suite's checks)."""


def build(matrix: Matrix, check_facts: Iterable[tuple[str, frozenset[str]]]) -> SeedCoverage:
    """Which checks prove each seed fact, given the contract ``matrix`` and (check id, facts it names)."""
    catalogue_facts = facts.seed_facts()
    direct: dict[str, set[str]] = {}
    for check, named in check_facts:
        for fact_id in (name.removeprefix(SEED_PREFIX) for name in named if name.startswith(SEED_PREFIX)):
            if fact_id not in catalogue_facts:
                raise UnknownFact(f"check {check} names {fact_id!r}, which is no fact of specs/facts/")
            direct.setdefault(fact_id, set()).add(check)
    proofs = _Proofs(catalogue_facts, direct, matrix)
    proving = {fact_id: tuple(sorted(proofs.checks(fact_id))) for fact_id in catalogue_facts}
    return SeedCoverage(tuple(catalogue_facts.values()), proving)


@dataclass
class _Proofs:
    """A seed fact's checks: its own, plus its ``proven_by`` facts' once every one has a check.

    ``proven_by`` names contract facts or, as ``seed:<id>``, other seed facts (followed, never in a cycle).
    """

    catalogue: dict[str, SeedFact]
    direct: dict[str, set[str]]
    matrix: Matrix

    def checks(self, fact_id: str, seen: frozenset[str] = frozenset()) -> set[str]:
        found = set(self.direct.get(fact_id, ()))
        evidence = [self._evidence(name, seen | {fact_id}) for name in self.catalogue[fact_id].proven_by]
        if evidence and all(evidence):
            found = found.union(*evidence)
        return found

    def _evidence(self, name: str, seen: frozenset[str]) -> set[str]:
        if not name.startswith(SEED_PREFIX):
            return set(self.matrix.covering.get(name, ()))
        other = name.removeprefix(SEED_PREFIX)
        return set() if other in seen or other not in self.catalogue else self.checks(other, seen)
