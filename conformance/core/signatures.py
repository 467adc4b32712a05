"""Checking a webhook's Ed25519 signature the way upstream's SDKs do (and independently of any emulator).

Headers ``telnyx-signature-ed25519`` (base64 of 64 raw bytes) and ``telnyx-timestamp`` (Unix
seconds); the message is the timestamp header verbatim, ``|``, then the raw body; a
timestamp more than 300 s from now, either way, is stale.
"""

import base64
import binascii
from collections.abc import Mapping

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
TOLERANCE_S = 300


def signature_problem(public_key_b64: str, headers: Mapping[str, str], body: bytes, now: float) -> str | None:
    """None when the webhook is signed by this key and fresh; otherwise what is wrong with it."""
    lowered = {name.lower(): value for name, value in headers.items()}
    signature, stamp = lowered.get(SIGNATURE_HEADER), lowered.get(TIMESTAMP_HEADER)
    if signature is None or stamp is None:
        return f"unsigned: no {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header"
    if not stamp.isdigit():
        return f"{TIMESTAMP_HEADER} {stamp!r} is not Unix seconds"
    if abs(now - int(stamp)) > TOLERANCE_S:
        return f"stale: {TIMESTAMP_HEADER} {stamp} is {now - int(stamp):+.0f} s from now (at most {TOLERANCE_S})"
    try:
        VerifyKey(base64.b64decode(public_key_b64)).verify(stamp.encode() + b"|" + body, base64.b64decode(signature))
    except (BadSignatureError, binascii.Error, ValueError):
        return f"{SIGNATURE_HEADER} does not verify over '{TIMESTAMP_HEADER}|body' with the target's public key"
    return None
