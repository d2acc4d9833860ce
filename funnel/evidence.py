"""Answers set beside the evidence: where a measured funnel figure speaks to a question, the
respondents' answer is checked against it. Pure code, like the scoring.

Self-assessments run high; a figure is how Relay checks one. A question the respondents place
high (index 60 or more, the managed stage, as for the handoffs in funnel.health) while a
figure that speaks to it is poor is *contradicted*; one they place low (under 40) while every
figure that speaks to it is healthy is *underrated*. The figures are those the handoff health
already judges, with the workspace's thresholds; a question of a bank without these keys simply
has no evidence.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from funnel.health import RATED_HIGH_FROM, RATED_LOW_BELOW, HandoffHealth, MetricHealth

# Question key (the default bank's) -> the KPIs that show whether what it asks about happens.
EVIDENCE_FOR = {
    # "How soon after a qualified lead is handed over does sales make its first contact?"
    "people.lead_follow_up_speed": ("days_mql_to_sal", "follow_up_48h"),
    # The service level agreement commits sales to accept or return every lead, and fast.
    "people.sales_marketing_sla": ("mql_to_sal", "days_mql_to_sal"),
    # An ICP drawn from evidence brings leads that fit it.
    "process.icp_definition": ("icp_fit_share",),
    "process.lead_definition_icp_fit": ("icp_fit_share", "inquiry_to_mql"),
    # A lead definition both teams agreed is one sales accepts.
    "process.lead_definition": ("mql_to_sal",),
    # The score a lead must reach before sales calls: what passes it should be accepted.
    "process.active_interest_threshold": ("mql_to_sal", "sal_to_sql"),
    # Leads sales rejects or cannot move are turned back, not left to sit.
    "process.lead_turn_back": ("stalled_mql_share",),
    # Limiting how often each prospect hears from you keeps them from opting out.
    "content.contact_cadence": ("opt_out_rate",),
    # Nurture built into the strategy gets read and clicked.
    "content.nurture_strategy": ("click_rate",),
}
CONTRADICTED, UNDERRATED = "contradicted", "underrated"


@dataclass(frozen=True)
class EvidenceCheck:
    question: Any  # the scoring's QuestionResult (anything with .key and .answered_index)
    figures: tuple[MetricHealth, ...]  # the measured figures that speak to it
    verdict: str  # CONTRADICTED, UNDERRATED or "" (they agree, or the figures are mixed)

    @property
    def against(self) -> tuple[MetricHealth, ...]:
        """The figures that go against the answer."""
        wanted = {CONTRADICTED: "poor", UNDERRATED: "healthy"}.get(self.verdict)
        return tuple(f for f in self.figures if f.status == wanted)


def _verdict(index: float, statuses: list[str]) -> str:
    if index >= RATED_HIGH_FROM and "poor" in statuses:
        return CONTRADICTED
    if index < RATED_LOW_BELOW and all(status == "healthy" for status in statuses):
        return UNDERRATED
    return ""


def evidence_checks(
    questions: Iterable[Any], health: Mapping[str, HandoffHealth]
) -> list[EvidenceCheck]:
    """For each question (with .key and .answered_index: the respondents' own, whatever level
    a consultant validated since) that has an index and at least one measured figure speaking
    to it, in the order given: the figures and the verdict."""
    judged = {m.kpi.key: m for h in health.values() for m in h.metrics if m.status != "unknown"}
    checks = []
    for question in questions:
        index = question.answered_index
        if index is None or question.key not in EVIDENCE_FOR:
            continue
        figures = tuple(judged[kpi] for kpi in EVIDENCE_FOR[question.key] if kpi in judged)
        if figures:
            verdict = _verdict(index, [f.status for f in figures])
            checks.append(EvidenceCheck(question, figures, verdict))
    return checks
