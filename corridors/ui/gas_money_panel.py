"""The gas money panel of the Flows page: what the scenario's gas exports are worth, what the pipeline charges, and
the margin on imported gas, each with its sources; assumptions said in words.

One function, :func:`render`, for the page to call beside the gas indicators with the
scenario it has solved. The figures come from :func:`corridors.model.gas_money.gas_money`.
"""

from __future__ import annotations

import streamlit as st

from corridors.export import ExportContext
from corridors.ledger.load import Ledger
from corridors.model.flows import FlowResult
from corridors.model.gas_money import VALUE_UNIT, GasMoney, MoneyRow, Span, draw_intervals, gas_money
from corridors.model.uncertainty import Uncertainty
from corridors.ui.common import chart_config
from corridors.ui.downloads import chart_download_panel
from corridors.views.gas_money import gas_money_display, gas_money_figure, gas_money_footer


def _amount(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def _span(value: Span | None) -> str:
    if value is None:
        return "n/a"
    return f"{_amount(value.central)} ({_amount(value.low)} to {_amount(value.high)})"


def _metric(column: st.delta_generator.DeltaGenerator, row: MoneyRow) -> None:
    """One line as a metric: central value in USD m/yr, its range and what it rests on in the help."""
    label = f"{row.label} ({VALUE_UNIT})"
    column.metric(label, _span(row.value), help=row.note, border=True)


def _headline(money: GasMoney) -> None:
    """Total export value, the pipeline charges and the margin estimates, side by side."""
    columns = st.columns(1 + len(money.transit) + len(money.margins))
    why = "Sum of the bars: delivered volume × sourced price, by market; markets without a price are left out."
    columns[0].metric(f"Exports by market, total ({VALUE_UNIT})", _span(money.total), help=why, border=True)
    for column, row in zip(columns[1:], (*money.transit, *money.margins)):
        _metric(column, row)


def render(ledger: Ledger, result: FlowResult, context: ExportContext, uncertainty: Uncertainty | None = None) -> None:
    """The gas money of a solved scenario: chart with its download panel, headline figures, the table and the notes.

    Parameters
    ----------
    ledger
        The ledger the scenario was solved on (its ``gas_prices`` table prices the volumes).
    result
        The solved scenario (``corridors.model.solve``); its year picks the prices.
    context
        What the downloaded chart says about where it comes from (scenario name, year).
    uncertainty
        The page's Monte Carlo run of the same scenario, when it has one: the table then gives
        each line's P10 and P90 over the draws where the wiring has an indicator of its volume.
    """
    st.subheader("The gas money: what the exports are worth")
    if ledger.gas_prices.empty:
        st.info("This ledger has no gas prices (gas_prices.csv is empty), so the gas is not valued.")
        return
    money = gas_money(ledger, result)
    st.caption(
        "Delivered volume × the sourced price for each market and year (the latest year at or before the scenario's when "
        "none is published for it). Where sources disagree the bars carry their range. Figures in euros are listed, not "
        "converted. The margin on imported gas is an estimate, not a published figure."
    )
    for row in money.margins:
        if row.assumption:
            st.info(f"**{row.label} rests on an assumption.** {row.note}", icon=":material/info:")
    figure = gas_money_figure(money, gas_money_footer(money, ledger.sources))
    st.plotly_chart(figure, theme=None, config=chart_config("corridors-gas-money"), key="gas_money_chart")
    chart_download_panel(figure, "gas-money", context, "dl_gas_money", version=repr(result.assumptions.model_dump()))
    _headline(money)
    intervals = draw_intervals(ledger, money, uncertainty)
    if intervals and uncertainty is not None:
        st.caption(
            f"value_p10 and value_p90: the line's value over {uncertainty.draws:,} draws of the sources' ranges, at its central "
            "price (volumes are drawn, prices are not); blank where no indicator of the wiring gives the line's volume."
        )
    st.dataframe(gas_money_display(money, intervals), hide_index=True, width="stretch")
    with st.expander("What these figures rest on", expanded=False, icon=":material/info:"):
        for note in money.notes:
            st.markdown(f"- {note}")
