"""A client's real funnel figures, read against the questionnaire: pure code, like scoring.

Plain values in, frozen dataclasses out; no ORM, no request, no settings. A view turns a
FunnelFigures row into `Figures.from_mapping(...)` and a workspace's stored thresholds into
`thresholds_with(...)`; everything below is arithmetic on those.

- KPIs follow the funnel KPI list of the strategic demand generation review (seed 003): engagement,
  content, nurture email, conversion and velocity per lead stage, growth quarter over quarter,
  deal size. A ratio with a missing numerator, or a missing or zero denominator, has no value
  ("n/a"); a zero numerator over a real denominator is a true 0%.
- Each handoff's observed health rests on a few KPIs (HANDOFF_METRICS), each judged against a
  threshold: "healthy" at or beyond `healthy`, "poor" at or beyond `poor` in the wrong
  direction, "fair" between. Points poor 0, fair 50, healthy 100; the handoff's score is the mean
  over its metrics that have a value; 75 or more is healthy, 40 or more fair, below that poor.
- A contradiction is a handoff the questionnaire rates high (index 60 or more, Managed) whose
  figures are poor, or one it rates low (under 40, at risk) whose figures are healthy.
- The revenue waterfall works back from a revenue target: won deals = target / deal size, then
  each stage above = the stage below / the conversion rate between them, rounded up.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from statistics import fmean

from assessments.models import (
    COUNT_FIELDS,
    DAYS_FIELDS,
    FIGURE_FIELDS,
    IMPOSSIBLE_ABOVE,
)
from assessments.quarters import Quarter
from assessments.scoring import AT_RISK_BELOW, HANDOFF_NAMES, HANDOFF_ORDER

# ---- Figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One quarter's funnel figures; None means "not entered". Mirrors FunnelFigures."""

    year: int
    quarter: int
    impressions: int | None = None
    engaged_leads: int | None = None
    content_downloads: int | None = None
    emails_sent: int | None = None
    emails_opened: int | None = None
    emails_clicked: int | None = None
    hard_bounces: int | None = None
    soft_bounces: int | None = None
    inquiries: int | None = None
    mqls: int | None = None
    sals: int | None = None
    sqls: int | None = None
    won_deals: int | None = None
    pipeline_value: float | None = None
    closed_revenue: float | None = None
    average_deal_size: float | None = None
    days_inquiry_to_mql: float | None = None
    days_mql_to_sal: float | None = None
    days_sal_to_sql: float | None = None
    days_sql_to_won: float | None = None

    @classmethod
    def from_mapping(cls, year: int, quarter: int, values: Mapping[str, object]) -> "Figures":
        """Read the figure fields from `values` (a model's fields, a form's cleaned data);
        other keys are ignored, missing or empty ones are None, Decimals become floats."""
        read = {}
        for name in FIGURE_FIELDS:
            value = values.get(name)
            if value is None or value == "":
                read[name] = None
            elif name in COUNT_FIELDS:
                read[name] = int(value)
            else:
                read[name] = float(value)
        return cls(year, quarter, **read)

    @property
    def label(self) -> str:
        return str(Quarter(self.year, self.quarter))


# Plain words for each figure, for messages.
FIGURE_WORDS = {
    "impressions": "prospect impressions",
    "engaged_leads": "engaged leads",
    "content_downloads": "content downloads",
    "emails_sent": "emails sent",
    "emails_opened": "emails opened",
    "emails_clicked": "emails clicked",
    "hard_bounces": "hard bounces",
    "soft_bounces": "soft bounces",
    "inquiries": "inquiries",
    "mqls": "MQLs",
    "sals": "SALs",
    "sqls": "SQLs",
    "won_deals": "won deals",
    "pipeline_value": "pipeline value",
    "closed_revenue": "closed revenue",
    "average_deal_size": "average deal size",
    "days_inquiry_to_mql": "days from inquiry to MQL",
    "days_mql_to_sal": "days from MQL to SAL",
    "days_sal_to_sql": "days from SAL to SQL",
    "days_sql_to_won": "days from SQL to won",
}


