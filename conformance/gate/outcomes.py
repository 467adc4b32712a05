"""How a check ends: six outcomes, decided from pytest's report and the check's expectation.

A conformance failure is a ConformanceFailure (the target broke a documented rule);
any other exception means the suite or the target's infrastructure broke: an error.
"""

import pytest

from conformance.core.failures import ConformanceFailure
from conformance.gate.expectations import Expectation

PASSED = "passed"
FAILED = "failed"
EXPECTED_FAILURE = "expected failure"
UNEXPECTED_PASS = "unexpected pass"
NOT_APPLICABLE = "not applicable"
ERROR = "error"
OUTCOMES = (PASSED, FAILED, EXPECTED_FAILURE, UNEXPECTED_PASS, NOT_APPLICABLE, ERROR)
# Outcomes that say whether the target keeps the rule; not applicable ones say nothing.
JUDGED = (PASSED, FAILED, EXPECTED_FAILURE, UNEXPECTED_PASS, ERROR)


def is_conformance_failure(error: BaseException) -> bool:
    """True for a broken rule, also when Hypothesis groups several (distinct or flaky) ones."""
    if isinstance(error, ConformanceFailure):
        return True
    if isinstance(error, BaseExceptionGroup):
        return all(is_conformance_failure(inner) for inner in error.exceptions)
    return False


def decide(
    report: pytest.TestReport,
    call: pytest.CallInfo,
    expectation: Expectation | None,
    strict: bool,
) -> str | None:
    """The check's outcome once this phase settles it (None while it is still open).

    An expected failure or unexpected pass also rewrites the report the way pytest's
    xfail does, so the exit status, JUnit and --lf agree with the outcome.
    """
    if report.when != "call" and report.passed:
        return None
    outcome = _plain_outcome(report, call)
    if expectation is None or report.when != "call":
        return outcome
    if outcome == FAILED:
        report.outcome = "skipped"
        report.wasxfail = expectation.describe()
        return EXPECTED_FAILURE
    if outcome == PASSED:
        if strict:
            report.outcome = "failed"
            report.longrepr = (
                f"unexpected pass: this check passes but the expectations file says it fails "
                f"({expectation.describe()}); remove its entry"
            )
        else:
            report.wasxfail = expectation.describe()
        return UNEXPECTED_PASS
    return outcome


def _plain_outcome(report: pytest.TestReport, call: pytest.CallInfo) -> str:
    if report.skipped:
        return NOT_APPLICABLE
    if report.passed:
        return PASSED
    failed_a_rule = report.when == "call" and call.excinfo is not None and is_conformance_failure(call.excinfo.value)
    return FAILED if failed_a_rule else ERROR
