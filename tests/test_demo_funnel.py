"""The demo's funnel figures: four closed quarters per demo client, and one client whose funnel
contradicts what its people say in the questionnaire."""

from datetime import date

import pytest

from assessments.models import Assessment
from devtools.demo import seed_demo
from devtools.demo_funnel import STORIES, demo_figures, seed_demo_funnel
from funnel.health import (
    RATED_HIGH_FROM,
    RATED_LOW_BELOW,
    contradictions,
    handoff_health,
    thresholds_with,
)
from funnel.kpis import FIGURE_FIELDS, Figures, kpis, problems
from funnel.models import FunnelFigures

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)  # in 2026-Q4: the closed quarters are 2025-Q4 to 2026-Q3
CLOSED = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]


@pytest.fixture
def demo():
    seed_demo(today=TODAY)


def _figures(row: FunnelFigures) -> Figures:
    return Figures.from_mapping(row.year, row.quarter, {n: getattr(row, n) for n in FIGURE_FIELDS})


def _observed(client_name: str, period: str) -> tuple[dict, Assessment]:
    """The handoffs' observed health (default thresholds) and the assessment of a quarter."""
    year, quarter = int(period[:4]), int(period[-1])
    row = FunnelFigures.objects.get(client__name=client_name, year=year, quarter=quarter)
    assessment = Assessment.objects.get(client__name=client_name, year=year, quarter=quarter)
    return handoff_health(kpis(_figures(row)), thresholds_with(None)), assessment


def test_every_demo_client_gets_the_last_four_closed_quarters(demo):
    for name in STORIES:
        rows = FunnelFigures.objects.filter(client__name=name).order_by("year", "quarter")
        assert [str(row.period) for row in rows] == CLOSED, name


def test_every_quarter_has_every_figure_and_nothing_impossible(demo):
    for row in FunnelFigures.objects.all():
        assert all(getattr(row, name) is not None for name in FIGURE_FIELDS), row
        assert problems(_figures(row)) == {}, row


def test_one_quarter_is_flagged_to_check(demo):
    # Meridian's field reps log opportunities marketing never saw: more SQLs than SALs.
    row = FunnelFigures.objects.get(client__name="Meridian Industrial Controls", quarter=2)
    assert row.sqls > row.sals


def test_brightlines_lead_to_sales_handoff_is_rated_high_but_observed_poor(demo):
    health, assessment = _observed("Brightline Logistics", "2026-Q3")
    index = assessment.index_summary["handoffs"]["lead_to_sales"]

    assert index >= RATED_HIGH_FROM
    lead_to_sales = health["lead_to_sales"]
    assert lead_to_sales.label == "poor"
    statuses = {metric.kpi.key: metric.status for metric in lead_to_sales.metrics}
    assert statuses["mql_to_sal"] == "poor"  # sales accepts under a third of the MQLs
    assert statuses["days_mql_to_sal"] == "poor"  # and takes eight days to do it


def test_it_is_the_only_contradiction_in_the_demo(demo):
    found = []
    for row in FunnelFigures.objects.select_related("client"):
        health, assessment = _observed(row.client.name, str(row.period))
        for contradiction in contradictions(assessment.index_summary["handoffs"], health):
            found.append((row.client.name, str(row.period), contradiction.handoff))

    assert found == [("Brightline Logistics", "2026-Q3", "lead_to_sales")]


def test_the_story_around_the_contradiction_holds(demo):
    # Before the SLA, rated low and observed poor; the quarter of the SLA, better on both sides.
    before, first = _observed("Brightline Logistics", "2025-Q4")
    sla, second = _observed("Brightline Logistics", "2026-Q2")

    assert first.index_summary["handoffs"]["lead_to_sales"] < RATED_LOW_BELOW
    assert before["lead_to_sales"].label == "poor"
    assert sla["lead_to_sales"].label == "fair"
    assert (
        second.index_summary["handoffs"]["lead_to_sales"]
        > (first.index_summary["handoffs"]["lead_to_sales"])
    )


def test_running_it_again_leaves_existing_quarters_alone(demo):
    row = FunnelFigures.objects.get(client__name="Cobalt Health Systems", year=2026, quarter=3)
    FunnelFigures.objects.filter(pk=row.pk).update(mqls=row.mqls + 7)
    before = list(FunnelFigures.objects.order_by("pk").values())

    seed_demo_funnel(today=TODAY)

    assert list(FunnelFigures.objects.order_by("pk").values()) == before


def test_a_missing_quarter_is_filled_in_as_before(demo):
    # A typed-in client: Acme's quarters come from its CRM import (tests/test_demo_crm.py).
    row = FunnelFigures.objects.get(client__name="Cobalt Health Systems", year=2026, quarter=1)
    expected = {name: getattr(row, name) for name in FIGURE_FIELDS}
    row.delete()

    seed_demo_funnel(today=TODAY)

    again = FunnelFigures.objects.get(client__name="Cobalt Health Systems", year=2026, quarter=1)
    assert {name: getattr(again, name) for name in FIGURE_FIELDS} == expected


def test_the_figures_are_deterministic():
    story = STORIES["Brightline Logistics"]
    assert demo_figures(story, 3) == demo_figures(story, 3)
    assert demo_figures(story, 3)["sals"] == 97  # 1,640 inquiries -> 312 MQLs -> 31%


def test_a_later_today_moves_the_window(demo):
    seed_demo_funnel(today=date(2027, 2, 1))

    rows = FunnelFigures.objects.filter(client__name="Brightline Logistics")
    assert sorted(str(row.period) for row in rows) == [*CLOSED, "2026-Q4"]
