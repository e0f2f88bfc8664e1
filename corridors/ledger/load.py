"""Load the ledger into pandas DataFrames that carry their own metadata."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from corridors import resources
from corridors.ledger.schema import LEDGER_TABLES, PRICE_TABLES, ROUTE_TABLES, TableSpec, table_specs
from corridors.ledger.validate import LedgerError, read_tables
from corridors.ledger.wiring import SeriesRef, Wiring, split_ids

if TYPE_CHECKING:
    from corridors.ledger.user_data import UserData

#: ``origin`` of the ledger's own rows, beside a reader's (see :mod:`corridors.ledger.user_data`).
LEDGER_ORIGIN = "ledger"


@dataclass(frozen=True)
class Ledger:
    """The validated tables of a ledger folder.

    Each DataFrame carries ``attrs`` with its ``title``, ``description`` and the
    ``units`` of its columns, taken from ``datapackage.json``, so that a table
    shown or exported elsewhere still says what it is.
    """

    data_dir: Path
    sources: pd.DataFrame
    nodes: pd.DataFrame
    branches: pd.DataFrame
    links: pd.DataFrame
    estimates: pd.DataFrame
    gaps: pd.DataFrame
    series: pd.DataFrame
    events: pd.DataFrame
    #: Route economics (routes.csv, route_legs.csv, route_discounts.csv): see :mod:`corridors.model.routes`.
    routes: pd.DataFrame
    route_legs: pd.DataFrame
    route_discounts: pd.DataFrame
    #: Gas prices, the Russian import price, pipeline tariffs (gas_prices.csv): see :mod:`corridors.model.gas_money`.
    gas_prices: pd.DataFrame
    wiring: Wiring
    #: A reader's own figures beside the ledger (see :func:`corridors.ledger.user_data.with_user_data`).
    user: UserData | None = None
    #: Whether the model's defaults take the reader's figures where they give one.
    user_defaults: bool = False

    def table(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    @cached_property
    def all_sources(self) -> pd.DataFrame:
        """``sources.csv`` and the reader's sources, with an ``origin`` column (``ledger`` or ``user``)."""
        return self._with_user("sources")

    @cached_property
    def all_estimates(self) -> pd.DataFrame:
        """``estimates.csv`` and the reader's estimates, with an ``origin`` column (``ledger`` or ``user``)."""
        return self._with_user("estimates")

    @cached_property
    def all_links(self) -> pd.DataFrame:
        """``links.csv`` and the reader's links, with an ``origin`` column; the model's network is the ledger's alone."""
        return self._with_user("links")

    def _with_user(self, name: str) -> pd.DataFrame:
        own = self.table(name).assign(origin=LEDGER_ORIGIN)
        if self.user is None or self.user.table(name).empty:
            return own
        both = pd.concat([own, self.user.table(name)], ignore_index=True)
        both.attrs = dict(own.attrs)
        return both

    @cached_property
    def estimates_by_series(self) -> dict[tuple[str, str], pd.DataFrame]:
        """The rows the model's defaults read, grouped by (metric, subject), built once: defaults read them many times.

        These are the ledger's rows; with :attr:`user_defaults`, a reader's figure for a
        series, branch and year replaces the ledger's rows for that series, branch and year.
        """
        rows = self.estimates.assign(origin=LEDGER_ORIGIN)
        if self.user_defaults and self.user is not None and not self.user.estimates.empty:
            mine = self.user.estimates
            key = ["metric", "subject", "branch", "year"]
            covered = pd.MultiIndex.from_frame(mine[key].astype(object).fillna(""))
            kept = ~pd.MultiIndex.from_frame(rows[key].astype(object).fillna("")).isin(covered)
            rows = pd.concat([rows[kept], mine], ignore_index=True)
        return {(str(m), str(s)): group for (m, s), group in rows.groupby(["metric", "subject"], sort=False)}

    @cached_property
    def series_titles(self) -> dict[tuple[str, str], str]:
        """(metric, subject) → the series' title for readers (series.csv)."""
        titles = {}
        for key, title in zip(self.series["series"], self.series["title"]):
            metric, subject = str(key).split(":", 1)
            titles[(metric, subject)] = str(title)
        return titles

    def title_of(self, series: SeriesRef) -> str:
        """A series as readers name it (series.csv's title; its codes where it has none), with its branch."""
        title = self.series_titles.get((series.metric, series.subject), f"{series.metric} {series.subject}")
        return title + (f" ({series.branch.replace('_', ' ')} branch)" if series.branch else "")

    @cached_property
    def link_source_ids(self) -> list[str]:
        """Every source id of ``links.csv``, in row order (the source line of a map of the whole network)."""
        return [s for cell in self.links["source_ids"] for s in self.source_ids_of(cell)]

    def source_ids_of(self, cell: str | float | None) -> list[str]:
        """Split a ``source_ids`` cell into its ids."""
        return split_ids(cell)


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """The ledger folder to read: ``data_dir``, else ``CORRIDORS_DATA``, else the shipped ledger (see :mod:`corridors.resources`)."""
    return resources.data_dir(data_dir)


def _with_metadata(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    frame.attrs = {
        "title": spec.title,
        "description": spec.description,
        "units": {f.name: f.unit for f in spec.fields if f.unit},
        "file": spec.path,
    }
    return frame


def load_ledger(data_dir: str | Path | None = None) -> Ledger:
    """Read, validate and return the ledger.

    Parameters
    ----------
    data_dir
        Folder with the ledger's CSV files; the shipped ``data/`` when None.

    Returns
    -------
    Ledger
        The five tables as typed DataFrames.

    Raises
    ------
    LedgerError
        If any table has a problem. ``err.problems`` lists all of them with file,
        line and column; ``python -m corridors validate`` prints the same list.
    """
    folder = resolve_data_dir(data_dir)
    tables, problems = read_tables(folder)
    if problems:
        raise LedgerError(problems)
    specs = table_specs()
    typed = {name: _with_metadata(frame, specs[name]) for name, frame in tables.items()}
    own = {name: typed[name] for name in (*LEDGER_TABLES, *ROUTE_TABLES, *PRICE_TABLES)}
    return Ledger(data_dir=folder, wiring=Wiring.from_tables(typed), **own)
