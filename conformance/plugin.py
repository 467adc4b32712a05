"""The pytest entry point (``pytest11``): it registers the suite's options and otherwise sleeps.

Installed in an environment, this module is imported by every pytest run there, so it
imports only pytest and the options. The suite wakes (conformance.session) only when a
run asks for it with --target-url or --conformance.
"""

import pytest

from conformance.options import add_options, read_options, wants_checks


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    if not wants_checks(config):
        return
    options = read_options(config)
    if not options.embedded and not hasattr(config, "workerinput") and not config.option.collectonly:
        _refuse_unusable_target(options.target_url, options.api_key, options.account_sid)
    from conformance import session

    session.start(config, options)


def _refuse_unusable_target(url: str | None, key: str | None, account_sid: str) -> None:
    """Fail fast: a down, wrong-path or wrong-key target costs one probe, before the suite's modules load."""
    from conformance.core.target import TargetUnusable, probe

    assert url and key  # read_options guarantees both for a remote target
    try:
        probe(url, key, {"account_sid": account_sid})
    except TargetUnusable as error:
        raise pytest.UsageError(f"texml-conformance: {error}") from None
