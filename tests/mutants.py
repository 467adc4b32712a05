"""Mutants of the reference emulator: each breaks one documented TeXML rule.

A mutant is the emulator's Behaviour with one part replaced: a catalogue fact
(wrong default, off-by-one range), a verb handler, or a step of CallRun. Each
names the scenario files that must fail against it; the kill matrix requires
every scenario to be named by at least one mutant.
"""

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance_emulator import verbs
from conformance_emulator.execution import CallEnded, CallRun, Fetch, Redirected
from conformance_emulator.switch import Behaviour
from conformance_specs.catalogue import Catalogue, load

Attrs = dict[str, Any]


@dataclass(frozen=True)
class Mutant:
    name: str
    kills: tuple[str, ...]  # scenario ids (fixtures/<id>.yaml) that must fail
    behaviour: Callable[[], Behaviour]


def catalogue_fact(element: str, attribute: str, **changes: Any) -> Callable[[], Behaviour]:
    """The emulator reading a catalogue in which one attribute's default or range is wrong."""

    def build() -> Behaviour:
        real = load()
        old = real.elements[element]
        attributes = {**old.attributes, attribute: dataclasses.replace(old.attributes[attribute], **changes)}
        elements = {**real.elements, element: dataclasses.replace(old, attributes=attributes)}
        return Behaviour(catalogue=Catalogue(real.root, real.dtmf_alphabet, elements))

    return build


def verb(name: str, handler: Callable[..., Any]) -> Callable[[], Behaviour]:
    return lambda: Behaviour(verbs={**verbs.VERBS, name: handler})


def attrs_changed(name: str, change: Callable[[Attrs], Attrs]) -> Callable[[], Behaviour]:
    """A verb that misreads its attributes (``change`` rewrites them before the real handler runs)."""
    real = verbs.VERBS[name]

    async def handler(run: CallRun, node: Any, attrs: Attrs, **kwargs: Any) -> Any:
        return await real(run, node, change(dict(attrs)), **kwargs)

    return verb(name, handler)


def run_class(**overrides: Any) -> Callable[[], Behaviour]:
    return lambda: Behaviour(run_class=type("MutantRun", (CallRun,), overrides))


def template_rewritten(pattern: str, replacement: str) -> Callable[[], Behaviour]:
    """Mustache that misreads a construct: the template is rewritten before rendering."""

    def render(self: CallRun, template: str, params: Mapping[str, Any]) -> str:
        return CallRun.render(self, re.sub(pattern, replacement, template, flags=re.DOTALL), params)

    return run_class(render=render)


# -- replaced steps --------------------------------------------------------------------------


async def _ignored(run: CallRun, node: Any, attrs: Attrs, **kwargs: Any) -> None:
    return None


async def _reject_after_answering(run: CallRun, node: Any, attrs: Attrs) -> None:
    run.answer()
    await verbs.reject(run, node, attrs)


async def _reject_continues(run: CallRun, node: Any, attrs: Attrs) -> None:
    run.record("rejected", reason=attrs["reason"])


async def _gather_digits_keep_finish_key(run: CallRun, node: Any, attrs: Attrs) -> None:
    finish = attrs["finishOnKey"] or ""
    attrs = {**attrs, "finishOnKey": None, "numDigits": None}
    keys = await run.spend(attrs["timeout"], listen=True)
    digits = ""
    while keys:
        digits += keys
        if any(key in finish for key in keys):
            break
        keys = await run.spend(attrs["timeout"], listen=True)
    if digits and attrs["action"]:
        raise run.go_to(attrs["action"], run.setup.url_method, Digits=digits)


async def _gather_timeout_from_start(run: CallRun, node: Any, attrs: Attrs) -> None:
    """Counts the timeout from the start of the gather instead of from the last digit."""
    run.answer()
    deadline, digits = run.clock.elapsed + attrs["timeout"], ""
    while (left := deadline - run.clock.elapsed) > 0:
        keys = await run.spend(left, listen=True)
        if keys is None:
            break
        digits += keys
    if digits and attrs["action"]:
        raise run.go_to(attrs["action"], run.setup.url_method, Digits=digits)


async def _gather_without_prompts(run: CallRun, node: Any, attrs: Attrs) -> None:
    for child in list(node):
        node.remove(child)
    await verbs.gather(run, node, attrs)


async def _gather_action_posts(run: CallRun, node: Any, attrs: Attrs) -> None:
    run.setup = dataclasses.replace(run.setup, url_method="POST")
    await verbs.gather(run, node, attrs)


