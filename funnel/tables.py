"""The funnel page's tables and the planner's lines, built from the pure KPIs: presentation
logic that the views only hand to their templates."""

from dataclasses import dataclass, replace

from clients.models import Client
from funnel.crm.derive import FIGURE_VALUES as DERIVED_FIGURES
from funnel.crm_imports import MEASURE_LABELS, measure_rows, measure_text
from funnel.forms import FIGURE_GROUPS, figure_kind
from funnel.health import HandoffHealth, Threshold, handoff_health
from funnel.kpis import (
    COST_KPI_KEYS,
    DAYS,
    DEFAULT_DISCOUNT_RATE,
    FIGURE_LABELS,
    FIGURE_WORDS,
    GROWTH,
    KPI_LABELS,
    KPI_UNITS,
    SPEND_FIELDS,
    Figures,
    Kpi,
    flags,
    in_a_sentence,
    kpis,
)
from funnel.models import CrmImport, FunnelFigures
from funnel.signs import Sign, baton_signs
from funnel.waterfall import SpendEstimate, Waterfall
from lib.charts import TrendSeries, trend_chart
from lib.quarters import Quarter

# The KPIs in the rows of the funnel page, grouped as the funnel runs.
KPI_GROUPS = (
    ("Engagement", ("prospect_to_engaged", "submit_rate", "engaged_to_inquiry")),
    ("Email", ("open_rate", "click_rate", "hard_bounce_rate", "soft_bounce_rate")),
    ("Conversion", ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "win_rate", "inquiry_to_won")),
    (
        "Velocity",
        (
            "days_inquiry_to_mql",
            "days_mql_to_sal",
            "days_sal_to_sql",
            "days_sql_to_won",
            "cycle_days",
        ),
    ),
    ("Revenue", ("deal_size",)),
    ("Costs and returns", COST_KPI_KEYS),
    (
        "Lead quality and movement",
        ("icp_fit_share", "opt_out_rate", "stalled_mql_share", "follow_up_48h"),
    ),
    (
        "Growth since the quarter before",
        (
            "inquiry_growth",
            "mql_growth",
            "sal_growth",
            "sql_growth",
            "pipeline_growth",
            "revenue_growth",
        ),
    ),
)


# Figures and KPIs where a fall is the good news; for the rest, a rise is.
LOWER_IS_BETTER = frozenset(
    {"hard_bounces", "soft_bounces", "hard_bounce_rate", "soft_bounce_rate", "cycle_days"}
    | {key for key, unit in KPI_UNITS.items() if unit == DAYS}
    | {"engage_cost_per_impression", "engage_cost_per_engaged", "engage_cost_share"}
    | {"cost_per_inquiry", "cost_per_mql", "cost_per_sql", "cost_per_won", "marketing_cost_share"}
    | {"opt_out_share", "opt_out_rate", "stalled_mqls", "stalled_mql_share"}
)
# Amounts spent: more is neither better nor worse in itself, so their arrows carry no colour.
NEITHER_BETTER = frozenset(SPEND_FIELDS) | {"engage_cost", "content_cost"}


# The rates the trend chart follows, down the funnel.
CHART_RATES = ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "win_rate")


@dataclass(frozen=True)
class Cell:
    text: str
    arrow: str = ""  # "up", "down", "flat" or "" (no quarter just before to compare with)
    tone: str = ""  # "better", "worse" or ""
    change: str = ""  # for screen readers and the tooltip: "up from 12.5% in 2026-Q2"
    corrected: bool = False  # a figure derived from a CRM export, then corrected by hand


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]  # one per quarter column


@dataclass(frozen=True)
class Column:
    row: FunnelFigures
    period: Quarter
    figures: Figures
    kpis: dict[str, Kpi]
    flags: list[str]
    health: dict[str, HandoffHealth]
    previous: "Column | None"  # the quarter just before, when it has figures


