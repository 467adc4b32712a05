"""What the gate adds to a run: the coverage matrix and the verdict for every check.

Prints figures; it is a measurement, not a test. Run: python benchmarks/gate_overhead.py
It collects the suite once (nothing runs), then times the gate's end-of-run work on those checks.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from conformance.gate import coverage, seed_coverage
from conformance.gate.summary import CheckResult, Summary
from conformance_specs.apis import all_apis

REPEAT = 20


def collected_checks() -> dict[str, frozenset[str]]:
    with tempfile.TemporaryDirectory() as scratch:
        summary = Path(scratch) / "summary.json"
        command = [sys.executable, "-m", "pytest", "--conformance", "--collect-only", "-q", "-p", "no:cacheprovider"]
        subprocess.run([*command, f"--summary-json={summary}"], cwd=scratch, capture_output=True, check=True)
        matrix = json.loads(summary.read_text())["coverage"]["contract_facts"]
    checks: dict[str, set[str]] = {}
    for fact in matrix["facts"]:
        for check in fact["checks"]:
            checks.setdefault(check, set()).add(fact["id"])
    return {check: frozenset(facts) for check, facts in checks.items()}


def timed(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    checks = collected_checks()
    summary = Summary()
    for check in checks:
        summary.add(CheckResult(check, "TeXML verbs", check.split("[")[0], "passed"))
    build_ms = timed(lambda: seed_coverage.build(coverage.build(all_apis(), checks.items()), checks.items()))
    verdict_ms = timed(lambda: (summary.table(), json.dumps(summary.as_json())))
    matrix = coverage.build(all_apis(), checks.items())
    print(f"checks: {len(checks)}; spec facts: {len(matrix.facts)}; uncovered: {len(matrix.uncovered)}")
    print(f"coverage build (contract matrix and seed facts): {build_ms:.1f} ms (median of {REPEAT})")
    print(f"verdict table + summary JSON: {verdict_ms:.1f} ms (median of {REPEAT})")


if __name__ == "__main__":
    main()
