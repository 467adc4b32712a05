"""schemathesis on the upstream TeXML slice against the reference emulator, each failure matched to the errata.

The upstream slice (the published Telnyx OpenAPI, cut to the TeXML REST operations) and this
project's contract disagree in places; specs/errata.yaml says how the suite rules on each. An
errata entry that explains what ``schemathesis run --checks all`` reports on the upstream slice
carries ``schemathesis:`` markers (documented at the top of errata.yaml). This module runs the
CLI, reads its NDJSON report and sorts every failure into explained or not, and every marker
into used or stale. tests/test_upstream_contract.py enforces it; ``python -m tests.upstream_contract``
prints the same verdict for a person, at any seed and depth.

The slice lives in tests/data as an extract: the paths of the operations this contract covers,
every component they reference, and no prose (``python -m tests.upstream_contract extract`` rebuilds
it from the full slice).
"""

import argparse
import base64
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.rest.contract import rest_contract
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from conformance_specs import load
from conformance_specs.apis import api

SLICE = Path(__file__).resolve().parent / "data" / "upstream-texml-rest.openapi.yaml"
ERRATA = "errata.yaml"
MARKER_KEYS = frozenset({"check", "operations", "status", "pointers", "see"})
# Annotations that carry upstream's prose, never its rules: the extract drops them.
PROSE_KEYS = frozenset({"description", "summary", "title", "tags", "externalDocs"})
# Values, not annotations: copied whole.
VALUE_KEYS = frozenset({"example", "default", "enum", "const"})
SEED = 20261121
MAX_EXAMPLES = 30
RUN_TIMEOUT_S = 300


def covered_operations(api_name: str = "texml") -> tuple[str, ...]:
    """The operations of one of this project's contracts (for TeXML: the upstream ones the emulator serves)."""
    return tuple(operation.operation_id for operation in rest_contract(api(api_name)).operations)


@dataclass(frozen=True)
class Facet:
    """One reason a schemathesis failure happened: a failure whose 422 names two members has two."""

    operation: str  # operationId
    check: str  # schemathesis check name, e.g. status_code_conformance
    status: int | None  # status of the answer judged (None: no answer)
    pointer: str | None  # a source.pointer of the answer's errors, if it names any


@dataclass(frozen=True)
class Failure:
    operation: str
    check: str
    status: int | None
    pointers: frozenset[str]
    message: str
    request: str  # method and URL, to find it again

    def facets(self) -> tuple[Facet, ...]:
        pointers = sorted(self.pointers) or [None]
        return tuple(Facet(self.operation, self.check, self.status, pointer) for pointer in pointers)

    def describe(self) -> str:
        pointers = f" at {', '.join(sorted(self.pointers))}" if self.pointers else ""
        lines = [line.strip() for line in self.message.splitlines() if line.strip()]
        # The opening lines say what broke; a schema violation names where further down.
        summary = " | ".join(lines[:3] + [line for line in lines[3:] if line.startswith("Schema at")])
        return f"{self.operation} {self.check} ({self.status}{pointers}): {summary}; {self.request}"


@dataclass(frozen=True)
class Marker:
    """A failure an errata entry explains: every given field must match (pointers: any of them)."""

    entry: str
    check: str
    operations: frozenset[str]
    status: int
    pointers: frozenset[str] | None
    see: str | None

    def explains(self, facet: Facet) -> bool:
        return (
            facet.check == self.check
            and facet.operation in self.operations
            and facet.status == self.status
            and (self.pointers is None or facet.pointer in self.pointers)
        )

    def __str__(self) -> str:
        pointers = f" at {sorted(self.pointers)}" if self.pointers else ""
        entry = f"{self.entry} (per {self.see})" if self.see else self.entry
        return f"{entry}: {self.check} {self.status} on {sorted(self.operations)}{pointers}"


def markers(errata: dict[str, Any], operations: Iterable[str]) -> list[Marker]:
    """Every schemathesis marker of the errata; a malformed one raises ValueError naming its entry."""
    known_entries = {entry["id"] for entry in errata["errata"]}
    known_operations = set(operations)
    found = []
    for entry in errata["errata"]:
        for raw in entry.get("schemathesis", []):
            where = f"{ERRATA} {entry['id']} schemathesis marker {raw}"
            if not isinstance(raw, dict) or not {"check", "operations", "status"} <= raw.keys() <= MARKER_KEYS:
                raise ValueError(f"{where}: needs check, operations and status; may have pointers and see")
            if unknown := set(raw["operations"]) - known_operations:
                raise ValueError(f"{where}: {sorted(unknown)} are not operations this check runs")
            if raw.get("see") is not None and raw["see"] not in known_entries:
                raise ValueError(f"{where}: see names no errata entry")
            pointers = raw.get("pointers")
            found.append(
                Marker(
                    entry["id"],
                    raw["check"],
                    frozenset(raw["operations"]),
                    raw["status"],
                    None if pointers is None else frozenset(pointers),
                    raw.get("see"),
                )
            )
    return found