def _number_text(value: float) -> str:
    """1200 -> "1,200"; 2.5 -> "2.5"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


# ---- KPIs ----------------------------------------------------------------------------------

PERCENT, DAYS, GROWTH, MONEY = "percent", "days", "growth", "money"


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    value: float | None  # percent and growth: a fraction (0.125 is 12.5%)
    unit: str  # "percent", "days", "growth" or "money"

    @property
    def display(self) -> str:
        if self.value is None:
            return "n/a"
        if self.unit == PERCENT:
            return f"{self.value * 100:.1f}%"
        if self.unit == DAYS:
            return f"{self.value:.1f} days"
        if self.unit == GROWTH:
            # Adding 0.0 turns a rounded -0.0 into 0.0, so no change never shows as "-0.0%".
            return f"{round(self.value * 100, 1) + 0.0:+.1f}%"
        return f"{self.value:,.0f}"


# key -> (label, unit), in display order.
_KPI_SPECS = {
    "prospect_to_engaged": ("Prospect → engaged", PERCENT),
    "submit_rate": ("Submit rate", PERCENT),
    "engaged_to_inquiry": ("Engaged → inquiry", PERCENT),
    "open_rate": ("Email open rate", PERCENT),
    "click_rate": ("Email click rate", PERCENT),
    "hard_bounce_rate": ("Hard bounce rate", PERCENT),
    "soft_bounce_rate": ("Soft bounce rate", PERCENT),
    "inquiry_to_mql": ("Inquiry → MQL", PERCENT),
    "mql_to_sal": ("MQL → SAL", PERCENT),
    "sal_to_sql": ("SAL → SQL", PERCENT),
    "win_rate": ("Win rate (SQL → won)", PERCENT),
    "inquiry_to_won": ("Inquiry → won", PERCENT),
    "days_inquiry_to_mql": ("Time inquiry → MQL", DAYS),
    "days_mql_to_sal": ("Time MQL → SAL", DAYS),
    "days_sal_to_sql": ("Time SAL → SQL", DAYS),
    "days_sql_to_won": ("Time SQL → won", DAYS),
    "cycle_days": ("Time inquiry → won", DAYS),
    "deal_size": ("Average deal size", MONEY),
    "inquiry_growth": ("Inquiry growth", GROWTH),
    "mql_growth": ("MQL growth", GROWTH),
    "sal_growth": ("SAL growth", GROWTH),
    "sql_growth": ("SQL growth", GROWTH),
    "pipeline_growth": ("Pipeline growth", GROWTH),
    "revenue_growth": ("Closed revenue growth", GROWTH),
}
KPI_KEYS = tuple(_KPI_SPECS)
KPI_LABELS = {key: label for key, (label, _) in _KPI_SPECS.items()}
KPI_UNITS = {key: unit for key, (_, unit) in _KPI_SPECS.items()}

# key -> (numerator, denominator) figure fields.
_RATIOS = {
    "prospect_to_engaged": ("engaged_leads", "impressions"),
    "submit_rate": ("content_downloads", "impressions"),  # seed 003's definition
    "engaged_to_inquiry": ("inquiries", "engaged_leads"),
    "open_rate": ("emails_opened", "emails_sent"),
    "click_rate": ("emails_clicked", "emails_sent"),
    "hard_bounce_rate": ("hard_bounces", "emails_sent"),
    "soft_bounce_rate": ("soft_bounces", "emails_sent"),
    "inquiry_to_mql": ("mqls", "inquiries"),
    "mql_to_sal": ("sals", "mqls"),
    "sal_to_sql": ("sqls", "sals"),
    "win_rate": ("won_deals", "sqls"),
    "inquiry_to_won": ("won_deals", "inquiries"),
}
# key -> the figure whose quarter-over-quarter change it measures.
_GROWTHS = {
    "inquiry_growth": "inquiries",
    "mql_growth": "mqls",
    "sal_growth": "sals",
    "sql_growth": "sqls",
    "pipeline_growth": "pipeline_value",
    "revenue_growth": "closed_revenue",
}


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def _growth(now: float | None, before: float | None) -> float | None:
    # Growth from nothing is not a percentage, so a previous 0 has no growth either.
    if now is None or before is None or before <= 0:
        return None
    return (now - before) / before


def _deal_size(figures: Figures) -> float | None:
    if figures.average_deal_size is not None:
        return figures.average_deal_size
    return _ratio(figures.closed_revenue, figures.won_deals)


def kpis(figures: Figures, previous: Figures | None = None) -> dict[str, Kpi]:
    """Every KPI of one quarter, in KPI_KEYS order; growth needs the previous quarter."""
    values: dict[str, float | None] = {
        key: _ratio(getattr(figures, numerator), getattr(figures, denominator))
        for key, (numerator, denominator) in _RATIOS.items()
    }
    days = [getattr(figures, name) for name in DAYS_FIELDS]
    values.update(zip(DAYS_FIELDS, days, strict=True))
    values["cycle_days"] = sum(days) if None not in days else None
    values["deal_size"] = _deal_size(figures)
    for key, name in _GROWTHS.items():
        before = getattr(previous, name) if previous is not None else None
        values[key] = _growth(getattr(figures, name), before)
    return {key: Kpi(key, label, values[key], unit) for key, (label, unit) in _KPI_SPECS.items()}


# ---- Checks on entered figures ---------------------------------------------------------------

# Pairs where the first above the second is allowed but suspicious, with the likely reason.
_LEADS_MOVED_ON = "possible when leads from an earlier quarter moved on this quarter"
_UNCOUNTED_CHANNEL = "possible when some channels' impressions are not counted"
SUSPICIOUS_ABOVE = (
    ("mqls", "inquiries", _LEADS_MOVED_ON),
    ("sals", "mqls", _LEADS_MOVED_ON),
    ("sqls", "sals", _LEADS_MOVED_ON),
    ("won_deals", "sqls", _LEADS_MOVED_ON),
    ("engaged_leads", "impressions", _UNCOUNTED_CHANNEL),
    ("content_downloads", "impressions", _UNCOUNTED_CHANNEL),
)
# The wording of an impossible pair; other pairs fall back to FIGURE_WORDS.
_IMPOSSIBLE_WORDS = {
    ("emails_opened", "emails_sent"): ("emails opened", "sent"),
    ("emails_clicked", "emails_sent"): ("emails clicked", "sent"),
}


def flags(figures: Figures) -> list[str]:
    """Figures that are allowed but worth a second look, in plain words."""
    found = []
    for part, whole, reason in SUSPICIOUS_ABOVE:
        above, below = getattr(figures, part), getattr(figures, whole)
        if above is not None and below is not None and above > below:
            found.append(
                f"More {FIGURE_WORDS[part]} ({_number_text(above)}) than "
                f"{FIGURE_WORDS[whole]} ({_number_text(below)}): {reason}, but worth checking."
            )
    return found


def problems(figures: Figures) -> dict[str, str]:
    """Figures that cannot be true, field -> message: negatives, and IMPOSSIBLE_ABOVE pairs."""
    found = {}
    for name in FIGURE_FIELDS:
        value = getattr(figures, name)
        if value is not None and value < 0:
            words = FIGURE_WORDS[name]
            found[name] = (
                f"{words[0].upper()}{words[1:]} cannot be negative ({_number_text(value)})."
            )
    for part, whole in IMPOSSIBLE_ABOVE:
        above, below = getattr(figures, part), getattr(figures, whole)
        if part in found or whole in found or above is None or below is None or above <= below:
            continue
        part_words, whole_words = _IMPOSSIBLE_WORDS.get(
            (part, whole), (FIGURE_WORDS[part], FIGURE_WORDS[whole])
        )
        found[part] = (
            f"More {part_words} ({_number_text(above)}) than {whole_words} ({_number_text(below)})."
        )
    return found


# ---- Thresholds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    """`poor` and `healthy` are in the KPI's own unit (fractions for percents, days for days);
    each bound counts as reached when the value equals it."""

    poor: float
    healthy: float
    higher_is_better: bool = True

    def judge(self, value: float | None) -> str:
        """ "healthy", "fair", "poor", or "unknown" without a value."""
        if value is None:
            return "unknown"
        sign = 1 if self.higher_is_better else -1
        if sign * value >= sign * self.healthy:
            return "healthy"
        if sign * value <= sign * self.poor:
            return "poor"
        return "fair"

    @property
    def is_consistent(self) -> bool:
        """Poor lies on the bad side of healthy (or equals it)."""
        if self.higher_is_better:
            return self.poor <= self.healthy
        return self.poor >= self.healthy


DEFAULT_THRESHOLDS = {
    # Under 1 in 100 reached prospects engaging means the message misses its audience.
    "prospect_to_engaged": Threshold(poor=0.01, healthy=0.03),
    # Content that fewer than 1 in 200 viewers download is not answering their questions.
    "submit_rate": Threshold(poor=0.005, healthy=0.02),
    # Nurture emails that barely anyone clicks are not relevant to where the buyer is.
    "click_rate": Threshold(poor=0.01, healthy=0.03),
    # Engagement that rarely turns into a raised hand has no path from education to dialogue.
    "engaged_to_inquiry": Threshold(poor=0.05, healthy=0.15),
    # Few inquiries qualifying means off-target contacts or a lead definition nobody meets.
    "inquiry_to_mql": Threshold(poor=0.10, healthy=0.25),
    # Sales rejecting most MQLs means marketing and sales do not share one lead definition.
    "mql_to_sal": Threshold(poor=0.40, healthy=0.70),
    # Accepted leads that seldom become opportunities were handed over before real interest.
    "sal_to_sql": Threshold(poor=0.20, healthy=0.40),
    # Seed 003: sales should follow up a qualified lead within 48 hours; by 5 days it has cooled.
    "days_mql_to_sal": Threshold(poor=5, healthy=2, higher_is_better=False),
}
THRESHOLD_LABELS = {
    "prospect_to_engaged": "Engaged leads per prospect impression",
    "submit_rate": "Content downloads per prospect impression (submit rate)",
    "click_rate": "Nurture emails clicked per email sent",
    "engaged_to_inquiry": "Inquiries per engaged lead",
    "inquiry_to_mql": "Inquiries that become marketing-qualified leads (MQLs)",
    "mql_to_sal": "MQLs that sales accepts (SALs)",
    "sal_to_sql": "Sales-accepted leads that become opportunities (SQLs)",
    "days_mql_to_sal": "Days sales takes to accept an MQL (follow-up speed)",
}


def _threshold_number(value: object) -> float | None:
    """A stored bound as a float, or None when it is not a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def thresholds_with(overrides: Mapping[str, Mapping[str, float]] | None) -> dict[str, Threshold]:
    """The default thresholds with a workspace's stored overrides applied. Never raises: an
    unknown metric, a bound that is not a number >= 0, a percent bound above 1 (100%), or a pair
    where poor is on the good side of healthy leaves that metric at its default. A metric's
    direction (higher or lower is better) is not overridable."""
    thresholds = dict(DEFAULT_THRESHOLDS)
    if not isinstance(overrides, Mapping):
        return thresholds
    for metric, given in overrides.items():
        default = DEFAULT_THRESHOLDS.get(metric)
        if default is None or not isinstance(given, Mapping):
            continue
        poor = _threshold_number(given.get("poor", default.poor))
        healthy = _threshold_number(given.get("healthy", default.healthy))
        if poor is None or healthy is None:
            continue
        if KPI_UNITS[metric] == PERCENT and max(poor, healthy) > 1:
            continue  # most likely 25 typed for 25%, which would make every value poor
        candidate = Threshold(poor, healthy, default.higher_is_better)
        if candidate.is_consistent:
            thresholds[metric] = candidate
    return thresholds


