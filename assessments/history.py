"""A client's quarters, read from the results snapshots: the trend and the deltas that the
client page and the PDF report show. One query for all the quarters, whatever their number."""

from dataclasses import dataclass

from django.db.models import Count

from assessments.models import Assessment
from bank.models import DimensionKey
from clients.models import Client
from lib.charts import TrendSeries, trend_chart
from lib.maturity import DIMENSION_SHORT_NAMES, HANDOFF_NAMES, HANDOFF_ORDER, HANDOFF_SHORT_NAMES
from lib.quarters import Quarter

# A change of less than one point (as shown, in whole numbers) is no change.
FLAT = 0.5


@dataclass(frozen=True)
class QuarterRow:
    assessment: Assessment
    # The previous quarter by results.previous_assessment's rule (the latest earlier quarter
    # with results), found here over the rows already read.
    previous: Assessment | None

    @property
    def has_results(self) -> bool:
        return self.assessment.has_results

    @property
    def delta(self) -> float | None:
        if not self.has_results or self.previous is None:
            return None
        now, before = self.assessment.overall_index, self.previous.overall_index
        return None if now is None or before is None else now - before

    @property
    def direction(self) -> str:
        """ "up", "down" or "flat" against the previous quarter ("" without one)."""
        return direction(self.delta)


def direction(delta: float | None, *, flat: float = FLAT) -> str:
    """ "up", "down" or "flat" ("" for no comparison): changes smaller than `flat` are none."""
    if delta is None:
        return ""
    if delta >= flat:
        return "up"
    if delta <= -flat:
        return "down"
    return "flat"


def client_quarters(client: Client, *, up_to: Quarter | None = None) -> list[QuarterRow]:
    """The client's assessments oldest first (up to a quarter), each with the latest earlier
    one that has results, for the deltas."""
    assessments = client.assessments.order_by("year", "quarter")
    rows, previous = [], None
    for assessment in assessments.select_related("bank_version").annotate(
        respondent_count=Count("respondents")
    ):
        if up_to is not None and up_to < assessment.period:
            break
        row = QuarterRow(assessment, previous)
        rows.append(row)
        if row.has_results:
            previous = assessment
    return rows


@dataclass(frozen=True)
class TrendData:
    """The trend as plain values: the quarters oldest first (gaps included) and a series per
    line, overall first, then the dimensions, then the handoffs upstream first."""

    quarters: tuple[str, ...]
    overall: TrendSeries
    dimensions: tuple[TrendSeries, ...]
    handoffs: tuple[TrendSeries, ...]
    notes: tuple[str | None, ...]  # under each quarter: its baton drop, "partial"
    preliminary: tuple[bool, ...]  # the quarter's results may still change

    @property
    def series(self) -> list[TrendSeries]:
        return [self.overall, *self.dimensions, *self.handoffs]


def trend_data(rows: list[QuarterRow]) -> TrendData | None:
    """Overall, dimension and handoff indexes per quarter, from the results snapshots;
    quarters without results are gaps (None), never zeros. None with fewer than two quarters.
    The trend chart (below) and the slide deck both draw these."""
    scored = [row.assessment for row in rows if row.has_results]
    if len(scored) < 2:
        return None
    first, last = scored[0].period, scored[-1].period
    quarters = [first.shifted(n) for n in range(last.index - first.index + 1)]
    by_quarter = {a.period: a for a in scored}

    def values(pick) -> tuple[float | None, ...]:
        return tuple(pick(by_quarter[q]) if q in by_quarter else None for q in quarters)

    return TrendData(
        quarters=tuple(str(q) for q in quarters),
        overall=TrendSeries("Overall", values(lambda a: a.overall_index), emphasis=True),
        dimensions=tuple(
            TrendSeries(
                key.label,
                values(lambda a, k=key.value: _summary(a, "dimensions", k)),
                short_name=DIMENSION_SHORT_NAMES[key.value],
            )
            for key in DimensionKey
        ),
        handoffs=tuple(
            TrendSeries(
                HANDOFF_NAMES[key],
                values(lambda a, k=key: _summary(a, "handoffs", k)),
                short_name=HANDOFF_SHORT_NAMES[key],
            )
            for key in HANDOFF_ORDER
        ),
        notes=tuple(_quarter_note(by_quarter.get(q)) for q in quarters),
        preliminary=tuple(q in by_quarter and by_quarter[q].is_preliminary for q in quarters),
    )


def trend(rows: list[QuarterRow], *, title: str = "Indexes over the quarters"):
    """The trend chart of `trend_data`; None with fewer than two quarters with results."""
    return trend_chart_of(trend_data(rows), title=title)


def trend_charts(rows: list[QuarterRow], *, name: str) -> list:
    """The trend as two charts of at most four lines each, so every line can be told apart:
    the four dimensions, then the overall index with the three handoffs. Empty with fewer than
    two quarters with results."""
    return trend_charts_of(trend_data(rows), name=name)


def trend_charts_of(data: TrendData | None, *, name: str) -> list:
    """trend_charts of trend data already gathered (none for None)."""
    if data is None:
        return []
    groups = [
        (f"{name}: dimension indexes over the quarters", list(data.dimensions)),
        (f"{name}: overall and handoff indexes over the quarters", [data.overall, *data.handoffs]),
    ]
    return [_chart_of(data, series, title) for title, series in groups]


def trend_chart_of(data: TrendData | None, *, title: str = "Indexes over the quarters"):
    """The chart of trend data, each quarter's baton drop noted under it; None for None."""
    return None if data is None else _chart_of(data, data.series, title)


def _chart_of(data: TrendData, series: list[TrendSeries], title: str):
    return trend_chart(
        list(data.quarters),
        series,
        title=title,
        annotations=list(data.notes),
        preliminary=list(data.preliminary),
    )


def _quarter_note(assessment: Assessment | None) -> str | None:
    """Under a quarter's label: its baton drop, and "partial" when its overall index leaves
    out a dimension."""
    if assessment is None:
        return None
    parts = [
        HANDOFF_SHORT_NAMES.get(assessment.baton_drop),
        assessment.overall_is_partial and "partial",
    ]
    return " · ".join(part for part in parts if part) or None


def _summary(assessment: Assessment, group: str, key: str) -> float | None:
    return assessment.index_summary.get(group, {}).get(key)
