"""Results snapshots: recomputed from the scoring by every change they rest on, read by pages."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from assessments.results import compute_results
from assessments.services import AnswerInput, reopen_respondent, save_answers, submit
from assessments.summaries import refresh, refresh_stale
from tests.factories import (
    answer_all,
    make_assessment,
    make_client,
    make_respondent,
    make_workspace,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment():
    assessment = make_assessment(make_client(make_workspace()), status="open")
    answer_all(make_respondent(assessment, role="marketing"), "4", submit=True)
    answer_all(make_respondent(assessment, role="sales"), "2", submit=True)
    return assessment


def _fresh(assessment) -> Assessment:
    return Assessment.objects.get(pk=assessment.pk)


def test_a_snapshot_holds_the_same_figures_as_the_results(assessment):
    refresh([assessment])
    stored, results = _fresh(assessment), compute_results(assessment).results
    assert not stored.results_stale
    assert stored.overall_index == results.overall_index == 50
    assert stored.submitted_count == 2
    assert stored.baton_drop == results.baton_drop.key
    assert stored.index_summary["dimensions"] == {d.key: d.index for d in results.dimensions}
    assert stored.index_summary["handoffs"] == {h.key: h.index for h in results.handoffs}


def test_a_submission_refreshes_it_at_once(assessment):
    third = make_respondent(assessment, role="leadership")
    questions = assessment.bank_version.questions.all()
    save_answers(respondent=third, answers=[AnswerInput(q, "5") for q in questions])
    assert _fresh(assessment).submitted_count == 2  # answers in progress do not count yet
    submit(respondent=third)
    stored = _fresh(assessment)
    assert not stored.results_stale and stored.submitted_count == 3
    assert stored.overall_index == pytest.approx((75 + 25 + 100) / 3)


def test_reopening_and_removing_respondents_refresh_it(assessment, client):
    marketing = assessment.respondents.get(role="marketing")
    reopen_respondent(respondent=marketing)
    stored = _fresh(assessment)
    assert (stored.submitted_count, stored.overall_index) == (1, 25)  # sales's 2s alone
    sales = assessment.respondents.get(role="sales")
    owner = assessment.client.workspace.memberships.get().user
    client.force_login(owner)
    slug = assessment.client.workspace.slug
    client.post(f"/w/{slug}/assessments/{assessment.pk}/respondents/{sales.pk}/remove/")
    stored = _fresh(assessment)
    assert (stored.submitted_count, stored.overall_index) == (0, None)


def test_an_import_refreshes_it(assessment):
    from assessments.csv_import import import_answers_csv

    rows = "\n".join(f"Leo,leadership,{q.key},5," for q in assessment.bank_version.questions.all())
    import_answers_csv(
        assessment=assessment, data=f"respondent,role,question_key,level,comment\n{rows}\n".encode()
    )
    stored = _fresh(assessment)
    assert stored.submitted_count == 3
    assert stored.overall_index == pytest.approx((75 + 25 + 100) / 3)


def test_a_change_of_results_touches_the_assessment_so_cached_pages_go(assessment):
    before = _fresh(assessment).updated_at
    reopen_respondent(respondent=assessment.respondents.first())
    assert _fresh(assessment).updated_at > before


def test_a_snapshot_left_stale_is_caught_up_by_the_explicit_step(assessment):
    Assessment.objects.filter(pk=assessment.pk).update(results_stale=True, overall_index=None)
    call_command("refresh_results", stdout=StringIO())
    stored = _fresh(assessment)
    assert not stored.results_stale and stored.overall_index == 50


def test_refreshing_nothing_stale_is_one_query(assessment, django_assert_num_queries):
    refresh([assessment])
    with django_assert_num_queries(1):
        assert refresh_stale(Assessment.objects.all()) == 0
