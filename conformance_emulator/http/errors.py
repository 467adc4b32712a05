"""Telnyx error envelopes, built from an API's error codes (specs/<api>/error-codes.yaml)."""

from typing import Any

from starlette.responses import JSONResponse

from conformance_specs.contract import ErrorCatalogue, Violation


def _as_error(errors: ErrorCatalogue, violation: Violation) -> dict[str, Any]:
    entry = errors.for_violation(violation)
    return {
        "code": entry.code,
        "title": entry.title,
        "detail": violation.detail,
        "source": {"pointer": violation.pointer},
    }


def unprocessable(errors: ErrorCatalogue, violations: list[Violation]) -> JSONResponse:
    return JSONResponse({"errors": [_as_error(errors, violation) for violation in violations]}, status_code=422)


def simple_error(errors: ErrorCatalogue, kind: str, detail: str) -> JSONResponse:
    """An answer that is not about one member (401, 404, 400, 415)."""
    entry = errors[kind]
    body = {"errors": [{"code": entry.code, "title": entry.title, "detail": detail}]}
    return JSONResponse(body, status_code=entry.status)


def call_state_error(errors: ErrorCatalogue, kind: str, detail: str) -> JSONResponse:
    """The resource named by the request cannot take it (errors.resource_state: unknown_call, call_ended, ...)."""
    entry = errors.resource_state[kind]
    error: dict[str, Any] = {"code": entry.code, "title": entry.title, "detail": detail}
    if entry.pointer:
        error["source"] = {"pointer": entry.pointer}
    return JSONResponse({"errors": [error]}, status_code=entry.status)
