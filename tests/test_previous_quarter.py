"""One definition of "the previous quarter" (results.previous_assessment): the client's latest
earlier assessment with submitted results. The results page, the PDF report, results.json, the
compare defaults, the plan's "did it move" and the dashboard trend all use it.

The case that used to split them: Q1 closed with results, Q2 without a single answer, Q3 with
results. The page compared Q3 with Q2 (no change to show) while the report compared it with Q1.
"""

import pytest
from django.urls import reverse

from assessments.models import Assessment, PlanItem, PlanStatus
from assessments.report import report_context
from assessments.results import previous_assessment
from assessments.views.results import results_context
from tests.factories import answer_all, make_assessment, make_bank_version, make_respondent

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarters(gtm_client):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    q1 = make_assessment(gtm_client, version=version, quarter=1, status="closed")
    answer_all(make_respondent(q1, name="Early Bird"), "2", submit=True)
    q2 = make_assessment(gtm_client, version=version, quarter=2, status="closed")
    make_respondent(q2, name="Never Answered")
    q3 = make_assessment(gtm_client, version=version, quarter=3, status="open")
    answer_all(make_respondent(q3, name="Mia Marketing"), "4", submit=True)
    return [
        Assessment.objects.select_related("client__workspace").get(pk=a.pk) for a in (q1, q2, q3)
    ]


def _url(name: str, *args) -> str:
    return reverse(name, args=args)


def test_the_previous_quarter_is_the_latest_earlier_one_with_results(quarters):
    q1, q2, q3 = quarters
    assert previous_assessment(q3) == q1
    assert previous_assessment(q2) == q1
    assert previous_assessment(q1) is None


def test_page_report_and_results_json_compare_with_the_same_quarter(quarters, client, owner):
    q1, _, q3 = quarters
    slug = q3.client.workspace.slug
    client.force_login(owner)

    assert results_context(q3)["previous"].assessment == q1
    page = client.get(_url("assessments:results", slug, q3.pk)).content.decode()
    assert "+50 since 2026-Q1 (was 25)" in page

    assert report_context(q3)["previous"].assessment == q1

    data = client.get(_url("assessments:results_json", slug, q3.pk)).json()
    assert data["previous_quarter"]["quarter"] == "2026-Q1"
    assert data["previous_quarter"]["overall_change"] == 50.0


def test_compare_defaults_to_the_latest_results_and_their_previous_quarter(quarters, client, owner):
    q1, _, q3 = quarters
    client.force_login(owner)
    page = client.get(_url("assessments:client_detail", q3.client.workspace.slug, q3.client.pk))
    assert page.context["compare"].initial == {"first": q1.pk, "second": q3.pk}


def test_the_plan_measures_a_done_item_against_the_previous_quarter(quarters):
    q1, _, q3 = quarters
    question = q3.bank_version.questions.order_by("key").first()
    PlanItem.objects.create(
        client=q3.client,
        title="Agree a lead definition",
        question_keys=[question.key],
        target_year=2026,
        target_quarter=3,
        status=PlanStatus.DONE,
    )
    (progress,) = results_context(q3)["plan_progress"].items
    assert progress.baseline == q1
    assert (progress.moves[0].before, progress.moves[0].now) == (2, 4)


def test_the_dashboard_trend_compares_with_the_same_quarter(quarters, client, owner):
    q3 = quarters[-1]
    q3.close()
    client.force_login(owner)
    page = client.get(_url("assessments:workspace_home", q3.client.workspace.slug))
    (row,) = page.context["page"].object_list
    assert (row.latest_id, row.previous_period, row.delta) == (q3.pk, "2026-Q1", 50)


def test_the_dashboard_counts_a_previous_quarter_left_open(quarters, client, owner):
    """A quarter with results is a baseline whether or not anyone closed it."""
    q1, _, q3 = quarters
    Assessment.objects.filter(pk=q1.pk).update(status="open")
    q3.close()
    client.force_login(owner)
    page = client.get(_url("assessments:workspace_home", q3.client.workspace.slug))
    (row,) = page.context["page"].object_list
    assert (row.previous_period, row.delta) == ("2026-Q1", 50)
