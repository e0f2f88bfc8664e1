"""Scenarios as files (YAML) and as URL query parameters.

A scenario is a year plus the assumptions that differ from the ledger's baseline for
that year. Both forms are read defensively: anything unknown, mistyped or out of
bounds is named in the message, and nothing half-applied is returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from corridors.assumptions import Assumptions, baseline, parameter_info
from corridors.io import Ledger

FORMAT_KEY = "corridors_scenario"
FORMAT_VERSION = 1
URL_VERSION = "1"
MAX_SCENARIO_BYTES = 64 * 1024
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "data" / "scenarios"
TOP_LEVEL_KEYS = {FORMAT_KEY, "name", "description", "year", "assumptions"}


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message says what and where."""


@dataclass(frozen=True)
class Scenario:
    name: str
    year: int
    overrides: dict[str, float] = field(default_factory=dict)
    description: str = ""

    def assumptions(self, ledger: Ledger) -> Assumptions:
        """The scenario's full assumptions: the baseline for its year plus its overrides."""
        base = baseline(ledger, self.year).assumptions
        return _validated(base, {**self.overrides, "year": self.year}, "scenario")


def _validated(base: Assumptions, changes: Mapping[str, Any], where: str) -> Assumptions:
    try:
        return Assumptions(**{**base.model_dump(), **changes})
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = ".".join(str(p) for p in e["loc"])
            problems.append(f"{where} assumption '{loc}': {e['msg']} (got {e.get('input')!r})")
        raise ScenarioError("; ".join(problems)) from None


def _refuse_tags_and_aliases(text: str, name: str) -> None:
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.TagToken):
                raise ScenarioError(f"{name}: line {token.start_mark.line + 1}: YAML tags are not allowed in scenario files")
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                raise ScenarioError(f"{name}: line {token.start_mark.line + 1}: YAML anchors and aliases are not allowed in scenario files")
    except yaml.YAMLError as err:
        raise ScenarioError(f"{name}: not valid YAML: {err}") from None


