"""``texml-conformance-report``: turn allure-results into one HTML file that opens from disk.

Allure 3 can exit 0 without writing anything when its configuration is wrong,
so the file is checked for, and its absence is an error that says what to do.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ALLURE_TIMEOUT_S = 300


def build(results: Path, output: Path, project_dir: Path) -> Path:
    if not results.is_dir() or not any(results.glob("*-result.json")):
        raise SystemExit(f"no Allure results in {results}: run the suite with --alluredir={results} first")
    npx = shutil.which("npx")
    if npx is None:
        raise SystemExit("npx not found: install Node.js, then `npm ci` in the project directory")
    command = [npx, "--no-install", "allure", "generate", str(results), "-o", str(output)]
    completed = subprocess.run(command, cwd=project_dir, capture_output=True, text=True, timeout=ALLURE_TIMEOUT_S)
    index = output / "index.html"
    if completed.returncode != 0 or not index.is_file():
        raise SystemExit(
            f"Allure did not write {index} (exit {completed.returncode}). Run `npm ci` in {project_dir} "
            f"and check allurerc.mjs.\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
        )
    return index


def main() -> None:
    parser = argparse.ArgumentParser(prog="texml-conformance-report", description=__doc__)
    parser.add_argument("--results", type=Path, default=Path("reports/allure-results"))
    parser.add_argument("--output", type=Path, default=Path("reports/html"))
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="where package.json and allurerc.mjs are")
    args = parser.parse_args()
    index = build(args.results.resolve(), args.output.resolve(), args.project_dir.resolve())
    print(f"HTML report: {index} ({index.stat().st_size // 1024} KiB, opens from disk)")


if __name__ == "__main__":
    sys.exit(main())
