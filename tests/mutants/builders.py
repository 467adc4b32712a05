"""Builders of mutants shared by every area: the Mutant and Alternative records, and the ways to replace one
part of the emulator's Behaviour (a catalogue fact, a verb handler, a step of the TeXML Interpreter or of the
Leg, InitiateCall's reading of its body; a Call Control driver, command or webhook)."""

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance_emulator import Behaviour
from conformance_emulator.backend.leg import Leg
from conformance_emulator.backend.notifier import Webhook
from conformance_emulator.controllers.callcontrol.controller import CallControlBehaviour, CallControlController
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from conformance_emulator.controllers.texml import verbs
from conformance_emulator.controllers.texml.controller import TexmlBehaviour
from conformance_emulator.controllers.texml.interpreter import Interpreter
from conformance_emulator.controllers.texml.setup import outbound_setup
from conformance_specs.catalogue import Catalogue, load

Attrs = dict[str, Any]


@dataclass(frozen=True)
class Mutant:
    name: str
    kills: tuple[str, ...]  # scenario ids (fixtures/<id>.yaml) that must fail
    behaviour: Callable[[], Behaviour]


@dataclass(frozen=True)
class Alternative:
    """The emulator following another behaviour a source documents (the errata say which): the scenarios it
    names must still pass, so a ruling that accepts both is shown to accept both."""

    name: str
    passes: tuple[str, ...]  # scenario ids (fixtures/<id>.yaml) that must pass
    behaviour: Callable[[], Behaviour]


# -- TeXML and the leg -------------------------------------------------------------------------


def catalogue_fact(element: str, attribute: str, **changes: Any) -> Callable[[], Behaviour]:
    """The emulator reading a catalogue in which one attribute's default or range is wrong."""

    def build() -> Behaviour:
        real = load()
        old = real.elements[element]
        attributes = {**old.attributes, attribute: dataclasses.replace(old.attributes[attribute], **changes)}
        elements = {**real.elements, element: dataclasses.replace(old, attributes=attributes)}
        return Behaviour(texml=TexmlBehaviour(catalogue=Catalogue(real.root, real.dtmf_alphabet, elements)))

    return build


def verb(name: str, handler: Callable[..., Any]) -> Callable[[], Behaviour]:
    return lambda: Behaviour(texml=TexmlBehaviour(verbs={**verbs.VERBS, name: handler}))


def attrs_changed(name: str, change: Callable[[Attrs], Attrs]) -> Callable[[], Behaviour]:
    """A verb that misreads its attributes (``change`` rewrites them before the real handler runs)."""
    real = verbs.VERBS[name]

    async def handler(texml: Interpreter, node: Any, attrs: Attrs, **kwargs: Any) -> Any:
        return await real(texml, node, change(dict(attrs)), **kwargs)

    return verb(name, handler)


def interpreter_class(**overrides: Any) -> Callable[[], Behaviour]:
    """The TeXML interpreter with some steps replaced."""
    return lambda: Behaviour(
        texml=TexmlBehaviour(interpreter_class=type("MutantInterpreter", (Interpreter,), overrides))
    )


def leg_class(**overrides: Any) -> Callable[[], Behaviour]:
    """The call leg with some steps replaced."""
    mutant = type("MutantLeg", (Leg,), overrides)
    return lambda: Behaviour(leg_class=mutant)


