"""One call's life: connecting, fetching TeXML documents, running their verbs, ending.

A ``CallRun`` owns the media plane of a call (what the timeline records) and the
status callbacks. Verbs live in conformance_emulator.verbs and act through the methods here.
"""

import asyncio
import itertools
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree

from conformance_emulator.clock import VirtualClock
from conformance_emulator.mustache import TemplateError, render
from conformance_emulator.outbound import CallbackQueue, Document, FetchFailed, Outbound
from conformance_emulator.parties import Party
from conformance_specs.catalogue import Catalogue

MAX_DOCUMENTS_PER_CALL = 100
MAX_TIMELINE_EVENTS = 5000
STATUS_EVENTS = {"initiated": "initiated", "ringing": "ringing", "in-progress": "answered"}
TERMINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


@dataclass(frozen=True)
class CallSetup:
    """How a call was asked for (InitiateCall, or an inbound call to an application)."""

    account_sid: str
    sid: str
    from_: str
    to: str
    direction: str  # "outbound-api" or "inbound"
    url: str | None = None
    url_method: str = "POST"
    fallback_url: str | None = None
    texml: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: frozenset[str] = frozenset({"completed"})
    timeout: int = 30
    time_limit: int = 14400
    parent_sid: str | None = None


@dataclass(frozen=True)
class Fetch:
    """A request for the next TeXML document."""

    url: str
    method: str
    extra: Mapping[str, str] = field(default_factory=dict)


class CallEnded(Exception):
    def __init__(self, cause: str, source: str, status: str = "completed") -> None:
        super().__init__(cause)
        self.cause, self.source, self.status = cause, source, status


class Redirected(Exception):
    def __init__(self, fetch: Fetch) -> None:
        super().__init__(fetch.url)
        self.fetch = fetch


