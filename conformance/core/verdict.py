"""The verdict of one check: raise a ConformanceFailure, with how to reproduce it, when a rule broke."""

import shlex
from collections.abc import Callable
from typing import TypeVar

from conformance.core.exchange import Exchange
from conformance.core.failures import ConformanceFailure, Failure, broken
from conformance.core.redact import Redactor

T = TypeVar("T")


class Verdict:
    def __init__(self, redact: Redactor, rerun_command: str, check_id: str) -> None:
        self._redact = redact
        self.rerun_line = f"rerun: {rerun_command} --check={shlex.quote(check_id)}"

    def on_exchange(self, exchange: Exchange, failures: list[Failure]) -> None:
        """Fail when the answer to ``exchange`` broke any rule; the message carries a curl line."""
        headline = f"{exchange.method} {exchange.url} -> HTTP {exchange.status}"
        self.on(failures, headline, (f"reproduce: {exchange.as_curl(self._redact)}",))

    def on(self, failures: list[Failure], headline: str, evidence: tuple[str, ...] = ()) -> None:
        failure = broken(failures, headline, [*evidence, self.rerun_line])
        if failure is not None:
            raise type(failure)(self._redact(str(failure)))

    def during_setup(self, step: Callable[[], T]) -> T:
        """Run a step the check needs (a call to act on): if the target breaks a rule there, the failure is
        this check's own, with its rerun line, not a setup error shared by every check that needs the step."""
        try:
            return step()
        except ConformanceFailure as failure:
            raise ConformanceFailure(self._redact(f"{failure}\n{self.rerun_line}")) from None
