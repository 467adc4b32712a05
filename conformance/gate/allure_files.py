"""Run-level files for the Allure report: the environment table and the coverage matrix.

Both use formats Allure reads from the results folder (environment.properties, and a
``*-globals.json`` naming global attachments), so the single-file report shows them.
"""

import csv
import io
import json
import uuid
from pathlib import Path

from conformance.gate.coverage import Matrix

EXAMPLES_SHOWN = 3


def write(results: Path, environment: dict[str, str], matrix: Matrix) -> None:
    results.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={_escaped(value)}" for key, value in environment.items()]
    (results / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")
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
