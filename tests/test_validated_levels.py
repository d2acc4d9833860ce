"""A consultant's validated level: the scoring uses it for its question (worked by hand on
test_scoring's example), the respondents' answers stay visible and still give the alignment;
recorded and cleared through the app, and shown wherever the results are."""

import csv
import io
from dataclasses import replace
from datetime import date

import pytest
from django.urls import reverse

from assessments.models import Assessment
from assessments.pdf import report_html
from assessments.scoring import QuestionSpec, ScoringInput, score
from devtools.demo import VALIDATED_QUESTION, seed_demo
from tests.factories import (
    add_member,
    answer_all,
    make_assessment,
    make_client,
    make_respondent,
    make_user,
    make_workspace,
)
from tests.test_scoring import (
    MARKETING_1,
    PEOPLE,
    _responses,
    worked_example,  # noqa: F401 - the fixture
)

# ---- The scoring ---------------------------------------------------------------------------


def _questions(results):
    return {q.key: q for q in results.questions}


def test_a_validated_level_replaces_the_answers_in_the_indexes(worked_example):  # noqa: F811
    # people.a: Mia 4, Sol 2 (mean 3, index 50); the consultant validates it at 2 (index 25).
    # People = (1x25 + 2x50) / 3 = 41.7; gtm_to_demand (people.a alone) = 25.
    results = score(replace(worked_example, validated_levels={"people.a": 2}))
    people_a = _questions(results)["people.a"]
    assert (people_a.level, people_a.index, people_a.validated) == (2, 25, True)
    assert people_a.answered_level == 3  # the respondents' mean stays visible
    assert results.dimensions[0].index == pytest.approx(125 / 3)
    assert results.handoffs[0].index == 25
    assert results.overall_index == pytest.approx(125 / 6)


def test_the_answers_still_give_the_spread_and_the_alignment(worked_example):  # noqa: F811
    plain = score(worked_example)
    validated = score(replace(worked_example, validated_levels={"people.a": 2}))
    assert _questions(validated)["people.a"].spread == 2
    assert [q.key for q in validated.alignment.disagreements] == ["people.a"]
    assert validated.alignment.role_indexes == plain.alignment.role_indexes


def test_recommendations_follow_the_validated_level(worked_example):  # noqa: F811
    # people.a at 2 against target 4: (4 - 2) x 1 x 3 / 1 = 6, the step from level 2.
    recommendations = score(replace(worked_example, validated_levels={"people.a": 2}))
    first = recommendations.recommendations[0]
    assert (first.question.key, first.priority, first.rung.from_level) == ("people.a", 6.0, 2)
    # Validated at the target, the question brings no recommendation.
    at_target = score(replace(worked_example, validated_levels={"people.a": 4}))
    assert "people.a" not in {r.question.key for r in at_target.recommendations}


def test_a_validated_question_counts_as_answered_and_agreed(worked_example):  # noqa: F811
    # People without: 3 levels of 3 expected x (1 - 2/4) = 0.5. With people.a validated, its
    # spread no longer counts: agreement 1 (people.b has a single level), confidence 1.
    people = score(replace(worked_example, validated_levels={"people.a": 2})).dimensions[0]
    assert (people.confidence.value, people.confidence.label) == (1.0, "high")
    # people.b (Mia 3, Sol NA) validated: its expected answer is Mia's, already a level.
    people_b = score(replace(worked_example, validated_levels={"people.b": 4})).dimensions[0]
    assert people_b.confidence.value == 0.5  # people.a's spread still counts


def test_a_validated_level_scores_a_question_nobody_gave_a_level():
    data = score_input_without_levels()
    question = _questions(score(replace(data, validated_levels={"people.b": 3})))["people.b"]
    assert (question.level, question.answered_level, question.spread) == (3, None, None)


def score_input_without_levels():
    return ScoringInput(
        dimensions=(PEOPLE,),
        questions=(QuestionSpec("people.b", "people", 1, 1, ()),),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.b", "NA")),
    )


@pytest.mark.parametrize("level", [0, 6, "3", True, None])
def test_a_level_outside_the_five_is_ignored(worked_example, level):  # noqa: F811
    results = score(replace(worked_example, validated_levels={"people.a": level}))
    assert _questions(results)["people.a"].validated is False
    assert _questions(results)["people.a"].level == 3


# ---- Through the app -----------------------------------------------------------------------


@pytest.fixture
def assessment():
    owner = make_user()
    workspace = make_workspace(owner=owner)
    assessment = make_assessment(make_client(workspace), status="closed")
    for choice in ("4", "4"):
        answer_all(make_respondent(assessment), choice, submit=True)
    assessment.owner = owner
    return assessment


def _url(assessment, name="assessments:validated_level", key="people.q1"):
    return reverse(name, args=[assessment.client.workspace.slug, assessment.pk, key])


