"""A scenario's title, rule and source read as written: a ' #' in them must never start a YAML comment."""

import re
from pathlib import Path

import pytest
import yaml

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures").rglob("*.yaml"))
LINE = re.compile(r"^(title|rule|seed): (.*)$", re.MULTILINE)


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_text_fields_are_not_cut_by_a_comment(path):
    text = path.read_text()
    parsed = yaml.safe_load(text)
    for key, raw in LINE.findall(text):
        if raw.startswith(('"', "'")):
            continue
        assert parsed[key] == raw.strip(), f"{path.name}: {key} is read as {parsed[key]!r}; quote it"
