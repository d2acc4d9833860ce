"""The four signs that the baton has been dropped (seed 000), measured: pure code, like the
scoring.

The signs say that demand generation's inputs (targeting, positioning, messaging, the buyer's
journey) are off the mark: few or no new contacts; contacts outside the target buyers; buyers
opting out and not clicking; leads that do not move forward or fail the scoring gate. Each is
read off figures the handoff health already judges (funnel.health: the same thresholds, which a
workspace's owners can change), grouped under the handoff it points to:

- a sign is *showing* when one of its figures is poor, *worth watching* when one is fair and
  none is poor, *not showing* when every figure it has is healthy, and *not measured* without
  a figure;
- each figure carries its trend: its value in the quarter before, when that quarter has one.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from funnel.health import HandoffHealth, MetricHealth
from funnel.kpis import Kpi
from lib.maturity import HANDOFF_NAMES


@dataclass(frozen=True)
class SignSpec:
    key: str
    name: str
    meaning: str  # what it says when it shows, in a leadership reader's words
    handoff: str
    metrics: tuple[str, ...]  # KPI keys, each judged in that handoff's health


SIGNS = (
    SignSpec(
        "few_contacts",
        "Few or no new contacts",
        "Demand generation is not bringing enough new people into the conversation for lead "
        "generation to work with.",
        "demand_to_lead",
        ("inquiry_growth",),
    ),
    SignSpec(
        "off_target",
        "Contacts outside the target buyers",
        "The people coming in are not the buyers the strategy names: the targeting and the "
        "positioning miss them.",
        "gtm_to_demand",
        ("icp_fit_share",),
    ),
    SignSpec(
        "tuning_out",
        "Buyers opting out and not clicking",
        "The messages do not speak to where the buyers are in their journey, so they stop "
        "listening.",
        "gtm_to_demand",
        ("opt_out_rate", "click_rate"),
    ),
    SignSpec(
        "no_movement",
        "No forward movement",
        "Leads sit where they are or fail the scoring gate: what reaches sales is not ready "
        "for it.",
        "lead_to_sales",
        ("stalled_mql_share", "mql_to_sal"),
    ),
)
SHOWING, WATCH, CLEAR, UNMEASURED = "showing", "watch", "clear", "unmeasured"
# Each status in the health colours the pages already use.
STATUS_TONES = {SHOWING: "poor", WATCH: "fair", CLEAR: "healthy", UNMEASURED: "unknown"}
STATUS_WORDS = {
    SHOWING: "Showing",
    WATCH: "Worth watching",
    CLEAR: "Not showing",
    UNMEASURED: "Not measured",
}


@dataclass(frozen=True)
class SignFigure:
    health: MetricHealth  # the figure judged against its threshold
    previous: Kpi | None  # the same figure in the quarter before, when it had one
    previous_period: str  # "2026-Q2", or "" without a quarter before

    @property
    def kpi(self) -> Kpi:
        return self.health.kpi

    @property
    def trend_words(self) -> str:
        """ "up from", "down from", "the same as", or "" with nothing to compare."""
        now, before = self.kpi.value, self.previous.value if self.previous else None
        if now is None or before is None:
            return ""
        return "up from" if now > before else "down from" if now < before else "the same as"

    @property
    def trend(self) -> str:
        """ "up from 2.1% in 2026-Q2", or "" with nothing to compare."""
        if not self.trend_words:
            return ""
        return f"{self.trend_words} {self.previous.display} in {self.previous_period}"

    @property
    def direction(self) -> str:
        """ "better", "worse" or "" (unchanged, or nothing to compare), by the threshold's
        direction: for opt-outs a fall is the good news."""
        now, before = self.kpi.value, self.previous.value if self.previous else None
        if now is None or before is None or now == before:
            return ""
        rose = now > before
        return "better" if rose == self.health.threshold.higher_is_better else "worse"


@dataclass(frozen=True)
class Sign:
    spec: SignSpec
    status: str  # SHOWING, WATCH, CLEAR or UNMEASURED
    figures: tuple[SignFigure, ...]

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def meaning(self) -> str:
        return self.spec.meaning

    @property
    def handoff(self) -> str:
        return self.spec.handoff

    @property
    def handoff_name(self) -> str:
        return HANDOFF_NAMES[self.spec.handoff]

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def tone(self) -> str:
        return STATUS_TONES[self.status]

    @property
    def measured(self) -> tuple[SignFigure, ...]:
        return tuple(f for f in self.figures if f.kpi.value is not None)


def sign_status(statuses: list[str]) -> str:
    """The worst of the figures' statuses: one poor figure shows the sign."""
    if "poor" in statuses:
        return SHOWING
    if "fair" in statuses:
        return WATCH
    return CLEAR if "healthy" in statuses else UNMEASURED


def baton_signs(
    health: Mapping[str, HandoffHealth],
    previous_kpis: Mapping[str, Kpi] | None = None,
    previous_period: str = "",
) -> tuple[Sign, ...]:
    """The four signs in SIGNS order, from a quarter's handoff health and, for the trends,
    the KPIs of the quarter before."""
    signs = []
    for spec in SIGNS:
        judged = {m.kpi.key: m for m in health[spec.handoff].metrics}
        figures = tuple(
            SignFigure(
                judged[key],
                previous_kpis.get(key) if previous_kpis else None,
                previous_period if previous_kpis else "",
            )
            for key in spec.metrics
        )
        signs.append(Sign(spec, sign_status([f.health.status for f in figures]), figures))
    return tuple(signs)
