"""Each handoff's observed health from the funnel's KPIs, and where it contradicts the
questionnaire: pure code, like the scoring.

- Each handoff's observed health rests on a few KPIs (HANDOFF_METRICS), each judged against a
  threshold: "healthy" at or beyond `healthy`, "poor" at or beyond `poor` in the wrong
  direction, "fair" between. Points poor 0, fair 50, healthy 100; the handoff's score is the mean
  over its metrics that have a value; 75 or more is healthy, 40 or more fair, below that poor.
- A contradiction is a handoff the questionnaire rates high (index 60 or more, Managed) whose
  figures are poor, or one it rates low (under 40, at risk) whose figures are healthy. The
  questionnaire's indexes come in as plain numbers: this module knows nothing of the scoring.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from statistics import fmean

from funnel.kpis import GROWTH, KPI_LABELS, KPI_UNITS, PERCENT, Kpi
from lib.maturity import AT_RISK_BELOW, HANDOFF_NAMES, HANDOFF_ORDER, stage_of

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
    # The signs of a dropped baton (seed 000; funnel.signs groups them):
    # Few or no new contacts: a tenth fewer inquiries than the quarter before is a fall.
    "inquiry_growth": Threshold(poor=-0.10, healthy=0.0),
    # Contacts outside the target buyers: under 4 in 10 new leads fitting the ICP.
    "icp_fit_share": Threshold(poor=0.40, healthy=0.70),
    # Opt-outs: 1 new lead in 20 leaving the emails says the messages miss them.
    "opt_out_rate": Threshold(poor=0.05, healthy=0.02, higher_is_better=False),
    # No forward movement: 4 in 10 MQLs sitting untouched for a month.
    "stalled_mql_share": Threshold(poor=0.40, healthy=0.20, higher_is_better=False),
    # Seed 003's follow-up question: most accepted leads should hear from sales within 48 hours.
    "follow_up_48h": Threshold(poor=0.50, healthy=0.80),
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
    "inquiry_growth": "Inquiries against the quarter before (growth)",
    "icp_fit_share": "New leads that fit the ideal customer profile",
    "opt_out_rate": "New leads that opted out of email",
    "stalled_mql_share": "MQLs that went no further for a month (stalled)",
    "follow_up_48h": "Accepted leads contacted within 48 hours",
}


# A growth's bounds may be negative (a fall), down to -100%; and at most a tenfold rise.
GROWTH_BOUNDS = (-1.0, 10.0)


def _threshold_number(value: object, unit: str) -> float | None:
    """A stored bound as a float, or None when it is not a finite number in the unit's range:
    >= 0, or within GROWTH_BOUNDS for a growth."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    low, high = GROWTH_BOUNDS if unit == GROWTH else (0.0, math.inf)
    return number if low <= number <= high else None


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
        unit = KPI_UNITS[metric]
        poor = _threshold_number(given.get("poor", default.poor), unit)
        healthy = _threshold_number(given.get("healthy", default.healthy), unit)
        if poor is None or healthy is None:
            continue
        if unit == PERCENT and max(poor, healthy) > 1:
            continue  # most likely 25 typed for 25%, which would make every value poor
        candidate = Threshold(poor, healthy, default.higher_is_better)
        if candidate.is_consistent:
            thresholds[metric] = candidate
    return thresholds


# ---- Observed health of the handoffs -------------------------------------------------------

HANDOFF_METRICS: dict[str, tuple[str, ...]] = {
    # Audience engagement; whether the contacts are the target buyers and stay listening.
    "gtm_to_demand": (
        "prospect_to_engaged",
        "submit_rate",
        "click_rate",
        "icp_fit_share",
        "opt_out_rate",
    ),
    # Inquiries coming in, and MQL conversion.
    "demand_to_lead": ("engaged_to_inquiry", "inquiry_to_mql", "inquiry_growth"),
    # Acceptance, speed, and leads moving on.
    "lead_to_sales": (
        "mql_to_sal",
        "sal_to_sql",
        "days_mql_to_sal",
        "stalled_mql_share",
        "follow_up_48h",
    ),
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

    @property
    def observed(self) -> str:
        """What the funnel shows against the rating: "poor" or "healthy"."""
        return "poor" if self.kind == "overrated" else "healthy"

    @property
    def evidence(self) -> list[MetricHealth]:
        """The figures that contradict the rating."""
        return [m for m in self.health.metrics if m.status == self.observed]


def _contradiction(kind: str, index: float, health: HandoffHealth) -> Contradiction:
    rating, observed = ("high", "poor") if kind == "overrated" else ("low", "healthy")
    evidence = ", ".join(
        f"{m.kpi.label} {m.kpi.display}" for m in health.metrics if m.status == observed
    )
    message = (
        f"The respondents place {health.name} at the {stage_of(index).name.lower()} stage, a "
        f"{rating} rating, but its funnel figures are {observed} ({evidence})."
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
