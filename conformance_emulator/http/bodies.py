"""Read request bodies the way the contract declares them, or say why not."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from conformance_emulator.http.errors import simple_error
from conformance_specs.contract import ErrorCatalogue, parse_body

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# Bodies past this size are refused unread: the emulator must stay bounded under fuzzing.
MAX_BODY_BYTES = 1 << 20


class BodyError(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, accepted: tuple[str, ...], errors: ErrorCatalogue) -> Any:
    """The parsed body, for a media type in ``accepted``; raises BodyError (answered in ``errors``' codes)."""
    media_type = _media_type(request)
    if media_type not in accepted:
        detail = f"Content-Type must be one of: {', '.join(accepted)} (got {media_type or 'none'})"
        raise BodyError(simple_error(errors, "unsupported_media_type", detail))
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(simple_error(errors, "malformed_body", f"Body larger than {MAX_BODY_BYTES} bytes"))
    try:
        return parse_body(media_type, raw)
    except UnicodeDecodeError as error:
        raise BodyError(simple_error(errors, "malformed_body", f"Body is not UTF-8: {error.reason}")) from None
    except ValueError as error:
        raise BodyError(simple_error(errors, "malformed_body", f"Body is not valid JSON: {error}")) from None
