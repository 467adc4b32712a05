"""What the report records about each check: its rule, and the exchange it judged (secrets removed).

Recording only: whether a check passed is decided by the rules (conformance.core).
"""

import allure
import pytest
from hypothesis.control import current_build_context

from conformance.core.exchange import Exchange
from conformance.core.failures import Failure
from conformance.core.redact import Redactor

TEXT = allure.attachment_type.TEXT


class Reporter:
    def __init__(self, redact: Redactor) -> None:
        self.redact = redact

    def rule(self, rule: str) -> None:
        """The rule a check verifies: the story under its area (epic) and subject (feature)."""
        allure.dynamic.story(rule)
        allure.dynamic.label("rule", rule)

    def exchange(self, exchange: Exchange, failures: list[Failure], always: bool = False) -> None:
        """Attach the exchange when asked to, or when it broke a rule (on Hypothesis's final replay)."""
        for failure in failures:
            allure.dynamic.tag(f"rule:{failure.rule}")
        if always or (failures and _is_final_example()):
            allure.attach(exchange.describe_request(self.redact), "request", TEXT)
            allure.attach(exchange.describe_response(self.redact), "response", TEXT)
            allure.attach(exchange.as_curl(self.redact), "reproduce with curl", TEXT)


# The user property a check records when the sources document several behaviours and the target showed one.
FOLLOWS = "follows"


def follows(item: pytest.Item, source: str, why: str) -> None:
    """Record which documented behaviour the target follows where the sources disagree: an allure label
    ``follows``, an attachment saying why, and the detail of the check's passing outcome (summary, report)."""
    allure.dynamic.label(FOLLOWS, source)
    allure.attach(f"follows: {source}\n{why}", FOLLOWS, TEXT)
    item.user_properties.append((FOLLOWS, f"follows: {source} ({why})"))


def _is_final_example() -> bool:
    """True outside Hypothesis, and on Hypothesis's last replay of the minimal failing example."""
    try:
        return current_build_context().is_final
    except Exception:
        return True
