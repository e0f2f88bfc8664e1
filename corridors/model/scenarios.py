"""Scenarios as files (YAML) and as URL query parameters.

A scenario is a year plus the assumptions that differ from the ledger's baseline for
that year. Both forms are read defensively: anything unknown, mistyped or out of
bounds is named in the message, and nothing half-applied is returned.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from corridors.ledger.load import Ledger
from corridors.ledger.wiring import AssumptionsBase as Assumptions
from corridors.ledger.wiring import Wiring
from corridors.model.assumptions import shipped_wiring
from corridors.model.baseline import cached_baseline
from corridors.resources import shipped_data_dir

FORMAT_KEY = "corridors_scenario"
FORMAT_VERSION = 1
URL_VERSION = "1"
MAX_SCENARIO_BYTES = 64 * 1024
TOP_LEVEL_KEYS = {FORMAT_KEY, "name", "description", "year", "assumptions"}


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message says what and where.

    Parameters
    ----------
    where
        What was read (a file name, "URL", "scenario"), put before the message.
    problems
        Every problem found, each naming the key it is about. A file is refused
        as a whole, but the user sees all of its problems at once.
    """

    def __init__(self, where: str, problems: list[str] | str):
        self.where = where
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            text = f"{where}: {self.problems[0]}"
        else:
            text = f"{where}: {len(self.problems)} problems:\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(text)


@dataclass(frozen=True)
class Scenario:
    name: str
    year: int
    overrides: dict[str, float] = field(default_factory=dict)
    description: str = ""

    def assumptions(self, ledger: Ledger) -> Assumptions:
        """The scenario's full assumptions: the baseline for its year plus its overrides."""
        base = cached_baseline(ledger, self.year).assumptions
        return _validated(base, {**self.overrides, "year": self.year}, "scenario")


def _validated(base: Assumptions, changes: Mapping[str, Any], where: str) -> Assumptions:
    problems = _bounds_problems(base, changes)
    if problems:
        raise ScenarioError(where, problems)
    return type(base)(**{**base.model_dump(), **changes})


def with_overrides(base: Assumptions, overrides: Mapping[str, Any], where: str = "scenario") -> Assumptions:
    """``base`` with ``overrides`` set, checked as a whole: types, bounds and the rules across fields.

    Raises
    ------
    ScenarioError
        Listing every problem, each naming its assumption; ``where`` comes first in the message.
    """
    return _validated(base, overrides, where)


def _bounds_problems(base: Assumptions, changes: Mapping[str, Any]) -> list[str]:
    """Every type, bound and cross-field problem of ``base`` updated with ``changes``, one line each."""
    try:
        type(base)(**{**base.model_dump(), **changes})
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = ".".join(str(p) for p in e["loc"])
            message = e["msg"].removeprefix("Value error, ")
            # A cross-field check has no location; its message names the fields itself.
            problems.append(f"assumption '{loc}': {message} (got {e.get('input')!r})" if loc else f"assumptions: {message}")
        return problems
    return []


def _refuse_tags_and_aliases(text: str, name: str) -> None:
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.TagToken):
                raise ScenarioError(name, f"line {token.start_mark.line + 1}: YAML tags are not allowed in scenario files")
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                raise ScenarioError(name, f"line {token.start_mark.line + 1}: YAML anchors and aliases are not allowed in scenario files")
    except yaml.YAMLError as err:
        raise ScenarioError(name, f"not valid YAML: {err}") from None


def parse_scenario(data: bytes | str, name: str = "scenario", wiring: Wiring | None = None) -> Scenario:
    """Read a scenario from YAML text.

    Parameters
    ----------
    data
        The file's content.
    name
        File name for messages.
    wiring
        The corridor whose assumptions the file sets; the shipped one when None.

    Returns
    -------
    Scenario
        The scenario's name, year, overrides and description.

    Raises
    ------
    ScenarioError
        On a file that is too large, not UTF-8, not YAML, uses tags or aliases (these
        stop the reading at once), or that has unknown keys, a missing or wrong format
        key, values of the wrong type or out of bounds. The latter are all collected,
        so ``ScenarioError.problems`` lists every one of them, each naming its key.
    """
    doc = _yaml_mapping(data, name)
    # Every check below appends to one list, so the user sees all of a file's problems at once.
    problems = _top_level_problems(doc)
    year = _whole_year(doc.get("year"), problems)
    model = (wiring or shipped_wiring()).assumption_model
    overrides = _file_overrides(doc.get("assumptions") or {}, set(model.model_fields) - {"year"}, problems)
    text_name = doc.get("name", name)
    description = doc.get("description", "")
    for key, value in (("name", text_name), ("description", description)):
        if not isinstance(value, str):
            problems.append(f"'{key}' must be text (got {value!r})")
    # Bounds and types of the values that are numbers, before any ledger is read.
    checked = {**overrides, **({"year": year} if year is not None else {})}
    problems += _bounds_problems(model(), checked)
    if problems:
        raise ScenarioError(name, problems)
    return Scenario(text_name[:200], year, overrides, description[:2000])


