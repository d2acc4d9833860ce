"""Answers set beside the evidence (funnel.evidence): the verdicts worked by hand, and the
results page and results.json of a demo assessment whose answers a figure contradicts."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse

from assessments.models import Assessment
from devtools.demo import seed_demo
from funnel.evidence import CONTRADICTED, EVIDENCE_FOR, UNDERRATED, evidence_checks
from funnel.health import DEFAULT_THRESHOLDS, handoff_health
from funnel.kpis import Figures, kpis


@dataclass(frozen=True)
class Question:
    key: str
    answered_index: float | None


# Follow-up in 6 days (poor) though 90% are contacted within 48 hours of acceptance (healthy);
# 60 of 100 MQLs accepted (fair); 10 of 5,000 emails clicked
# (0.2%, poor); 3% of new leads opting out (fair); 80% fitting the ICP (healthy).
FIGURES = Figures(
    2026,
    3,
    inquiries=400,
    mqls=100,
    sals=60,
    days_mql_to_sal=6.0,
    follow_up_48h_share=90.0,
    emails_sent=5_000,
    emails_clicked=10,
    opt_out_share=3.0,
    icp_fit_share=80.0,
)
HEALTH = handoff_health(kpis(FIGURES), DEFAULT_THRESHOLDS)


def _checks(*questions):
    return {check.question.key: check for check in evidence_checks(questions, HEALTH)}


def test_a_high_answer_with_a_poor_figure_is_contradicted():
    checks = _checks(Question("people.lead_follow_up_speed", 75.0))
    check = checks["people.lead_follow_up_speed"]
    assert check.verdict == CONTRADICTED
    # 90% contacted within 48 hours is healthy, but the 6 days to accept them are poor.
    assert [m.kpi.key for m in check.figures] == ["days_mql_to_sal", "follow_up_48h"]
    assert [m.kpi.key for m in check.against] == ["days_mql_to_sal"]


def test_a_low_answer_with_only_healthy_figures_is_underrated():
    check = _checks(Question("process.icp_definition", 25.0))["process.icp_definition"]
    assert check.verdict == UNDERRATED
    assert [m.status for m in check.against] == ["healthy"]


def test_mixed_or_agreeing_evidence_has_no_verdict():
    checks = _checks(
        Question("people.sales_marketing_sla", 50.0),  # middling answer: nothing to flag
        Question("process.lead_definition_icp_fit", 20.0),  # ICP healthy, but MQLs unknown...
        Question("content.contact_cadence", 80.0),  # high answer, opt-outs only fair
        Question("people.lead_follow_up_speed", 20.0),  # low answer, poor figure: they agree
    )
    assert checks["people.sales_marketing_sla"].verdict == ""
    assert checks["content.contact_cadence"].verdict == ""
    assert checks["people.lead_follow_up_speed"].verdict == ""
    # ...MQLs per inquiry is 25%, healthy too: every figure healthy under a low answer.
    assert checks["process.lead_definition_icp_fit"].verdict == UNDERRATED


def test_questions_without_a_measured_figure_or_an_answer_are_left_out():
    checks = _checks(
        Question("process.lead_turn_back", 90.0),  # no stalled MQLs entered
        Question("people.lead_follow_up_speed", None),  # every answer N/A
        Question("technology.martech_stack", 90.0),  # no figure speaks to it
    )
    assert checks == {}


def test_every_linked_figure_is_one_the_handoff_health_judges():
    judged = {m.kpi.key for h in HEALTH.values() for m in h.metrics}
    assert {kpi for kpis_ in EVIDENCE_FOR.values() for kpi in kpis_} <= judged


@pytest.mark.django_db
def test_the_demo_contradiction_shows_on_the_results_page_and_in_results_json(client):
    seed_demo(today=date(2026, 11, 22))
    # Brightline's respondents rate the lead handoff high in 2026-Q3; follow-up takes 8 days.
    assessment = Assessment.objects.get(client__name="Brightline Logistics", year=2026, quarter=3)
    client.force_login(assessment.client.workspace.memberships.get(role="owner").user)
    args = [assessment.client.workspace.slug, assessment.pk]

    data = client.get(reverse("assessments:results_json", args=args)).json()
    page = client.get(reverse("assessments:results", args=args)).content.decode()

    evidence = {e["question"]: e for e in data["funnel"]["evidence"]}
    assert evidence["people.lead_follow_up_speed"]["verdict"] == CONTRADICTED
    for key, item in evidence.items():
        assert {m["key"] for m in item["metrics"]} <= set(EVIDENCE_FOR[key])
    section = page.split("The answers against the evidence")[1].split("</table>")[0]
    flagged = [key for key, item in evidence.items() if item["verdict"]]
    assert section.count('class="gap-row"') == len(flagged)
    for item in evidence.values():
        for metric in item["metrics"]:
            assert metric["status"] in section