async def _record_key_any(run: CallRun, node: Any, attrs: Attrs) -> None:
    await verbs.record(run, node, {**attrs, "finishOnKey": load().dtmf_alphabet})


async def _record_digits_always(run: CallRun, node: Any, attrs: Attrs) -> None:
    """Sends Digits even when no key ended the recording."""
    try:
        await verbs.record(run, node, attrs)
    except Redirected as moved:
        extra = {**moved.fetch.extra, "Digits": moved.fetch.extra.get("Digits", "hangup")}
        raise Redirected(dataclasses.replace(moved.fetch, extra=extra)) from None


def _status_params_without(name: str) -> Callable[..., dict[str, str]]:
    def status_params(self: CallRun, status: str, hangup_source: str | None) -> dict[str, str]:
        return {k: v for k, v in CallRun.status_params(self, status, hangup_source).items() if k != name}

    return status_params


def _status_params_reversed(self: CallRun, status: str, hangup_source: str | None) -> dict[str, str]:
    params = CallRun.status_params(self, status, hangup_source)
    params["SequenceNumber"] = str(10 - int(params["SequenceNumber"]))
    return params


def _setup_changed(**changes: Any) -> Callable[[], Behaviour]:
    def __init__(self: CallRun, setup: Any, *args: Any) -> None:
        CallRun.__init__(self, dataclasses.replace(setup, **changes), *args)

    return run_class(__init__=__init__)


def _party_changed(**changes: Any) -> Callable[[], Behaviour]:
    def __init__(self: CallRun, setup: Any, party: Any, *args: Any) -> None:
        CallRun.__init__(self, setup, dataclasses.replace(party, **changes), *args)

    return run_class(__init__=__init__)


def _recording_params_without(name: str) -> Callable[[], Behaviour]:
    async def handler(run: CallRun, node: Any, attrs: Attrs) -> None:
        put = run.callbacks.put
        run.callbacks.put = lambda url, method, params: put(url, method, {k: v for k, v in params.items() if k != name})
        try:
            await verbs.record(run, node, attrs)
        finally:
            run.callbacks.put = put

    return verb("Record", handler)


def _query_only(self: CallRun, fetch: Fetch | None) -> dict[str, Any]:
    sent = CallRun.request_params(self)
    return {k: v for k, v in CallRun.template_params(self, fetch).items() if k not in sent}


def _interrupt_ignored(self: CallRun, reason: Any) -> bool:
    return False


async def _busy_answers(self: CallRun) -> Fetch | None:
    self.party = dataclasses.replace(self.party, outcome="answer")
    return await CallRun.connect(self)


def _failed_as_busy(self: CallRun) -> Any:
    if self.party.outcome == "failed":
        self.party = dataclasses.replace(self.party, outcome="busy")
    return CallRun.connect(self)


def _end_as_crash(self: CallRun, end: CallEnded) -> None:
    if end.cause == "invalid-document":
        raise RuntimeError("crashed")
    CallRun.finish(self, end)


