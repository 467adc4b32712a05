"""The release gate: expectations applied to each check, outcomes tallied, the verdict printed and written.

Registered by the plugin as one object per session, so its state never outlives the run.
Under pytest-xdist the controller tallies the reports its workers send; the facts each
worker collected and the capabilities it discovered come back in ``workeroutput``.
"""

import json
import re
from pathlib import Path
from typing import Any

import allure
import pytest
from _pytest import junitxml
from _pytest.compat import NOTSET

from conformance import __version__
from conformance.core.meta import PROFILES, CheckMeta, check_id, is_check, meta_of
from conformance.gate import allure_files, baseline, coverage, seed_coverage
from conformance.gate.coverage_text import coverage_lines
from conformance.gate.expectations import EXPECT_FAIL, NOT_SUPPORTED, Expectation, dump, unknown_checks
from conformance.gate.outcomes import EXPECTED_FAILURE, FAILED, NOT_APPLICABLE, UNEXPECTED_PASS, decide
from conformance.gate.reporting import FOLLOWS
from conformance.gate.summary import CheckResult, Summary
from conformance.options import RunOptions
from conformance_specs.apis import all_apis

CHECK_ID = pytest.StashKey[str]()
RULE_LINE = re.compile(r"^\s*(\[[a-z_]+\] .*)$", re.MULTILINE)
DETAIL_CHARS = 300
LISTED = 20  # results named under the verdict; the summary JSON has all