def quarter_columns(
    rows: list[FunnelFigures],
    thresholds: dict[str, Threshold],
    *,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> list[Column]:
    columns: list[Column] = []
    by_period: dict[Quarter, Column] = {}
    for row in rows:  # oldest first
        figures = row.figures
        previous = by_period.get(row.period.previous())
        quarter_kpis = kpis(
            figures, previous.figures if previous else None, discount_rate=discount_rate
        )
        column = Column(
            row=row,
            period=row.period,
            figures=figures,
            kpis=quarter_kpis,
            flags=flags(figures),
            health=handoff_health(quarter_kpis, thresholds),
            previous=previous,
        )
        columns.append(column)
        by_period[row.period] = column
    return columns


def latest_signs(columns: list[Column]) -> tuple[Sign, ...]:
    """The signs of a dropped baton in the latest quarter, trends against the one before."""
    if not columns:
        return ()
    latest = columns[-1]
    before = latest.previous
    return baton_signs(
        latest.health, before.kpis if before else None, str(before.period) if before else ""
    )


def figure_value_text(name: str, value) -> str:
    if value is None:
        return "—"
    kind = figure_kind(name)
    if kind == "count":
        return f"{value:,}"
    if kind == "money":
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    if kind == "years":
        return f"{value:.1f} years"
    if kind == "share":
        return f"{value:.1f}%"
    return f"{value:.1f} days"  # as the KPIs show days


def _cell(key: str, value, previous, text: str, previous_text: str, before: Quarter) -> Cell:
    if value is None or previous is None:
        return Cell(text)
    arrow = "up" if value > previous else "down" if value < previous else "flat"
    tone = ""
    if arrow != "flat" and key not in NEITHER_BETTER:
        tone = "better" if (arrow == "up") != (key in LOWER_IS_BETTER) else "worse"
    words = {"up": "up from", "down": "down from", "flat": "the same as"}[arrow]
    return Cell(text, arrow, tone, f"{words} {previous_text} in {before}")


def figure_rows(columns: list[Column]) -> list[tuple[str, list[Row]]]:
    groups = []
    for legend, names in FIGURE_GROUPS:
        rows = []
        for name in names:
            cells = []
            for column in columns:
                value = getattr(column.figures, name)
                before = getattr(column.previous.figures, name) if column.previous else None
                cell = _cell(
                    name,
                    value,
                    before,
                    figure_value_text(name, value),
                    figure_value_text(name, before),
                    column.period.previous(),
                )
                if name in column.row.corrected_fields:
                    cell = replace(cell, corrected=True)
                cells.append(cell)
            rows.append(Row(name, FIGURE_LABELS[name], tuple(cells)))
        groups.append((f"Figures: {legend.lower()}", rows))
    return groups


@dataclass(frozen=True)
class SummaryQuarter:
    quarter: str
    figures: list[tuple[str, str, bool]]  # (label, value, corrected by hand and kept)
    measures: list[tuple[str, str]]


def crm_summary(crm_import: CrmImport, rows: list[FunnelFigures]) -> list[SummaryQuarter]:
    """Each quarter an import derived: the figures it filled (as `rows`, the client's figures
    it derived, hold them now) and the measures it kept."""
    by_period = {str(row.period): row for row in rows}
    found = []
    for quarter in crm_import.measures:
        row = by_period.get(quarter)
        figures = []
        if row is not None:
            figures = [
                (FIGURE_LABELS[name], figure_value_text(name, getattr(row, name)),
                 name in row.corrected_fields)
                for name in DERIVED_FIGURES
                if getattr(row, name) is not None
            ]  # fmt: skip
        found.append(SummaryQuarter(quarter, figures, measure_rows(crm_import, quarter)))
    return found


def crm_measure_rows(columns: list[Column]) -> list[Row]:
    """The measures the CRM imports kept, one row each, for the quarters they derived ("—"
    for a quarter entered by hand); empty when no quarter came from an import."""
    if not any(column.row.crm_import_id for column in columns):
        return []
    rows = []
    for key, label in MEASURE_LABELS.items():
        cells = []
        for column in columns:
            crm_import = column.row.crm_import
            kept = (crm_import.measures or {}).get(str(column.period)) if crm_import else None
            cells.append(Cell(measure_text(key, kept.get(key)) if kept is not None else "—"))
        rows.append(Row(key, label, tuple(cells)))
    return rows


def kpi_rows(columns: list[Column]) -> list[tuple[str, list[Row]]]:
    groups = []
    for legend, keys in KPI_GROUPS:
        rows = []
        for key in keys:
            cells = []
            for column in columns:
                kpi = column.kpis[key]
                before = column.previous.kpis[key] if column.previous else None
                if KPI_UNITS[key] == GROWTH or before is None:  # growth is a change already
                    cells.append(Cell(kpi.display))
                    continue
                cells.append(
                    _cell(
                        key,
                        kpi.value,
                        before.value,
                        kpi.display,
                        before.display,
                        column.period.previous(),
                    )
                )
            # Every column has the same label; the ROI's says the workspace's discount rate.
            label = columns[0].kpis[key].label if columns else KPI_LABELS[key]
            rows.append(Row(key, label, tuple(cells)))
        groups.append((legend, rows))
    return groups


def rate_chart(client: Client, columns: list[Column]):
    """The conversion rates over the quarters, as percentages; a quarter without figures is a
    gap. None with fewer than two quarters."""
    if len(columns) < 2:
        return None
    first, last = columns[0].period, columns[-1].period
    quarters = [first.shifted(n) for n in range(last.index - first.index + 1)]
    by_period = {column.period: column for column in columns}

    def percent(quarter: Quarter, key: str) -> float | None:
        column = by_period.get(quarter)
        value = column.kpis[key].value if column else None
        return None if value is None else value * 100

    series = [
        TrendSeries(KPI_LABELS[key], tuple(percent(q, key) for q in quarters))
        for key in CHART_RATES
    ]
    return trend_chart(
        [str(q) for q in quarters],
        series,
        title=f"{client.name}: conversion rates over the quarters, in percent",
        id_prefix="funnel-rates",
        unit="percent",
    )


def quarter_cards(columns: list[Column], groups: list[tuple[str, list[Row]]]) -> list[dict]:
    """The table turned round for phones: one card per quarter, newest first, with its
    (group, [(label, cell)]) values."""
    return [
        {
            "column": column,
            "groups": [
                (legend, [(row.label, row.cells[position]) for row in rows])
                for legend, rows in groups
            ],
        }
        for position, column in reversed(list(enumerate(columns)))
    ]


@dataclass(frozen=True)
class StageLine:
    """A stage of the waterfall as the planner shows it."""

    label: str
    needed: str  # "1,240", or "unknown"
    actual: str  # "1,180", or "—"
    gap: int | None  # positive: a shortfall
    gap_text: str  # "60 short", "40 ahead", "on target", or "—"
    converts: str  # "22.0% become MQLs", "" for won deals


def _count_text(value: int | None, missing: str) -> str:
    return missing if value is None else f"{value:,}"


def stage_lines(plan: Waterfall) -> list[StageLine]:
    lines = []
    for stage, below in zip(plan.stages, (*plan.stages[1:], None), strict=True):
        gap = stage.gap
        if gap is None:
            gap_text = "—"
        elif gap:
            gap_text = f"{abs(gap):,} {'short' if gap > 0 else 'ahead'}"
        else:
            gap_text = "on target"
        converts = ""
        if below is not None:
            rate = "?" if stage.rate is None else f"{stage.rate * 100:.1f}%"
            converts = f"{rate} become {in_a_sentence(below.label)}"
        lines.append(
            StageLine(
                stage.label,
                _count_text(stage.needed, "unknown"),
                _count_text(stage.actual, "—"),
                gap,
                gap_text,
                converts,
            )
        )
    return lines


def observed_text(key: str, value: float | None, basis: FunnelFigures | None) -> str:
    if basis is None:
        return ""
    if value is None:
        return f"Not known from {basis.period}’s figures."
    shown = f"{value:,.0f}" if key == "deal_size" else f"{value * 100:.1f}%"
    return f"{shown} in {basis.period}."


_PER = {"inquiries": "inquiry", "mqls": "MQL"}


def spend_lines(estimates: tuple[SpendEstimate, ...], basis: FunnelFigures | None) -> list[str]:
    """The spend the plan takes, in a sentence per estimate; when it cannot be worked out, one
    sentence that says why."""
    if basis is None:
        return ["The spend it takes cannot be worked out yet: there are no funnel figures."]
    if basis.marketing_spend is None:
        return [
            f"The spend it takes cannot be worked out: {basis.period}’s figures have no "
            "marketing spend. Enter it with the quarter’s figures to see it here."
        ]
    lines = []
    for estimate in estimates:
        per, stage = _PER[estimate.stage], FIGURE_WORDS[estimate.stage]
        if estimate.cost is None:
            lines.append(f"The spend per {per} is not known: {basis.period} has no {stage}.")
        elif estimate.spend is None:
            lines.append(
                f"At {basis.period}’s {estimate.cost:,.0f} of marketing spend per {per}, the "
                f"spend is known once the number of {stage} needed is."
            )
        else:
            lines.append(
                f"At {basis.period}’s {estimate.cost:,.0f} of marketing spend per {per}, the "
                f"{estimate.needed:,} {stage} needed take about {estimate.spend:,.0f}."
            )
    return lines