def parse_scenario(data: bytes | str, name: str = "scenario") -> Scenario:
    """Read a scenario from YAML text.

    Parameters
    ----------
    data
        The file's content.
    name
        File name for messages.

    Raises
    ------
    ScenarioError
        On a file that is too large, not UTF-8, not YAML, uses tags or aliases, has
        unknown keys, or values of the wrong type or out of bounds.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"{name}: the file is {len(raw):,} bytes; scenario files are at most {MAX_SCENARIO_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{name}: the file is not UTF-8 text") from None
    _refuse_tags_and_aliases(text, name)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(f"{name}: not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise ScenarioError(f"{name}: expected a mapping with keys {', '.join(sorted(TOP_LEVEL_KEYS))}")
    unknown = sorted(str(k) for k in doc if k not in TOP_LEVEL_KEYS)
    if unknown:
        raise ScenarioError(f"{name}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(TOP_LEVEL_KEYS))}")
    if doc.get(FORMAT_KEY) != FORMAT_VERSION:
        raise ScenarioError(f"{name}: '{FORMAT_KEY}: {FORMAT_VERSION}' is required (got {doc.get(FORMAT_KEY)!r})")
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise ScenarioError(f"{name}: 'year' must be a whole number (got {year!r})")
    values = doc.get("assumptions") or {}
    if not isinstance(values, dict):
        raise ScenarioError(f"{name}: 'assumptions' must be a mapping of assumption names to numbers")
    fields = set(Assumptions.model_fields) - {"year"}
    bad_keys = sorted(str(k) for k in values if k not in fields)
    if bad_keys:
        raise ScenarioError(f"{name}: unknown assumption(s) {', '.join(bad_keys)}")
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ScenarioError(f"{name}: assumption '{key}' must be a finite number (got {value!r})")
    text_name = doc.get("name", name)
    description = doc.get("description", "")
    if not isinstance(text_name, str) or not isinstance(description, str):
        raise ScenarioError(f"{name}: 'name' and 'description' must be text")
    scenario = Scenario(text_name[:200], year, {k: float(v) for k, v in values.items()}, description[:2000])
    _validated(Assumptions(), {**scenario.overrides, "year": year}, name)  # bounds and types, before any ledger is read
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (see :func:`parse_scenario`)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such scenario file")
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"{path.name}: the file is larger than {MAX_SCENARIO_BYTES:,} bytes")
    return parse_scenario(path.read_bytes(), path.name)


def shipped_scenarios() -> dict[str, Scenario]:
    """The named scenarios in ``data/scenarios``, keyed by file stem."""
    return dict(_shipped_scenarios())


@cache
def _shipped_scenarios() -> tuple[tuple[str, Scenario], ...]:
    # Shipped files do not change while the process runs; parse them once.
    return tuple((p.stem, load_scenario(p)) for p in sorted(SCENARIO_DIR.glob("*.yaml")))


def dump_scenario(assumptions: Assumptions, name: str, description: str = "") -> str:
    """YAML text of a scenario with every assumption written out."""
    values = assumptions.model_dump()
    year = values.pop("year")
    doc = {FORMAT_KEY: FORMAT_VERSION, "name": name, "description": description, "year": year, "assumptions": values}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


# -- URL ------------------------------------------------------------------------------


def to_query(assumptions: Assumptions, base: Assumptions) -> dict[str, str]:
    """Query parameters for a scenario: the version, the year and what differs from ``base``."""
    params = {"v": URL_VERSION, "year": str(assumptions.year)}
    for name, value in assumptions.model_dump().items():
        if name != "year" and value != getattr(base, name):
            params[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return params


def from_query(params: Mapping[str, str], ledger: Ledger, ignore: set[str] | None = None) -> tuple[Assumptions, list[str]]:
    """Assumptions from URL query parameters, and a warning for each one ignored.

    Every parameter is checked on its own: a bad one is dropped with a warning that
    names it, the others still apply, and the page renders with defaults for the
    rest. Never raises on user input.
    """
    ignore = ignore or set()
    warnings: list[str] = []
    params = {k: v for k, v in params.items() if k not in ignore}
    version = params.pop("v", None)
    if params and version != URL_VERSION:
        warnings.append(
            f"URL parameter 'v' is {version!r}, not {URL_VERSION!r}: the link is from another version, so its settings were ignored."
        )
        return baseline(ledger).assumptions, warnings
    year_text = params.pop("year", None)
    year = Assumptions.model_fields["year"].default
    if year_text is not None:
        info = parameter_info("year")
        if not year_text.isdigit() or not info["minimum"] <= int(year_text) <= info["maximum"]:
            warnings.append(
                f"URL parameter 'year'={year_text[:40]!r} is not a year between {info['minimum']} and {info['maximum']}; using {year}."
            )
        else:
            year = int(year_text)
    base = baseline(ledger, year).assumptions
    changes: dict[str, Any] = {}
    for key, text in params.items():
        if key not in Assumptions.model_fields:
            warnings.append(f"Unknown URL parameter '{key[:40]}' was ignored.")
            continue
        info = parameter_info(key)
        try:
            value = float(text)
        except ValueError:
            warnings.append(f"URL parameter '{key}'={text[:40]!r} is not a number; using the default {getattr(base, key):g}.")
            continue
        if not math.isfinite(value) or not info["minimum"] <= value <= info["maximum"]:
            warnings.append(
                f"URL parameter '{key}'={text[:40]!r} is outside {info['minimum']:g}–{info['maximum']:g} "
                f"{info['unit']}; using the default {getattr(base, key):g}."
            )
            continue
        if isinstance(Assumptions.model_fields[key].default, int):
            if value != int(value):
                warnings.append(f"URL parameter '{key}'={text[:40]!r} must be a whole number; using the default {getattr(base, key)}.")
                continue
            value = int(value)
        changes[key] = value
    return _validated(base, changes, "URL"), warnings
