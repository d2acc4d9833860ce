"""A client's funnel per calendar quarter, derived from its lead and deal records.

One pass over each file, in memory that does not grow with its rows: per quarter only counts,
sums and histograms of whole days (a median is read off a Counter of day counts, never off a
list of every interval). The one exception is the check of deals against their leads, which
keeps each linked deal's earliest create date: that grows with the deals, which are few
beside the leads, and never with the leads. So the deals are read first.

Definitions (the methodology page states them):

- A stage counts in the quarter a record reached it: inquiries are leads created in the
  quarter; MQLs, SALs, SQLs, opportunities and customers by the date each was reached. A lead
  without an SQL date but with an opportunity date reached SQL then (Salesforce converts a
  lead into an opportunity; FIGURE_LABELS calls SQLs opportunities too).
- Won deals and closed revenue count in the quarter a deal closed won; pipeline value is the
  amounts of the deals created in the quarter that are still open. Without a deal export, won
  deals are the leads that became customers, and there is no money.
- Days between stages are medians over the records that reached the later stage in the
  quarter, in whole calendar days; SQL to won is a won deal's create-to-close (the lead's
  SQL-to-customer dates without a deal export).
- The closed win rate is won / (won + lost) of the deals closed in the quarter (unlike the
  KPIs' "win rate", SQLs to won deals, which needs no deal export).
- The scoring gate: the share of the quarter's MQLs that went on to be accepted by sales.
- Follow-up within 48 hours is measured from a lead's SAL date: that is when sales has taken
  the baton. (An SQL is qualified by talking to the lead, so its first touch comes before.)
- Stalled: a lead that reached MQL, SAL or SQL more than `stall_days` before `as_of` and has
  gone no further (no later stage, no opportunity, no customer date, no deal linked to it),
  counted in the quarter it reached that stage.
- Shares of a quarter's new leads (ICP fit, opted out) count only leads whose value is known.
- A date after `as_of`, or before 2000, is flagged and left out: it is a typo or a test
  record, and would otherwise invent quarters.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from funnel.crm.reader import Problems
from funnel.crm.records import LOST, OPEN, WON, Deal, Lead
from funnel.kpis import growth, ratio
from lib.quarters import Quarter

DEFAULT_STALL_DAYS = 30
FOLLOW_UP_HOURS = 48
EARLIEST = datetime(2000, 1, 1)  # FunnelFigures' plausible years start there
CENTS = Decimal("0.01")
TENTHS = Decimal("0.1")
# The figures that fill a FunnelFigures row (funnel.kpis.FIGURE_FIELDS' names).
FIGURE_VALUES = (
    "inquiries",
    "mqls",
    "sals",
    "sqls",
    "won_deals",
    "pipeline_value",
    "closed_revenue",
    "average_deal_size",
    "days_inquiry_to_mql",
    "days_mql_to_sal",
    "days_sal_to_sql",
    "days_sql_to_won",
    "icp_fit_share",
    "opt_out_share",
    "stalled_mqls",
    "follow_up_48h_share",
)
_INTERVALS = ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "sql_to_won")


def _percentage(share: float | None) -> Decimal | None:
    if share is None:
        return None
    return (Decimal(str(share)) * 100).quantize(TENTHS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QuarterFigures:
    """One quarter's funnel as the records show it. Money is None without a deal export;
    a median, a share or a growth is None when nothing measured it."""

    quarter: Quarter
    inquiries: int = 0
    mqls: int = 0
    sals: int = 0
    sqls: int = 0
    opportunities: int = 0
    customers: int = 0
    won_deals: int = 0
    lost_deals: int = 0
    pipeline_value: Decimal | None = None
    closed_revenue: Decimal | None = None
    average_deal_size: Decimal | None = None
    days_inquiry_to_mql: Decimal | None = None
    days_mql_to_sal: Decimal | None = None
    days_sal_to_sql: Decimal | None = None
    days_sql_to_won: Decimal | None = None
    inquiry_growth: float | None = None
    mql_growth: float | None = None
    sal_growth: float | None = None
    sql_growth: float | None = None
    won_growth: float | None = None
    closed_win_rate: float | None = None
    icp_share: float | None = None
    opt_out_rate: float | None = None
    gate_pass_share: float | None = None
    touched_within_48h_share: float | None = None
    stalled_mqls: int = 0
    stalled_sals: int = 0
    stalled_sqls: int = 0

    def as_figure_values(self) -> dict[str, int | Decimal | None]:
        """The values for a FunnelFigures row of this quarter, by its field names."""
        return {name: getattr(self, name) for name in FIGURE_VALUES}

    @property
    def icp_fit_share(self) -> Decimal | None:
        """The ICP share as the figure keeps it: a percentage to a tenth."""
        return _percentage(self.icp_share)

    @property
    def opt_out_share(self) -> Decimal | None:
        return _percentage(self.opt_out_rate)

    @property
    def follow_up_48h_share(self) -> Decimal | None:
        return _percentage(self.touched_within_48h_share)

    @property
    def inquiry_to_mql(self) -> float | None:
        return ratio(self.mqls, self.inquiries)

    @property
    def mql_to_sal(self) -> float | None:
        return ratio(self.sals, self.mqls)

    @property
    def sal_to_sql(self) -> float | None:
        return ratio(self.sqls, self.sals)

    @property
    def sql_to_won(self) -> float | None:
        return ratio(self.won_deals, self.sqls)


@dataclass(frozen=True)
class Derivation:
    quarters: tuple[QuarterFigures, ...]  # oldest first, every quarter between included
    leads: int  # records counted
    deals: int
    as_of: date
    stall_days: int

    @property
    def stalled(self) -> dict[str, int]:
        """Leads stalled in each stage as of `as_of`, whatever quarter they got there."""
        return {
            stage: sum(getattr(q, f"stalled_{stage}s") for q in self.quarters)
            for stage in ("mql", "sal", "sql")
        }


@dataclass
class _Tally:
    """A quarter's running counts: fixed size, whatever the number of records."""

    counts: Counter = field(default_factory=Counter)
    days: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in _INTERVALS})
    pipeline: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)


