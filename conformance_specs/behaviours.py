"""The behaviour catalogue of an API (specs/<api>/behaviours.yaml): every sentence of the sources
that states how an implementation behaves, in the project's words, as a fact the coverage matrix counts.

A sentence another fact already states (an attribute's default, a callback field) names that
fact under ``stated_as`` instead of becoming a second fact for the same thing.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from conformance_specs import load

KEYS = frozenset({"seed", "says", "stated_as"})


class CatalogueError(ValueError):
    """The behaviour catalogue itself is malformed (a bug in specs/, not in a target)."""


@dataclass(frozen=True)
class Statement:
    id: str  # "<topic>/<slug>", e.g. "gather/finish-key-ends-input"
    seed: str  # where the source says it: seed file and section
    says: str
    stated_as: tuple[str, ...] = ()  # fact ids of other kinds that already state it

    @property
    def is_fact(self) -> bool:
        return not self.stated_as


@cache
def statements(file: str) -> dict[str, Statement]:
    """The catalogue's statements by id, in file order."""
    raw = load(file)
    found: dict[str, Statement] = {}
    for statement_id, entry in (raw.get("behaviours") or {}).items():
        found[statement_id] = _statement(file, statement_id, entry)
    return found


def _statement(file: str, statement_id: str, entry: Any) -> Statement:
    topic, _, slug = statement_id.partition("/")
    if not (topic and slug) or not isinstance(entry, dict) or not {"seed", "says"} <= entry.keys() <= KEYS:
        raise CatalogueError(
            f"{file}: {statement_id!r} must be '<topic>/<slug>' with seed, says and optionally stated_as"
        )
    return Statement(statement_id, entry["seed"], entry["says"], tuple(entry.get("stated_as", ())))
