"""TeXML <Record>: the beep, finishOnKey, maxLength, the request to action (Digits, RecordingUrl,
RecordingDuration) and the recording status callback (scenarios texml/record/; errata E-017)."""

import copy
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from conformance_emulator.backend.leg import Leg
from conformance_emulator.controllers.texml import verbs
from conformance_emulator.controllers.texml.interpreter import Interpreter, Redirected
from conformance_specs.catalogue import load
from tests.mutants.builders import (
    Alternative,
    Attrs,
    Mutant,
    attrs_changed,
    catalogue_fact,
    interpreter_class,
    leg_class,
    verb,
)


async def _record_key_any(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    await verbs.record(texml, node, {**attrs, "finishOnKey": load().dtmf_alphabet})


async def _record_digits_always(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Sends Digits even when no key ended the recording."""
    try:
        await verbs.record(texml, node, attrs)
    except Redirected as moved:
        extra = {**moved.fetch.extra, "Digits": moved.fetch.extra.get("Digits", "hangup")}
        raise Redirected(dataclasses.replace(moved.fetch, extra=extra)) from None


def _recording_duration_in_ms(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """Record's action request gives RecordingDuration in milliseconds, not the seconds seed 004 says."""
    extra = dict(extra)
    if "RecordingDuration" in extra:
        extra["RecordingDuration"] = str(int(extra["RecordingDuration"]) * 1000)
    return Interpreter.request_params(self, extra)


def _callbacks_without(name: str) -> Callable[..., None]:
    """Every callback loses ``name`` (status callbacks never carry the recording fields this removes)."""

    def notify(self: Leg, url: str, method: str, params: Mapping[str, str], *args: Any) -> None:
        Leg.notify(self, url, method, {k: v for k, v in params.items() if k != name}, *args)

    return notify


class _LegNotNotifying:
    """A leg that never sends the requests it is asked to send to ``url``."""

    def __init__(self, leg: Leg, url: str) -> None:
        self._leg, self._url = leg, url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._leg, name)

    def notify(self, url: str, *args: Any) -> None:
        if url != self._url:
            self._leg.notify(url, *args)


async def _record_action_skipped_on_hangup(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Tells action nothing when the far end hangs up during the recording."""
    quiet = copy.copy(texml)
    if attrs["action"]:
        quiet.leg = _LegNotNotifying(texml.leg, texml.resolve(attrs["action"]))  # type: ignore[assignment]
    await verbs.record(quiet, node, attrs)


def _record_url_renamed(name: str, value: Callable[[str], str]) -> Callable[..., dict[str, str]]:
    """Record's action request carries the recording's URL as ``name`` with ``value(url)`` (errata E-017)."""

    def request_params(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
        extra = dict(extra)
        if "RecordingUrl" in extra:
            extra[name] = value(extra.pop("RecordingUrl"))
        return Interpreter.request_params(self, extra)

    return request_params


MUTANTS: list[Mutant] = [
    Mutant(
        "record playBeep default false", ("texml/record/defaults",), catalogue_fact("Record", "playBeep", default=False)
    ),
    Mutant(
        "record always beeps",
        ("texml/record/play-beep-false",),
        attrs_changed("Record", lambda a: {**a, "playBeep": True}),
    ),
    Mutant(
        "record finishOnKey default #",
        ("texml/record/finish-on-key-default-any-digit",),
        catalogue_fact("Record", "finishOnKey", default="#"),
    ),
    Mutant("record any key finishes", ("texml/record/finish-on-key-custom",), verb("Record", _record_key_any)),
    Mutant(
        "record * never finishes",
        ("texml/record/finish-on-key-star",),
        attrs_changed("Record", lambda a: {**a, "finishOnKey": a["finishOnKey"].replace("*", "")}),
    ),
    Mutant(
        "record maxLength one more",
        ("texml/record/max-length",),
        attrs_changed("Record", lambda a: {**a, "maxLength": a["maxLength"] + 1 if a["maxLength"] else 0}),
    ),
    Mutant(
        "record maxLength max clamped",
        ("texml/record/max-length-maximum",),
        catalogue_fact("Record", "maxLength", max=3600),
    ),
    Mutant(
        "record maxLength 0 stops at once",
        ("texml/record/max-length-zero-is-infinite",),
        attrs_changed("Record", lambda a: {**a, "maxLength": a["maxLength"] or 0.001}),
    ),
    Mutant("record Digits always sent", ("texml/record/max-length",), verb("Record", _record_digits_always)),
    Mutant(
        "record action's RecordingDuration in milliseconds",
        (
            "texml/record/defaults",
            "texml/record/finish-on-key-default-any-digit",
            "texml/record/far-end-hangs-up-digits-hangup",
            "texml/record/max-length",
        ),
        interpreter_class(request_params=_recording_duration_in_ms),
    ),
    Mutant(
        "recording callback without RecordingUrl",
        ("texml/record/recording-status-callback",),
        leg_class(notify=_callbacks_without("RecordingUrl")),
    ),
    Mutant(
        "recording callback method ignored",
        ("texml/record/recording-status-callback-get",),
        attrs_changed("Record", lambda a: {**a, "recordingStatusCallbackMethod": "POST"}),
    ),
    Mutant(
        "record method ignored",
        ("texml/record/method-get",),
        attrs_changed("Record", lambda a: {**a, "method": "POST"}),
    ),
    Mutant(
        "record action ignored",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup"),
        attrs_changed("Record", lambda a: {**a, "action": None}),
    ),
    Mutant(
        "record action skipped when the far end hangs up",
        ("texml/record/far-end-hangs-up-digits-hangup",),
        verb("Record", _record_action_skipped_on_hangup),
    ),
    Mutant(
        "record action without the recording's URL",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup", "texml/record/max-length"),
        interpreter_class(request_params=_record_url_renamed("RecordingLink", lambda url: url)),
    ),
    Mutant(
        "record action's RecordingURL is no URL",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup", "texml/record/max-length"),
        interpreter_class(request_params=_record_url_renamed("RecordingURL", lambda url: url.rsplit("/", 1)[-1])),
    ),
]


# Documented alternative (errata E-017).
ALTERNATIVES: list[Alternative] = [
    Alternative(
        "Record's action spells RecordingURL, as seed 004's table does",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup", "texml/record/max-length"),
        interpreter_class(request_params=_record_url_renamed("RecordingURL", lambda url: url)),
    ),
]
