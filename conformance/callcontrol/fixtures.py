"""Call Control scenario files (fixtures/call-control/**/*.yaml), loaded and checked before any check runs.

A scenario with a typo (an unknown command, a command body that breaks the contract, an
unknown channel) is a usage error naming the file and the problem.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

import conformance_specs as specs
from conformance.core.simulation import party_needs
from conformance.texml.fixtures import SIMULATION, FixtureError, proves_problems, renamed_keys
from conformance_specs.apis import Api

FOLDER = "call-control"
WEBHOOK_PATH = "webhook"
IMPLIED_NEEDS = frozenset({"virtual-clock", "parties", "settled", "callcontrol-webhooks"})
CALL_CONTROL_FIXTURES = pytest.StashKey[list["CallControlFixture"]]()


def fixtures_of(config: pytest.Config) -> list["CallControlFixture"]:
    """The Call Control scenarios this session runs (loaded and checked by the plugin before collection)."""
    return config.stash.get(CALL_CONTROL_FIXTURES, [])


@dataclass(frozen=True)
class Reaction:
    webhook: str
    send: str
    body: dict[str, Any]
    times: int = 1


@dataclass(frozen=True)
class Alternative:
    """Another documented behaviour: the trace a target following ``follows`` produces."""

    follows: str
    expect: dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class CallControlFixture:
    id: str  # path below the fixtures folder without .yaml, e.g. "call-control/speak/defaults"
    path: Path
    title: str
    rule: str
    seed: str
    proves: tuple[str, ...]  # ids of seed facts (specs/facts/)
    needs: frozenset[str]
    party: dict[str, Any]
    application: dict[str, Any]
    dial: dict[str, Any]
    reactions: tuple[Reaction, ...]
    expect: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    follows: str | None = None  # the source expect's behaviour follows, where the sources disagree
    alternatives: tuple[Alternative, ...] = ()

    @property
    def check_id(self) -> str:
        return "callcontrol/" + self.id.removeprefix(f"{FOLDER}/")

    @property
    def command(self) -> str:
        """The folder the scenario lives in: the command it is about."""
        return self.id.split("/")[1]


def load_all(folder: Path, api: Api) -> list[CallControlFixture]:
    return [load_one(path, folder, api) for path in sorted((folder / FOLDER).rglob("*.yaml"))]


def load_one(path: Path, root: Path, api: Api) -> CallControlFixture:
    name = path.relative_to(root).with_suffix("").as_posix()
    try:
        raw = specs.parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise FixtureError(f"{path}: not valid YAML: {error}") from None
    problems = (
        renamed_keys(raw)
        or specs.schema_problems("callcontrol-fixture.schema.yaml", raw)
        or _content_problems(raw, api)
    )
    if problems:
        raise FixtureError(f"{path}: " + "; ".join(problems))
    reactions = tuple(
        Reaction(entry["webhook"], entry["send"], entry.get("with", {}), entry.get("times", 1))
        for entry in raw.get("reactions", ())
    )
    alternatives = tuple(Alternative(entry["follows"], entry["expect"]) for entry in raw.get("alternatives", ()))
    timeline = any("timeline" in expect for expect in [raw["expect"], *(a.expect for a in alternatives)])
    return CallControlFixture(
        id=name,
        path=path,
        title=raw["title"],
        rule=raw["rule"],
        seed=raw["seed"],
        proves=tuple(raw.get("proves", ())),
        needs=frozenset(raw.get("needs", ()))
        | IMPLIED_NEEDS
        | ({"timeline"} if timeline else set())
        | party_needs(raw.get("party")),
        party=raw.get("party", {}),
        application=raw.get("application", {}),
        dial=raw.get("dial", {}),
        reactions=reactions,
        expect=raw["expect"],
        follows=raw.get("follows"),
        alternatives=alternatives,
    )


def command_components(api: Api) -> dict[str, str]:
    """Each command (the last segment of its path) and its request schema."""
    found = {}
    for path, item in api.document()["paths"].items():
        if "/actions/" not in path:
            continue
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                schema = next(iter(operation["requestBody"]["content"].values()))["schema"]
                found[path.rsplit("/", 1)[1]] = schema["$ref"].rsplit("/", 1)[1]
    return found


def _content_problems(raw: dict[str, Any], api: Api) -> list[str]:
    components = command_components(api)
    events = specs.load(api.callbacks_file)["events"] if api.callbacks_file else {}
    problems = []
    for index, reaction in enumerate(raw.get("reactions", ())):
        if reaction["webhook"] not in events:
            event = reaction["webhook"]
            problems.append(f"reactions[{index}].webhook: {event!r} is not a webhook event of the contract")
        if reaction["send"] not in components:
            problems.append(f"reactions[{index}].send: {reaction['send']!r} is not a command of the contract")
            continue
        # A value naming the scenario's URL ($BASE, $WSBASE) is known only when the scenario runs.
        body = {key: value for key, value in reaction.get("with", {}).items() if "BASE" not in str(value)}
        problems += [
            f"reactions[{index}].with{v.pointer}: {v.detail}"
            for v in api.contract.body_violations(components[reaction["send"]], body)
        ]
    if raw.get("party"):
        problems += [f"party{v.pointer}: {v.detail}" for v in SIMULATION.body_violations("Party", raw["party"])]
    return problems + proves_problems(raw.get("proves", ()))
