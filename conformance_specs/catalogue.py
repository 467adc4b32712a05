"""The TeXML verb catalogue (specs/texml/verbs.yaml) as objects, and the RelaxNG schema derived from it.

The emulator reads defaults and ranges from here, the suite validates fixture documents
with the derived schema, and fixtures name catalogue facts; nobody copies the table.
"""

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import etree

import conformance_specs as specs

CATALOGUE_FILE = "texml/verbs.yaml"
RNG = "http://relaxng.org/ns/structure/1.0"
XSD_TYPES = "http://www.w3.org/2001/XMLSchema-datatypes"
# Mustache section tags ({{#List}}, {{/List}}, {{#if ...}}, {{#else}}, {{#/if}}) stand
# between elements, so they are removed before a document's structure is checked.
MUSTACHE_SECTION = re.compile(r"\{\{[#/^][^}]*\}\}?")
MUSTACHE_VALUE = r".*\{\{[^}]+\}\}.*"


@dataclass(frozen=True)
class Attribute:
    element: str
    name: str
    type: str
    default: Any = None
    values: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    also: tuple[str, ...] = ()
    unit: str | None = None
    zero_means: str | None = None
    default_from: str | None = None
    max_length: int | None = None
    secret: bool = False

    def parse(self, raw: str | None, alphabet: str) -> Any:
        """The typed value of ``raw``; the default when absent; out-of-range integers are clamped."""
        if raw is None:
            return self.default
        raw = raw.strip()
        if self.type == "integer":
            if raw in self.also:
                return raw
            try:
                number = int(raw)
            except ValueError:
                return self.default
            if self.min is not None:
                number = max(number, self.min)
            return number if self.max is None else min(number, self.max)
        if self.type == "boolean":
            return raw == "true" if raw in ("true", "false") else self.default
        if self.type in ("enum", "method"):
            allowed = self.values or ("GET", "POST")
            return raw if raw in allowed else self.default
        if self.type == "keys":
            return "".join(key for key in raw if key in alphabet)
        return raw


@dataclass(frozen=True)
class Element:
    name: str
    kind: str
    text: str
    children: tuple[str, ...]
    attributes: dict[str, Attribute]


@dataclass(frozen=True)
class Catalogue:
    root: str
    dtmf_alphabet: str
    elements: dict[str, Element]

    def attributes_of(self, node: etree._Element) -> dict[str, Any]:
        """Every catalogue attribute of ``node`` with its typed value or default."""
        element = self.elements[node.tag]
        return {
            name: attribute.parse(node.get(name), self.dtmf_alphabet) for name, attribute in element.attributes.items()
        }


def _attribute(element: str, name: str, spec: dict[str, Any]) -> Attribute:
    fields = {key: tuple(value) if isinstance(value, list) else value for key, value in spec.items()}
    return Attribute(element=element, name=name, **fields)


@cache
def load() -> Catalogue:
    raw = specs.load(CATALOGUE_FILE)
    elements = {
        name: Element(
            name=name,
            kind=spec["kind"],
            text=spec["text"],
            children=tuple(spec.get("children", ())),
            attributes={
                attr: _attribute(name, attr, attr_spec)
                for attr, attr_spec in spec["attributes"].items()
                if attr_spec is not None
            },
        )
        for name, spec in raw["elements"].items()
    }
    return Catalogue(raw["root"], raw["dtmf_alphabet"], elements)


class DocumentInvalid(ValueError):
    """A TeXML document breaks the catalogue; the message names the line and the rule."""


def strip_sections(text: str) -> str:
    return MUSTACHE_SECTION.sub("", text)


def validate(text: str) -> None:
    """Raise DocumentInvalid when ``text`` (Mustache allowed) is not a TeXML document the catalogue admits."""
    try:
        document = etree.fromstring(strip_sections(text).encode())
    except etree.XMLSyntaxError as error:
        raise DocumentInvalid(f"not well-formed XML: {error}") from None
    schema = relaxng()
    if not schema.validate(document):
        problems = "; ".join(f"line {entry.line}: {entry.message}" for entry in schema.error_log)
        raise DocumentInvalid(problems)


@cache
def relaxng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.fromstring(etree.tostring(_grammar(load()))))


def _grammar(catalogue: Catalogue) -> etree._Element:
    grammar = etree.Element(f"{{{RNG}}}grammar", nsmap={None: RNG}, datatypeLibrary=XSD_TYPES)
    etree.SubElement(etree.SubElement(grammar, "start"), "ref", name=catalogue.root)
    for element in catalogue.elements.values():
        define = etree.SubElement(grammar, "define", name=element.name)
        body = etree.SubElement(define, "element", name=element.name)
        for attribute in element.attributes.values():
            _attribute_pattern(etree.SubElement(body, "optional"), attribute)
        _content_pattern(body, element)
    return grammar


def _content_pattern(body: etree._Element, element: Element) -> None:
    if element.children:
        holder = etree.SubElement(body, "zeroOrMore")
        if element.text != "none":
            holder = etree.SubElement(holder, "choice")
            etree.SubElement(holder, "text")
        choice = etree.SubElement(holder, "choice")
        for child in element.children:
            etree.SubElement(choice, "ref", name=child)
    elif element.text == "required":
        etree.SubElement(body, "data", type="string")
    elif element.text == "none":
        etree.SubElement(body, "empty")


def _attribute_pattern(parent: etree._Element, attribute: Attribute) -> None:
    node = etree.SubElement(parent, "attribute", name=attribute.name)
    choice = etree.SubElement(node, "choice")
    templated = etree.SubElement(choice, "data", type="string")
    etree.SubElement(templated, "param", name="pattern").text = MUSTACHE_VALUE
    for value in attribute.also:
        etree.SubElement(choice, "value").text = value
    if attribute.type == "integer":
        data = etree.SubElement(choice, "data", type="integer")
        etree.SubElement(data, "param", name="minInclusive").text = str(attribute.min)
        etree.SubElement(data, "param", name="maxInclusive").text = str(attribute.max)
    elif attribute.type in ("enum", "method", "boolean"):
        values = attribute.values or (("GET", "POST") if attribute.type == "method" else ("true", "false"))
        for value in values:
            etree.SubElement(choice, "value").text = value
    elif attribute.type == "events":
        words = "|".join(re.escape(value) for value in attribute.values)
        data = etree.SubElement(choice, "data", type="string")
        etree.SubElement(data, "param", name="pattern").text = f"({words})( ({words}))*"
    elif attribute.type == "keys":
        data = etree.SubElement(choice, "data", type="string")
        etree.SubElement(data, "param", name="pattern").text = r"[0-9*#]+"
    elif attribute.type == "e164":
        data = etree.SubElement(choice, "data", type="string")
        etree.SubElement(data, "param", name="pattern").text = r"\+[1-9][0-9]{1,14}"
    else:
        data = etree.SubElement(choice, "data", type="string")
        if attribute.max_length:
            etree.SubElement(data, "param", name="maxLength").text = str(attribute.max_length)
