"""Allure labels and attachments for each check, with secrets removed."""

import os
import shlex

import allure
from hypothesis.control import current_build_context

from conformance.exchange import Exchange
from conformance.failures import ConformanceFailure, Failure
from conformance.fixtures import Fixture
from conformance.meta import check_id
from conformance.redact import Redactor
from conformance.scenario import ScenarioResult

TEXT = allure.attachment_type.TEXT
XML = allure.attachment_type.XML


class Reporter:
    def __init__(self, redact: Redactor, rerun_command: str) -> None:
        self._redact = redact
        self._rerun_command = rerun_command  # the suite's command line, to which the check id is added

    def rule(self, rule: str) -> None:
        """The rule a check verifies: the story under its area (epic) and subject (feature)."""
        allure.dynamic.story(rule)
        allure.dynamic.label("rule", rule)

    def describe_fixture(self, fixture: Fixture) -> None:
        allure.dynamic.title(fixture.title)
        allure.dynamic.description(
            f"Rule: {fixture.rule}\n\nSource: {fixture.seed}\n\nScenario file: {fixture.id}.yaml"
        )
        allure.dynamic.parameter("fixture", fixture.id)
        allure.dynamic.label("verb", fixture.verb)
        for fact in fixture.facts:
            allure.dynamic.label("fact", fact)

    def scenario(self, result: ScenarioResult, trace_diff: str) -> None:
        """Attach what was served and observed; raise when the trace departs from the expected one."""
        for path, text in result.scenario.documents.items():
            allure.attach(self._redact(text), f"document served: {path}", XML)
        recorded = "\n".join(request.describe() for request in result.scenario.snapshot())
        allure.attach(self._redact(recorded or "(none)"), "requests the target made", TEXT)
        timeline = "\n".join(f"{event}" for event in result.observed.timeline)
        allure.attach(self._redact(timeline or "(not observed)"), "timeline", TEXT)
        allure.attach(self._redact(trace_diff), "expected vs actual trace", TEXT)
        problems = list(result.problems)
        if result.scenario.dropped:
            problems.append(f"the target flooded the harness: {result.scenario.dropped} requests beyond the bound")
        if not problems:
            return
        allure.dynamic.tag("rule:trace_matches")
        lines = [f"{len(problems)} rule(s) broken by scenario {result.fixture.id} ({result.fixture.rule}):"]
        lines += [f"  {Failure('trace_matches', problem)}" for problem in problems]
        lines += ["", trace_diff, "", self._rerun_line()]
        raise ConformanceFailure(self._redact("\n".join(lines)))

    def _rerun_line(self) -> str:
        return f"rerun: {self._rerun_command} --check={shlex.quote(_current_check_id())}"

    def attach(self, exchange: Exchange) -> None:
        allure.attach(exchange.describe_request(self._redact), "request", TEXT)
        allure.attach(exchange.describe_response(self._redact), "response", TEXT)
        allure.attach(exchange.as_curl(self._redact), "reproduce with curl", TEXT)

    def verdict(self, exchange: Exchange, failures: list[Failure], always_attach: bool = False) -> None:
        """Attach the exchange (on failure, or always) and raise when any rule broke."""
        final = _is_final_example()
        if always_attach or (failures and final):
            self.attach(exchange)
        if not failures:
            return
        for failure in failures:
            allure.dynamic.tag(f"rule:{failure.rule}")
        lines = [f"{len(failures)} rule(s) broken by {exchange.method} {exchange.url} -> HTTP {exchange.status}:"]
        lines += [f"  {failure}" for failure in failures]
        lines += [
            f"reproduce: {exchange.as_curl(self._redact)}",
            self._rerun_line(),
        ]
        raise ConformanceFailure(self._redact("\n".join(lines)))


def _is_final_example() -> bool:
    """True outside Hypothesis, and on Hypothesis's last replay of the minimal failing example."""
    try:
        return current_build_context().is_final
    except Exception:
        return True


def _current_check_id() -> str:
    # pytest documents PYTEST_CURRENT_TEST as "<node id> (<phase>)" while a test runs.
    return check_id(os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0])
