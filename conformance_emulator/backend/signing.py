"""Ed25519 signatures on webhooks, as upstream signs them.

The signed message is ``<telnyx-timestamp>|<raw body>``; the signature and the key are
base64 of their raw bytes (64 and 32). A fixed seed can be given so that applications
can pin the public key; otherwise each emulator start makes a new key.
"""

import base64

from nacl.signing import SigningKey

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"


class SigningKeyError(ValueError):
    """The signing seed given is not base64 of 32 bytes."""


class Signer:
    def __init__(self, seed_b64: str | None = None) -> None:
        self._key = SigningKey.generate() if seed_b64 is None else SigningKey(_seed(seed_b64))

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(bytes(self._key.verify_key)).decode()

    def headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        """The two headers that sign ``body`` sent at ``timestamp`` (Unix seconds)."""
        stamp = str(timestamp)
        signature = self._key.sign(stamp.encode() + b"|" + body).signature
        return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: base64.b64encode(signature).decode()}


def _seed(seed_b64: str) -> bytes:
    try:
        seed = base64.b64decode(seed_b64, validate=True)
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise SigningKeyError("the webhook signing key must be base64 of a 32-byte Ed25519 seed")
    return seed
