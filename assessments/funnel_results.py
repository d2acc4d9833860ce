"""An assessment's results checked against the client's real funnel for the same quarter.

The results page, results.json and the PDF report all come through `compute_with_funnel`, so
they show the same figures and the same "act first" conclusion: the funnel's observed handoff
health (funnel.health) boosts the recommendations of poor handoffs before scoring, and the
scoring's handoff indexes are then compared with it to find contradictions.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from assessments.headline import ActFirst, act_first
from assessments.models import Assessment
from assessments.results import AssessmentResults, BankCache, compute_results
from funnel.evidence import EvidenceCheck, evidence_checks
from funnel.health import (
    HANDOFF_METRICS,
    Contradiction,
    HandoffHealth,
    contradictions,
    handoff_health,
    priority_boosts,
)
from funnel.kpis import COST_KPI_KEYS, Figures, Kpi, flags, kpis, rate_text
from funnel.models import FunnelFigures, FunnelThresholds
from funnel.signs import Sign, baton_signs


@dataclass(frozen=True)
class FunnelCheck:
    figures: Figures
    previous: Figures | None
    kpis: dict[str, Kpi]
    health: dict[str, HandoffHealth]
    flags: list[str]
    discount_rate: float  # the workspace's, a fraction: the return on the spend is at this rate
    signs: tuple[Sign, ...] = ()  # the four signs of a dropped baton (funnel.signs)

    @property
    def boosts(self) -> dict[str, float]:
        return priority_boosts(self.health)

    @property
    def measured(self) -> list[Kpi]:
        """The quarter's KPIs beyond those the handoff health judges and the costs, that have
        a value: opens, bounces, the rest of the conversions and velocity, growth..."""
        judged = {key for keys in HANDOFF_METRICS.values() for key in keys}
        return [
            kpi
            for key, kpi in self.kpis.items()
            if key not in COST_KPI_KEYS and key not in judged and kpi.value is not None
        ]

    @property
    def costs(self) -> list[Kpi]:
        """The costs and returns of the quarter's spend that have a value."""
        return [self.kpis[key] for key in COST_KPI_KEYS if self.kpis[key].value is not None]

    @property
    def discount_rate_text(self) -> str:
        return rate_text(self.discount_rate)


@dataclass(frozen=True)
class FunnelResults:
    computed: AssessmentResults
    funnel: FunnelCheck | None
    contradictions: list[Contradiction] = field(default_factory=list)
    # The questions a measured figure speaks to, each checked against it (funnel.evidence).
    evidence: list[EvidenceCheck] = field(default_factory=list)

    @property
    def act_first(self) -> ActFirst:
        """The one conclusion: where to act first (assessments.headline)."""
        return act_first(self.computed.results, self.funnel.health if self.funnel else None)


def funnel_check(assessment: Assessment) -> FunnelCheck | None:
    """The client's funnel in the assessment's quarter, judged with the workspace's
    thresholds, with the two quarters before (growth, and the signs' trends); None without
    figures for that quarter. Two queries."""
    period = assessment.period
    before = period.previous()
    wanted = (period, before, before.previous())
    rows = {
        row.period: row.figures
        for row in FunnelFigures.objects.filter(client_id=assessment.client_id).filter(
            reduce(or_, (Q(year=q.year, quarter=q.number) for q in wanted))
        )
    }
    if period not in rows:
        return None
    figures, previous, earlier = (rows.get(quarter) for quarter in wanted)
    thresholds, rate = FunnelThresholds.objects.judging_for(assessment.client.workspace_id)
    measured = kpis(figures, previous, discount_rate=rate)
    health = handoff_health(measured, thresholds)
    previous_kpis = kpis(previous, earlier, discount_rate=rate) if previous else None
    return FunnelCheck(
        figures=figures,
        previous=previous,
        kpis=measured,
        health=health,
        flags=flags(figures),
        discount_rate=rate,
        signs=baton_signs(health, previous_kpis, str(before)),
    )


def compute_with_funnel(
    assessment: Assessment, cache: BankCache | None = None, *, anonymous: bool = False
) -> FunnelResults:
    """`anonymous` as in results.compute_results: for what must not show who answered what."""
    funnel = funnel_check(assessment)
    computed = compute_results(
        assessment, cache, boosts=funnel.boosts if funnel else None, anonymous=anonymous
    )
    if funnel is None:
        return FunnelResults(computed, None)
    indexes = {h.key: h.index for h in computed.results.handoffs}
    return FunnelResults(
        computed,
        funnel,
        contradictions(indexes, funnel.health),
        evidence_checks(computed.results.questions, funnel.health),
    )


def funnel_rows(results, checked: FunnelResults) -> list[tuple]:
    """Per handoff: the questionnaire's result, the funnel's observed health, and the
    contradiction between them if there is one (for the results page and the report)."""
    if checked.funnel is None:
        return []
    found = {c.handoff: c for c in checked.contradictions}
    return [
        (handoff, checked.funnel.health[handoff.key], found.get(handoff.key))
        for handoff in results.handoffs
    ]