def _json(client, assessment) -> dict:
    args = [assessment.client.workspace.slug, assessment.pk]
    return client.get(reverse("assessments:results_json", args=args)).json()


@pytest.mark.django_db
def test_a_consultant_records_a_validated_level_and_the_results_follow(client, assessment):
    client.force_login(assessment.owner)
    before = _json(client, assessment)

    response = client.post(_url(assessment), {"level": "2", "reason": "Sales took 8 days."})

    assert response.status_code == 302 and response["Location"].endswith("#evidence-heading")
    after = _json(client, assessment)
    question = next(q for q in after["questions"] if q["key"] == "people.q1")
    assert (question["level"], question["answered_level"]) == (2.0, 4.0)
    assert question["validation"]["reason"] == "Sales took 8 days."
    assert question["validation"]["by"] == assessment.owner.get_full_name()
    people = next(d for d in after["dimensions"] if d["key"] == "people")
    was = next(d for d in before["dimensions"] if d["key"] == "people")
    assert people["index"] < was["index"]  # the cached results were made anew
    # The dashboard's snapshot follows too.
    assert Assessment.objects.get(pk=assessment.pk).overall_index < before["overall"]["index"]


@pytest.mark.django_db
def test_a_form_without_a_reason_keeps_what_was_typed_and_changes_nothing(client, assessment):
    client.force_login(assessment.owner)

    response = client.post(_url(assessment), {"level": "2", "reason": "  "})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Say what shows this level" in html
    assert '<option value="2" selected>' in html
    assert Assessment.objects.get(pk=assessment.pk).validated_levels == {}


@pytest.mark.django_db
def test_a_question_outside_the_bank_is_a_404(client, assessment):
    client.force_login(assessment.owner)
    assert client.get(_url(assessment, key="people.nope")).status_code == 404
    response = client.post(_url(assessment, key="people.nope"), {"level": "2", "reason": "x"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_viewer_may_not_validate(client, assessment):
    viewer = add_member(assessment.client.workspace, role="viewer").user
    client.force_login(viewer)
    assert client.post(_url(assessment), {"level": "2", "reason": "x"}).status_code == 403


@pytest.mark.django_db
def test_clearing_goes_back_to_the_answers(client, assessment):
    client.force_login(assessment.owner)
    client.post(_url(assessment), {"level": "2", "reason": "Sales took 8 days."})

    response = client.post(_url(assessment, "assessments:validated_level_clear"), follow=True)

    assert "scored from the respondents’ answers again" in response.content.decode()
    question = next(q for q in _json(client, assessment)["questions"] if q["key"] == "people.q1")
    assert (question["level"], question["validation"]) == (4.0, None)


@pytest.mark.django_db
def test_the_demo_validates_the_follow_up_its_figures_contradict(client):
    seed_demo(today=date(2026, 11, 22))
    assessment = Assessment.objects.get(client__name="Brightline Logistics", year=2026, quarter=3)
    client.force_login(assessment.client.workspace.memberships.get(role="owner").user)
    args = [assessment.client.workspace.slug, assessment.pk]

    data = client.get(reverse("assessments:results_json", args=args)).json()
    page = client.get(reverse("assessments:results", args=args)).content.decode()
    report = report_html(assessment=assessment)

    question = next(q for q in data["questions"] if q["key"] == VALIDATED_QUESTION)
    assert question["validation"]["level"] == 2 and question["level"] == 2.0
    assert question["answered_level"] > 3  # the respondents placed it higher
    evidence = page.split("The answers against the evidence")[1].split("</table>")[0]
    assert "Validated at level 2, Emerging" in evidence
    assert "Change the validated level" in evidence
    on = date.fromisoformat(question["validation"]["on"])
    assert f"(Nadia Okafor, {on.day} {on:%b %Y})" in evidence  # a date as people write it
    assert "<strong>Validated from the evidence:</strong>" in report
    assert "is scored at Emerging, where the respondents placed it at managed" in report


@pytest.mark.django_db
def test_results_csv_carries_the_answered_and_the_validated_level(client, assessment):
    client.force_login(assessment.owner)
    client.post(_url(assessment), {"level": "2", "reason": "=HYPERLINK(1) says the CRM"})
    args = [assessment.client.workspace.slug, assessment.pk]

    text = client.get(reverse("assessments:results_csv", args=args)).content.decode()

    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows if r["question_key"] == "people.q1")
    assert (row["level"], row["answered_level"], row["validated_level"]) == ("2.0", "4.0", "2")
    assert row["validation_reason"] == "'=HYPERLINK(1) says the CRM"  # not a live formula
    other = next(r for r in rows if r["question_key"] == "people.q2")
    assert (other["validated_level"], other["validation_reason"]) == ("", "")
