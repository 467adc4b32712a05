"""Call Control recording: record_start's format, channels, bounds and beep, record_stop, record_pause and
record_resume, a recording saved when the call ends, and recordings that cannot be stored (scenarios
call-control/record_*/, call-control/hangup/saves-the-running-recording)."""

import dataclasses

from conformance_emulator.backend.leg import CallEnded
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from tests.mutants.builders import (
    Alternative,
    Mutant,
    command_changed,
    command_ignored,
    defaulted,
    driver,
    member_changed,
    shifted,
    webhook_dropped,
    webhooks_changed,
    without,
)


class _RecordingLostOnHangup(CallDriver):
    """Drops a running recording when the application hangs up, so it is never stopped nor saved."""

    def hang_up(self, end: CallEnded) -> None:
        self.recording = None
        super().hang_up(end)


class _StorageFailureHidden(CallDriver):
    """Never notices that storing a recording failed: it reports the recording saved all the same."""

    def stop_recording(self, reason: str) -> None:
        self.leg.party = dataclasses.replace(self.leg.party, recording_error=None)
        super().stop_recording(reason)


class _StorageFailureHangsUp(CallDriver):
    """Ends the call when a recording cannot be stored."""

    def stop_recording(self, reason: str) -> None:
        failed = self.recording is not None and self.leg.party.recording_error is not None
        super().stop_recording(reason)
        if failed and not self.ended:
            self.hang_up(CallEnded("hangup", "caller"))


MUTANTS: list[Mutant] = [
    Mutant(
        "call.recording.saved without recording_urls",
        (
            "call-control/record_start/saved-when-the-call-ends",
            "call-control/record_start/wav-dual",
            "call-control/record_stop/saves-the-recording",
            "call-control/dial/record-from-answer",
        ),
        webhooks_changed(lambda event, payload: {k: v for k, v in payload.items() if k != "recording_urls"}),
    ),
    Mutant(
        "recording always mp3",
        ("call-control/record_start/wav-dual",),
        command_changed("record_start", lambda body: {**body, "format": "mp3"}),
    ),
    Mutant(
        "recording always dual",
        ("call-control/record_start/saved-when-the-call-ends", "call-control/record_resume/resumes-the-recording"),
        command_changed("record_start", lambda body: {**body, "channels": "dual"}),
    ),
    Mutant(
        "record max_length one more",
        ("call-control/record_start/max-length-ends-recording",),
        command_changed("record_start", shifted("max_length", 1)),
    ),
    Mutant(
        "record max_length default 60 s",
        ("call-control/record_start/max-length-default-unbounded",),
        command_changed("record_start", defaulted(max_length=60)),
    ),
    Mutant(
        "record play_beep ignored",
        ("call-control/record_start/play-beep",),
        command_changed("record_start", without("play_beep")),
    ),
    Mutant(
        "a recording running when the application hangs up is never saved",
        ("call-control/hangup/saves-the-running-recording",),
        driver(_RecordingLostOnHangup),
    ),
    Mutant("record_stop ignored", ("call-control/record_stop/saves-the-recording",), command_ignored("record_stop")),
    Mutant(
        "record_pause ignored", ("call-control/record_pause/pauses-the-recording",), command_ignored("record_pause")
    ),
    Mutant(
        "record_resume ignored", ("call-control/record_resume/resumes-the-recording",), command_ignored("record_resume")
    ),
    Mutant(
        "recording failure not reported",
        (
            "call-control/record_start/storage-failure-reported",
            "call-control/record_start/storage-failure-keeps-the-call",
        ),
        webhook_dropped("call.recording.error"),
    ),
    Mutant(
        "recording failure reported as call.recording.saved",
        (
            "call-control/record_start/storage-failure-reported",
            "call-control/record_start/storage-failure-keeps-the-call",
        ),
        driver(_StorageFailureHidden),
    ),
    Mutant(
        "call.recording.error reason always Internal server error",
        ("call-control/record_start/storage-failure-keeps-the-call",),
        member_changed("call.recording.error", "reason", lambda reason: "Internal server error"),
    ),
    Mutant(
        "recording failure ends the call",
        ("call-control/record_start/storage-failure-keeps-the-call",),
        driver(_StorageFailureHangsUp),
    ),
]


ALTERNATIVES: list[Alternative] = []