# ---- Observed health of the handoffs -------------------------------------------------------

HANDOFF_METRICS: dict[str, tuple[str, ...]] = {
    "gtm_to_demand": ("prospect_to_engaged", "submit_rate", "click_rate"),  # audience engagement
    "demand_to_lead": ("engaged_to_inquiry", "inquiry_to_mql"),  # inquiries and MQL conversion
    "lead_to_sales": ("mql_to_sal", "sal_to_sql", "days_mql_to_sal"),  # acceptance, speed
}
STATUS_POINTS = {"poor": 0, "fair": 50, "healthy": 100}
HEALTHY_FROM = 75
FAIR_FROM = 40


@dataclass(frozen=True)
class MetricHealth:
    kpi: Kpi
    threshold: Threshold
    status: str  # "healthy", "fair", "poor" or "unknown" (no value)


@dataclass(frozen=True)
class HandoffHealth:
    key: str
    name: str
    score: float | None  # 0-100: mean points of the metrics with a value
    label: str  # "healthy", "fair", "poor" or "unknown" (no metric with a value)
    metrics: tuple[MetricHealth, ...]


def health_label(score: float | None) -> str:
    if score is None:
        return "unknown"
    if score >= HEALTHY_FROM:
        return "healthy"
    return "fair" if score >= FAIR_FROM else "poor"


