"""The TeXML interpreter driving one leg: fetching documents, running their verbs, following redirects.

The leg owns the media plane and the status callbacks; the interpreter decides what
happens on it. Verbs live in verbs.py and act through the leg and the methods here; the
interpreter holds the TeXML backend, where legs meet (its queues and conferences, the core's
bridges), and the outbound client its documents and audio are fetched with.
"""

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree

from conformance_emulator.backend.leg import TERMINAL, CallEnded, Leg
from conformance_emulator.backend.texml import TexmlBackend
from conformance_emulator.controllers.texml.documents import Document, FetchFailed, fetch_document
from conformance_emulator.controllers.texml.mustache import TemplateError, render
from conformance_specs.catalogue import Catalogue

MAX_DOCUMENTS_PER_CALL = 100
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


@dataclass(frozen=True)
class TexmlSetup:
    """Where the leg's first document comes from (InitiateCall, or the application of an inbound call)."""

    url: str | None = None
    url_method: str = "POST"
    fallback_url: str | None = None
    texml: str | None = None


@dataclass(frozen=True)
class Fetch:
    """A request for the next TeXML document, or (``inline``) the document itself, given by an update."""

    url: str
    method: str
    extra: Mapping[str, str] = field(default_factory=dict)
    inline: str | None = None


class Redirected(Exception):
    def __init__(self, fetch: Fetch) -> None:
        super().__init__(fetch.url)
        self.fetch = fetch


class Interpreter:
    """Runs a leg's TeXML. Subclasses (mutants in the project's tests) may override any step."""

    def __init__(
        self, leg: Leg, setup: TexmlSetup, catalogue: Catalogue, verbs: Mapping[str, Any], backend: TexmlBackend
    ) -> None:
        self.leg = leg
        self.setup = setup
        self.catalogue = catalogue
        self.verbs = verbs
        self.backend = backend  # TeXML's queues and conferences, and the core's bridges, for verbs that meet
        self.outbound = backend.core.outbound
        self.document: Document | None = None
        self._redirect: Redirected | None = None
        self._document_task: asyncio.Task[Fetch | None] | None = None
        # Instructions an update gave before any document ran (the call still rang): they replace the first.
        self._replacement: Fetch | None = None

    async def drive(self) -> None:
        """Run documents from the first one on, once the leg is connected."""
        replacement, self._replacement = self._replacement, None
        await self.execute(replacement or self.first_fetch())
        raise CallEnded("end-of-document", "caller")

    def first_fetch(self) -> Fetch | None:
        if self.setup.texml is not None:
            return None
        if not self.setup.url:
            raise CallEnded("no-document", "caller")
        return Fetch(self.setup.url, self.setup.url_method)

    async def execute(self, fetch: Fetch | None) -> None:
        # Each document runs as its own task, so that an update's redirect can cancel it alone.
        next_fetch: Fetch | None = fetch
        for count in itertools.count():
            if count >= MAX_DOCUMENTS_PER_CALL:
                raise CallEnded("too-many-documents", "caller")
            self._document_task = asyncio.create_task(self.run_document(next_fetch, first=count == 0))
            try:
                next_fetch = await self._document_task
            except asyncio.CancelledError:
                if self._redirect is None:
                    raise
                next_fetch, self._redirect = self._redirect.fetch, None
                continue
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
        if fetch is None or fetch.inline is not None:
            self.document = None
            return fetch.inline if fetch is not None and fetch.inline is not None else self.setup.texml or ""
        try:
            self.document = await fetch_document(
                self.outbound, fetch.url, fetch.method, self.request_params(fetch.extra)
            )
        except FetchFailed:
            if not (first and self.setup.fallback_url):
                raise CallEnded("document-unavailable", "caller") from None
            try:
                fallback = self.setup.fallback_url
                self.document = await fetch_document(
                    self.outbound, fallback, fetch.method, self.request_params(fetch.extra)
                )
            except FetchFailed:
                raise CallEnded("document-unavailable", "caller") from None
        return self.document.text

    # -- updates from the REST API ----------------------------------------------------------

    def interrupt(self, reason: CallEnded | Redirected) -> bool:
        """End or redirect the call from outside; False when there is nothing to interrupt.

        A redirect of a call that still rings replaces the document it will run once answered.
        """
        if isinstance(reason, CallEnded):
            return self.leg.hang_up(reason)
        if self.leg.status in TERMINAL:
            return False
        if self._document_task is None:
            self._replacement = reason.fetch
            return True
        if self._document_task.done():
            return False
        self._redirect = reason
        self._document_task.cancel()
        return True

    # -- requests to the application --------------------------------------------------------

    def resolve(self, url: str) -> str:
        base = self.document.url if self.document else (self.setup.url or "")
        return urljoin(base, url.strip())

    def request_params(self, extra: Mapping[str, str] = {}) -> dict[str, str]:
        setup = self.leg.setup
        return {
            "CallSid": setup.sid,
            "AccountSid": setup.account_sid,
            "From": setup.from_,
            "To": setup.to,
            "CallStatus": self.leg.status,
            "Direction": setup.direction,
            **extra,
        }

    def template_params(self, fetch: Fetch | None) -> dict[str, str | list[str]]:
        params: dict[str, str | list[str]] = {}
        url = fetch.url if fetch and fetch.inline is None else ""
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
