"""The HTML report: built from real results, it opens from disk with no network request, and shows the
categories, the environment and the coverage (seed facts, contract facts); its command says what to do
when it cannot run.

The report tests need Node.js (npm) and Chromium (/usr/bin/chromium or $CHROMIUM), and skip without them.
"""

import base64
import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conformance.gate import allure_files, html_report
from conformance.gate.summary import conformance_percent
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from tests.mutants import MUTANTS
from tests.suite_runner import CANARY_KEY, run_suite_in_process
from tests.test_gate import drops_connection_on_call_reads

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
MUTANT = next(mutant for mutant in MUTANTS if mutant.name == "gather Digits lose their first key")
# One check for each outcome against MUTANT behind a connection that dies on GET of a call.
CHECKS = {
    "texml/gather/finish-on-key-not-in-digits": "failed",
    "texml/gather/finish-on-key-star": "expected failure",
    "texml/say/defaults": "unexpected pass",
    "texml/record/defaults": "not applicable",
    "calls/GetTexmlCall/created-call-is-retrievable": "error",
}
EXPECTATIONS = {
    "texml/gather/finish-on-key-star": {"expect": "fail", "reason": "Digits lose their first key"},
    "texml/say/defaults": {"expect": "fail", "reason": "fixed since"},
    "texml/record/defaults": {"expect": "not-supported", "reason": "no Record yet"},
}
# Under --strict-expectations an unexpected pass fails, with no message: a category of its own too.
STRICT_CHECK = "texml/pause/default-length"
CATEGORY = {
    "failed": allure_files.FAILURES,
    "unexpected pass": allure_files.UNEXPECTED_PASSES,
    "error": allure_files.ERRORS,
    "expected failure": allure_files.EXPECTED_FAILURES,
    "not applicable": allure_files.NOT_APPLICABLE_CHECKS,
}
RUN_LEVEL_FILES = re.compile(r"environment\.properties|categories\.json|.*-globals\.json")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Opens the report from disk, logs every request the page makes, and reads what two pages show.
PROBE = """
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
const [report, executablePath, flags] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath, args: JSON.parse(flags) });
const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
const requests = [];
page.on("request", (request) => requests.push(request.url()));
const shown = {};
const href = pathToFileURL(report).href;
for (const [name, hash, text] of [["overview", "", "Environment"], ["categories", "#categories", "Conformance"]]) {
  await page.goto(href + hash, { waitUntil: "load" });
  await page.getByText(text).first().waitFor({ timeout: 30000 });
  await page.waitForTimeout(1000);
  shown[name] = await page.innerText("body");
}
await browser.close();
console.log(JSON.stringify({ requests: requests.map((url) => url.slice(0, 200)), shown }));
"""

needs_node = pytest.mark.skipif(shutil.which("npm") is None, reason="needs Node.js with npm (Allure 3 runs on it)")
needs_browser = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
)


@pytest.fixture(scope="module")
def node_tree(npm_tree) -> Path:
    """The checkout's Node side (Allure and playwright-core), with the probe beside it."""
    (npm_tree / "probe.mjs").write_text(PROBE, encoding="utf-8")
    return npm_tree


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    """Allure results of a run with every outcome, as the suite writes them."""
    work = tmp_path_factory.mktemp("run")
    expectations = work / "expectations.yaml"
    expectations.write_text(yaml.safe_dump({"version": 1, "checks": EXPECTATIONS}), encoding="utf-8")
    strict_expectations = work / "strict.yaml"
    strict_expectations.write_text(
        yaml.safe_dump({"version": 1, "checks": {STRICT_CHECK: {"expect": "fail", "reason": "fixed since"}}}),
        encoding="utf-8",
    )
    allure, strict = work / "allure-results", work / "strict-results"
    app = drops_connection_on_call_reads(build_app(EmulatorSettings(api_key=CANARY_KEY), MUTANT.behaviour()))
    with BackgroundServer(app) as server:
        target = (f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}")
        selected = " or ".join(CHECKS)
        verdict = run_suite_in_process(
            work, *target, "-k", selected, f"--expectations={expectations}", f"--alluredir={allure}"
        )
        strict_verdict = run_suite_in_process(
            work,
            *target,
            "-k",
            STRICT_CHECK,
            f"--expectations={strict_expectations}",
            "--strict-expectations",
            f"--alluredir={strict}",
        )
    assert verdict.outcomes() == CHECKS, verdict.output[-3000:]
    assert strict_verdict.outcomes() == {STRICT_CHECK: "unexpected pass"}, strict_verdict.output[-3000:]
    for path in strict.iterdir():  # one report of both runs; the first run's environment and matrix
        if not RUN_LEVEL_FILES.fullmatch(path.name):
            shutil.copyfile(path, allure / path.name)
    return allure


def test_results_name_checks_by_package_and_close_every_fixture_step(results):
    """No install path in full names, no tear-down step without a status (a "?" in the report)."""
    for path in results.glob("*-result.json"):
        assert json.loads(path.read_text())["fullName"].startswith("conformance.checks.test_"), path
    for path in results.glob("*-container.json"):
        container = json.loads(path.read_text())
        steps = container.get("befores", []) + container.get("afters", [])
        assert all(step.get("status") for step in steps), (path, steps)


