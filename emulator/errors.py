"""Telnyx error envelopes, built from specs/error-codes.yaml."""

from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

import specs

ERROR_CODES = specs.load("error-codes.yaml")
CONFLICT_KEYWORDS = frozenset(ERROR_CODES["conflict"]["keywords"])
# The documentation names no code for conflicting members; the emulator picks
# the generic "bad request" code (errata E-007).
CONFLICT_ERROR = {"code": "10015", "title": "Invalid parameter combination"}


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule of the contract: which member, which JSON Schema keyword."""

    pointer: str
    keyword: str
    detail: str

    def as_error(self) -> dict[str, Any]:
        entry = ERROR_CODES["validation"].get(self.keyword, CONFLICT_ERROR)
        return {
            "code": entry["code"],
            "title": entry["title"],
            "detail": self.detail,
            "source": {"pointer": self.pointer},
        }


def unprocessable(violations: list[Violation]) -> JSONResponse:
    errors = [violation.as_error() for violation in sorted(set(violations))]
    return JSONResponse({"errors": errors}, status_code=422)


def simple_error(kind: str, detail: str) -> JSONResponse:
    """An answer from the non-validation part of error-codes.yaml (401, 404, 400, 415)."""
    entry = ERROR_CODES[kind]
    body = {"errors": [{"code": entry["code"], "title": entry["title"], "detail": detail}]}
    return JSONResponse(body, status_code=entry["status"])
