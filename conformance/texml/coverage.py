"""Which spec facts a TeXML scenario covers: its verb, the catalogue facts it names, the callbacks it expects."""

import conformance_specs as specs
from conformance.core.meta import (
    attribute_fact,
    callback_event_fact,
    callback_field_fact,
    seed_fact,
    verb_fact,
)
from conformance.texml.fixtures import Fixture
from conformance_specs.apis import api

ABSENT = "<absent>"


def fixture_facts(fixture: Fixture) -> frozenset[str]:
    """What a scenario covers: its verb, the catalogue facts and behaviours it names, and the callbacks it expects."""
    found = {verb_fact(fixture.verb)} | {seed_fact(statement) for statement in fixture.proves}
    for fact in fixture.facts:
        element, _, attribute = fact.partition("@")
        found.add(verb_fact(element))
        if attribute:
            found.add(attribute_fact(element, attribute))
    for kind, spec in specs.load(api("texml").callbacks_file)["kinds"].items():
        if spec.get("verb", fixture.verb) != fixture.verb:
            continue
        events = {status: event for event, status in spec.get("events", {}).items()}
        for entry in fixture.expect.get(spec["channel"], ()):
            found |= {  # a key of spellings (RecordingUrl|RecordingURL, errata E-017) covers each it names
                callback_field_fact(kind, name)
                for key, value in entry.items()
                for name in key.split("|")
                if name in spec["fields"] and value != ABSENT
            }
            status = entry.get(spec.get("event_field"))
            if status in events:
                found.add(callback_event_fact(kind, events[status]))
    return frozenset(found)