def embedded(index: Path) -> dict[str, bytes]:
    """The single-file report's data files: d("name", "base64") calls in index.html."""
    html = index.read_text(encoding="utf-8")
    return {name: base64.b64decode(value) for name, value in re.findall(r'd\("([^"]+)","([^"]*)"\)', html)}


@needs_node
@needs_browser
def test_the_report_opens_from_disk_without_any_network_request_and_shows_categories_environment_matrix(
    node_tree, results, tmp_path
):
    index = html_report.build(results, tmp_path / "html", project_dir=node_tree)

    probe = ["node", str(node_tree / "probe.mjs"), str(index), CHROMIUM, json.dumps(CHROMIUM_FLAGS)]
    completed = subprocess.run(probe, cwd=node_tree, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr[-3000:]
    seen = json.loads(completed.stdout.strip().splitlines()[-1])
    assert seen["requests"], "the probe saw no request at all: it did not watch the page"
    remote = [url for url in seen["requests"] if not url.startswith(("file:", "data:"))]
    assert remote == [], f"the report made network requests when opened: {remote}"
    assert "suite_version" in seen["shown"]["overview"] and "seed" in seen["shown"]["overview"]
    for name in CATEGORY.values():
        assert name in seen["shown"]["categories"], seen["shown"]["categories"][:2000]

    data = embedded(index)
    categories = {}
    for name, content in data.items():
        if name.startswith("data/test-cases/"):
            case = json.loads(content)
            outcome = next(label["value"] for label in case["labels"] if label["name"] == "outcome")
            categories[outcome] = [category["name"] for category in case["extra"]["categories"]]
    assert categories == {outcome: [name] for outcome, name in CATEGORY.items()}

    # One "conformant": the percentage the report's header shows is the one the console prints.
    outcomes = Counter(CHECKS.values()) + Counter(["unexpected pass"])  # the strict run's check
    header = re.search(r"(\d+(?:\.\d+)?)%", seen["shown"]["overview"])
    assert header and float(header.group(1)) == conformance_percent(outcomes), seen["shown"]["overview"][:500]

    environment = {item["name"]: item["values"] for item in json.loads(data["widgets/environment.json"])}
    assert {"target", "suite_version", "seed", "profile", "capabilities", "seed_facts_proven"} <= environment.keys()
    assert CANARY_KEY not in index.read_text(encoding="utf-8")
    summed_up, seed_facts, contract = json.loads(data["widgets/globals.json"])["attachments"]
    assert data[f"data/attachments/{summed_up['source']}"].decode().startswith("seed facts: ")
    assert seed_facts["type"] == contract["type"] == "text/csv"
    assert data[f"data/attachments/{seed_facts['source']}"].decode().startswith("seed,subject,kind,fact")
    assert data[f"data/attachments/{contract['source']}"].decode().startswith("kind,fact,detail")


@needs_node
def test_an_installed_suite_installs_its_pinned_allure_once_into_the_cache(results, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(html_report.CACHE_ENV, str(tmp_path / "cache"))
    tool = html_report.packaged_tool()
    html_report.main(["--results", str(results), "--output", str(tmp_path / "first")])
    first = capsys.readouterr()
    html_report.main(["--results", str(results), "--output", str(tmp_path / "second")])
    second = capsys.readouterr()

    installed = html_report.cached_tool_dir(tool)
    assert f"installing Allure {html_report.allure_version(tool)} into {installed}" in first.err
    assert "installing" not in second.err
    assert (tmp_path / "second" / "index.html").is_file() and "HTML report:" in second.out
    assert not (installed / "node_modules" / "playwright-core").exists()  # only what the report needs


def test_without_node_the_command_says_to_install_node_20(results, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SystemExit, match=r"Node\.js not found on PATH.*Install Node\.js 20 or later"):
        html_report.build(results, tmp_path / "html")


@needs_node
def test_an_unreachable_npm_registry_is_named_with_the_command_to_retry(results, tmp_path, monkeypatch):
    monkeypatch.setenv(html_report.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")  # nothing listens on the discard port
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))  # so npm cannot answer from its cache
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    with pytest.raises(SystemExit) as refused:
        html_report.main(["--results", str(results), "--output", str(tmp_path / "html")])
    message = str(refused.value)
    assert "npm could not reach the npm registry (http://127.0.0.1:9/)" in message, message
    assert f"texml-conformance-report --results {results} --output {tmp_path / 'html'}" in message
    assert not html_report.cached_tool_dir(html_report.packaged_tool()).exists()  # nothing half-installed is kept


def test_a_project_dir_without_npm_ci_says_to_run_it_there(results, tmp_path):
    for name in html_report.TOOL_FILES:
        shutil.copyfile(ROOT / name, tmp_path / name)
    if shutil.which("node") is None:
        pytest.skip("needs Node.js: the command checks for it first")
    with pytest.raises(SystemExit, match=r"Allure is not installed in .*: run `npm ci` there"):
        html_report.build(results, tmp_path / "html", project_dir=tmp_path)


def test_help_gives_each_option_its_meaning_and_default():
    text = " ".join(html_report.parser().format_help().split())
    assert "(default: reports/allure-results)" in text and "(default: reports/html)" in text
    assert "--project-dir DIR" in text and "Node.js 20 or later" in text
    assert "Allure 3 can exit 0" not in text  # implementation notes stay in the module's docstring