def _yaml_mapping(data: bytes | str, name: str) -> dict:
    """The file's top-level mapping; a file that cannot be read safely stops here, before any key is looked at."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_SCENARIO_BYTES:
        raise ScenarioError(name, f"the file is {len(raw):,} bytes; scenario files are at most {MAX_SCENARIO_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(name, "the file is not UTF-8 text") from None
    _refuse_tags_and_aliases(text, name)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(name, f"not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise ScenarioError(name, f"expected a mapping with keys {', '.join(sorted(TOP_LEVEL_KEYS))}")
    return doc


def _top_level_problems(doc: dict) -> list[str]:
    """Unknown top-level keys and a missing or wrong format key."""
    problems: list[str] = []
    unknown = sorted(str(k) for k in doc if k not in TOP_LEVEL_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(TOP_LEVEL_KEYS))}")
    # YAML's true equals 1 in Python: a format key of `true` is not version 1.
    if doc.get(FORMAT_KEY) != FORMAT_VERSION or isinstance(doc.get(FORMAT_KEY), bool):
        problems.append(f"'{FORMAT_KEY}: {FORMAT_VERSION}' is required (got {doc.get(FORMAT_KEY)!r})")
    return problems


def _whole_year(year: object, problems: list[str]) -> int | None:
    """The file's year, or None (with a problem added) when it is not a whole number."""
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append(f"'year' must be a whole number (got {year!r})")
        return None
    return year


def _file_overrides(values: object, fields: set[str], problems: list[str]) -> dict[str, float]:
    """The file's assumptions that are known and finite numbers; a problem is added for each of the others."""
    if not isinstance(values, dict):
        problems.append("'assumptions' must be a mapping of assumption names to numbers")
        return {}
    bad_keys = sorted(str(k) for k in values if k not in fields)
    if bad_keys:
        problems.append(f"unknown assumption(s) {', '.join(bad_keys)}")
    overrides: dict[str, float] = {}
    for key, value in values.items():
        if key not in fields:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(f"assumption '{key}' must be a finite number (got {value!r})")
        else:
            overrides[key] = float(value)
    return overrides


def load_scenario(path: str | Path, wiring: Wiring | None = None) -> Scenario:
    """Read a scenario file (see :func:`parse_scenario`)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(str(path), "no such scenario file")
    if path.stat().st_size > MAX_SCENARIO_BYTES:
        raise ScenarioError(path.name, f"the file is larger than {MAX_SCENARIO_BYTES:,} bytes")
    return parse_scenario(path.read_bytes(), path.name, wiring)


def shipped_scenarios(ledger: Ledger | None = None) -> dict[str, Scenario]:
    """The named scenarios in the ledger folder's ``scenarios/`` (the shipped ``data/scenarios`` by default), keyed by file stem."""
    folder = (ledger.data_dir if ledger is not None else shipped_data_dir()) / "scenarios"
    return dict(_shipped_scenarios(folder, ledger.wiring if ledger is not None else None))


@cache
def _shipped_scenarios(folder: Path, wiring: Wiring | None) -> tuple[tuple[str, Scenario], ...]:
    # Scenario files do not change while the process runs; parse them once per folder.
    return tuple((p.stem, load_scenario(p, wiring)) for p in sorted(folder.glob("*.yaml")))


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


