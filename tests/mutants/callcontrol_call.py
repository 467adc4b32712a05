"""What becomes of a Call Control call: queues, REFER, reject, hangup and transfer, streams and forks;
command_id, and which commands a call takes in its state (scenarios call-control/enqueue/,
call-control/leave_queue/, call-control/refer/, call-control/reject/, call-control/hangup/,
call-control/transfer/, call-control/streaming_*/, call-control/fork_*/, call-control/command-id/,
call-control/call-state/)."""

from typing import Any

from conformance_emulator.backend.leg import CallEnded
from conformance_emulator.controllers.callcontrol import webhooks
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from tests.mutants.builders import (
    Alternative,
    Mutant,
    command_changed,
    command_ignored,
    driver,
    member_changed,
    member_replaced,
    webhook_dropped,
    without,
)


class _ReferAlwaysCompletes(CallDriver):
    """Takes any final answer to a REFER for success: a refusal comes as call.refer.completed."""

    def refer(self, sip_address: str) -> None:
        self.leg.record("refer", sip_address=sip_address)
        webhooks.send(self, "call.refer.started", sip_notify_response=100)
        webhooks.send(self, "call.refer.completed", sip_notify_response=self.leg.party.refer_response)


class _ReferHangsUp(CallDriver):
    """Drops the call once a REFER is answered, as if it had been transferred even when it was refused."""

    def refer(self, sip_address: str) -> None:
        super().refer(sip_address)
        self.hang_up(CallEnded("hangup", "caller"))


class _NeverBridges(CallDriver):
    def bridge(self, other: CallDriver) -> None:
        pass


class _CommandIdsForgotten(CallDriver):
    """Never remembers a command_id, so a repeated command acts again."""

    @property
    def command_ids(self) -> set[str]:
        return set()

    @command_ids.setter
    def command_ids(self, value: set[str]) -> None:
        pass


class _AnyIdIsKnown(set[str]):
    def __contains__(self, item: object) -> bool:
        return bool(self)


class _EveryCommandIdARepeat(CallDriver):
    """Takes any command_id for a repeat once one was used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command_ids = _AnyIdIsKnown()


class _EndedCallTakesCommands(CallDriver):
    @property
    def ended(self) -> bool:
        return False


class _AnsweredFromTheStart(CallDriver):
    @property
    def answered(self) -> bool:
        return True


MUTANTS: list[Mutant] = [
    # Queues
    Mutant(
        "queue positions count from 0",
        ("call-control/enqueue/reports-the-position",),
        member_changed("call.enqueued", "current_position", lambda position: position - 1),
    ),
    Mutant(
        "enqueue max_wait_time_secs ignored",
        ("call-control/enqueue/max-wait-time-dequeues",),
        command_changed("enqueue", without("max_wait_time_secs")),
    ),
    Mutant(
        "leave_queue ignored", ("call-control/leave_queue/dequeues-with-reason-leave",), command_ignored("leave_queue")
    ),
    # REFER
    Mutant(
        "call.refer.completed dropped",
        ("call-control/refer/sip-refer-progress",),
        webhook_dropped("call.refer.completed"),
    ),
    Mutant(
        "REFER refusal reported as call.refer.completed",
        ("call-control/refer/refused-by-the-far-end", "call-control/refer/refused-call-stays"),
        driver(_ReferAlwaysCompletes),
    ),
    Mutant(
        "call.refer.failed says 500 whatever the far end answered",
        ("call-control/refer/refused-by-the-far-end", "call-control/refer/refused-call-stays"),
        member_changed("call.refer.failed", "sip_notify_response", lambda status: 500),
    ),
    Mutant("refused REFER ends the call", ("call-control/refer/refused-call-stays",), driver(_ReferHangsUp)),
    # reject, hangup, transfer
    Mutant(
        "reject cause ignored",
        ("call-control/reject/answered-call-rejected",),
        command_changed("reject", lambda body: {**body, "cause": "USER_BUSY"}),
    ),
    Mutant(
        "hangup blames the callee",
        ("call-control/hangup/application-hangs-up",),
        member_replaced("call.hangup", "hangup_source", "caller", "callee"),
    ),
    Mutant(
        "cancel reported as normal_clearing",
        ("call-control/hangup/before-answer-cancels",),
        member_replaced("call.hangup", "hangup_cause", "originator_cancel", "normal_clearing"),
    ),
    Mutant("transfer never bridges", ("call-control/transfer/child-leg-answers-and-bridges",), driver(_NeverBridges)),
    # Streaming and forks
    Mutant(
        "streaming.failed dropped",
        ("call-control/streaming_start/without-url-fails",),
        webhook_dropped("streaming.failed"),
    ),
    Mutant(
        "streaming_stop ignored", ("call-control/streaming_stop/stops-the-stream",), command_ignored("streaming_stop")
    ),
    Mutant(
        "call.fork.stopped dropped",
        ("call-control/fork_start/forks-the-media", "call-control/fork_stop/stops-the-fork"),
        webhook_dropped("call.fork.stopped"),
    ),
    Mutant("fork_stop ignored", ("call-control/fork_stop/stops-the-fork",), command_ignored("fork_stop")),
    # command_id and the call's state
    Mutant(
        "command_id ignored",
        ("call-control/command-id/repeat-has-one-effect", "call-control/command-id/repeated-hangup-answered-ok"),
        driver(_CommandIdsForgotten),
    ),
    Mutant(
        "every command_id taken for a repeat",
        ("call-control/command-id/different-ids-both-act",),
        driver(_EveryCommandIdARepeat),
    ),
    Mutant(
        "ended call takes commands",
        ("call-control/call-state/command-after-hangup-refused", "call-control/call-state/second-hangup-refused"),
        driver(_EndedCallTakesCommands),
    ),
    Mutant(
        "unanswered call takes media commands",
        ("call-control/call-state/media-before-answer-refused", "call-control/hangup/before-answer-cancels"),
        driver(_AnsweredFromTheStart),
    ),
]


ALTERNATIVES: list[Alternative] = []
