"""What a request breaks, read from a contract in specs/.

Both the reference emulator (to answer) and the suite (to judge answers) need
the same reading of a schema, so it lives with the data, not in either of them.
"""

import copy
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance_specs import load


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: the member (JSON pointer) and the JSON Schema keyword it broke."""

    pointer: str
    keyword: str
    detail: str
    conflict: bool = False  # members that exclude each other (Url with Texml)


@dataclass(frozen=True)
class Stricter:
    """A stricter reading of one member that a source supports, where the contract declares the wider one.

    Declared in a contract as ``x-stricter`` on the member's schema (see specs/errata.yaml): a value
    that breaks only ``rule`` may be accepted (the reading ``otherwise`` documents) or refused with
    422 and the rule's code at the member (the reading ``follows`` documents); neither fails a check.
    """

    erratum: str
    follows: str  # the source of the stricter reading
    otherwise: str  # the source of the reading the schema declares
    rule: Mapping[str, Any] = field(hash=False)  # JSON Schema keywords the stricter reading narrows or adds
    error: str | None = None  # the error codes' ``stricter`` entry naming the refusal (else the keyword's code)
    outside: tuple[Any, ...] = ()  # values only the stricter reading refuses, for targeted cases

    @classmethod
    def of(cls, schema: Any) -> "Stricter | None":
        raw = schema.get("x-stricter") if isinstance(schema, Mapping) else None
        if raw is None:
            return None
        return cls(
            raw["erratum"],
            raw["follows"],
            raw["otherwise"],
            raw["rule"],
            raw.get("error"),
            tuple(raw.get("outside", ())),
        )


@dataclass(frozen=True)
class IncomingOnly:
    """Commands documented for an incoming call only, sent to a dialled leg: taken or refused with a state code."""

    commands: frozenset[str]
    erratum: str
    follows: str  # the source of the refusal
    otherwise: str  # why taking them is accepted too


@dataclass(frozen=True)
class ErrorCode:
    status: int
    code: str
    title: str
    pointer: str | None = None  # the member an answer about a resource's state names


class ErrorCatalogue:
    """An API's error-codes file: which code and title name which broken rule."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.validation = {keyword: ErrorCode(422, e["code"], e["title"]) for keyword, e in raw["validation"].items()}
        conflict = raw["conflict"]
        self.conflict = ErrorCode(conflict["status"], conflict["code"], conflict["title"])
        self.conflict_keywords = frozenset(conflict["keywords"])
        self._answers = {
            kind: ErrorCode(entry["status"], entry["code"], entry["title"])
            for kind, entry in raw.items()
            if isinstance(entry, dict) and {"status", "code", "title"} <= set(entry) and kind != "conflict"
        }
        # Why a resource named by the path cannot take a request (Call Control: unknown, ended, not answered).
        self.resource_state = {
            kind: ErrorCode(entry["status"], entry["code"], entry["title"], entry.get("pointer"))
            for kind, entry in raw.get("call_state", {}).items()
        }
        self.needs_answer = frozenset(raw.get("call_state", {}).get("not_answered", {}).get("needs_answer", ()))
        # Commands documented for incoming calls only, which a leg the application dialled may refuse.
        incoming = raw.get("incoming_only")
        self.incoming_only = (
            IncomingOnly(
                frozenset(incoming["commands"]), incoming["erratum"], incoming["follows"], incoming["otherwise"]
            )
            if incoming
            else None
        )
        # Codes of rules only a stricter reading of a member has (x-stricter with error: <name>).
        self.stricter = {name: ErrorCode(422, e["code"], e["title"]) for name, e in raw.get("stricter", {}).items()}

    def __getitem__(self, kind: str) -> ErrorCode:
        """An answer that is not about one member: unauthenticated, not_found, malformed_body, ..."""
        return self._answers[kind]

    def answers(self) -> dict[str, ErrorCode]:
        return dict(self._answers)

    def for_violation(self, violation: Violation) -> ErrorCode:
        """The code for a violation (conflicts, which the docs give none, use the conflict entry)."""
        return self.conflict if violation.conflict else self.validation[violation.keyword]

    def for_stricter(self, violation: Violation, stricter: Stricter) -> ErrorCode:
        """The code a refusal under a stricter reading carries: its named entry, else the keyword's."""
        return self.stricter[stricter.error] if stricter.error else self.validation[violation.keyword]