def template_rewritten(pattern: str, replacement: str) -> Callable[[], Behaviour]:
    """Mustache that misreads a construct: the template is rewritten before rendering."""

    def render(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
        return Interpreter.render(self, re.sub(pattern, replacement, template, flags=re.DOTALL), params)

    return interpreter_class(render=render)


def _leg_setup_changed(**changes: Any) -> Callable[[], Behaviour]:
    """A leg that misreads how it was asked for (status callbacks, timeout)."""

    def __init__(self: Leg, setup: Any, *args: Any) -> None:
        Leg.__init__(self, dataclasses.replace(setup, **changes), *args)

    return leg_class(__init__=__init__)


def _first_word_only(member: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A body change that keeps only the first word of a space-separated list member (an events list)."""

    def change(body: dict[str, Any]) -> dict[str, Any]:
        if member in body:
            body[member] = body[member].split(" ")[0]
        return body

    return change


def _initiate_body_changed(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[], Behaviour]:
    """InitiateCall misreading its body (``change`` rewrites it before the call is set up)."""

    def setup(sid: str, account_sid: str, body: dict[str, Any], application: Any) -> Any:
        return outbound_setup(sid, account_sid, change(dict(body)), application)

    return lambda: Behaviour(texml=TexmlBehaviour(outbound_setup=setup))


def _without(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {k: v for k, v in body.items() if k != name}


def _status_params_without(name: str) -> Callable[..., dict[str, str]]:
    def status_params(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
        return {k: v for k, v in Leg.status_params(self, status, hangup_source).items() if k != name}

    return status_params


# -- Call Control ----------------------------------------------------------------------------


def driver(driver_class: type[CallDriver]) -> Callable[[], Behaviour]:
    return lambda: Behaviour(callcontrol=CallControlBehaviour(driver_class=driver_class))


Body = dict[str, Any]


def command_changed(action: str, change: Callable[[Body], Body]) -> Callable[[], Behaviour]:
    """A command that misreads its body (``change`` rewrites it before the real handler runs)."""

    def build() -> Behaviour:
        real = getattr(CallControlController(None, None), "_" + action)  # type: ignore[arg-type]
        handler = lambda call, body: real(call, change(dict(body)))  # noqa: E731
        return Behaviour(callcontrol=CallControlBehaviour(commands={action: handler}))

    return build


def command_ignored(action: str) -> Callable[[], Behaviour]:
    """A command answered ok that does nothing."""
    return lambda: Behaviour(callcontrol=CallControlBehaviour(commands={action: lambda call, body: None}))


def defaulted(**defaults: Any) -> Callable[[Body], Body]:
    """A body in which the members left out take other defaults than the contract's."""
    return lambda body: {**defaults, **body}


def without(*members: str) -> Callable[[Body], Body]:
    return lambda body: {key: value for key, value in body.items() if key not in members}


def shifted(member: str, by: int) -> Callable[[Body], Body]:
    """A member read one off (only when given: the contract's default is kept)."""
    return lambda body: {**body, member: body[member] + by} if isinstance(body.get(member), int) else body


Payload = dict[str, Any]


class _RewritingChannel:
    """A leg's callback channel whose webhooks are rewritten (or dropped, when ``change`` gives None) when queued."""

    def __init__(self, channel: Any, change: Callable[[str, Payload], Payload | None]) -> None:
        self._channel, self._change = channel, change

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)

    def put_webhook(self, webhook: Webhook) -> None:
        data = dict(webhook.envelope["data"])
        payload = self._change(data["event_type"], dict(data["payload"]))
        if payload is None:
            return
        self._channel.put_webhook(dataclasses.replace(webhook, envelope={"data": {**data, "payload": payload}}))


def webhooks_changed(change: Callable[[str, Payload], Payload | None]) -> Callable[[], Behaviour]:
    class Rewriting(CallDriver):
        def __init__(self, leg: Leg, *args: Any, **kwargs: Any) -> None:
            leg.callbacks = _RewritingChannel(leg.callbacks, change)  # type: ignore[assignment]
            super().__init__(leg, *args, **kwargs)

    return driver(Rewriting)


def webhook_dropped(event_type: str) -> Callable[[], Behaviour]:
    return webhooks_changed(lambda event, payload: None if event == event_type else payload)


def member_replaced(events: str, member: str, old: Any, new: Any) -> Callable[[], Behaviour]:
    """Webhooks whose event_type matches ``events`` (a regex) say ``new`` where they should say ``old``."""

    def change(event: str, payload: Payload) -> Payload:
        if re.fullmatch(events, event) and payload.get(member) == old:
            return {**payload, member: new}
        return payload

    return webhooks_changed(change)


def member_changed(event_type: str, member: str, change: Callable[[Any], Any]) -> Callable[[], Behaviour]:
    def rewrite(event: str, payload: Payload) -> Payload:
        return {**payload, member: change(payload.get(member))} if event == event_type else payload

    return webhooks_changed(rewrite)
