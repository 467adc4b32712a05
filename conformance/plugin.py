"""The pytest entry point (``pytest11``): it registers the suite's options and otherwise sleeps.

Installed in an environment, this module is imported by every pytest run there, so it
imports only pytest and the options. The suite wakes (conformance.session) only when a
run asks for it with --target-url or --conformance.
"""

import pytest

from conformance.options import add_options, wants_checks


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    if wants_checks(config):
        from conformance import session

        session.start(config)
