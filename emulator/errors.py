"""Telnyx error envelopes, built from specs/error-codes.yaml."""

from typing import Any

from starlette.responses import JSONResponse

from specs.contract import ERROR_CODES, Violation, error_for


def _as_error(violation: Violation) -> dict[str, Any]:
    entry = error_for(violation)
    return {
        "code": entry["code"],
        "title": entry["title"],
        "detail": violation.detail,
        "source": {"pointer": violation.pointer},
    }


def unprocessable(violations: list[Violation]) -> JSONResponse:
    return JSONResponse({"errors": [_as_error(violation) for violation in violations]}, status_code=422)


def simple_error(kind: str, detail: str) -> JSONResponse:
    """An answer from the non-validation part of error-codes.yaml (401, 404, 400, 415)."""
    entry = ERROR_CODES[kind]
    body = {"errors": [{"code": entry["code"], "title": entry["title"], "detail": detail}]}
    return JSONResponse(body, status_code=entry["status"])
