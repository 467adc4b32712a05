"""What each TeXML verb does to a call. Attribute values arrive typed, defaults applied (specs/texml-verbs.yaml).

A handler may return keys pressed while it listened (nested in Gather), raise
Redirected to continue with another document, or raise CallEnded.
"""

import itertools
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from lxml import etree

from conformance_emulator.execution import CallEnded, CallRun

Attributes = dict[str, Any]
Handler = Callable[..., Awaitable[str | None]]
RECORDINGS = "https://recordings.emulator.invalid"


def _repetitions(loop: int) -> Any:
    return itertools.count() if loop == 0 else range(loop)


def _text(node: etree._Element) -> str:
    return (node.text or "").strip()


async def say(run: CallRun, node: etree._Element, attrs: Attributes, listen: bool = False) -> str | None:
    run.answer()
    text = _text(node)
    seconds = max(1.0, math.ceil(len(text.split()) * run.say_seconds_per_word))
    for _ in _repetitions(attrs["loop"]):
        run.record("say", text=text, voice=attrs["voice"], language=attrs["language"])
        if keys := await run.spend(seconds, listen):
            return keys
    return None


async def play(run: CallRun, node: etree._Element, attrs: Attributes, listen: bool = False) -> str | None:
    run.answer()
    for _ in _repetitions(attrs["loop"]):
        run.record("play", url=_text(node), media_storage=attrs["mediaStorage"])
        if keys := await run.spend(run.play_seconds, listen):
            return keys
    return None


async def pause(run: CallRun, node: etree._Element, attrs: Attributes) -> None:
    run.answer()
    run.record("silence", length=attrs["length"])
    await run.spend(attrs["length"])


async def hangup(run: CallRun, node: etree._Element, attrs: Attributes) -> None:
    raise CallEnded("hangup-verb", "caller")


async def reject(run: CallRun, node: etree._Element, attrs: Attributes) -> None:
    run.record("rejected", reason=attrs["reason"])
    status = "busy" if attrs["reason"] == "busy" else "no-answer"
    raise CallEnded("rejected", "caller", status=status)


async def redirect(run: CallRun, node: etree._Element, attrs: Attributes) -> None:
    raise run.go_to(_text(node), attrs["method"])


async def gather(run: CallRun, node: etree._Element, attrs: Attributes) -> None:
    run.answer()
    keys = None
    for child in node:
        if isinstance(child.tag, str) and child.tag in run.verbs:
            keys = await run.verbs[child.tag](run, child, run.catalogue.attributes_of(child), listen=True)
            if keys:
                break  # a key press stops the prompts (barge-in)
    digits = await _collect(run, attrs, keys)
    if not digits:
        return  # no input: the document goes on with the next verb
    valid = attrs["validDigits"]
    if len(digits) < attrs["minDigits"] or (valid and any(key not in valid for key in digits)):
        target = attrs["invalidDigitsAction"] or attrs["action"]
    else:
        target = attrs["action"]
    if target:
        raise run.go_to(target, run.setup.url_method, Digits=digits)


async def _collect(run: CallRun, attrs: Attributes, keys: str | None) -> str:
    """Digits gathered until the finish key, the digit limit or ``timeout`` seconds without a key."""
    accepts_dtmf = "dtmf" in attrs["input"].split()
    limit = attrs["numDigits"] or attrs["maxDigits"]
    finish = attrs["finishOnKey"] or ""
    digits = ""
    while True:
        if keys is None:
            keys = await run.spend(attrs["timeout"], listen=True)
            if keys is None:
                return digits
        for key in keys if accepts_dtmf else "":
            if key in finish:
                return digits
            digits += key
            if len(digits) >= limit:
                return digits
        keys = None


async def record(run: CallRun, node: etree._Element, attrs: Attributes) -> None:
    run.answer()
    if attrs["playBeep"]:
        run.record("beep")
    run.record("record-start")
    started = run.clock.elapsed
    deadline = started + (attrs["maxLength"] or math.inf)
    finished_by, reason = None, "max-length"
    try:
        while finished_by is None:
            keys = await run.spend(deadline - run.clock.elapsed, listen=True)
            if keys is None:
                break
            finished_by = next((key for key in keys if key in attrs["finishOnKey"]), None)
            reason = "finish-key" if finished_by else reason
    except CallEnded:
        _recorded(run, attrs, started, "hangup")
        raise
    url, duration = _recorded(run, attrs, started, reason)
    if attrs["action"]:
        extra = {"RecordingUrl": url, "RecordingDuration": duration}
        if finished_by:
            extra["Digits"] = finished_by
        raise run.go_to(attrs["action"], attrs["method"], **extra)


def _recorded(run: CallRun, attrs: Attributes, started: float, reason: str) -> tuple[str, str]:
    """Close the recording: timeline, recording status callback; returns its URL and duration."""
    duration = str(int(run.clock.elapsed - started))
    run.record("record-stop", duration=int(duration), reason=reason)
    sid = secrets.token_hex(16)
    url = f"{RECORDINGS}/{sid}.wav"
    if attrs["recordingStatusCallback"]:
        params = {
            "AccountSid": run.setup.account_sid,
            "CallSid": run.setup.sid,
            "RecordingSid": sid,
            "RecordingUrl": url,
            "RecordingStatus": "completed",
            "RecordingDuration": duration,
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
        }
        run.callbacks.put(run.resolve(attrs["recordingStatusCallback"]), attrs["recordingStatusCallbackMethod"], params)
    return url, duration


VERBS: dict[str, Handler] = {
    "Say": say,
    "Play": play,
    "Pause": pause,
    "Hangup": hangup,
    "Reject": reject,
    "Redirect": redirect,
    "Gather": gather,
    "Record": record,
}
