"""Call Control webhooks themselves: their signature and timestamp, and payload members every webhook carries
(client_state, connection_id) (scenarios call-control/client-state/, call-control/client_state_update/ and
the smoke scenario)."""

import base64
from collections.abc import Callable
from typing import Any

from conformance_emulator import Behaviour
from conformance_emulator.backend.signing import Signer
from conformance_emulator.controllers.callcontrol.controller import CallControlBehaviour
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from tests.mutants.builders import (
    Alternative,
    Mutant,
)


class _UnsignedSigner(Signer):
    def headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        return {}


class _BodyOnlySigner(Signer):
    """Signs the body alone, without the '<timestamp>|' prefix upstream signs."""

    def headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        signature = base64.b64encode(self._key.sign(body).signature).decode()
        return {"telnyx-timestamp": str(timestamp), "telnyx-signature-ed25519": signature}


class _StaleSigner(Signer):
    def headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        return Signer.headers(self, body, timestamp - 400)


def signer(signer_class: type[Signer]) -> Callable[[], Behaviour]:
    return lambda: Behaviour(signer_class=signer_class)


CALL_CONTROL_SMOKE = ("call-control/speak/speaks-the-payload",)


class _ConnectionIdAsNumber(CallDriver):
    """Webhook payloads carry connection_id as a number where the contract says string."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection_id = 12345  # type: ignore[assignment]


class _ClientStateDropped(CallDriver):
    """Forgets every client_state a command sets."""

    @property
    def client_state(self) -> str | None:
        return None

    @client_state.setter
    def client_state(self, value: str | None) -> None:
        pass


MUTANTS: list[Mutant] = [
    # Signatures
    Mutant("webhooks unsigned", CALL_CONTROL_SMOKE, signer(_UnsignedSigner)),
    Mutant("webhook signature over the body alone", CALL_CONTROL_SMOKE, signer(_BodyOnlySigner)),
    Mutant("stale webhook timestamps", CALL_CONTROL_SMOKE, signer(_StaleSigner)),
    # Payloads
    Mutant(
        "client_state dropped",
        (
            "call-control/client-state/round-trips",
            "call-control/dial/client-state-from-dial",
            "call-control/client_state_update/later-webhooks-carry-it",
            "call-control/client_state_update/replaces-the-dial-state",
            "call-control/hangup/client-state-on-hangup",
            "call-control/call-state/media-before-answer-refused",
        ),
        lambda: Behaviour(callcontrol=CallControlBehaviour(driver_class=_ClientStateDropped)),
    ),
    Mutant(
        "webhook connection_id as a number",
        CALL_CONTROL_SMOKE,
        lambda: Behaviour(callcontrol=CallControlBehaviour(driver_class=_ConnectionIdAsNumber)),
    ),
]


ALTERNATIVES: list[Alternative] = []
