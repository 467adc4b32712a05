"""The Mustache dialect of TeXML documents: values, list sections and if/elseif/else.

Standard Mustache has no ``{{#if A == b}}``; TeXML adds it, so a general Mustache
library would not do. Values are XML-escaped, since the result is parsed as XML.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

Value = str | list[str]
Params = Mapping[str, Value]
TAG = re.compile(r"\{\{\s*([#/^]?)\s*([^}]*?)\s*\}\}?")
CONDITION = re.compile(r"^(\S+)\s*(==|!=)\s*(.*)$")


class TemplateError(ValueError):
    """The template's sections do not nest."""


@dataclass
class _Node:
    kind: str  # "text", "value", "section", "if"
    text: str = ""
    children: list["_Node"] = field(default_factory=list)
    # for "if": (condition or None for else, body) pairs
    branches: list[tuple[str | None, list["_Node"]]] = field(default_factory=list)


def render(template: str, params: Params) -> str:
    nodes, rest = _parse(_tokens(template), closing=None)
    if rest:
        raise TemplateError(f"unexpected closing tag {rest[0][1]!r}")
    return _render(nodes, params, item=None)


def _tokens(template: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    for match in TAG.finditer(template):
        tokens.append(("text", template[position : match.start()]))
        sigil, name = match.groups()
        if sigil == "/" or name in ("/if", "#/if"):
            tokens.append(("close", name.lstrip("#/")))
        elif sigil == "#" and (name.startswith("if ") or name.startswith("elseif ") or name == "else"):
            tokens.append((name.split(" ", 1)[0], name.split(" ", 1)[1] if " " in name else ""))
        elif sigil == "#" and name.startswith("/"):
            tokens.append(("close", name[1:]))
        elif sigil == "#":
            tokens.append(("open", name))
        else:
            tokens.append(("value", name))
        position = match.end()
    tokens.append(("text", template[position:]))
    return tokens


def _parse(tokens: list[tuple[str, str]], closing: str | None) -> tuple[list[_Node], list[tuple[str, str]]]:
    nodes: list[_Node] = []
    while tokens:
        kind, value = tokens[0]
        if kind in ("close", "elseif", "else"):
            return nodes, tokens
        tokens = tokens[1:]
        if kind in ("text", "value"):
            nodes.append(_Node(kind, value))
        elif kind == "open":
            children, tokens = _parse(tokens, closing=value)
            tokens = _expect_close(tokens, value)
            nodes.append(_Node("section", value, children))
        elif kind == "if":
            node, tokens = _parse_if(value, tokens)
            nodes.append(node)
    if closing is not None:
        raise TemplateError(f"section {closing!r} is never closed")
    return nodes, tokens


def _parse_if(condition: str, tokens: list[tuple[str, str]]) -> tuple[_Node, list[tuple[str, str]]]:
    node = _Node("if")
    current: str | None = condition
    while True:
        body, tokens = _parse(tokens, closing="if")
        node.branches.append((current, body))
        if not tokens:
            raise TemplateError("{{#if}} is never closed")
        kind, value = tokens[0]
        tokens = tokens[1:]
        if kind == "close":
            return node, tokens
        current = value if kind == "elseif" else None


def _expect_close(tokens: list[tuple[str, str]], name: str) -> list[tuple[str, str]]:
    if not tokens or tokens[0] != ("close", name):
        raise TemplateError(f"section {name!r} is not closed by {{{{/{name}}}}}")
    return tokens[1:]


def _lookup(params: Params, name: str, item: str | None) -> Value | None:
    if name == ".":
        return item
    return params.get(name)


def _scalar(value: Value | None) -> str:
    if value is None:
        return ""
    return value[0] if isinstance(value, list) and value else value if isinstance(value, str) else ""


def _holds(condition: str, params: Params, item: str | None) -> bool:
    match = CONDITION.match(condition.strip())
    if match is None:
        return bool(_scalar(_lookup(params, condition.strip(), item)))
    name, operator, expected = match.groups()
    actual = _scalar(_lookup(params, name, item))
    return (actual == expected.strip()) == (operator == "==")


def _render(nodes: list[_Node], params: Params, item: str | None) -> str:
    out: list[str] = []
    for node in nodes:
        if node.kind == "text":
            out.append(node.text)
        elif node.kind == "value":
            out.append(escape(_scalar(_lookup(params, node.text, item)), {'"': "&quot;"}))
        elif node.kind == "section":
            value = _lookup(params, node.text, item)
            items = value if isinstance(value, list) else [value] if value else []
            out.extend(_render(node.children, params, entry) for entry in items)
        else:
            for condition, body in node.branches:
                if condition is None or _holds(condition, params, item):
                    out.append(_render(body, params, item))
                    break
    return "".join(out)