def from_query(params: Mapping[str, str | Sequence[str]], ledger: Ledger, ignore: set[str] | None = None) -> tuple[Assumptions, list[str]]:
    """Assumptions from URL query parameters, and a warning for each one ignored.

    Every parameter is checked on its own: a bad one is dropped with a warning that
    names it, the others still apply, and the page renders with defaults for the
    rest. Never raises on user input.

    Parameters
    ----------
    params
        Parameter name to its value, or to every value it was given (as
        ``st.query_params.get_all`` returns them). A parameter given more than once
        is warned about and its last value is used, as a browser's ``URLSearchParams``
        and Streamlit's ``to_dict`` do.
    ledger
        The ledger the baseline is read from.
    ignore
        Parameters that belong to something else (another page's filters).

    Returns
    -------
    tuple[Assumptions, list[str]]
        The assumptions, and the warnings to show, each naming its parameter.
        A link without ``v`` is read as the current version.
    """
    single, warnings = _last_values(params, ignore or set())
    version = single.pop("v", URL_VERSION)
    if single and version != URL_VERSION:
        warnings.append(
            f"URL parameter 'v' is {version[:40]!r}, not {URL_VERSION!r}: the link is from another version, so its settings were ignored."
        )
        return cached_baseline(ledger).assumptions, warnings
    wiring = ledger.wiring
    year = _query_year(single.pop("year", None), wiring, warnings)
    base = cached_baseline(ledger, year).assumptions
    changes: dict[str, Any] = {}
    for key, text in single.items():
        if key not in wiring.assumption_model.model_fields:
            warnings.append(f"Unknown URL parameter '{key[:40]}' was ignored.")
            continue
        value, warning = _query_value(key, text, wiring.parameter_info(key), getattr(base, key))
        if warning is not None:
            warnings.append(warning)
        else:
            changes[key] = value
    try:
        return _validated(base, changes, "URL"), warnings
    except ScenarioError as err:  # each value is in bounds, but together they are not: keep the year, drop the rest
        warnings.append(f"URL parameters refused together ({'; '.join(err.problems)}); using the defaults for {year}.")
        return base, warnings


def _last_values(params: Mapping[str, str | Sequence[str]], ignore: set[str]) -> tuple[dict[str, str], list[str]]:
    """Each parameter's last value, and a warning for each parameter given more than once."""
    warnings: list[str] = []
    single: dict[str, str] = {}
    for key, given in params.items():
        if key in ignore:
            continue
        values = [given] if isinstance(given, str) else [str(v) for v in given]
        if not values:
            continue
        if len(values) > 1:
            shown = ", ".join(repr(v[:40]) for v in values[:5]) + (", …" if len(values) > 5 else "")
            warnings.append(f"URL parameter '{key[:40]}' was given {len(values)} times ({shown}); using the last one, {values[-1][:40]!r}.")
        single[key] = values[-1]
    return single, warnings


def _query_year(text: str | None, wiring: Wiring, warnings: list[str]) -> int:
    """The year a link asks for, or the model's default year (with a warning) when it is not a year in bounds."""
    year = wiring.assumption_model.model_fields["year"].default
    if text is None:
        return year
    info = wiring.parameter_info("year")
    if not text.isdigit() or not info["minimum"] <= int(text) <= info["maximum"]:
        warnings.append(f"URL parameter 'year'={text[:40]!r} is not a year between {info['minimum']} and {info['maximum']}; using {year}.")
        return year
    return int(text)


def _query_value(key: str, text: str, info: Mapping[str, Any], default: Any) -> tuple[float | int | None, str | None]:
    """One parameter's value, or None and the warning that says why the default is kept.

    Checked against the assumption's own bounds and integer flag alone; checks across
    fields come later, on all the values together.
    """
    try:
        value = float(text)
    except ValueError:
        return None, f"URL parameter '{key}'={text[:40]!r} is not a number; using the default {default:g}."
    if not math.isfinite(value) or not info["minimum"] <= value <= info["maximum"]:
        return None, (
            f"URL parameter '{key}'={text[:40]!r} is outside {info['minimum']:g}–{info['maximum']:g} "
            f"{info['unit']}; using the default {default:g}."
        )
    if info["integer"]:
        if value != int(value):
            return None, f"URL parameter '{key}'={text[:40]!r} must be a whole number; using the default {default}."
        return int(value), None
    return value, None


# -- Scenario names --------------------------------------------------------------------

EDITED = " (edited)"


def same_assumptions(a: Assumptions, b: Assumptions, tol: float = 1e-9) -> bool:
    """Whether two scenarios are equal, field by field (floats to ``tol``: slider steps add rounding)."""
    left, right = a.model_dump(), b.model_dump()
    return all(math.isclose(left[k], right[k], rel_tol=0, abs_tol=tol) for k in left)


def scenario_label(name: str, named_for: Assumptions | None, current: Assumptions, base: Assumptions) -> str:
    """The name to show for the current assumptions.

    Parameters
    ----------
    name
        The name last given to the state: a named scenario's, an uploaded file's,
        "Baseline" after a reset.
    named_for
        The assumptions that name was given for (None: none known).
    current
        The assumptions shown now.
    base
        The baseline for the current year.

    Returns
    -------
    str
        ``name`` while nothing has changed since it was given; "Baseline" when the
        assumptions are the baseline for their year; otherwise ``name`` with
        " (edited)", so a title or export never claims a scenario it does not show.
    """
    stem = name.removesuffix(EDITED) if name else "Baseline"
    if named_for is not None and same_assumptions(current, named_for):
        return name or "Baseline"
    if same_assumptions(current, base):
        return "Baseline"
    return stem + EDITED
