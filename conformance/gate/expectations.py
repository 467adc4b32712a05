"""Expectations files: the failures an implementation is known to have, so the gate fails only on new ones.

Like web-platform-tests' expectation metadata: each entry names a check by its id,
says whether it is expected to fail or is not supported, and why.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

import conformance_specs as specs
from conformance.core.meta import family

EXPECT_FAIL = "fail"
NOT_SUPPORTED = "not-supported"
SCHEMA = "expectations.schema.yaml"
VERSION = 1


class ExpectationsError(Exception):
    """The expectations file is unusable; the message names the file and what to fix."""


@dataclass(frozen=True)
class Expectation:
    expect: str
    reason: str
    issue: str | None = None

    def describe(self) -> str:
        return self.reason if self.issue is None else f"{self.reason} ({self.issue})"


LEGACY_IDS = Path(__file__).with_name("legacy-check-ids.json")


@dataclass(frozen=True)
class Loaded:
    entries: dict[str, Expectation]
    migrated: dict[str, str]  # old-style key -> the check id it now reads as


def load(path: Path) -> Loaded:
    try:
        raw = specs.parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ExpectationsError(f"--expectations={path}: cannot read it ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ExpectationsError(f"--expectations={path}: not valid YAML: {error}") from None
    problems = specs.schema_problems(SCHEMA, raw)
    if problems:
        raise ExpectationsError(f"--expectations={path}: " + "; ".join(problems[:5]) + _format_hint())
    return _migrated(path, {check: Expectation(**entry) for check, entry in raw["checks"].items()})


def _migrated(path: Path, entries: dict[str, Expectation]) -> Loaded:
    """Keys in the pre-0.2 form (pytest node ids, ``test_texml.py::...``) and renamed check ids read as today's ids."""
    legacy = json.loads(LEGACY_IDS.read_text(encoding="utf-8"))
    migrated = {old: legacy[old] for old in entries if old in legacy}
    stale = sorted(old for old in entries if ".py::" in old and old not in legacy)
    if stale:
        raise ExpectationsError(
            f"--expectations={path}: {len(stale)} key(s) in the old node-id form name no check: "
            f"{', '.join(stale[:5])}; check ids now look like rest/InitiateTexmlCall/Timeout=121->10033 "
            "(list them with `pytest --conformance --collect-only -q`)"
        )
    return Loaded({migrated.get(check, check): entry for check, entry in entries.items()}, migrated)


def _format_hint() -> str:
    return f" (format: specs/{SCHEMA}; `--write-expectations=PATH` writes a valid file from a run)"


def unknown_checks(expected: Iterable[str], collected: set[str]) -> list[str]:
    """Entries naming a check that does not exist.

    A check of a family this run did not collect (a narrower path was given) cannot be
    told apart from a typo, so only families (rest, auth, texml...) that were collected are judged.
    """
    families = {family(check) for check in collected}
    return sorted(check for check in expected if family(check) in families and check not in collected)


def dump(entries: Mapping[str, Expectation], target: str) -> str:
    checks = {
        check: {"expect": entry.expect, "reason": entry.reason} | ({"issue": entry.issue} if entry.issue else {})
        for check, entry in sorted(entries.items())
    }
    header = (
        "# texml-conformance expectations: checks this implementation is known to fail.\n"
        "# Run the gate with --expectations=THIS_FILE; it then fails only on failures not listed here.\n"
        "# Add an issue: link to each entry, and delete entries as the implementation fixes them.\n"
    )
    body = yaml.safe_dump({"version": VERSION, "target": target, "checks": checks}, sort_keys=False, width=120)
    return header + body
