"""Run the conformance suite in a subprocess, as a user would, and read its verdict."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

# A deliberately recognisable key, so tests can prove it never reaches an artifact.
CANARY_KEY = "KEY_canary_7f3a9c2e51d84b06"
SUITE_TIMEOUT_S = 300
RULE_MARKER = re.compile(r"^\s*\[([a-z_]+)\] ", re.MULTILINE)


@dataclass
class Verdict:
    returncode: int
    output: str
    failures: dict[str, str]  # test id -> failure message
    passed: int
    skipped: dict[str, str] = field(default_factory=dict)  # test id -> skip reason
    summary: dict = field(default_factory=dict)  # the suite's summary JSON, when it wrote one

    def outcomes(self) -> dict[str, str]:
        """check id -> outcome, from the summary JSON."""
        return {check["id"]: check["outcome"] for check in self.summary.get("checks", [])}

    def rules_broken(self) -> set[str]:
        """Rule names the suite reported, e.g. 'no_server_error', from its '  [rule] why' lines."""
        return {match for message in self.failures.values() for match in RULE_MARKER.findall(message)}


def run_suite(tmp_path: Path, *args: str) -> Verdict:
    junit = tmp_path / "junit.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", *args]
    env = {k: v for k, v in os.environ.items() if k != "TELNYX_API_KEY"}
    completed = subprocess.run(command, capture_output=True, text=True, timeout=SUITE_TIMEOUT_S, cwd=tmp_path, env=env)
    failures, skipped, passed = {}, {}, 0
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            problem = case.find("failure") if case.find("failure") is not None else case.find("error")
            skip = case.find("skipped")
            if skip is not None:
                skipped[f"{case.get('classname')}::{case.get('name')}"] = skip.get("message") or ""
            elif problem is None:
                passed += 1
            else:
                failures[f"{case.get('classname')}::{case.get('name')}"] = (problem.get("message") or "") + (
                    problem.text or ""
                )
    summary_path = tmp_path / "reports" / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return Verdict(completed.returncode, completed.stdout + completed.stderr, failures, passed, skipped, summary)
