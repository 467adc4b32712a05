"""Scenario files (fixtures/**/*.yaml): loaded, checked against their format and the verb catalogue.

A fixture with a typo is a usage error naming the file and the problem, raised
before any check runs.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

import conformance_specs as specs
from conformance.core.harness import MEDIA_PREFIX, is_media
from conformance.core.simulation import party_needs
from conformance_specs import catalogue, facts
from conformance_specs.contract import Contract

IMPLIED_NEEDS = frozenset({"virtual-clock"})
STATUS_PATH = "status"
RECORDING_STATUS_PATH = "recording-status"
START_PATH = "start.xml"


SIMULATION = Contract("simulation.openapi.yaml")
FIXTURES = pytest.StashKey[list["Fixture"]]()


class FixtureError(Exception):
    """A scenario file is unusable; the message names the file and what to fix."""


@dataclass(frozen=True)
class Fixture:
    id: str  # path below the fixtures folder without .yaml, e.g. "texml/pause/default-length"
    path: Path
    title: str
    rule: str
    seed: str
    facts: tuple[str, ...]
    proves: tuple[str, ...]  # ids of seed facts (specs/facts/)
    needs: frozenset[str]
    start: str
    callee: str  # "number" or "sip": the kind of address an outbound call dials
    call: dict[str, Any]
    application: dict[str, Any] | None  # None: an outbound call uses the target's application
    party: dict[str, Any] | None
    documents: dict[str, str]
    steps: tuple[dict[str, Any], ...]
    expect: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Documented alternatives the expectations accept: channel -> {source: entry showing it was taken}.
    follows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    @property
    def verb(self) -> str:
        parts = self.id.split("/")
        return parts[1].capitalize() if len(parts) > 2 else parts[0]


def fixtures_of(config: pytest.Config) -> list["Fixture"]:
    """The scenarios this session runs (loaded and checked by the plugin before collection)."""
    return config.stash.get(FIXTURES, [])


def default_dir() -> Path:
    """fixtures/ of a checkout, or the copy installed next to the packages."""
    package = Path(__file__).resolve().parent.parent  # conformance/
    for candidate in (package / "fixture_files", package.parent / "fixtures"):
        if candidate.is_dir():
            return candidate
    raise FixtureError(f"no fixtures folder in or next to {package}; pass --fixtures-dir=PATH")


def load_all(folder: Path) -> list[Fixture]:
    if not folder.is_dir():
        raise FixtureError(f"--fixtures-dir={folder} is not a folder")
    paths = [path for path in sorted(folder.rglob("*.yaml")) if path.relative_to(folder).parts[0] != "call-control"]
    return [load_one(path, folder) for path in paths]


def load_one(path: Path, root: Path) -> Fixture:
    name = path.relative_to(root).with_suffix("").as_posix()
    try:
        raw = specs.parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FixtureError(f"{path}: not valid YAML: {error}") from None
    problems = renamed_keys(raw) or specs.schema_problems("fixture.schema.yaml", raw) or _content_problems(raw)
    if problems:
        raise FixtureError(f"{path}: " + "; ".join(problems))
    needs = set(raw.get("needs", ())) | IMPLIED_NEEDS
    needs |= {"parties"} if raw.get("party") else set()
    needs |= {"timeline"} if "timeline" in raw["expect"] or raw.get("steps") else set()
    needs |= {"inbound-calls"} if raw.get("start") == "inbound" else set()
    needs |= {"manual-clock"} if (raw.get("party") or {}).get("clock") == "manual" else set()
    needs |= party_needs(raw.get("party"))
    return Fixture(
        id=name,
        path=path,
        title=raw["title"],
        rule=raw["rule"],
        seed=raw["seed"],
        facts=tuple(raw.get("facts", ())),
        proves=tuple(raw.get("proves", ())),
        needs=frozenset(needs),
        start=raw.get("start", "outbound"),
        callee=raw.get("callee", "number"),
        call=raw.get("call", {}),
        application=raw.get("application"),
        party=raw.get("party"),
        documents={**raw["documents"], **raw.get("malformed", {})},
        steps=tuple(raw.get("steps", ())),
        expect=raw["expect"],
        follows=raw.get("follows", {}),
    )


def _content_problems(raw: dict[str, Any]) -> list[str]:
    problems = []
    for path in [*raw["documents"], *raw.get("malformed", {})]:
        if is_media(path):
            problems.append(f"documents: {path} is the harness's audio ({MEDIA_PREFIX}*.wav); name it otherwise")
    for path, text in raw["documents"].items():
        try:
            catalogue.validate(text)
        except catalogue.DocumentInvalid as error:
            problems.append(f"document {path}: {error}")
    if (
        raw.get("start", "outbound") == "outbound"
        and START_PATH not in raw["documents"]
        and "Url" not in raw.get("call", {})
    ):
        problems.append(f"documents: an outbound call fetches {START_PATH} first; add it or set call.Url")
    if raw.get("start") == "inbound" and "callee" in raw:
        problems.append("callee: only an outbound call dials an address; an inbound call's caller is scripted")
    known = catalogue.load()
    for fact in raw.get("facts", ()):
        element, _, attribute = fact.partition("@")
        if element not in known.elements or (attribute and attribute not in known.elements[element].attributes):
            problems.append(f"facts: {fact!r} is not in specs/texml/verbs.yaml")
    problems += proves_problems(raw.get("proves", ()))
    if raw.get("party"):
        problems += [f"party{v.pointer}: {v.detail}" for v in SIMULATION.body_violations("Party", raw["party"])]
    return problems


def renamed_keys(raw: Any) -> list[str]:
    """Keys a scenario written for an older suite uses, each with its new name."""
    if isinstance(raw, dict) and "behaviours" in raw:
        return ["behaviours: names seed facts (specs/facts/) since 0.2; rename the key to proves:"]
    return []


def proves_problems(named: list[str]) -> list[str]:
    """A scenario's ``proves:`` entries that name no seed fact."""
    return [f"proves: {fact_id!r} is no fact of specs/facts/" for fact_id in facts.unknown(named)]
