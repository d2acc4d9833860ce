"""A client's quarters, read from the results snapshots: the trend and the deltas that the
client page and the PDF report show. One query for all the quarters, whatever their number."""

from dataclasses import dataclass

from django.db.models import Count

from assessments.models import Assessment
from bank.models import DimensionKey
from clients.models import Client
from lib.charts import TrendSeries, trend_chart
from lib.maturity import HANDOFF_NAMES, HANDOFF_ORDER, HANDOFF_SHORT_NAMES
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


def trend(rows: list[QuarterRow], *, title: str = "Indexes over the quarters"):
    """Overall, dimension and handoff indexes per quarter, with each quarter's baton drop;
    quarters without results are gaps, never zeros. None with fewer than two quarters."""
    scored = [row.assessment for row in rows if row.has_results]
    if len(scored) < 2:
        return None
    first, last = scored[0].period, scored[-1].period
    quarters = [first.shifted(n) for n in range(last.index - first.index + 1)]
    by_quarter = {a.period: a for a in scored}

    def values(pick) -> tuple[float | None, ...]:
        return tuple(pick(by_quarter[q]) if q in by_quarter else None for q in quarters)

    series = [TrendSeries("Overall", values(lambda a: a.overall_index), emphasis=True)]
    for key in DimensionKey:
        series.append(
            TrendSeries(key.label, values(lambda a, k=key.value: _summary(a, "dimensions", k)))
        )
    for key in HANDOFF_ORDER:
        series.append(
            TrendSeries(HANDOFF_NAMES[key], values(lambda a, k=key: _summary(a, "handoffs", k)))
        )
    notes = [_quarter_note(by_quarter.get(q)) for q in quarters]
    preliminary = [q in by_quarter and by_quarter[q].is_preliminary for q in quarters]
    return trend_chart(
        [str(q) for q in quarters],
        series,
        title=title,
        annotations=notes,
        preliminary=preliminary,
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