class Contract:
    """One OpenAPI contract and its error codes, read the same way by suite and emulator."""

    def __init__(self, contract_file: str, error_codes_file: str | None = None) -> None:
        self.file = contract_file
        self.errors = ErrorCatalogue(load(error_codes_file)) if error_codes_file else None
        self._conflict_keywords = self.errors.conflict_keywords if self.errors else frozenset()
        # ``format`` is asserted only where the error codes name a code for it.
        self._formats = bool(self.errors and "format" in self.errors.validation)

    @property
    def document(self) -> dict[str, Any]:
        return load(self.file)

    def component(self, name: str) -> dict[str, Any]:
        return self.document["components"]["schemas"][name]

    def resolved(self, schema: dict[str, Any]) -> dict[str, Any]:
        """``schema``, or the component its $ref names."""
        return self.component(schema["$ref"].rsplit("/", 1)[-1]) if "$ref" in schema else schema

    def body_violations(self, component: str, body: Any) -> list[Violation]:
        """Every rule of schema ``component`` that ``body`` breaks, without duplicates, in pointer order."""
        errors = _validator(self.file, component, self._formats).iter_errors(body)
        return sorted(set(_flatten(errors, self._conflict_keywords)))

    def stricter_violations(self, component: str, body: Any) -> list[tuple[Violation, Stricter]]:
        """The rules of stricter readings (``x-stricter``) that ``body`` breaks, each with its reading.

        Meant for a body that keeps every declared rule: whatever the stricter schema then refuses,
        only a stricter reading refuses.
        """
        if _stricter_document(self.file) is None:
            return []
        found: dict[Violation, Stricter] = {}
        for error in _leaves(_validator(self.file, component, self._formats, stricter=True).iter_errors(body)):
            stricter = Stricter.of(error.schema)
            if stricter is not None and error.validator in stricter.rule:
                found.setdefault(Violation(_pointer(error), str(error.validator), error.message), stricter)
        return sorted(found.items(), key=lambda item: item[0])

    def query_parameters(self, path: str, method: str) -> list[dict[str, Any]]:
        """Query parameters the contract declares for one operation."""
        operation = self.document["paths"][path][method]
        return [p for p in operation.get("parameters", []) if p.get("in") == "query"]


@cache
def _validator(
    contract_file: str, component: str, formats: bool = False, stricter: bool = False
) -> Draft202012Validator:
    uri = f"urn:{contract_file}" + (":stricter" if stricter else "")
    document = _stricter_document(contract_file) if stricter else load(contract_file)
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(uri, resource)
    checker = FORMATS if formats else None
    return Draft202012Validator(
        {"$ref": f"{uri}#/components/schemas/{component}"}, registry=registry, format_checker=checker
    )


@cache
def _stricter_document(contract_file: str) -> dict[str, Any] | None:
    """The contract read the stricter way: each ``x-stricter`` rule merged into its schema (None: it has none)."""
    document = copy.deepcopy(load(contract_file))
    narrowed = False

    def narrow(node: Any) -> None:
        nonlocal narrowed
        if isinstance(node, dict):
            for value in node.values():
                narrow(value)
            if "x-stricter" in node:
                node.update(node["x-stricter"]["rule"])
                narrowed = True
        elif isinstance(node, list):
            for value in node:
                narrow(value)

    narrow(document)
    return document if narrowed else None


