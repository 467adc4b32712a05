"""Run the conformance suite in a subprocess, as a user would, and read its verdict."""

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# A deliberately recognisable key, so tests can prove it never reaches an artifact.
CANARY_KEY = "KEY_canary_7f3a9c2e51d84b06"
SUITE_TIMEOUT_S = 300
BASE_ARGS = ("-q", "-p", "no:cacheprovider", "-o", "addopts=")
PROJECT_ROOT = Path(__file__).resolve().parents[1]
RULE_MARKER = re.compile(r"^\s*\[([a-z_]+)\] ", re.MULTILINE)


@dataclass
class Verdict:
    returncode: int
    output: str
    failures: dict[str, str]  # check id -> failure message
    passed: int
    skipped: dict[str, str] = field(default_factory=dict)  # check id -> skip reason
    summary: dict = field(default_factory=dict)  # the suite's summary JSON, when it wrote one

    def outcomes(self) -> dict[str, str]:
        """check id -> outcome, from the summary JSON."""
        return {check["id"]: check["outcome"] for check in self.summary.get("checks", [])}

    def rules_broken(self) -> set[str]:
        """Rule names the suite reported, e.g. 'no_server_error', from its '  [rule] why' lines."""
        return set().union(*self.rules_by_check().values())

    def rules_by_check(self) -> dict[str, set[str]]:
        """check id -> the rules its failure names."""
        return {check: set(RULE_MARKER.findall(message)) for check, message in self.failures.items()}


def run_suite(tmp_path: Path, *args: str) -> Verdict:
    """The suite in a subprocess, exactly as a user runs it."""
    junit = tmp_path / "junit.xml"
    command = [sys.executable, "-m", "pytest", *BASE_ARGS, f"--junitxml={junit}", *args]
    env = {k: v for k, v in os.environ.items() if k != "TELNYX_API_KEY"}
    # The suite under test is this checkout's, not whichever one the interpreter has installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT_ROOT), env.get("PYTHONPATH"))))
    completed = subprocess.run(command, capture_output=True, text=True, timeout=SUITE_TIMEOUT_S, cwd=tmp_path, env=env)
    return _verdict(tmp_path, completed.returncode, completed.stdout + completed.stderr)


def run_suite_in_process(tmp_path: Path, *args: str) -> Verdict:
    """The suite run by pytest.main in this process: the same plugin, options and verdict files, no interpreter start.

    Safe because the suite keeps no state between sessions: every option and scenario
    travels through the session's config, and checks are parametrized per session.
    """
    junit = tmp_path / "junit.xml"
    output = io.StringIO()
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            returncode = int(pytest.main([*BASE_ARGS, "-p", "no:xdist", f"--junitxml={junit}", *args]))
    finally:
        os.chdir(previous)
    return _verdict(tmp_path, returncode, output.getvalue())


def _verdict(tmp_path: Path, returncode: int, output: str) -> Verdict:
    junit = tmp_path / "junit.xml"
    failures, skipped, passed = {}, {}, 0
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            problem = case.find("failure") if case.find("failure") is not None else case.find("error")
            skip = case.find("skipped")
            if skip is not None:
                skipped[case.get("name")] = skip.get("message") or ""
            elif problem is None:
                passed += 1
            else:
                failures[case.get("name")] = (problem.get("message") or "") + (problem.text or "")
    summary_path = tmp_path / "reports" / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return Verdict(returncode, output, failures, passed, skipped, summary)