def handoff_health(
    kpis: Mapping[str, Kpi], thresholds: Mapping[str, Threshold]
) -> dict[str, HandoffHealth]:
    """Each handoff's health from its KPIs, keyed in HANDOFF_ORDER. A KPI missing from `kpis`
    counts as unknown; a threshold missing from `thresholds` falls back to the default."""
    health = {}
    for key in HANDOFF_ORDER:
        metrics = []
        for metric in HANDOFF_METRICS[key]:
            kpi = kpis.get(metric) or Kpi(metric, KPI_LABELS[metric], None, KPI_UNITS[metric])
            threshold = thresholds.get(metric) or DEFAULT_THRESHOLDS[metric]
            metrics.append(MetricHealth(kpi, threshold, threshold.judge(kpi.value)))
        points = [STATUS_POINTS[m.status] for m in metrics if m.status in STATUS_POINTS]
        score = fmean(points) if points else None
        health[key] = HandoffHealth(
            key, HANDOFF_NAMES[key], score, health_label(score), tuple(metrics)
        )
    return health


# ---- Questionnaire against figures ---------------------------------------------------------

RATED_HIGH_FROM = 60  # a questionnaire handoff index of 60 or more (stage Managed) is high
RATED_LOW_BELOW = AT_RISK_BELOW  # under 40 (at risk) is low
FUNNEL_BOOST = 1.25