MUTANTS: list[Mutant] = [
    # Pause
    Mutant("pause default 2 s", ("texml/pause/default-length",), catalogue_fact("Pause", "length", default=2)),
    Mutant("pause max clamped to 179", ("texml/pause/length-maximum",), catalogue_fact("Pause", "length", max=179)),
    Mutant("pause min clamped to 2", ("texml/pause/length-minimum",), catalogue_fact("Pause", "length", min=2)),
    # Say
    Mutant("say default voice woman", ("texml/say/defaults",), catalogue_fact("Say", "voice", default="woman")),
    Mutant("say voice ignored", ("texml/say/voice-woman",), attrs_changed("Say", lambda a: {**a, "voice": "man"})),
    Mutant(
        "say language ignored",
        ("texml/say/voice-alice-language",),
        attrs_changed("Say", lambda a: {**a, "language": "en-US"}),
    ),
    Mutant(
        "say loop one short",
        ("texml/say/loop-three",),
        attrs_changed("Say", lambda a: {**a, "loop": max(a["loop"] - 1, 1)}),
    ),
    Mutant("say loop max clamped to 99", ("texml/say/loop-maximum",), catalogue_fact("Say", "loop", max=99)),
    Mutant(
        "say loop 0 plays once",
        ("texml/say/loop-zero-is-infinite",),
        attrs_changed("Say", lambda a: {**a, "loop": a["loop"] or 1}),
    ),
    # Play
    Mutant("play loop ignored", ("texml/play/loop-two",), attrs_changed("Play", lambda a: {**a, "loop": 1})),
    Mutant("play loop max clamped to 99", ("texml/play/loop-maximum",), catalogue_fact("Play", "loop", max=99)),
    Mutant(
        "play loop 0 plays once",
        ("texml/play/loop-zero-is-infinite",),
        attrs_changed("Play", lambda a: {**a, "loop": a["loop"] or 1}),
    ),
    Mutant(
        "play mediaStorage default true", ("texml/play/defaults",), catalogue_fact("Play", "mediaStorage", default=True)
    ),
    Mutant(
        "play mediaStorage ignored",
        ("texml/play/media-storage",),
        attrs_changed("Play", lambda a: {**a, "mediaStorage": False}),
    ),
    # Hangup, Reject, Redirect
    Mutant("hangup ignored", ("texml/hangup/ends-the-call",), verb("Hangup", _ignored)),
    Mutant(
        "reject answers first",
        ("texml/reject/first-verb-never-answers", "texml/reject/reason-busy"),
        verb("Reject", _reject_after_answering),
    ),
    Mutant(
        "reject reason ignored",
        ("texml/reject/reason-busy",),
        attrs_changed("Reject", lambda a: {**a, "reason": "rejected"}),
    ),
    Mutant("reject does not end the call", ("texml/reject/after-answer-hangs-up",), verb("Reject", _reject_continues)),
    Mutant(
        "redirect default GET",
        ("texml/redirect/relative-url-default-post",),
        catalogue_fact("Redirect", "method", default="GET"),
    ),
    Mutant(
        "redirect method ignored",
        ("texml/redirect/absolute-url-get",),
        attrs_changed("Redirect", lambda a: {**a, "method": "POST"}),
    ),
    # Gather
    Mutant(
        "gather timeout default 6 s",
        ("texml/gather/timeout-default-no-input-falls-through", "texml/gather/digits-sent-to-action"),
        catalogue_fact("Gather", "timeout", default=6),
    ),
    Mutant(
        "gather timeout max clamped to 119",
        ("texml/gather/timeout-maximum",),
        catalogue_fact("Gather", "timeout", max=119),
    ),
    Mutant(
        "gather timeout min clamped to 2", ("texml/gather/timeout-minimum",), catalogue_fact("Gather", "timeout", min=2)
    ),
    Mutant(
        "gather timeout counted from the start",
        ("texml/gather/timeout-between-digits",),
        verb("Gather", _gather_timeout_from_start),
    ),
    Mutant(
        "gather Digits include the finish key",
        ("texml/gather/finish-on-key-not-in-digits", "texml/gather/finish-on-key-star"),
        verb("Gather", _gather_digits_keep_finish_key),
    ),
    Mutant(
        "gather numDigits ignored",
        ("texml/gather/num-digits",),
        attrs_changed("Gather", lambda a: {**a, "numDigits": None}),
    ),
    Mutant(
        "gather maxDigits one more",
        ("texml/gather/max-digits", "texml/gather/max-digits-default"),
        attrs_changed("Gather", lambda a: {**a, "maxDigits": a["maxDigits"] + 1}),
    ),
    Mutant(
        "gather minDigits default 2",
        ("texml/gather/min-digits-default",),
        catalogue_fact("Gather", "minDigits", default=2),
    ),
    Mutant(
        "gather minDigits one more",
        ("texml/gather/min-digits-met",),
        attrs_changed("Gather", lambda a: {**a, "minDigits": a["minDigits"] + 1}),
    ),
    Mutant(
        "gather validDigits ignored",
        ("texml/gather/valid-digits",),
        attrs_changed("Gather", lambda a: {**a, "validDigits": None}),
    ),
    Mutant(
        "gather every digit invalid",
        ("texml/gather/valid-digits-accepted",),
        attrs_changed("Gather", lambda a: {**a, "validDigits": "x" if a["validDigits"] else None}),
    ),
    Mutant(
        "gather invalidDigitsAction without default",
        ("texml/gather/invalid-digits-action-defaults-to-action",),
        attrs_changed("Gather", lambda a: {**a, "action": a["action"] if a["invalidDigitsAction"] else None}),
    ),
    Mutant(
        "gather skips nested verbs",
        ("texml/gather/nested-verbs-then-timeout",),
        verb("Gather", _gather_without_prompts),
    ),
    Mutant(
        "gather input default speech",
        ("texml/gather/input-default-dtmf",),
        catalogue_fact("Gather", "input", default="speech"),
    ),
    Mutant(
        "gather input ignored",
        ("texml/gather/input-speech-ignores-keys",),
        attrs_changed("Gather", lambda a: {**a, "input": "dtmf"}),
    ),
    Mutant(
        "gather input 'dtmf speech' refused",
        ("texml/gather/input-dtmf-speech",),
        attrs_changed("Gather", lambda a: {**a, "input": "dtmf" if a["input"] == "dtmf" else "speech"}),
    ),
    Mutant(
        "gather action always POST",
        ("texml/gather/action-uses-application-method",),
        verb("Gather", _gather_action_posts),
    ),
    # Record
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
        "recording callback without RecordingUrl",
        ("texml/record/recording-status-callback",),
        _recording_params_without("RecordingUrl"),
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
    # Status callbacks and the call
    Mutant(
        "status callbacks for every event by default",
        ("texml/callbacks/default-event-is-completed",),
        _setup_changed(status_callback_events=frozenset({"initiated", "ringing", "answered", "completed"})),
    ),
    Mutant(
        "SequenceNumber counts down",
        ("texml/callbacks/fields",),
        run_class(status_params=_status_params_reversed),
    ),
    Mutant(
        "callback without CallbackSource",
        ("texml/callbacks/fields",),
        run_class(status_params=_status_params_without("CallbackSource")),
    ),
    Mutant(
        "callback without Timestamp",
        ("texml/callbacks/fields",),
        run_class(status_params=_status_params_without("Timestamp")),
    ),
    Mutant(
        "completed callback without CallDuration",
        ("texml/callbacks/fields", "texml/callbacks/far-end-hangs-up"),
        run_class(status_params=_status_params_without("CallDuration")),
    ),
    Mutant(
        "status callback method ignored", ("texml/callbacks/method-get",), _setup_changed(status_callback_method="POST")
    ),
    Mutant("busy callee answers", ("texml/callbacks/busy",), run_class(connect=_busy_answers)),
    Mutant("no-answer rings 30 s", ("texml/callbacks/no-answer",), _setup_changed(timeout=30)),
    Mutant("failed reported as busy", ("texml/callbacks/failed",), run_class(connect=_failed_as_busy)),
    Mutant("answers at once", ("texml/callbacks/answer-after-ringing",), _party_changed(answer_after=0.0)),
    Mutant(
        "far end never hangs up",
        ("texml/callbacks/far-end-hangs-up", "texml/say/loop-zero-is-infinite", "texml/play/loop-zero-is-infinite"),
        _party_changed(hangup_at=None),
    ),
    Mutant("UrlMethod ignored", ("texml/call/url-method-get",), _setup_changed(url_method="POST")),
    Mutant("FallbackUrl ignored", ("texml/call/fallback-url",), _setup_changed(fallback_url=None)),
    Mutant("inline Texml ignored", ("texml/call/inline-texml",), _setup_changed(texml=None)),
    Mutant(
        "updates ignored",
        ("texml/call/update-completed-ends-call", "texml/call/update-url-redirects"),
        run_class(interrupt=_interrupt_ignored),
    ),
    Mutant(
        "crashes on an invalid document", ("texml/call/invalid-document-ends-call",), run_class(finish=_end_as_crash)
    ),
    # Mustache
    Mutant(
        "mustache ignores URL query",
        ("texml/mustache/value-from-url-query", "texml/mustache/list-section"),
        run_class(template_params=lambda self, fetch: CallRun.request_params(self)),
    ),
    Mutant(
        "mustache ignores request parameters",
        ("texml/mustache/value-from-request-parameters",),
        run_class(template_params=_query_only),
    ),
    Mutant("mustache == never holds", ("texml/mustache/if-equals",), template_rewritten(r" == ", " == never-")),
    Mutant(
        "mustache elseif ignored",
        ("texml/mustache/if-elseif",),
        template_rewritten(r"\{\{#elseif[^}]*\}\}.*?(?=\{\{#else\}\})", ""),
    ),
    Mutant(
        "mustache else ignored", ("texml/mustache/if-else",), template_rewritten(r"\{\{#else\}\}.*?(?=\{\{/if\}\})", "")
    ),
    Mutant("mustache != read as ==", ("texml/mustache/if-not-equals",), template_rewritten(r" != ", " == ")),
    Mutant(
        "mustache presence always false",
        ("texml/mustache/if-present",),
        template_rewritten(r"\{\{#if (\w+)\}\}", r"{{#if \1 == never}}"),
    ),
    Mutant(
        "mustache presence always true",
        ("texml/mustache/if-absent",),
        template_rewritten(r"\{\{#if (\w+)\}\}", r"{{#if \1 != never}}"),
    ),
]
