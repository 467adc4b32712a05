import shutil
import subprocess
from pathlib import Path

import pytest

from conformance.gate import html_report

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def npm_tree(tmp_path_factory) -> Path:
    """A checkout's Node side, installed once per test process: the project's package.json and lock, `npm ci`."""
    tree = tmp_path_factory.mktemp("node")
    for name in html_report.TOOL_FILES:
        shutil.copyfile(ROOT / name, tree / name)
    completed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=tree, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return tree