class CallRun:
    """The running call. Subclasses (mutants in the project's tests) may override any step."""

    say_seconds_per_word = 0.4
    play_seconds = 3.0

    def __init__(
        self,
        setup: CallSetup,
        party: Party,
        catalogue: Catalogue,
        verbs: Mapping[str, Any],
        outbound: Outbound,
        on_status: Any,
    ) -> None:
        self.setup = setup
        self.party = party
        self.catalogue = catalogue
        self.verbs = verbs
        self.outbound = outbound
        self.clock = VirtualClock(time.time(), manual=party.clock == "manual")
        self.timeline: list[dict[str, Any]] = []
        self.truncated = False
        self.status = "queued"
        self.answered_at: float | None = None
        self.document: Document | None = None
        self._on_status = on_status
        self._sequence = itertools.count()
        self._presses = list(party.digits)
        self._interrupt: BaseException | None = None
        self._document_task: asyncio.Task[Fetch | None] | None = None
        self._main_task: asyncio.Task[Any] | None = None
        self.callbacks = CallbackQueue(outbound)

    # -- life cycle -------------------------------------------------------------------------

    async def run(self) -> None:
        self._main_task = asyncio.current_task()
        with self.clock.participant():
            try:
                await self._connect_and_execute()
            except CallEnded as end:
                self.finish(end)
            finally:
                self.callbacks.close()

    async def _connect_and_execute(self) -> None:
        try:
            first = await self.connect()
        except asyncio.CancelledError:
            if not isinstance(self._interrupt, CallEnded):
                raise
            raise self._interrupt from None
        await self.execute(first)
        raise CallEnded("end-of-document", "caller")

    async def connect(self) -> Fetch | None:
        """Reach the far end (outbound) and say which document to fetch first."""
        if self.setup.direction == "inbound":
            self.set_status("ringing")
            return self.first_fetch()
        self.set_status("initiated")
        self.set_status("ringing")
        self.record("ringing")
        outcome = self.party.outcome
        if outcome in ("busy", "failed"):
            raise CallEnded(outcome, "callee", status=outcome)
        if outcome == "no-answer" or self.party.answer_after >= self.setup.timeout:
            await self.clock.sleep(self.setup.timeout)
            raise CallEnded("no-answer", "callee", status="no-answer")
        await self.clock.sleep(self.party.answer_after)
        self.answer()
        return self.first_fetch()

    def first_fetch(self) -> Fetch | None:
        if self.setup.texml is not None:
            return None
        if not self.setup.url:
            raise CallEnded("no-document", "caller")
        return Fetch(self.setup.url, self.setup.url_method)

    async def execute(self, fetch: Fetch | None) -> None:
        next_fetch: Fetch | None = fetch
        for count in itertools.count():
            if count >= MAX_DOCUMENTS_PER_CALL:
                raise CallEnded("too-many-documents", "caller")
            self._document_task = asyncio.create_task(self.run_document(next_fetch, first=count == 0))
            try:
                next_fetch = await self._document_task
            except asyncio.CancelledError:
                if self._interrupt is None:
                    raise
                interrupt, self._interrupt = self._interrupt, None
                if isinstance(interrupt, Redirected):
                    next_fetch = interrupt.fetch
                    continue
                raise interrupt from None
            if next_fetch is None:
                return

    async def run_document(self, fetch: Fetch | None, first: bool) -> Fetch | None:
        """Fetch (or take inline) a document and run its verbs; the next fetch, or None at its end."""
        text = await self.load(fetch, first)
        try:
            rendered = self.render(text, self.template_params(fetch))
            root = etree.fromstring(rendered.encode(), XML_PARSER)
        except (TemplateError, etree.XMLSyntaxError, ValueError):
            raise CallEnded("invalid-document", "caller") from None
        if root.tag != self.catalogue.root:
            raise CallEnded("invalid-document", "caller")
        for node in root:
            if not isinstance(node.tag, str):
                continue
            handler = self.verbs.get(node.tag)
            if handler is None:
                continue  # verbs the emulator does not simulate yet are skipped (errata E-021)
            try:
                await handler(self, node, self.catalogue.attributes_of(node))
            except Redirected as redirect:
                return redirect.fetch
        return None

    def render(self, template: str, params: Mapping[str, Any]) -> str:
        return render(template, params)

    async def load(self, fetch: Fetch | None, first: bool) -> str:
        if fetch is None:
            self.document = None
            return self.setup.texml or ""
        try:
            self.document = await self.outbound.fetch(fetch.url, fetch.method, self.request_params(fetch.extra))
        except FetchFailed:
            if not (first and self.setup.fallback_url):
                raise CallEnded("document-unavailable", "caller") from None
            try:
                fallback = self.setup.fallback_url
                self.document = await self.outbound.fetch(fallback, fetch.method, self.request_params(fetch.extra))
            except FetchFailed:
                raise CallEnded("document-unavailable", "caller") from None
        return self.document.text

    def finish(self, end: CallEnded) -> None:
        self.record("hangup", cause=end.cause, source=end.source)
        self.set_status(end.status if self.answered_at is None else "completed", hangup_source=end.source)

    # -- interrupts from the REST API -------------------------------------------------------

    def interrupt(self, reason: CallEnded | Redirected) -> bool:
        """End or redirect the call from outside; False when there is nothing to interrupt.

        Before the first document runs (the call still rings) only ending is possible.
        """
        if self.status in TERMINAL:
            return False
        running = self._document_task is not None and not self._document_task.done()
        task = self._document_task if running else self._main_task
        if task is None or (not running and isinstance(reason, Redirected)):
            return False
        self._interrupt = reason
        task.cancel()
        return True

    # -- the media plane --------------------------------------------------------------------

    def now(self) -> float:
        return round(self.clock.elapsed, 3)

    def record(self, event: str, **fields: Any) -> None:
        if len(self.timeline) >= MAX_TIMELINE_EVENTS:
            self.truncated = True
            return
        self.timeline.append({"at": self.now(), "event": event, **fields})

    def answer(self, answered_by: str = "human") -> None:
        if self.answered_at is not None:
            return
        self.answered_at = self.clock.elapsed
        self.record("answered", answered_by=answered_by)
        self.set_status("in-progress")

    async def spend(self, seconds: float, listen: bool = False) -> str | None:
        """Let ``seconds`` of call time pass (math.inf: until something happens).

        Returns the keys of a press that arrives meanwhile when ``listen``; raises CallEnded
        when the far end hangs up or the time limit is reached first.
        """
        deadline = self.clock.elapsed + seconds
        while True:
            hangup, limit = self._hangup_time(), self._limit_time()
            press_at = self._next_press_time()
            stop = min(deadline, hangup, limit, press_at)
            if stop == math.inf:
                raise CallEnded("nothing-can-happen", "caller")
            await self.clock.sleep_until(stop)
            if stop == hangup:
                raise CallEnded("hangup", "callee")
            if stop == limit:
                raise CallEnded("time-limit", "caller")
            if stop == press_at:
                keys = self._presses.pop(0).keys
                self.record("digits", keys=keys)
                if listen:
                    return keys
                continue
            return None

    def _anchor(self) -> float:
        return math.inf if self.answered_at is None else self.answered_at

    def _hangup_time(self) -> float:
        return math.inf if self.party.hangup_at is None else self._anchor() + self.party.hangup_at

    def _limit_time(self) -> float:
        return self._anchor() + self.setup.time_limit

    def _next_press_time(self) -> float:
        return self._anchor() + self._presses[0].at if self._presses else math.inf

    # -- requests to the application --------------------------------------------------------

    def resolve(self, url: str) -> str:
        base = self.document.url if self.document else (self.setup.url or "")
        return urljoin(base, url.strip())

    def request_params(self, extra: Mapping[str, str] = {}) -> dict[str, str]:
        return {
            "CallSid": self.setup.sid,
            "AccountSid": self.setup.account_sid,
            "From": self.setup.from_,
            "To": self.setup.to,
            "CallStatus": self.status,
            "Direction": self.setup.direction,
            **extra,
        }

    def template_params(self, fetch: Fetch | None) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {}
        url = fetch.url if fetch else ""
        for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if name.endswith("[]"):
                listed = params.setdefault(name[:-2], [])
                if isinstance(listed, list):
                    listed.append(value)
            else:
                params[name] = value
        params.update(self.request_params(fetch.extra if fetch else {}))
        return params

    def go_to(self, url: str, method: str, **extra: str) -> Redirected:
        return Redirected(Fetch(self.resolve(url), method, extra))

    # -- status callbacks -------------------------------------------------------------------

    def set_status(self, status: str, hangup_source: str | None = None) -> None:
        self.status = status
        self._on_status(status)
        event = "completed" if status in TERMINAL else STATUS_EVENTS.get(status)
        if event is None or event not in self.setup.status_callback_events or not self.setup.status_callback:
            return
        self.callbacks.put(
            self.setup.status_callback, self.setup.status_callback_method, self.status_params(status, hangup_source)
        )

    def status_params(self, status: str, hangup_source: str | None) -> dict[str, str]:
        params = {
            "AccountSid": self.setup.account_sid,
            "CallSid": self.setup.sid,
            "CallSidLegacy": self.setup.sid,
            "CallStatus": status,
            "CallbackSource": "call-progress-events",
            "From": self.setup.from_,
            "To": self.setup.to,
            "Direction": self.setup.direction,
            "SequenceNumber": str(next(self._sequence)),
            "Timestamp": self.timestamp(),
        }
        if self.setup.parent_sid:
            params["ParentCallSid"] = params["ParentCallSidLegacy"] = self.setup.parent_sid
        if status in TERMINAL:
            answered = self.answered_at if self.answered_at is not None else self.clock.elapsed
            params["CallDuration"] = str(int(self.clock.elapsed - answered))
            params["HangupSource"] = hangup_source or ""
        return params

    def timestamp(self) -> str:
        moment = datetime.fromtimestamp(self.clock.epoch(), UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%fZ")

    def as_timeline(self) -> dict[str, Any]:
        return {
            "call_sid": self.setup.sid,
            "parent_call_sid": self.setup.parent_sid,
            "child_call_sids": [],
            "status": self.status,
            "truncated": self.truncated,
            "events": list(self.timeline),
        }
