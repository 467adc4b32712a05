"""The options of the running session, for check modules that build tests at import time.

Schemathesis parametrizes tests when their module is imported (during collection,
after pytest_configure), so the seed and example count must be readable then.
"""

from conformance.fixtures import Fixture
from conformance.options import RunOptions

_current: RunOptions | None = None
_fixtures: list[Fixture] = []


def set_options(options: RunOptions) -> None:
    global _current
    _current = options


def options() -> RunOptions:
    if _current is None:
        raise RuntimeError("the texml-conformance pytest plugin is not active: do not run with -p no:texml_conformance")
    return _current


def set_fixtures(fixtures: list[Fixture]) -> None:
    _fixtures[:] = fixtures


def fixtures() -> list[Fixture]:
    return list(_fixtures)
