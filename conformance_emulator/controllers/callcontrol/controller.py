"""The Call Control controller: dials legs and applies the application's commands to them.

Virtual time. A leg of a call tree sleeps on the tree's VirtualClock, which reads the time
domain the tree shares with the trees its legs are bridged or queued with (a bridge or a
queue merges their domains, leaving may part them: backend/clock.py); the domain jumps to the next timer only
when every participant of it is asleep. A webhook is a participant from the moment it is
queued until the application answered it (or it was given up): while one is in flight the
domain is held. So an application that sends its commands before answering the webhook
always acts before virtual time moves, and time jumps only when every leg of the domain
waits on timers alone and no webhook is in flight. An application that answers first and
commands later may find that time has moved on (e.g. to the time limit); with a party's
clock=manual, time moves only when the simulation protocol says so.

Commands the controller answers (the router has checked the body and found the call):
a repeated command_id has one effect (the repeat is answered ok and does nothing); a call
that ended takes no command (call_ended); on a leg not yet answered only answer, reject,
hangup, transfer and client_state_update are taken (needs_answer in the error codes, errata E-039).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance_emulator.backend.backend import new_call_sid
from conformance_emulator.backend.callcontrol import CallControlBackend
from conformance_emulator.backend.leg import CallEnded, LegSetup, sip_credentials
from conformance_emulator.backend.signing import Signer
from conformance_emulator.controllers.callcontrol import webhooks
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from conformance_emulator.controllers.callcontrol.media import Gather, Playback, Speak
from conformance_specs.apis import api

ACCOUNT = "callcontrol"


def _actions_needing_answer() -> frozenset[str]:
    """The commands an unanswered leg refuses (error codes' needs_answer, errata E-039), by path action."""
    callcontrol = api("callcontrol")
    return frozenset(
        callcontrol.operation(operation_id)[1].rsplit("/", 1)[1]
        for operation_id in callcontrol.contract.errors.needs_answer
    )


NEEDS_ANSWER = _actions_needing_answer()


class CallStateError(Exception):
    """The call cannot take the command: ``kind`` names the call_state answer of the error codes."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


def _default(component: str, member: str) -> Any:
    contract = api("callcontrol").contract
    return contract.resolved(contract.component(component)["properties"][member]).get("default")


@dataclass
class CallControlBehaviour:
    """What the controller does. The project's mutants may replace parts of it."""

    driver_class: type[CallDriver] = CallDriver
    commands: dict[str, Callable[..., dict[str, Any] | None]] = field(default_factory=dict)


class CallControlController:
    """Runs the legs of Call Control calls; its calls and applications are kept by its backend."""

    def __init__(
        self, backend: CallControlBackend[CallDriver], signer: Signer, behaviour: CallControlBehaviour | None = None
    ) -> None:
        self._backend = backend
        self.signer = signer
        self._behaviour = behaviour or CallControlBehaviour()

    # -- applications ----------------------------------------------------------------------

    def create_application(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._backend.add_application(body)

    # -- calls -----------------------------------------------------------------------------

    def find(self, call_control_id: str) -> CallDriver | None:
        return self._backend.call(call_control_id)

    def dial(self, body: dict[str, Any]) -> CallDriver:
        """An outbound leg in a new call tree, to the party at ``to`` (the first one, when a list)."""
        to = body["to"] if isinstance(body["to"], str) else next(iter(body["to"]), "")
        application = self._backend.application(body["connection_id"]) or {}
        return self._start(
            to,
            body["from"],
            body,
            connection_id=body["connection_id"],
            webhook_url=body.get("webhook_url") or application.get("webhook_event_url"),
            client_state=body.get("client_state"),
        )

    def _start(
        self,
        to: str,
        from_: str,
        body: dict[str, Any],
        connection_id: str,
        webhook_url: str | None,
        client_state: str | None,
        parent: CallDriver | None = None,
    ) -> CallDriver:
        setup = LegSetup(
            account_sid=ACCOUNT,
            sid=new_call_sid(),
            from_=from_,
            to=to,
            direction="outbound-api",
            status_callback_events=frozenset(),
            timeout=body.get("timeout_secs", _default("DialRequest", "timeout_secs")),
            time_limit=body.get("time_limit_secs", _default("DialRequest", "time_limit_secs")),
            credentials=sip_credentials(body.get("sip_auth_username"), body.get("sip_auth_password")),
        )
        core = self._backend.core
        leg = core.add_leg(setup, to, parent=parent.leg if parent else None)
        driver = self._behaviour.driver_class(
            leg,
            self._backend,
            self.signer,
            connection_id,
            webhook_url,
            client_state,
            call_session_id=parent.call_session_id if parent else None,
            on_answer=(lambda leg: self._transferred(parent, leg)) if parent else None,
        )
        driver.answer_settings = dict(body)
        if body.get("record"):
            driver.answer_settings["recording_id"] = str(uuid.uuid4())
        self._backend.add_call(leg.sid, driver)
        core.start(leg, driver)
        return driver

    def _transferred(self, parent: CallDriver, child: CallDriver) -> None:
        if not parent.ended and parent.answered:
            parent.bridge(child)

    def call_object(self, driver: CallDriver) -> dict[str, Any]:
        leg = driver.leg
        alive = not leg.ended.is_set() and not driver.ended
        answered = leg.answered_at if leg.answered_at is not None else leg.clock.elapsed
        data: dict[str, Any] = {
            "record_type": "call",
            "call_control_id": leg.sid,
            "call_leg_id": driver.call_leg_id,
            "call_session_id": driver.call_session_id,
            "is_alive": alive,
            "client_state": driver.client_state,
            "call_duration": int(max(leg.clock.elapsed - answered, 0)),
            "start_time": webhooks.iso(leg.clock.start_epoch),
        }
        if leg.ended.is_set():
            data["end_time"] = webhooks.iso(leg.clock.epoch())
        return data

    # -- commands --------------------------------------------------------------------------

    def command(self, driver: CallDriver, action: str, body: dict[str, Any]) -> dict[str, Any]:
        """Apply ``action`` to the call; the data of the 200 answer, or CallStateError."""
        command_id = body.get("command_id")
        if command_id is not None and command_id in driver.command_ids:
            return {"result": "ok"}  # a repeat: one effect only
        if driver.ended:
            raise CallStateError("call_ended", "The call has already ended")
        if not driver.answered and action in NEEDS_ANSWER:
            raise CallStateError("not_answered", f"{action} needs an answered call")
        if command_id is not None:
            driver.command_ids.add(command_id)
        if "client_state" in body:
            driver.client_state = body["client_state"]
        handler = self._behaviour.commands.get(action) or getattr(self, "_" + action)
        return handler(driver, body) or {"result": "ok"}

    def _answer(self, driver: CallDriver, body: dict[str, Any]) -> dict[str, Any]:
        # Outbound legs are answered by the far end; answer only adds what it asks for once answered.
        if body.get("webhook_url"):
            driver.webhook_url = body["webhook_url"]
        result: dict[str, Any] = {"result": "ok"}
        if body.get("record"):
            result["recording_id"] = str(uuid.uuid4())
            settings = {**body, "recording_id": result["recording_id"]}
            if driver.answered and driver.recording is None:
                driver.start_recording(result["recording_id"], settings, "record_")
            else:
                driver.answer_settings.update(settings)
        if body.get("stream_url") and driver.answered and driver.stream is None:
            driver.start_stream(body["stream_url"])
        return result

    def _reject(self, driver: CallDriver, body: dict[str, Any]) -> None:
        cause = "user_busy" if body["cause"] == "USER_BUSY" else "call_rejected"
        driver.leg.record("rejected", reason=body["cause"])
        driver.hang_up(CallEnded(cause, "caller", status="busy" if cause == "user_busy" else "no-answer"))

    def _hangup(self, driver: CallDriver, body: dict[str, Any]) -> None:
        cause = "normal_clearing" if driver.answered else "originator_cancel"
        driver.hang_up(CallEnded(cause, "caller", status="canceled"))

    def _client_state_update(self, driver: CallDriver, body: dict[str, Any]) -> None:
        return None  # client_state was taken above

    def _transfer(self, driver: CallDriver, body: dict[str, Any]) -> None:
        self._start(
            body["to"],
            body.get("from", driver.leg.setup.from_),
            body,
            connection_id=driver.connection_id,
            webhook_url=body.get("webhook_url") or driver.webhook_url,
            client_state=body.get("target_leg_client_state"),
            parent=driver,
        )

    def _bridge(self, driver: CallDriver, body: dict[str, Any]) -> None:
        other = self.find(body["call_control_id"])
        if other is None or other is driver:
            raise CallStateError("unknown_call", "No call to bridge with this call_control_id")
        if other.ended:
            raise CallStateError("call_ended", "The call to bridge with has already ended")
        if not other.answered:
            raise CallStateError("not_answered", "The call to bridge with is not answered yet")
        driver.bridge(other)

    def _speak(self, driver: CallDriver, body: dict[str, Any]) -> None:
        speak = Speak(body["payload"], body["voice"], body.get("language"), body.get("loop", 1))
        driver.play(speak, body.get("stop"))

    def _playback_start(self, driver: CallDriver, body: dict[str, Any]) -> None:
        audio = body.get("audio_url") or ("data:audio" if body.get("playback_content") else None)
        playback = Playback(audio, body.get("media_name"), body.get("loop", 1), body.get("overlay", False))
        driver.play(playback, body.get("stop"))

    def _playback_stop(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.stop_media(body.get("stop", "all"), (Playback, Speak))

    def _gather(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.play(self._gathering(body, "GatherRequest", initial=True), None)

    def _gather_using_audio(self, driver: CallDriver, body: dict[str, Any]) -> None:
        prompt = invalid = None
        if body.get("audio_url") or body.get("media_name"):
            prompt = Playback(body.get("audio_url"), body.get("media_name"))
        if body.get("invalid_audio_url") or body.get("invalid_media_name"):
            invalid = Playback(body.get("invalid_audio_url"), body.get("invalid_media_name"))
        driver.play(self._gathering(body, "GatherUsingAudioRequest", prompt=prompt, invalid=invalid), None)

    def _gather_using_speak(self, driver: CallDriver, body: dict[str, Any]) -> None:
        language = body.get("language")
        prompt = Speak(body["payload"], body["voice"], language, announce=False)
        invalid_payload = body.get("invalid_payload")
        invalid = Speak(invalid_payload, body["voice"], language, announce=False) if invalid_payload else None
        driver.play(self._gathering(body, "GatherUsingSpeakRequest", prompt=prompt, invalid=invalid), None)

    def _gathering(
        self, body: dict[str, Any], component: str, prompt: Any = None, invalid: Any = None, initial: bool = False
    ) -> Gather:
        def value(name: str) -> Any:
            return body.get(name, _default(component, name))

        overall = value("timeout_millis") / 1000
        return Gather(
            minimum=value("minimum_digits"),
            maximum=value("maximum_digits"),
            terminating=value("terminating_digit"),
            valid=value("valid_digits"),
            first=value("initial_timeout_millis") / 1000 if initial else overall,
            between=value("inter_digit_timeout_millis") / 1000,
            overall=overall,
            prompt=prompt,
            invalid_prompt=invalid,
            tries=1 if initial else max(value("maximum_tries"), 1),
        )

    def _gather_stop(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.stop_media("current", Gather)

    def _record_start(self, driver: CallDriver, body: dict[str, Any]) -> None:
        if driver.recording is None:
            driver.start_recording(str(uuid.uuid4()), body)

    def _record_stop(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.stop_recording("record-stop")

    def _record_pause(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.pause_recording(True)

    def _record_resume(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.pause_recording(False)

    def _enqueue(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.enqueue(body["queue_name"], body.get("max_wait_time_secs"))

    def _leave_queue(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.leave_queue("leave")

    def _fork_start(self, driver: CallDriver, body: dict[str, Any]) -> None:
        if driver.fork is None:
            driver.start_fork(body)

    def _fork_stop(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.stop_fork()

    def _streaming_start(self, driver: CallDriver, body: dict[str, Any]) -> None:
        if driver.stream is None:
            driver.start_stream(body.get("stream_url"))

    def _streaming_stop(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.stop_stream()

    def _refer(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.refer(body["sip_address"])

    def _send_dtmf(self, driver: CallDriver, body: dict[str, Any]) -> None:
        driver.send_dtmf(body["digits"], body.get("duration_millis", _default("SendDtmfRequest", "duration_millis")))
