"""``texml-conformance-report``: turn the suite's allure-results into one HTML file that opens from disk.

The report is made by Allure 3, a Node.js program. An installed suite carries Allure's
pinned package.json and package-lock.json and its configuration (report_tool/ next to
this module; the checkout's root files in a checkout), and installs them on first use
with ``npm ci`` into a per-user cache folder named after the lock's hash, so a suite
that pins another Allure gets its own folder and later runs need no network.
``--project-dir`` uses a checkout's own ``npm ci`` instead.

Allure 3 can exit 0 without writing anything when its configuration is wrong, so the
file is checked for; and it is checked for the analytics tag that Allure's other report
plugins add, so a report that would load something remote is never handed over.
"""

import argparse
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ALLURE_TIMEOUT_S = 300
NPM_TIMEOUT_S = 600
NODE_MAJOR = 20
TOOL_FILES = ("package.json", "package-lock.json", "allurerc.mjs")
CACHE_ENV = "TEXML_CONFORMANCE_CACHE"
INSTALLED_MARKER = ".installed"
# What a report that opens offline must not contain (Allure's analytics loader).
REMOTE_MARKERS = ("googletagmanager.com", "gtag(")
NETWORK_ERRORS = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network|proxy", re.I)


class ReportError(SystemExit):
    """A failure the user can fix; its message says how."""