@dataclass(frozen=True)
class Verdict:
    unexplained: list[Failure]
    stale: list[Marker]
    explained_by: dict[Marker, int]  # marker -> facets it explains


def judge(failures: list[Failure], known: list[Marker]) -> Verdict:
    """A failure is explained when each of its facets is; a marker that explains no facet is stale."""
    used = dict.fromkeys(known, 0)
    unexplained = []
    for failure in failures:
        explained_all = True
        for facet in failure.facets():
            explaining = [marker for marker in known if marker.explains(facet)]
            for marker in explaining:
                used[marker] += 1
            explained_all = explained_all and bool(explaining)
        if not explained_all:
            unexplained.append(failure)
    return Verdict(unexplained, [marker for marker, count in used.items() if not count], used)


def _operation_ids(document: dict[str, Any]) -> dict[str, str]:
    """'METHOD /path' (schemathesis' label) -> operationId."""
    return {
        f"{method.upper()} {path}": operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _pointers(response: dict[str, Any] | None) -> frozenset[str]:
    """The source.pointer of each error entry of a JSON answer (none for other answers)."""
    content = (response or {}).get("content") or {}
    raw = base64.b64decode(content["$base64"]) if "$base64" in content else (content.get("string") or "").encode()
    try:
        errors = json.loads(raw).get("errors")
    except (ValueError, AttributeError):
        return frozenset()
    if not isinstance(errors, list):
        return frozenset()
    return frozenset(
        pointer
        for error in errors
        if isinstance(error, dict) and isinstance(source := error.get("source"), dict)
        if isinstance(pointer := source.get("pointer"), str)
    )


class RunError(RuntimeError):
    """schemathesis could not test everything it was asked to (an error is not a finding)."""


def read_report(lines: Iterable[str], labels: dict[str, str]) -> list[Failure]:
    """The distinct failures of a schemathesis NDJSON report; RunError if the run errored or was cut short."""
    failures: dict[tuple[str, str, int | None, frozenset[str], str], Failure] = {}
    finished = False
    for line in lines:
        event = json.loads(line)
        (kind, body), *_ = event.items()
        if kind in ("NonFatalError", "FatalError") or (kind == "ScenarioFinished" and body["status"] == "error"):
            raise RunError(f"schemathesis reported {kind}: {json.dumps(body)[:2000]}")
        finished = finished or kind == "EngineFinished"
        if kind != "ScenarioFinished":
            continue
        recorder = body.get("recorder") or {}
        for case_id, checks in (recorder.get("checks") or {}).items():
            interaction = (recorder.get("interactions") or {}).get(case_id) or {}
            response = interaction.get("response")
            request = interaction.get("request") or {}
            for check in checks:
                if check["status"] != "failure":
                    continue
                found = check["failure_info"]["failure"]
                failure = Failure(
                    operation=labels.get(found["operation"], found["operation"]),
                    check=check["name"],
                    status=response["status_code"] if response else None,
                    pointers=_pointers(response),
                    message=found["message"],
                    request=f"{request.get('method')} {request.get('uri')}",
                )
                key = (failure.operation, failure.check, failure.status, failure.pointers, found["title"])
                failures.setdefault(key, failure)
    if not finished:
        raise RunError("schemathesis ended without finishing its run (no EngineFinished event)")
    return list(failures.values())


def run_schemathesis(
    base_url: str,
    api_key: str,
    workdir: Path,
    *,
    operations: Iterable[str],
    seed: int = SEED,
    max_examples: int = MAX_EXAMPLES,
    spec: Path = SLICE,
    config: Path | None = None,
) -> list[Failure]:
    """``schemathesis run --checks all`` on ``spec`` for ``operations`` against ``base_url``: its distinct failures.

    ``config`` is a schemathesis.toml to read (by default none is: the run happens in ``workdir``).
    """
    report = workdir / "schemathesis.ndjson"
    command = [
        *(sys.executable, "-m", "schemathesis.cli", *(("--config-file", str(config)) if config else ())),
        *("run", str(spec), "--url", base_url),
        *("-H", f"Authorization: Bearer {api_key}", "--checks", "all"),
        *("--seed", str(seed), "--max-examples", str(max_examples), "--workers", "1"),
        # Past an operation's first failure too: an explained failure must not hide an unexplained one behind it.
        "--continue-on-failure",
        # No example database: a failure stored by an earlier run would be replayed, and the verdict would
        # depend on the history of the folder rather than on the seed.
        *("--generation-database", "none", "--report", "ndjson", "--report-ndjson-path", str(report)),
        *(option for operation in operations for option in ("--include-operation-id", operation)),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=workdir)
    # 0: nothing found; 1: failures found. Anything else is a usage error or a crash.
    if completed.returncode not in (0, 1) or not report.exists():
        raise RunError(f"schemathesis exited {completed.returncode}:\n{completed.stdout[-3000:]}{completed.stderr}")
    labels = _operation_ids(yaml.safe_load(spec.read_text(encoding="utf-8")))
    with report.open(encoding="utf-8") as lines:
        return read_report(lines, labels)


def _referenced(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(ref := node.get("$ref"), str):
            yield ref
        for value in node.values():
            yield from _referenced(value)
    elif isinstance(node, list):
        for value in node:
            yield from _referenced(value)


def _without_prose(node: Any, *, names: bool = False) -> Any:
    """``node`` without annotation keys; ``names``: its keys are names (properties), never annotations."""
    if isinstance(node, list):
        return [_without_prose(value) for value in node]
    if not isinstance(node, dict):
        return node
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if names:
            kept[key] = _without_prose(value)
        elif key in VALUE_KEYS:
            kept[key] = value  # data, copied as is even where it holds a member called description or title
        elif key == "examples":
            # A schema's examples are a list of values; a media type's, named Example Objects with prose.
            named = isinstance(value, dict)
            kept[key] = {name: {"value": example["value"]} for name, example in value.items()} if named else value
        elif key not in PROSE_KEYS and not key.startswith("x-"):
            kept[key] = _without_prose(value, names=key == "properties")
    return kept


def extract(full: dict[str, Any], operations: Iterable[str]) -> dict[str, Any]:
    """The paths holding ``operations`` (every method upstream gives them), what they reference, no prose."""
    wanted = set(operations)
    paths = {
        path: item
        for path, item in full["paths"].items()
        if any(isinstance(operation, dict) and operation.get("operationId") in wanted for operation in item.values())
    }
    requirements = full["security"] + [
        requirement
        for item in paths.values()
        for operation in item.values()
        if isinstance(operation, dict)
        for requirement in operation.get("security", [])
    ]
    schemes = sorted({name for requirement in requirements for name in requirement})
    components: dict[str, dict[str, Any]] = {
        "securitySchemes": {name: full["components"]["securitySchemes"][name] for name in schemes}
    }
    pending = list(_referenced(paths))
    while pending:
        section, name = pending.pop().removeprefix("#/components/").split("/")
        if name not in components.setdefault(section, {}):
            components[section][name] = full["components"][section][name]
            pending.extend(_referenced(components[section][name]))
    info = full["info"]
    return {
        "openapi": full["openapi"],
        "info": {
            "title": "Telnyx TeXML REST API, the operations this suite covers (prose removed)",
            "version": info["version"],
            "x-extracted-from": info["x-extracted-from"],
        },
        "servers": [{"url": server["url"]} for server in full["servers"]],
        "security": full["security"],
        "paths": _without_prose(paths),
        "components": {
            section: {name: _without_prose(entries[name]) for name in sorted(entries)}
            for section, entries in sorted(components.items())
        },
    }


EXTRACT_HEADER = (
    "# Written by `python -m tests.upstream_contract extract <full upstream slice>`; do not edit by hand.\n"
    "# The upstream paths of the operations this suite covers, with every method upstream gives them, the\n"
    "# components they reference, and no annotations (description, summary, title, tags, x-*).\n"
)


def dump(document: dict[str, Any]) -> str:
    return EXTRACT_HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.upstream_contract", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command")
    extracting = commands.add_parser("extract", help="rebuild the extract in tests/data from the full upstream slice")
    extracting.add_argument("full_slice", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES)
    args = parser.parse_args()
    operations = covered_operations()
    if args.command == "extract":
        full = yaml.safe_load(args.full_slice.read_text(encoding="utf-8"))
        SLICE.write_text(dump(extract(full, operations)), encoding="utf-8")
        print(f"wrote {SLICE}")
        return
    key = "upstream-contract-key"
    with BackgroundServer(build_app(EmulatorSettings(api_key=key))) as server, tempfile.TemporaryDirectory() as work:
        failures = run_schemathesis(
            f"{server.url}/v2", key, Path(work), operations=operations, seed=args.seed, max_examples=args.max_examples
        )
    verdict = judge(failures, markers(load(ERRATA), operations))
    for marker, count in verdict.explained_by.items():
        print(f"{'stale' if not count else f'{count:5d}'}  {marker}")
    for failure in verdict.unexplained:
        print(f"UNEXPLAINED  {failure.describe()}")
    print(
        f"{len(failures)} distinct failure(s), {len(verdict.unexplained)} unexplained, "
        f"{len(verdict.stale)} stale marker(s); seed {args.seed}, {args.max_examples} examples"
    )
    sys.exit(1 if verdict.unexplained else 0)


if __name__ == "__main__":
    main()
