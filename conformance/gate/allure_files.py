"""Run-level files for the Allure report: the environment table, the categories and the coverage matrix.

All use formats Allure reads from the results folder (environment.properties, categories.json,
and a ``*-globals.json`` naming global attachments), so the single-file report shows them.
"""

import csv
import io
import json
import uuid
from pathlib import Path

from conformance.gate.coverage import Matrix

EXAMPLES_SHOWN = 3

# The report's categories, one per outcome that needs a reader's attention (outcomes.py).
# The Allure 2 report, the one that opens without loading anything remote, matches a
# category on the status allure-pytest gives a check and its message, first match wins.
# Those follow the outcome: a broken rule is a ConformanceFailure, an AssertionError, so
# "failed" (several, grouped by Hypothesis, are "broken" and listed in the trace); any other
# exception is an error; an expected failure is skipped with "XFAIL", an unexpected pass
# passes with "XPASS", or fails with no message under --strict-expectations; any other skip
# is not applicable.
FAILURES = "Conformance failures"
UNEXPECTED_PASSES = "Unexpected passes (remove from expectations)"
ERRORS = "Infrastructure errors (suite or target broke)"
EXPECTED_FAILURES = "Expected failures (in the expectations file)"
NOT_APPLICABLE = "Not applicable (profile, capability or not supported)"
CATEGORIES = (
    {"name": UNEXPECTED_PASSES, "matchedStatuses": ["passed"], "messageRegex": "^XPASS"},
    {"name": FAILURES, "matchedStatuses": ["failed"], "messageRegex": r"^conformance\.core\.failures\."},
    # A sub-exception of a group is printed after "| " in the trace.
    {"name": FAILURES, "matchedStatuses": ["broken"], "traceRegex": r"\| conformance\.core\.failures\."},
    {"name": ERRORS, "matchedStatuses": ["broken"]},
    {"name": ERRORS, "matchedStatuses": ["failed"], "messageRegex": "."},
    {"name": UNEXPECTED_PASSES, "matchedStatuses": ["failed"]},
    {"name": EXPECTED_FAILURES, "matchedStatuses": ["skipped"], "messageRegex": "^XFAIL"},
    {"name": NOT_APPLICABLE, "matchedStatuses": ["skipped"]},
)


def write(results: Path, environment: dict[str, str], matrix: Matrix) -> None:
    results.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={_escaped(value)}" for key, value in environment.items()]
    (results / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (results / "categories.json").write_text(json.dumps(CATEGORIES, indent=1), encoding="utf-8")
    source = f"{uuid.uuid4()}-attachment.csv"
    (results / source).write_text(_matrix_csv(matrix), encoding="utf-8")
    globals_document = {"attachments": [{"name": "Coverage matrix", "source": source, "type": "text/csv"}]}
    (results / f"{uuid.uuid4()}-globals.json").write_text(json.dumps(globals_document), encoding="utf-8")


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
