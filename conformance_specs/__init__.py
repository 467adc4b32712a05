"""Read the contracts in specs/: the one reading shared by the suite and the reference emulator.

specs/ is data. In a checkout it sits beside this package; an installed wheel carries
it inside this package as ``data/`` (pyproject.toml maps it there), so both read the
very same files.
"""

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).resolve().parent
SPECS_DIR = next((folder for folder in (_HERE / "data", _HERE.parent / "specs") if folder.is_dir()), _HERE / "data")
# libyaml's loader when PyYAML was built with it: every suite start parses the contracts and ~70 scenarios.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    """Safe YAML parsing (raises yaml.YAMLError)."""
    return yaml.load(text, Loader=_LOADER)


def path(name: str) -> Path:
    """Absolute path of a contract file, e.g. ``path("texml/rest.openapi.yaml")``."""
    found = SPECS_DIR / name
    if not found.is_file():
        raise FileNotFoundError(f"no contract file {name!r} in {SPECS_DIR}")
    return found


@cache
def load(name: str) -> dict[str, Any]:
    """Parsed YAML of a contract file (cached: callers must not mutate it)."""
    return parse_yaml(path(name).read_text(encoding="utf-8"))


def schema_problems(schema_name: str, document: Any) -> list[str]:
    """What ``document`` breaks of the JSON Schema file ``schema_name``, each as 'where: what'."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load(schema_name))
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top level)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]
