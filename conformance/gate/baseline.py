"""What changed since a previous run (its summary.json): new failures, fixes, checks added or removed, coverage.

A release gate reads "what did this version of the emulator break" at a glance: the
console prints it, summary.json carries it under ``baseline``, and the HTML report
attaches it.
"""

import json
import uuid
from pathlib import Path
from typing import Any

FAILING = frozenset({"failed", "error"})
LEGACY_SEED_PREFIX = "behaviour:"
SHOWN = 20


class BaselineError(Exception):
    """The baseline file is unusable; the message says what to do."""


def load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BaselineError(f"--baseline={path}: not a readable summary.json ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("checks"), list):
        raise BaselineError(f"--baseline={path}: not a summary.json written by this suite (no 'checks' list)")
    return document


def compare(previous: dict[str, Any], current: dict[str, Any], source: str) -> dict[str, Any]:
    before = {check["id"]: check["outcome"] for check in previous["checks"]}
    after = {check["id"]: check["outcome"] for check in current["checks"]}
    common = before.keys() & after.keys()
    covered_before = _covered(previous)
    covered_after = _covered(current)
    return {
        "source": source,
        "new_failures": sorted(c for c in common if after[c] in FAILING and before[c] not in FAILING),
        "fixed": sorted(c for c in common if before[c] in FAILING and after[c] not in FAILING),
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "coverage_gained": sorted(covered_after - covered_before),
        "coverage_lost": sorted(covered_before - covered_after),
    }


def _covered(summary: dict[str, Any]) -> set[str]:
    """Ids of the facts some check covers: seed facts by their own id, contract facts by theirs.

    A summary older than the seed facts keeps one matrix, whose behaviour:<id> facts are seed facts now.
    """
    coverage = summary.get("coverage", {})
    if "facts" in coverage:
        return {fact["id"].removeprefix(LEGACY_SEED_PREFIX) for fact in coverage["facts"] if fact.get("checks")}
    return {
        fact["id"]
        for part in ("seed_facts", "contract_facts")
        for fact in coverage.get(part, {}).get("facts", [])
        if fact.get("checks")
    }


def lines(changes: dict[str, Any]) -> list[str]:
    """The change report as console lines (the first SHOWN entries of each kind)."""
    found = [f"since {changes['source']}:"]
    for key, label in (
        ("new_failures", "new failures"),
        ("fixed", "fixed"),
        ("added", "checks added"),
        ("removed", "checks removed"),
        ("coverage_gained", "facts newly covered"),
        ("coverage_lost", "facts no longer covered"),
    ):
        entries = changes[key]
        found.append(f"  {label}: {len(entries)}")
        found += [f"    {entry}" for entry in entries[:SHOWN]]
        if len(entries) > SHOWN:
            found.append(f"    ... {len(entries) - SHOWN} more in the summary JSON")
    return found


def attach(results: Path, changes: dict[str, Any]) -> None:
    """The change report as a global attachment of the Allure results (shown on the report's overview)."""
    results.mkdir(parents=True, exist_ok=True)
    source = f"{uuid.uuid4()}-attachment.txt"
    (results / source).write_text("\n".join(lines(changes)) + "\n", encoding="utf-8")
    document = {"attachments": [{"name": "Changes since baseline", "source": source, "type": "text/plain"}]}
    (results / f"{uuid.uuid4()}-globals.json").write_text(json.dumps(document), encoding="utf-8")