@dataclass(frozen=True)
class Contradiction:
    handoff: str
    name: str
    kind: str  # "overrated" (rated high, observed poor) or "underrated" (rated low, healthy)
    index: float  # the questionnaire's handoff index
    health: HandoffHealth
    message: str


def _contradiction(kind: str, index: float, health: HandoffHealth) -> Contradiction:
    rating, observed = ("high", "poor") if kind == "overrated" else ("low", "healthy")
    evidence = ", ".join(
        f"{m.kpi.label} {m.kpi.display}" for m in health.metrics if m.status == observed
    )
    message = (
        f"{health.name} is rated {index:.0f} in the questionnaire, a {rating} rating, but its "
        f"funnel figures are {observed} ({health.score:.0f} of 100: {evidence})."
    )
    return Contradiction(health.key, health.name, kind, index, health, message)


def contradictions(
    handoff_indexes: Mapping[str, float | None], health: Mapping[str, HandoffHealth]
) -> list[Contradiction]:
    """Handoffs where the questionnaire and the figures disagree, in HANDOFF_ORDER. A middling
    rating, a fair observation or an unknown on either side contradicts nothing."""
    found = []
    for key in HANDOFF_ORDER:
        index, observed = handoff_indexes.get(key), health.get(key)
        if index is None or observed is None:
            continue
        if index >= RATED_HIGH_FROM and observed.label == "poor":
            found.append(_contradiction("overrated", index, observed))
        elif index < RATED_LOW_BELOW and observed.label == "healthy":
            found.append(_contradiction("underrated", index, observed))
    return found


