"""The verdict of one check: raise a ConformanceFailure, with how to reproduce it, when a rule broke."""

import shlex

from conformance.core.exchange import Exchange
from conformance.core.failures import Failure, broken
from conformance.core.redact import Redactor


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