def _leaves(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Every error and, within ``oneOf``/``anyOf``, the errors of each alternative."""
    for error in errors:
        yield error
        yield from _leaves(error.context or ())


# The formats a contract may assert, read the same way whatever optional packages are installed.
FORMATS = FormatChecker(formats=())
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$")
_UUID = re.compile(r"[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}")


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    """An absolute URI (RFC 3986): a scheme, a colon, and no spaces or characters a URI never holds."""
    return not isinstance(value, str) or bool(_ABSOLUTE_URI.match(value))


@FORMATS.checks("uuid")
def _is_uuid(value: object) -> bool:
    """A UUID in its hyphenated text form (RFC 9562), any case."""
    return not isinstance(value, str) or bool(_UUID.fullmatch(value))


def _flatten(errors: Iterable[ValidationError], conflict_keywords: frozenset[str]) -> Iterable[Violation]:
    for error in errors:
        pointer = _pointer(error)
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, Mapping) and name not in error.instance:
                    yield Violation(f"{pointer.rstrip('/')}/{name}", "required", f"Can't be blank: {name}")
        elif error.validator in conflict_keywords and _forbids_members(error):
            # Members can only exclude each other inside an object: a body of another type
            # satisfies every branch vacuously, and its one real fault is its type.
            if isinstance(error.instance, Mapping):
                yield from _conflicts(error, pointer)
        elif error.validator in conflict_keywords:
            # A value that fits none of its alternatives (to: a string or a list of strings;
            # loop: 1..100 or "infinity") breaks what the alternatives of its own kind ask.
            yield from _flatten(_alternatives_of_its_kind(error), conflict_keywords)
        else:
            yield Violation(pointer, str(error.validator), error.message)


def _forbids_members(error: ValidationError) -> bool:
    """Whether a oneOf/not says which members exclude each other, rather than which shapes a value may take."""
    if error.validator == "not" or not error.context:  # several branches hold at once: members clash
        return True
    return any(sub.validator == "not" for sub in error.context)


def _alternatives_of_its_kind(error: ValidationError) -> list[ValidationError]:
    """The errors of the alternatives whose type the value has (loop 0 is out of 1..100, not "no word"),
    or, when it has none's type, every alternative's type error (to 123 is neither a string nor a list)."""
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    of_its_kind = [
        sub
        for errors in by_branch.values()
        if not any(e.validator == "type" and not e.relative_path for e in errors)
        for sub in errors
    ]
    return of_its_kind or list(error.context or ())


def _conflicts(error: ValidationError, pointer: str) -> Iterable[Violation]:
    """Members that exclude each other: one violation per member present but forbidden.

    ``oneOf`` branches forbid members with ``not: {}``; a body-wide ``not: {required: [...]}``
    forbids its members together.
    """
    if error.validator == "not" and isinstance(error.validator_value, Mapping):
        names = [str(name) for name in error.validator_value.get("required", ())]
        members = [f"{pointer.rstrip('/')}/{name}" for name in names]
    else:
        members = sorted({_pointer(sub) for sub in error.context or [] if sub.validator == "not"})
        names = [member.rsplit("/", 1)[-1] for member in members]
    detail = f"{' and '.join(names)} cannot be given together" if names else "members that exclude each other"
    for member in members or [pointer]:
        yield Violation(member, str(error.validator), detail, conflict=True)


def _pointer(error: ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


def query_violations(parameters: list[dict[str, Any]], query: Mapping[str, str]) -> list[Violation]:
    """Rules broken by a query string, each declared parameter read as its schema type."""
    found: list[Violation] = []
    for parameter in parameters:
        name, schema = parameter["name"], parameter.get("schema", {})
        if name not in query:
            continue
        raw = query[name]
        if schema.get("type") == "integer" and not _is_integer(raw):
            found.append(Violation(f"/{name}", "type", f"The '{name}' parameter must be an integer"))
        elif "enum" in schema and raw not in schema["enum"]:
            found.append(Violation(f"/{name}", "enum", f"{name} must be one of {', '.join(schema['enum'])}"))
    return found


def parse_body(media_type: str, raw: bytes) -> Any:
    """A request body as the contract reads it; raises ValueError when it cannot be read.

    UTF-8 only (UnicodeDecodeError is a ValueError); a form member given twice keeps its last value.
    """
    text = raw.decode("utf-8")
    if media_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    return json.loads(text)


def _is_integer(raw: str) -> bool:
    try:
        int(raw)
    except ValueError:
        return False
    return True