def priority_boosts(health: Mapping[str, HandoffHealth]) -> dict[str, float]:
    """{handoff: FUNNEL_BOOST} for each handoff whose figures are poor: the recommendations
    of its questions weigh more, because the numbers confirm the baton drops there."""
    return {
        key: FUNNEL_BOOST for key in HANDOFF_ORDER if key in health and health[key].label == "poor"
    }


# ---- Revenue waterfall ---------------------------------------------------------------------

RATE_KEYS = ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "win_rate")
# Top of the funnel first: (stage key = Figures field, label, rate down to the next stage).
_WATERFALL_STAGES = (
    ("inquiries", "Inquiries", "inquiry_to_mql"),
    ("mqls", "MQLs", "mql_to_sal"),
    ("sals", "SALs", "sal_to_sql"),
    ("sqls", "SQLs", "win_rate"),
    ("won_deals", "Won deals", None),
)
INPUT_WORDS = {
    "inquiry_to_mql": "inquiry to MQL rate",
    "mql_to_sal": "MQL to SAL rate",
    "sal_to_sql": "SAL to SQL rate",
    "win_rate": "win rate (SQL to won)",
    "deal_size": "average deal size",
}
# Needed counts are rounded to this many decimals before rounding up, so that a division
# that is exact on paper (300 / 0.6) is not pushed to the next whole deal by float error.
_CEIL_DIGITS = 6


@dataclass(frozen=True)
class WaterfallStage:
    key: str
    label: str
    needed: int | None
    actual: int | None
    rate: float | None  # the rate used to get from this stage to the next one down

    @property
    def gap(self) -> int | None:
        """needed - actual: positive is a shortfall."""
        if self.needed is None or self.actual is None:
            return None
        return self.needed - self.actual


@dataclass(frozen=True)
class Waterfall:
    target_revenue: float
    deal_size: float | None  # None when the given one was missing or not above 0
    stages: tuple[WaterfallStage, ...]  # inquiries, mqls, sals, sqls, won_deals
    missing: tuple[str, ...]  # plain words for each unknown rate or deal size


def observed_rates(figures: Figures | None) -> dict[str, float | None]:
    """A quarter's conversion rates and deal size, to plan the waterfall with."""
    if figures is None:
        return dict.fromkeys((*RATE_KEYS, "deal_size"))
    observed = kpis(figures)
    return {key: observed[key].value for key in (*RATE_KEYS, "deal_size")}


def _usable(value: float | None) -> float | None:
    """A rate or deal size that can divide: a finite number above 0 (rates above 1 allowed)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def _round_up(value: float) -> int:
    return max(0, math.ceil(round(value, _CEIL_DIGITS)))


def waterfall(
    *,
    target_revenue: float,
    deal_size: float | None,
    rates: Mapping[str, float | None],
    actual: Figures | None,
) -> Waterfall:
    """What each stage must hold to reach `target_revenue`, worked up from won deals. A
    missing or zero rate (or deal size) leaves its stage and every stage above it unknown."""
    usable_deal_size = _usable(deal_size)
    usable_rates = {key: _usable(rates.get(key)) for key in RATE_KEYS}
    needed: int | None = (
        _round_up(target_revenue / usable_deal_size) if usable_deal_size is not None else None
    )
    stages = []
    for key, label, rate_key in reversed(_WATERFALL_STAGES):  # bottom up, from won deals
        rate = usable_rates[rate_key] if rate_key is not None else None
        if rate_key is not None:  # a stage must hold what the one below needs / the rate down
            needed = _round_up(needed / rate) if needed is not None and rate is not None else None
        stages.append(
            WaterfallStage(
                key, label, needed, getattr(actual, key) if actual is not None else None, rate
            )
        )
    missing = tuple(INPUT_WORDS[key] for key in RATE_KEYS if usable_rates[key] is None)
    if usable_deal_size is None:
        missing += (INPUT_WORDS["deal_size"],)
    return Waterfall(float(target_revenue), usable_deal_size, tuple(reversed(stages)), missing)