class Gate:
    def __init__(self, options: RunOptions, expectations: dict[str, Expectation], target_label: str) -> None:
        self.options = options
        self.expectations = expectations
        self.target_label = target_label
        self.summary = Summary()
        self.check_facts: dict[str, frozenset[str]] = {}
        self.capabilities: list[str] | None = None
        self.matrix: coverage.Matrix | None = None  # built once, at session finish
        self.seed_coverage: seed_coverage.SeedCoverage | None = None  # likewise
        self.config: pytest.Config | None = None
        self.baseline = baseline.load(options.baseline) if options.baseline else None
        self.changes: dict[str, Any] | None = None
        self.target_apis: frozenset[str] | None = None  # known once the target is opened (not in --collect-only)

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    # Collection: metadata, profile and not-supported checks, expectations naming no check.
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        placeholders = [item for item in items if is_check(item) and _stands_for_no_check(item)]
        if placeholders:  # a kind of check with nothing to check on this run (no API of its kind)
            config.hook.pytest_deselected(items=placeholders)
            items[:] = [item for item in items if item not in placeholders]
        for item in filter(is_check, items):
            self._prepare(item, meta_of(item))
        if not hasattr(config, "workerinput"):
            self._refuse_unknown_checks(set(self.check_facts))
        if self.options.checks:
            self._select(config, items)

    def _select(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        wanted = set(self.options.checks)
        unknown = sorted(wanted - set(self.check_facts))
        if unknown:
            raise pytest.UsageError(f"texml-conformance: --check names no check: {', '.join(unknown)}")
        keep, drop = [], []
        for item in items:
            (keep if item.stash.get(CHECK_ID, None) in wanted else drop).append(item)
        config.hook.pytest_deselected(items=drop)
        items[:] = keep

    def _prepare(self, item: pytest.Item, meta: CheckMeta) -> None:
        check = check_id(item.nodeid)
        if check in self.check_facts:
            raise pytest.UsageError(f"texml-conformance: two checks share the id {check!r} (a suite bug: report it)")
        item.stash[CHECK_ID] = check
        self.check_facts[check] = meta.facts
        item.user_properties += [("check", check), ("area", meta.area), ("subject", meta.subject)]
        if meta.area not in PROFILES[self.options.profile]:
            item.add_marker(pytest.mark.skip(reason=f"not applicable: outside --profile={self.options.profile}"))
        if self.target_apis is not None and meta.api not in self.target_apis:
            reason = f"not applicable: the target does not serve the {meta.api} API (its presence request failed)"
            item.add_marker(pytest.mark.skip(reason=reason))
        expectation = self.expectations.get(check)
        if expectation is not None and expectation.expect == NOT_SUPPORTED:
            reason = f"not applicable: not supported by the target ({expectation.describe()})"
            item.add_marker(pytest.mark.skip(reason=reason))

    def _refuse_unknown_checks(self, collected: set[str]) -> None:
        unknown = unknown_checks(self.expectations, collected)
        if unknown:
            shown = "\n  ".join(unknown[:10])
            raise pytest.UsageError(
                f"texml-conformance: --expectations={self.options.expectations} names {len(unknown)} "
                f"check(s) that do not exist:\n  {shown}\n"
                "Check ids are printed in the summary JSON and by `pytest --collect-only -q`."
            )

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self._refuse_unknown_checks({check_id(nodeid) for nodeid in ids})

    # Running: each phase's report gets the check's outcome.
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        report = yield
        check = item.stash.get(CHECK_ID, None)
        if check is None:
            return report
        if report.when == "setup":
            _label(item)
        expectation = self.expectations.get(check)
        expected_fail = expectation if expectation is not None and expectation.expect == EXPECT_FAIL else None
        outcome = decide(report, call, expected_fail, self.options.strict_expectations)
        if outcome is not None:
            detail = _detail(report, call) or _follows(item)
            properties = [("outcome", outcome), ("detail", detail)]
            item.user_properties += properties
            report.user_properties += properties
            allure.dynamic.label("outcome", outcome)
        if outcome == FAILED and call.excinfo is not None:
            # A broken rule reads in one screen: its message (rules, diff, curl, rerun), not the suite's frames.
            report.longrepr = _failure_text(call.excinfo.value)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)  # later entries win: the last outcome decided
        if report.when == "setup" and "check" in properties:
            junit = self.config.stash.get(junitxml.xml_key, None) if self.config else None
            _name_in_junit(junit, report, properties["check"], properties["area"])
        if report.when != "teardown":
            return
        if "check" in properties and "outcome" in properties:
            self.summary.add(
                CheckResult(
                    properties["check"],
                    properties["area"],
                    properties["subject"],
                    properties["outcome"],
                    properties.get("detail", ""),
                )
            )

    # The end: workers hand over what only they saw; the controller reports.
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        config = session.config
        if hasattr(config, "workerinput"):
            config.workeroutput["check_facts"] = {check: sorted(facts) for check, facts in self.check_facts.items()}
            config.workeroutput["capabilities"] = self.capabilities
            return
        if not self.check_facts:
            return
        self.matrix = coverage.build(all_apis(), self.check_facts.items())
        self.seed_coverage = seed_coverage.build(self.matrix, self.check_facts.items())
        document = self._summary_document(self.matrix, self.seed_coverage)
        if self.baseline is not None:
            self.changes = baseline.compare(self.baseline, document, str(self.options.baseline))
            document["baseline"] = self.changes
        self._write_summary(document)
        if self.options.write_expectations is not None and self.summary.results:
            self._write_expectations()
        results_dir = config.getoption("allure_report_dir", None)
        if results_dir:
            allure_files.write(Path(results_dir), self._environment(), self.matrix, self.seed_coverage)
            if self.changes is not None:
                baseline.attach(Path(results_dir), self.changes)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {})
        for check, facts in output.get("check_facts", {}).items():
            self.check_facts[check] = frozenset(facts)
        self.capabilities = self.capabilities or output.get("capabilities")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        # pytest_sessionfinish ran first and built the matrix (never on a worker).
        if not self.summary.results or self.matrix is None or self.seed_coverage is None:
            return
        write = terminalreporter.write_line
        terminalreporter.section("texml-conformance verdict")
        for line in self.summary.table():
            write(line)
        for line in coverage_lines(self.seed_coverage, self.matrix):
            write(line)
        unexpected = self.summary.unexpected(self.options.strict_expectations)
        write(
            f"gate {'FAILS' if unexpected else 'passes'}: {len(unexpected)} unexpected result(s); "
            f"seed {self.options.seed}; summary and coverage matrix in {self.options.summary_json}"
        )
        for result in unexpected[:LISTED]:
            write(f"  {result.outcome}: {result.check}  {result.detail}")
        fixed = [r for r in self.summary.results.values() if r.outcome == UNEXPECTED_PASS]
        if fixed and not self.options.strict_expectations:
            write(f"{len(fixed)} unexpected pass(es): fixed? remove them from {self.options.expectations}")
            for result in fixed[:LISTED]:
                write(f"  {result.check}")
        if self.options.write_expectations is not None:
            write(f"expectations written to {self.options.write_expectations}")
        if self.changes is not None:
            for line in baseline.lines(self.changes):
                write(line)

    def note_capabilities(self, names: list[str]) -> None:
        self.capabilities = names

    def _environment(self) -> dict[str, str]:
        capabilities = self.capabilities
        return {
            "target": self.target_label,
            "suite_version": __version__,
            "seed": str(self.options.seed),
            "profile": self.options.profile,
            "capabilities": "not discovered" if capabilities is None else (", ".join(capabilities) or "none"),
            "expectations": str(self.options.expectations or "none"),
            "strict_expectations": str(self.options.strict_expectations).lower(),
        }

    def _summary_document(self, matrix: coverage.Matrix, seeds: seed_coverage.SeedCoverage) -> dict[str, Any]:
        unexpected = self.summary.unexpected(self.options.strict_expectations)
        return {
            "suite": "texml-conformance",
            "environment": self._environment(),
            "gate": {"passed": not unexpected, "unexpected": sorted(result.check for result in unexpected)},
            **self.summary.as_json(),
            "coverage": {"seed_facts": seeds.as_json(), "contract_facts": matrix.as_json()},
        }

    def _write_summary(self, document: dict[str, Any]) -> None:
        path = self.options.summary_json
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    def _write_expectations(self) -> None:
        """Failures become expected failures; still-expected and not-supported entries stay; fixed ones go."""
        entries = {}
        for result in self.summary.results.values():
            kept = self.expectations.get(result.check)
            if result.outcome == FAILED:
                entries[result.check] = Expectation(EXPECT_FAIL, result.detail or "fails")
            elif kept is not None and result.outcome in (EXPECTED_FAILURE, NOT_APPLICABLE):
                entries[result.check] = kept
        path = self.options.write_expectations
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(entries, self.target_label), encoding="utf-8")


