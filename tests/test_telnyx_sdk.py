"""The official telnyx SDK, unchanged, drives the reference emulator and accepts its webhooks.

Dial, answer, speak, gather and hangup go through the SDK's own methods; every webhook the
emulator sends is accepted by the SDK's own ``client.webhooks.unwrap`` with the emulator's
public key (a fixed signing key here). The far end is scripted on a manual clock so the call
stays live while the client acts on it.
"""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import telnyx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.backend.signing import Signer
from conformance_emulator.server import BackgroundServer

KEY = "KEY_sdk_2c9e41"
SEED = "lLHKgs0tJuij24Y01Z3+sD+9knlSjCQD/fXr0kudWXY="
CALLEE, CALLER = "+13125550177", "+13125550111"
DEADLINE_S = 5.0


class Receiver:
    """The application's webhook endpoint: keeps each webhook's raw body and headers, in order."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str]]] = []
        self._changed = threading.Condition()
        self.server = BackgroundServer(Starlette(routes=[Route("/hook", self._hook, methods=["POST"])]))

    async def _hook(self, request: Request) -> Response:
        body = (await request.body()).decode()
        with self._changed:
            self.received.append((body, dict(request.headers)))
            self._changed.notify_all()
        return Response(status_code=204)

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + DEADLINE_S
        with self._changed:
            while not any(text in body for body, _ in self.received):
                assert self._changed.wait(deadline - time.monotonic()), f"no webhook with {text!r}"


@pytest.fixture
def emulator() -> Iterator[str]:
    with BackgroundServer(build_app(EmulatorSettings(api_key=KEY, webhook_signing_key=SEED))) as server:
        yield f"{server.url}/v2"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    with receiver.server:
        yield receiver


def test_sdk_dials_answers_speaks_gathers_hangs_up_and_unwraps_every_webhook(emulator, receiver):
    client = telnyx.Telnyx(api_key=KEY, base_url=emulator, max_retries=0, public_key=Signer(SEED).public_key_b64)
    simulation = httpx.Client(base_url=f"{emulator}/simulation/v1", headers={"Authorization": f"Bearer {KEY}"})
    simulation.put(f"/parties/{CALLEE}", json={"clock": "manual", "digits": [{"at": 3, "keys": "42#"}]})
    application = client.call_control_applications.create(
        application_name="sdk", webhook_event_url=f"{receiver.server.url}/hook"
    )
    call = client.calls.dial(connection_id=application.data.id, to=CALLEE, from_=CALLER)
    call_id = call.data.call_control_id
    receiver.wait_for("call.answered")

    client.calls.actions.answer(call_id)
    client.calls.actions.speak(call_id, payload="Press four two", voice="female")
    client.calls.actions.gather(call_id, maximum_digits=5, terminating_digit="#", timeout_millis=60000)
    simulation.post(f"/calls/{call_id}/clock", json={"advance": 30})
    receiver.wait_for("call.gather.ended")
    client.calls.actions.hangup(call_id)
    receiver.wait_for("call.hangup")

    events = [client.webhooks.unwrap(body, headers=headers) for body, headers in receiver.received]
    kinds = [event.data.event_type for event in events]
    assert kinds[:2] == ["call.initiated", "call.answered"] and kinds[-1] == "call.hangup", kinds
    assert {"call.speak.started", "call.speak.ended", "call.gather.ended"} <= set(kinds), kinds
    gathered = next(event for event in events if event.data.event_type == "call.gather.ended")
    assert gathered.data.payload.digits == "42"
    assert all(event.data.payload.call_control_id == call_id for event in events)


def test_sdk_refuses_a_webhook_whose_body_was_changed(emulator, receiver):
    client = telnyx.Telnyx(api_key=KEY, base_url=emulator, max_retries=0, public_key=Signer(SEED).public_key_b64)
    application = client.call_control_applications.create(
        application_name="sdk", webhook_event_url=f"{receiver.server.url}/hook"
    )
    client.calls.dial(connection_id=application.data.id, to="+13125550178", from_=CALLER)
    receiver.wait_for("call.initiated")
    body, headers = receiver.received[0]
    with pytest.raises(Exception, match=r"[Ss]ignature"):
        client.webhooks.unwrap(body + " ", headers=headers)
