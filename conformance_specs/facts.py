"""The seed fact catalogue (specs/facts/*.yaml): every checkable statement of the source documents.

Each file holds the facts of one seed (or of the upstream extracts the errata adopt beside it),
in the project's words, with where the source says it. The headline coverage figure is how many
of these some check proves; conformance.gate.coverage computes it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from conformance_specs import SPECS_DIR, load, schema_problems

FACTS_DIR = "facts"
SCHEMA = "facts.schema.yaml"


class CatalogueError(ValueError):
    """The fact catalogue itself is malformed (a bug in specs/, not in a target)."""


@dataclass(frozen=True)
class Unchecked:
    reason: str  # one of the schema's reasons: not-executed, not-simulated, ...
    why: str


@dataclass(frozen=True)
class SeedFact:
    id: str  # "<topic>/<slug>", unique over every file, e.g. "gather/finish-key-ends-input"
    seed: str  # "000".."004"
    source: str  # the document it rests on
    subject: str  # verb, noun, operationId or callback kind
    kind: str
    where: str
    says: str
    words: str = ""
    proven_by: tuple[str, ...] = ()
    erratum: str | None = None
    unchecked: Unchecked | None = None


def files() -> list[str]:
    """The catalogue's files, relative to specs/, in seed order."""
    return sorted(f"{FACTS_DIR}/{path.name}" for path in (SPECS_DIR / FACTS_DIR).glob("*.yaml"))


@cache
def seed_facts() -> dict[str, SeedFact]:
    """Every seed fact by id, in file then file order; a malformed file or a duplicate id raises."""
    found: dict[str, SeedFact] = {}
    for name in files():
        for fact in _read(name):
            if fact.id in found:
                raise CatalogueError(f"specs/{name}: {fact.id!r} is already a fact of seed {found[fact.id].seed}")
            found[fact.id] = fact
    return found


def titles() -> dict[str, str]:
    """Each seed's title, by seed number."""
    return {load(name)["seed"]: load(name)["title"] for name in files()}


def unknown(named: Iterable[str]) -> list[str]:
    """The ids in ``named`` that are no seed fact (each is a typo in a check or a scenario)."""
    known = seed_facts()
    return [fact_id for fact_id in named if fact_id not in known]


def _read(name: str) -> list[SeedFact]:
    raw = load(name)
    problems = schema_problems(SCHEMA, raw)
    if problems:
        raise CatalogueError(f"specs/{name}: " + "; ".join(problems))
    return [
        SeedFact(
            id=fact_id,
            seed=raw["seed"],
            source=entry.get("source", raw["source"]),
            subject=entry["subject"],
            kind=entry["kind"],
            where=entry["where"],
            says=entry["says"],
            words=entry.get("words", ""),
            proven_by=tuple(entry.get("proven_by", ())),
            erratum=entry.get("erratum"),
            unchecked=Unchecked(**entry["unchecked"]) if "unchecked" in entry else None,
        )
        for fact_id, entry in raw["facts"].items()
    ]