def _failure_text(error: BaseException) -> str:
    """The messages of the broken rules (Hypothesis may group several distinct failures)."""
    if isinstance(error, BaseExceptionGroup):
        return "\n\n".join(_failure_text(inner) for inner in error.exceptions)
    return str(error)


def _stands_for_no_check(item: pytest.Item) -> bool:
    """pytest's stand-in for a parametrization that produced nothing."""
    callspec = getattr(item, "callspec", None)
    return callspec is not None and NOTSET in callspec.params.values()


def _name_in_junit(junit: Any, report: pytest.TestReport, check: str, area: str) -> None:
    """JUnit names the testcase by its check id, classed by its spec area, like every other output.

    pytest keeps attributes added to a testcase over its own, so they hold for every phase.
    """
    if junit is not None:
        reporter = junit.node_reporter(report)
        reporter.add_attribute("classname", f"texml-conformance.{area}")
        reporter.add_attribute("name", check)


def _label(item: pytest.Item) -> None:
    """Place the check in the report's hierarchy: area (epic) > subject (feature) > rule (story)."""
    properties = dict(item.user_properties)
    allure.dynamic.epic(properties["area"])
    allure.dynamic.feature(properties["subject"])
    allure.dynamic.label("check", properties["check"])
    # Allure tells results apart by name and parameters; generated checks share a name.
    allure.dynamic.parameter("check", properties["check"], mode=allure.parameter_mode.HIDDEN)


def _follows(item: pytest.Item) -> str:
    """Which documented behaviours a passing check saw the target follow, where the sources disagree."""
    return "; ".join(value for key, value in item.user_properties if key == FOLLOWS)[:DETAIL_CHARS]


def _detail(report: pytest.TestReport, call: pytest.CallInfo) -> str:
    """One line saying why: the expectation, the skip reason, the first broken rule, or the error."""
    if hasattr(report, "wasxfail"):
        return str(report.wasxfail)[:DETAIL_CHARS]
    if isinstance(report.longrepr, str):  # a strict unexpected pass
        return report.longrepr[:DETAIL_CHARS]
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")[:DETAIL_CHARS]
    if call.excinfo is None:
        return ""
    error = call.excinfo.value
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    message = str(error).strip()
    rule = RULE_LINE.search(message)
    line = rule.group(1) if rule else f"{type(error).__name__}: {message.splitlines()[0] if message else ''}"
    return line.strip()[:DETAIL_CHARS]
