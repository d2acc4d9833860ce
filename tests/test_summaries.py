"""Results snapshots: recomputed from the scoring, marked stale by every change they rest on."""

import pytest

from assessments.models import Assessment
from assessments.results import compute_results
from assessments.services import AnswerInput, save_answers, submit
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


def test_a_submission_marks_it_stale_and_a_refresh_catches_up(assessment):
    refresh([assessment])
    third = make_respondent(assessment, role="leadership")
    questions = assessment.bank_version.questions.all()
    save_answers(respondent=third, answers=[AnswerInput(q, "5") for q in questions])
    assert not _fresh(assessment).results_stale  # answers in progress do not count yet
    submit(respondent=third)
    assert _fresh(assessment).results_stale
    assert refresh_stale(Assessment.objects.all()) == 1
    assert _fresh(assessment).overall_index == pytest.approx((75 + 25 + 100) / 3)


def test_reopening_and_removing_respondents_mark_it_stale(assessment, client):
    refresh([assessment])
    respondent = assessment.respondents.first()
    respondent.reopen()
    assert _fresh(assessment).results_stale
    refresh([assessment])
    owner = assessment.client.workspace.memberships.get().user
    client.force_login(owner)
    slug = assessment.client.workspace.slug
    client.post(f"/w/{slug}/assessments/{assessment.pk}/respondents/{respondent.pk}/remove/")
    assert _fresh(assessment).results_stale


def test_an_import_marks_it_stale(assessment):
    from assessments.csv_import import import_answers_csv

    refresh([assessment])
    rows = "\n".join(f"Leo,leadership,{q.key},5," for q in assessment.bank_version.questions.all())
    import_answers_csv(
        assessment=assessment, data=f"respondent,role,question_key,level,comment\n{rows}\n".encode()
    )
    assert _fresh(assessment).results_stale


def test_refreshing_nothing_stale_is_one_query(assessment, django_assert_num_queries):
    refresh([assessment])
    with django_assert_num_queries(1):
        assert refresh_stale(Assessment.objects.all()) == 0