def packaged_tool() -> Path:
    """The folder holding package.json, package-lock.json and allurerc.mjs for this copy of the suite."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "report_tool", here.parents[1]):  # the wheel's copy, else the checkout's root
        if all((candidate / name).is_file() for name in TOOL_FILES):
            return candidate
    raise ReportError(f"this installation of the suite lacks its report files ({', '.join(TOOL_FILES)}): reinstall it")


def allure_version(tool: Path) -> str:
    manifest = json.loads((tool / "package.json").read_text(encoding="utf-8"))
    return manifest.get("dependencies", {}).get("allure", "?")


def cache_root() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "texml-conformance"


def cached_tool_dir(tool: Path) -> Path:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((tool / name).read_bytes())
    return cache_root() / f"allure-{allure_version(tool)}-{digest.hexdigest()[:12]}"


def find_node() -> str:
    node = shutil.which("node")
    if node is None:
        raise ReportError(
            f"Node.js not found on PATH: the HTML report is made by Allure 3, which runs on Node.js. "
            f"Install Node.js {NODE_MAJOR} or later (with npm), then run this command again."
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    major = re.match(r"v?(\d+)", version)
    if major is None or int(major.group(1)) < NODE_MAJOR:
        raise ReportError(
            f"{node} is Node.js {version or '(unknown version)'}: Allure 3 needs Node.js {NODE_MAJOR} or later. "
            "Install a newer Node.js, then run this command again."
        )
    return node


_arguments: list[str] = sys.argv[1:]


def retry_command() -> str:
    return shlex.join(["texml-conformance-report", *_arguments])


def install(tool: Path) -> Path:
    """Allure in the per-user cache, installed with `npm ci` from the suite's lock on first use."""
    target = cached_tool_dir(tool)
    if not (target / INSTALLED_MARKER).is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise ReportError(
                f"npm not found on PATH: it installs Allure for the HTML report. Install Node.js {NODE_MAJOR} "
                "or later with npm, then run this command again."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".install-", dir=target.parent))
        try:
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(tool / name, staging / name)
            print(f"installing Allure {allure_version(tool)} into {target} (npm ci, once)", file=sys.stderr)
            command = [npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"]
            try:
                completed = subprocess.run(command, cwd=staging, capture_output=True, text=True, timeout=NPM_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                completed = subprocess.CompletedProcess(command, -1, "", f"npm ci did not finish in {NPM_TIMEOUT_S} s")
            if completed.returncode != 0:
                raise ReportError(_npm_failure(completed, tool))
            (staging / INSTALLED_MARKER).write_text(allure_version(tool) + "\n", encoding="utf-8")
            try:
                staging.replace(target)  # atomic: a concurrent run either sees nothing or a finished install
            except OSError:
                if not (target / INSTALLED_MARKER).is_file():  # not a concurrent run that won: a stale folder
                    shutil.rmtree(target, ignore_errors=True)
                    staging.replace(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    shutil.copyfile(tool / "allurerc.mjs", target / "allurerc.mjs")
    return target


def _npm_failure(completed: subprocess.CompletedProcess, tool: Path) -> str:
    output = (completed.stdout + completed.stderr).strip()
    registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True).stdout.strip()
    if NETWORK_ERRORS.search(output):
        cause = f"npm could not reach the npm registry ({registry or 'npm config get registry'})"
        fix = "Check the network or proxy settings (npm config get registry / https-proxy), then retry"
    else:
        cause = f"`npm ci` failed (exit {completed.returncode})"
        fix = "Fix what npm reports below, then retry"
    return (
        f"{cause} while installing Allure {allure_version(tool)} for the HTML report. {fix}:\n"
        f"    {retry_command()}\n"
        f"npm said:\n{output[-2000:]}"
    )


def checkout_tool(project_dir: Path) -> Path:
    missing = [name for name in ("package.json", "allurerc.mjs") if not (project_dir / name).is_file()]
    if missing:
        raise ReportError(
            f"--project-dir {project_dir} is not a checkout of this suite (no {', '.join(missing)}): "
            "give the checkout's folder, or leave out --project-dir to use the Allure this command installs"
        )
    if not (project_dir / "node_modules" / "allure" / "cli.js").is_file():
        raise ReportError(
            f"Allure is not installed in {project_dir}: run `npm ci` there, then retry:\n"
            f"    (cd {shlex.quote(str(project_dir))} && npm ci) && {retry_command()}\n"
            "or leave out --project-dir to use the Allure this command installs for you"
        )
    return project_dir


def build(results: Path, output: Path, project_dir: Path | None = None) -> Path:
    if not results.is_dir() or not any(results.glob("*-result.json")):
        raise ReportError(f"no Allure results in {results}: run the suite with --alluredir={results} first")
    node = find_node()
    tool = checkout_tool(project_dir) if project_dir is not None else install(packaged_tool())
    index = output / "index.html"
    index.unlink(missing_ok=True)  # so a report left by an earlier run never passes for this one
    command = [node, str(tool / "node_modules" / "allure" / "cli.js"), "generate", str(results), "-o", str(output)]
    command += ["--config", str(tool / "allurerc.mjs")]
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true"}
    completed = subprocess.run(command, cwd=tool, env=env, capture_output=True, text=True, timeout=ALLURE_TIMEOUT_S)
    if completed.returncode != 0 or not index.is_file():
        raise ReportError(
            f"Allure did not write {index} (exit {completed.returncode}), with the configuration "
            f"{tool / 'allurerc.mjs'}.\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
        )
    html = index.read_text(encoding="utf-8", errors="replace")
    remote = [marker for marker in REMOTE_MARKERS if marker in html]
    if remote:
        raise ReportError(
            f"{index} would load analytics when opened ({', '.join(remote)}): the Allure configuration "
            f"{tool / 'allurerc.mjs'} must use the allure2 plugin with ALLURE_NO_ANALYTICS=true"
        )
    return index


def parser() -> argparse.ArgumentParser:
    described = argparse.ArgumentParser(
        prog="texml-conformance-report",
        description="Turn the allure-results a conformance run wrote (pytest --alluredir=...) into one "
        "index.html that opens from disk and loads nothing from the network.",
        epilog=f"Needs Node.js {NODE_MAJOR} or later. On first use it installs the Allure version this suite pins "
        f"with `npm ci` into {cache_root()} (set {CACHE_ENV} to choose another folder), which needs the npm "
        "registry; later runs need no network.",
    )
    described.add_argument(
        "--results",
        type=Path,
        default=Path("reports/allure-results"),
        metavar="DIR",
        help="folder of Allure results to read (default: %(default)s)",
    )
    described.add_argument(
        "--output",
        type=Path,
        default=Path("reports/html"),
        metavar="DIR",
        help="folder to write the report's index.html into (default: %(default)s)",
    )
    described.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="a checkout of this suite in which `npm ci` was run: use its Allure and allurerc.mjs instead of "
        "the copy installed in the cache folder below (default: the cache folder's copy)",
    )
    return described


def main(argv: list[str] | None = None) -> None:
    global _arguments
    _arguments = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(_arguments)
    project_dir = args.project_dir.resolve() if args.project_dir is not None else None
    index = build(args.results.resolve(), args.output.resolve(), project_dir)
    print(f"HTML report: {index} ({index.stat().st_size // 1024} KiB, opens from disk)")


if __name__ == "__main__":
    sys.exit(main())
