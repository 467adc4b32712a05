"""Webhook signatures: the upstream test vector verifies, and the emulator signs what the suite accepts."""

import json
from pathlib import Path

import pytest

from conformance.core.signatures import signature_problem
from conformance_emulator.backend.signing import Signer, SigningKeyError

VECTOR = json.loads((Path(__file__).parent / "data" / "webhook-signature-vector.json").read_text())
STAMP = int(VECTOR["headers"]["telnyx-timestamp"])
BODY = VECTOR["body"].encode()


def test_upstream_vector_verifies():
    assert signature_problem(VECTOR["public_key_b64"], VECTOR["headers"], BODY, now=STAMP) is None


@pytest.mark.parametrize(
    ("now", "body", "headers", "says"),
    [
        (STAMP + 310, BODY, VECTOR["headers"], "stale"),
        (STAMP - 310, BODY, VECTOR["headers"], "stale"),
        (STAMP, BODY + b" ", VECTOR["headers"], "does not verify"),
        (STAMP, BODY, {"telnyx-timestamp": str(STAMP)}, "unsigned"),
        (STAMP, BODY, {k.upper(): v for k, v in VECTOR["headers"].items()}, None),
        (STAMP + 290, BODY, VECTOR["headers"], None),
    ],
    ids=["310 s late", "310 s early", "body changed", "no signature", "header case", "290 s late"],
)
def test_what_the_sdk_rejects_is_rejected(now, body, headers, says):
    problem = signature_problem(VECTOR["public_key_b64"], headers, body, now=now)
    assert (problem is None) if says is None else (says in problem)


def test_emulator_signs_like_upstream_with_a_fixed_seed():
    signer = Signer(VECTOR["private_seed_b64"])
    assert signer.public_key_b64 == VECTOR["public_key_b64"]
    assert signer.headers(BODY, STAMP) == VECTOR["headers"]


def test_a_malformed_seed_is_refused():
    with pytest.raises(SigningKeyError, match="32-byte"):
        Signer("c2hvcnQ=")
