"""Allure labels and attachments for each check, with secrets removed."""

import os

import allure
from hypothesis.control import current_build_context

from conformance.exchange import Exchange
from conformance.failures import ConformanceFailure, Failure
from conformance.redact import Redactor

TEXT = allure.attachment_type.TEXT


class Reporter:
    def __init__(self, redact: Redactor, seed: int) -> None:
        self._redact = redact
        self._seed = seed

    def label(self, area: str, operation: str, rule: str) -> None:
        allure.dynamic.epic(area)
        allure.dynamic.feature(operation)
        allure.dynamic.story(rule)
        allure.dynamic.label("spec_area", area)
        allure.dynamic.label("operation", operation)
        allure.dynamic.label("rule", rule)

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
            f"rerun: pytest '{_current_node_id()}' --seed={self._seed}",
        ]
        raise ConformanceFailure(self._redact("\n".join(lines)))


def _is_final_example() -> bool:
    """True outside Hypothesis, and on Hypothesis's last replay of the minimal failing example."""
    try:
        return current_build_context().is_final
    except Exception:
        return True


def _current_node_id() -> str:
    # pytest documents PYTEST_CURRENT_TEST as "<node id> (<phase>)" while a test runs.
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
