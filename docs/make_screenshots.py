"""Rebuild docs/report-*.png: run the suite against a target with known gaps, render the report, capture it.

The target is the reference emulator with one mutant (Gather's Digits keep the finish
key) behind a fault that cuts the connection on GET of a call, so the report shows a
conformance failure, an expected failure, an unexpected pass, a not-applicable check
and an infrastructure error. Needs Chromium (apt-get install chromium) and `npm ci` in the
checkout (for Allure and playwright-core); it uses this checkout's code and Allure.

    python docs/make_screenshots.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from conformance_emulator import EmulatorSettings, build_app  # noqa: E402
from conformance_emulator.server import BackgroundServer  # noqa: E402
from tests.mutants import MUTANTS  # noqa: E402
from tests.suite_runner import CANARY_KEY as KEY  # noqa: E402
from tests.test_gate import drops_connection_on_call_reads  # noqa: E402

MUTANT = next(mutant for mutant in MUTANTS if mutant.name == "gather Digits lose their first key")


def main() -> None:
    app = drops_connection_on_call_reads(build_app(EmulatorSettings(api_key=KEY), MUTANT.behaviour()))
    with tempfile.TemporaryDirectory() as work, BackgroundServer(app) as server:
        results, html = Path(work) / "allure-results", Path(work) / "html"
        suite = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--target-url={server.url}/v2"]
        suite += [f"--api-key={KEY}", "--fuzz-examples=5", f"--alluredir={results}"]
        suite += [f"--expectations={HERE / 'example-expectations.yaml'}", f"--summary-json={Path(work) / 's.json'}"]
        this_checkout = {**os.environ, "PYTHONPATH": str(ROOT)}  # not whichever copy of the suite is installed
        completed = subprocess.run(suite, cwd=work, capture_output=True, text=True, env=this_checkout)
        print("\n".join(completed.stdout.splitlines()[-12:]))
        report = [sys.executable, "-m", "conformance.gate.html_report", "--project-dir", ROOT]
        subprocess.run([*report, "--results", results, "--output", html], cwd=ROOT, check=True)
        subprocess.run(["node", HERE / "capture.mjs", html / "index.html", HERE], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
