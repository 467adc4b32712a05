"""What each check is about: its stable id, its spec area and subject, and the spec facts it covers.

Every check module defines ``check_meta(item) -> CheckMeta``; the plugin reads it at
collection, so profiles, the summary table and the coverage matrix all come from one place.

A check id names what is checked (``rest/InitiateTexmlCall/Timeout=121->10033``,
``auth/GetTexmlCalls/wrong-bearer-key``, ``texml/gather/finish-on-key-star``), never where
the Python lives. Every check is parametrized with its id as the parameter id, so the id
is also the bracketed tail of its pytest node id, on the controller and on every worker.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHECKS_DIR = Path(__file__).parent.parent / "checks"

# Spec areas, in the order the summary table shows them.
AREA_REST = "REST operations"
AREA_AUTH = "Authentication"
AREA_ERRORS = "Error codes"
AREA_VERBS = "TeXML verbs"
AREA_CALLBACKS = "Status callbacks"
AREA_CALL_SETUP = "Call setup"
AREA_MUSTACHE = "Mustache templates"
AREA_CALL_CONTROL = "Call Control"  # every REST check of the Call Control API (specs/apis.yaml names it)
AREAS = (
    AREA_REST,
    AREA_AUTH,
    AREA_ERRORS,
    AREA_VERBS,
    AREA_CALLBACKS,
    AREA_CALL_SETUP,
    AREA_MUSTACHE,
    AREA_CALL_CONTROL,
)

# What each --profile runs; areas outside it are not applicable.
PROFILES = {
    "contract": frozenset({AREA_REST, AREA_AUTH, AREA_ERRORS, AREA_CALL_CONTROL}),
    "texml": frozenset(AREAS),
}
DEFAULT_PROFILE = "texml"


@dataclass(frozen=True)
class CheckMeta:
    area: str
    subject: str  # the operation id or the verb
    facts: frozenset[str] = field(default_factory=frozenset)
    api: str = "texml"  # the API the check judges: not applicable to a target that does not serve it


def check_id(nodeid: str) -> str:
    """The check id a node id carries: its parameter id (``...::test_x[<check id>]``)."""
    name = nodeid.rpartition("::")[2]
    return name[name.index("[") + 1 : -1] if name.endswith("]") and "[" in name else nodeid


def family(check: str) -> str:
    """The first segment of a check id (rest, auth, fuzz, calls, texml...)."""
    return check.split("/", 1)[0]


def is_check(item: pytest.Item) -> bool:
    return CHECKS_DIR in Path(str(item.path)).parents


def meta_of(item: pytest.Item) -> CheckMeta:
    describe = getattr(item.module, "check_meta", None)
    if describe is None:
        raise TypeError(f"{item.module.__name__} defines no check_meta(item); every check module must")
    return describe(item)


# Fact ids: one spelling, shared by the facts enumerated from specs/ and the checks that cover them.
def operation_fact(operation_id: str) -> str:
    return f"operation:{operation_id}"


def constraint_fact(operation_id: str, member: str, keyword: str) -> str:
    return f"constraint:{operation_id}.{member}:{keyword}"


def verb_fact(element: str) -> str:
    return f"verb:{element}"


def attribute_fact(element: str, attribute: str) -> str:
    return f"attribute:{element}@{attribute}"


def callback_event_fact(kind: str, event: str) -> str:
    return f"callback-event:{kind}/{event}"


def callback_field_fact(kind: str, name: str) -> str:
    return f"callback-field:{kind}/{name}"


def error_code_fact(status: int, code: str) -> str:
    return f"error-code:{status}/{code}"


SEED_PREFIX = "seed:"


def seed_fact(fact_id: str) -> str:
    """A statement of the seed fact catalogue (specs/facts/), as a check names it."""
    return f"{SEED_PREFIX}{fact_id}"