def median_of(histogram: Counter) -> Decimal | None:
    """The median of the values a histogram counts (value -> how many), to a tenth."""
    total = sum(histogram.values())
    if not total:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if low is None and seen > low_rank:
            low = value
        if seen > high_rank:
            high = value
            break
    return (Decimal(low + high) / 2).quantize(TENTHS)


class _Deriving:
    def __init__(self, as_of: date, stall_days: int, lead_problems, deal_problems):
        self.as_of = as_of
        self.latest = datetime.combine(as_of, datetime.max.time())
        self.stalled_before = datetime.combine(
            as_of - timedelta(days=stall_days), datetime.min.time()
        )
        self.tallies: dict[int, _Tally] = {}  # by Quarter.index: a plain int hashes fastest
        self.lead_problems = lead_problems
        self.deal_problems = deal_problems
        self.earliest_deal: dict[str, tuple[datetime, int]] = {}  # lead id -> (created, line)
        self.with_deals = False
        self.leads = self.deals = 0
        self.touches_seen = False

    def tally(self, moment: datetime) -> _Tally:
        index = moment.year * 4 + (moment.month - 1) // 3  # Quarter.of(moment).index
        found = self.tallies.get(index)
        if found is None:
            found = self.tallies[index] = _Tally()
        return found

    def plausible(self, moment, problems: Problems, line: int, what: str):
        """The moment, or None (flagged) when it is after as_of or before 2000."""
        if moment is None:
            return None
        if moment > self.latest:
            problems.add(
                f"{what} ({moment:%Y-%m-%d}) is after {self.as_of:%Y-%m-%d}, the date the figures "
                "are taken on; it is left out.",
                line=line,
            )
            return None
        if moment < EARLIEST:
            problems.add(f"{what} ({moment:%Y-%m-%d}) is before 2000; it is left out.", line=line)
            return None
        return moment

    # ---- Deals, first ----------------------------------------------------------------------

    def deal(self, deal: Deal) -> None:
        self.deals += 1
        problems = self.deal_problems
        created = self.plausible(deal.created, problems, deal.line, "the create date")
        closed = self.plausible(deal.closed_on, problems, deal.line, "the close date")
        if created is None:
            return
        if closed is not None and closed.date() < created.date():
            problems.add(
                f"the deal closed ({closed:%Y-%m-%d}) before it was created "
                f"({created:%Y-%m-%d}); its days to close are left out.",
                line=deal.line,
            )
        amount = deal.amount or Decimal(0)
        if deal.outcome == OPEN:
            tally = self.tally(created)
            tally.pipeline += amount
            tally.counts["open_deals"] += 1
        elif closed is None:
            problems.add(
                f"the deal is {deal.outcome} but has no close date; it is left out of the "
                "quarter's closed deals.",
                line=deal.line,
            )
        else:
            tally = self.tally(closed)
            if deal.outcome == WON:
                tally.counts["won"] += 1
                tally.revenue += amount
                if deal.amount is not None:
                    tally.counts["won_with_amount"] += 1
                days = (closed.date() - created.date()).days
                if days >= 0:
                    tally.days["sql_to_won"][days] += 1
            elif deal.outcome == LOST:
                tally.counts["lost"] += 1
        for lead_id in _lead_ids(deal.lead_id):
            known = self.earliest_deal.get(lead_id)
            if known is None or created < known[0]:
                self.earliest_deal[lead_id] = (created, deal.line)

    # ---- Leads -----------------------------------------------------------------------------

    def lead(self, lead: Lead) -> None:
        self.leads += 1
        problems, line = self.lead_problems, lead.line
        created = self.plausible(lead.created, problems, line, "the create date")
        if created is None:
            return
        stage_dates = []
        for what, moment in (
            ("the MQL date", lead.mql),
            ("the SAL date", lead.sal),
            ("the SQL date", lead.sql),
            ("the opportunity date", lead.opportunity),
            ("the customer date", lead.customer),
        ):
            moment = self.plausible(moment, problems, line, what)
            if moment is not None and moment.date() < created.date():
                problems.add(
                    f"{what} ({moment:%Y-%m-%d}) is before the record was created "
                    f"({created:%Y-%m-%d}); it is left out.",
                    line=line,
                )
                moment = None
            stage_dates.append(moment)
        mql, sal, sql, opportunity, customer = stage_dates
        if lead.sql is None:
            sql = opportunity  # reaching opportunity is reaching SQL, when no SQL date is kept

        new = self.tally(created)
        new.counts["inquiries"] += 1
        if lead.icp_fit is not None:
            new.counts["icp_known"] += 1
            new.counts["icp_fit"] += lead.icp_fit
        if lead.opted_out is not None:
            new.counts["opt_known"] += 1
            new.counts["opted_out"] += lead.opted_out

        for key, moment in (
            ("mqls", mql),
            ("sals", sal),
            ("sqls", sql),
            ("opportunities", opportunity),
            ("customers", customer),
        ):
            if moment is not None:
                self.tally(moment).counts[key] += 1
        self._interval("inquiry_to_mql", created, mql)
        self._interval("mql_to_sal", mql, sal)
        self._interval("sal_to_sql", sal, sql)
        self._interval("lead_sql_to_won", sql, customer)
        if mql is not None:
            gate = self.tally(mql)
            gate.counts["gate_mqls"] += 1
            gate.counts["gate_passed"] += any(m is not None for m in (sal, sql, customer))
        if sal is not None:
            handoff = self.tally(sal)
            handoff.counts["handed_over"] += 1
            if lead.first_touch is not None:
                self.touches_seen = True
                if lead.first_touch <= sal + timedelta(hours=FOLLOW_UP_HOURS):
                    handoff.counts["touched_in_time"] += 1
        # A lead with a deal has moved on, even when its own record was not updated.
        has_deal = lead.record_id in self.earliest_deal
        if opportunity is None and customer is None and not has_deal:
            for stage, moment in (
                ("stalled_sqls", sql),
                ("stalled_sals", sal),
                ("stalled_mqls", mql),
            ):
                if moment is not None:
                    if moment < self.stalled_before:
                        self.tally(moment).counts[stage] += 1
                    break
        first_deal = self.earliest_deal.get(lead.record_id)
        if first_deal is not None and first_deal[0].date() < created.date():
            self.deal_problems.add(
                f"the deal was created ({first_deal[0]:%Y-%m-%d}) before its lead "
                f"{lead.record_id} ({created:%Y-%m-%d}, line {line} of the leads).",
                line=first_deal[1],
            )

    def _interval(self, key: str, start, end) -> None:
        if start is None or end is None:
            return
        days = (end.date() - start.date()).days
        if days >= 0:
            tally = self.tally(end)
            tally.days.setdefault(key, Counter())[days] += 1

    # ---- The quarters ----------------------------------------------------------------------

    def result(self, stall_days: int) -> Derivation:
        quarters: list[QuarterFigures] = []
        if self.tallies:
            previous = None
            for index in range(min(self.tallies), max(self.tallies) + 1):
                quarter = Quarter.from_index(index)
                figures = self._figures(quarter, self.tallies.get(index, _Tally()), previous)
                quarters.append(figures)
                previous = figures
        return Derivation(tuple(quarters), self.leads, self.deals, self.as_of, stall_days)

    def _figures(self, quarter, tally: _Tally, previous: QuarterFigures | None) -> QuarterFigures:
        counts = tally.counts
        with_deals = self.with_deals
        won = counts["won"] if with_deals else counts["customers"]
        sql_to_won = tally.days["sql_to_won"] if with_deals else tally.days.get("lead_sql_to_won")
        average = None
        if with_deals and counts["won_with_amount"]:
            average = (tally.revenue / counts["won_with_amount"]).quantize(CENTS)

        def grown(name: str, now: int) -> float | None:
            return growth(now, getattr(previous, name)) if previous is not None else None

        return QuarterFigures(
            quarter=quarter,
            inquiries=counts["inquiries"],
            mqls=counts["mqls"],
            sals=counts["sals"],
            sqls=counts["sqls"],
            opportunities=counts["opportunities"],
            customers=counts["customers"],
            won_deals=won,
            lost_deals=counts["lost"],
            pipeline_value=tally.pipeline.quantize(CENTS) if with_deals else None,
            closed_revenue=tally.revenue.quantize(CENTS) if with_deals else None,
            average_deal_size=average,
            days_inquiry_to_mql=median_of(tally.days["inquiry_to_mql"]),
            days_mql_to_sal=median_of(tally.days["mql_to_sal"]),
            days_sal_to_sql=median_of(tally.days["sal_to_sql"]),
            days_sql_to_won=median_of(sql_to_won or Counter()),
            inquiry_growth=grown("inquiries", counts["inquiries"]),
            mql_growth=grown("mqls", counts["mqls"]),
            sal_growth=grown("sals", counts["sals"]),
            sql_growth=grown("sqls", counts["sqls"]),
            won_growth=grown("won_deals", won),
            closed_win_rate=ratio(counts["won"], counts["won"] + counts["lost"])
            if with_deals
            else None,
            icp_share=ratio(counts["icp_fit"], counts["icp_known"]),
            opt_out_rate=ratio(counts["opted_out"], counts["opt_known"]),
            gate_pass_share=ratio(counts["gate_passed"], counts["gate_mqls"]),
            touched_within_48h_share=ratio(counts["touched_in_time"], counts["handed_over"])
            if self.touches_seen
            else None,
            stalled_mqls=counts["stalled_mqls"],
            stalled_sals=counts["stalled_sals"],
            stalled_sqls=counts["stalled_sqls"],
        )


def _lead_ids(text: str) -> list[str]:
    # HubSpot lists a deal's several contacts in one cell: "101;102".
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def derive_quarters(
    leads: Iterable[Lead],
    deals: Iterable[Deal] | None = None,
    *,
    as_of: date,
    stall_days: int = DEFAULT_STALL_DAYS,
    lead_problems: Problems | None = None,
    deal_problems: Problems | None = None,
) -> Derivation:
    """The figures of every quarter the records touch, from one pass over each iterable.

    `as_of` is the day the export was taken (never today's date read in here, so a figure is
    the same whenever it is computed). Row problems worth a look go to the files' Problems.
    """
    # Not `problems or Problems()`: an empty Problems is falsy, and would be replaced.
    deriving = _Deriving(
        as_of,
        stall_days,
        Problems() if lead_problems is None else lead_problems,
        Problems() if deal_problems is None else deal_problems,
    )
    if deals is not None:
        deriving.with_deals = True
        for deal in deals:
            deriving.deal(deal)
    for lead in leads:
        deriving.lead(lead)
    return deriving.result(stall_days)
