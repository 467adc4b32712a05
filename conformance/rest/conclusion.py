"""The end of every hand-written REST check: judge the exchange, record it, give the verdict."""

from collections.abc import Iterable

from conformance.core.exchange import Exchange
from conformance.core.failures import Failure
from conformance.core.target import Target
from conformance.core.verdict import Verdict
from conformance.gate.reporting import Reporter
from conformance.rest.contract import RestContract
from conformance.rest.judge import judge


def conclude(
    exchange: Exchange,
    contract: RestContract,
    target: Target,
    reporter: Reporter,
    verdict: Verdict,
    extra: Iterable[Failure] = (),
) -> None:
    """Fail the check when the answer broke a judge's rule or one of the check's own (``extra``)."""
    failures = judge(exchange, contract, target.base_url, target.api_key) + list(extra)
    reporter.exchange(exchange, failures, always=True)
    verdict.on_exchange(exchange, failures)
