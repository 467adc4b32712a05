"""Run-level files for the Allure report: each check's status, the environment table, the categories
and the coverage: the seed facts (the headline, also summed up in the environment table) and,
apart, the contract matrix.

All use formats Allure reads from the results folder (environment.properties, categories.json,
and a ``*-globals.json`` naming global attachments), so the single-file report shows them.
"""

import csv
import io
import json
import uuid
from pathlib import Path

from conformance.gate.coverage import Matrix
from conformance.gate.coverage_text import coverage_lines, percent
from conformance.gate.outcomes import ERROR, EXPECTED_FAILURE, FAILED, NOT_APPLICABLE, PASSED, UNEXPECTED_PASS
from conformance.gate.seed_coverage import SeedCoverage

EXAMPLES_SHOWN = 3

# Allure's header rate is passed / (passed + failed + broken), skipped left out. Each check
# gets the status of its outcome so that rate is the console's "conformant": an expected
# failure still breaks its rule (failed), an unexpected pass keeps it (passed), an error is
# broken and only a check that was not applicable is left out.
ALLURE_STATUS = {
    PASSED: "passed",
    FAILED: "failed",
    EXPECTED_FAILURE: "failed",
    UNEXPECTED_PASS: "passed",
    NOT_APPLICABLE: "skipped",
    ERROR: "broken",
}
# Messages that mark the two outcomes an expectations file decides; pytest writes them for
# xfail and xpass, except under --strict-expectations, where the unexpected pass has none.
MARKS = {EXPECTED_FAILURE: "XFAIL", UNEXPECTED_PASS: "XPASS"}

# The report's categories, one per outcome that needs a reader's attention; the Allure 2
# report matches a category on status and message, first match wins.
FAILURES = "Conformance failures"
UNEXPECTED_PASSES = "Unexpected passes (remove from expectations)"
ERRORS = "Infrastructure errors (suite or target broke)"
EXPECTED_FAILURES = "Expected failures (in the expectations file)"
NOT_APPLICABLE_CHECKS = "Not applicable (profile, capability or not supported)"
CATEGORIES = (
    {"name": UNEXPECTED_PASSES, "matchedStatuses": ["passed"], "messageRegex": "^XPASS"},
    {"name": EXPECTED_FAILURES, "matchedStatuses": ["failed"], "messageRegex": "^XFAIL"},
    {"name": FAILURES, "matchedStatuses": ["failed"]},
    {"name": ERRORS, "matchedStatuses": ["broken"]},
    {"name": NOT_APPLICABLE_CHECKS, "matchedStatuses": ["skipped"]},
)


def align_statuses(results: Path) -> None:
    """Rewrite each check's Allure status from the outcome the gate labelled it with."""
    for path in results.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        outcomes = [label["value"] for label in result.get("labels", ()) if label["name"] == "outcome"]
        if not outcomes:
            continue
        outcome = outcomes[-1]  # a later phase (an error in tear-down) overrides an earlier one
        result["status"] = ALLURE_STATUS[outcome]
        details = result.setdefault("statusDetails", {})
        mark = MARKS.get(outcome)
        if mark and not details.get("message", "").startswith(mark):
            details["message"] = f"{mark} {details.get('message', '')}".rstrip()
        path.write_text(json.dumps(result), encoding="utf-8")


def write(results: Path, environment: dict[str, str], matrix: Matrix, seeds: SeedCoverage) -> None:
    results.mkdir(parents=True, exist_ok=True)
    align_statuses(results)
    totals = seeds.totals()
    # Second, after the target: the overview shows the first few entries only.
    headline = f"{totals['checked']}/{totals['total']} ({percent(totals['checked'], totals['total'])})"
    target, *rest = environment.items()
    environment = dict([target, ("seed_facts_proven", headline), *rest])
    lines = [f"{key}={_escaped(value)}" for key, value in environment.items()]
    (results / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (results / "categories.json").write_text(json.dumps(CATEGORIES, indent=1), encoding="utf-8")
    attachments = [
        _attachment(
            results,
            "Coverage (seed facts, then contract facts)",
            "txt",
            "text/plain",
            "\n".join(coverage_lines(seeds, matrix)) + "\n",
        ),
        _attachment(results, "Seed facts and the checks proving them", "csv", "text/csv", _seed_csv(seeds)),
        _attachment(results, "Contract facts (counted apart)", "csv", "text/csv", _matrix_csv(matrix)),
    ]
    globals_document = {"attachments": attachments}
    (results / f"{uuid.uuid4()}-globals.json").write_text(json.dumps(globals_document), encoding="utf-8")


def _attachment(results: Path, name: str, extension: str, media_type: str, text: str) -> dict[str, str]:
    source = f"{uuid.uuid4()}-attachment.{extension}"
    (results / source).write_text(text, encoding="utf-8")
    return {"name": name, "source": source, "type": media_type}


def _seed_csv(seeds: SeedCoverage) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["seed", "subject", "kind", "fact", "says", "where", "checks proving it", "some of them", "why not"]
    )
    for fact in seeds.facts:
        checks = seeds.proving.get(fact.id, ())
        why = f"{fact.unchecked.reason}: {fact.unchecked.why}" if fact.unchecked and not checks else ""
        shown = "; ".join(checks[:EXAMPLES_SHOWN]) if checks else "UNCHECKED"
        writer.writerow([fact.seed, fact.subject, fact.kind, fact.id, fact.says, fact.where, len(checks), shown, why])
    return out.getvalue()


def _matrix_csv(matrix: Matrix) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "fact", "detail", "checks covering it", "some of them"])
    for fact in matrix.facts:
        checks = matrix.covering.get(fact.id, ())
        shown = "; ".join(checks[:EXAMPLES_SHOWN]) if checks else "UNCOVERED"
        writer.writerow([fact.kind, fact.id, fact.detail, len(checks), shown])
    return out.getvalue()


def _escaped(value: str) -> str:
    # .properties treats backslash, ':' and '=' specially.
    return value.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=")
