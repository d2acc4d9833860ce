import pytest
from django.db import IntegrityError, transaction

from assessments.models import Answer, AnswerSource, Assessment, Respondent
from assessments.services import (
    AnswerInput,
    AnswersRefused,
    AssessmentError,
    create_assessment,
    open_assessment,
    save_answers,
    start_next_quarter,
    submit,
)
from bank.models import BankVersion
from lib.quarters import Quarter
from tests.factories import (
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
    make_workspace,
)

pytestmark = pytest.mark.django_db

TARGETS = {"people": 4, "process": 3, "content": 4, "technology": 5}


@pytest.fixture
def client_record():
    return make_client(make_workspace(), name="Brightline")


@pytest.fixture
def open_assessment_(client_record):
    return make_assessment(client_record, status="open")


def test_an_assessment_is_pinned_to_the_newest_published_bank(client_record):
    make_bank_version(label="old", publish=True)
    newest = make_bank_version(label="new", publish=True)
    make_bank_version(label="draft")
    assessment = create_assessment(
        client=client_record, period=Quarter(2026, 3), targets=TARGETS, created_by=None
    )
    assert assessment.bank_version == newest
    assert assessment.targets == TARGETS
    assert (assessment.period, assessment.status) == (Quarter(2026, 3), "draft")


def test_without_a_published_bank_no_assessment_starts(client_record):
    make_bank_version(label="draft only")
    with pytest.raises(AssessmentError, match="No question bank has been published"):
        create_assessment(
            client=client_record, period=Quarter(2026, 3), targets={}, created_by=None
        )


def test_one_assessment_per_client_and_quarter(client_record):
    make_assessment(client_record, year=2026, quarter=3)
    with pytest.raises(AssessmentError, match="already has an assessment for 2026-Q3"):
        create_assessment(
            client=client_record, period=Quarter(2026, 3), targets={}, created_by=None
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        make_assessment(client_record, year=2026, quarter=3)


def test_the_database_refuses_targets_and_quarters_out_of_range(client_record):
    for fields in ({"quarter": 5}, {"target_people": 6}, {"target_content": 0}, {"status": "x"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            make_assessment(client_record, year=2030, **fields)


def test_the_next_quarter_copies_respondents_and_targets_with_fresh_links(client_record):
    current = make_assessment(client_record, year=2026, quarter=4, target_process=2, status="open")
    priya = make_respondent(current, name="Priya Shah", role="sales")
    priya.issue_link()
    answer_all(priya, submit=True)

    following = start_next_quarter(assessment=current, created_by=None)

    assert following.period == Quarter(2027, 1)
    assert following.targets == current.targets
    copied = following.respondents.get()
    assert (copied.name, copied.email, copied.role) == ("Priya Shah", priya.email, "sales")
    assert not copied.links.exists() and copied.submitted_at is None
    assert not copied.answers.exists()
    with pytest.raises(AssessmentError):
        start_next_quarter(assessment=current, created_by=None)


def test_opening_gives_links_to_those_without_a_working_one(open_assessment_):
    assessment = make_assessment(open_assessment_.client, quarter=4)
    first = make_respondent(assessment)
    second = make_respondent(assessment)
    second.issue_link()
    done = make_respondent(assessment, submitted_at="2026-10-01T00:00Z")

    issued = open_assessment(assessment=assessment)

    assert [r for r, _ in issued] == [first]
    assert Assessment.objects.get(pk=assessment.pk).status == "open"
    first.refresh_from_db()
    assert first.link_is_active and first.invited_at is not None
    assert not done.links.exists()


def _inputs(assessment, choice="2", keys=None):
    questions = assessment.bank_version.questions.all()
    return [AnswerInput(q, choice, "") for q in questions if keys is None or q.key in keys]


def test_saving_again_updates_the_one_answer(open_assessment_):
    respondent = make_respondent(open_assessment_)
    save_answers(respondent=respondent, answers=_inputs(open_assessment_, "2", {"people.q1"}))
    save_answers(
        respondent=respondent,
        answers=[
            AnswerInput(
                open_assessment_.bank_version.questions.get(key="people.q1"), "NA", "n/a here"
            )
        ],
    )
    answer = Answer.objects.get(respondent=respondent)
    assert (answer.choice, answer.comment, answer.level) == ("NA", "n/a here", None)
    respondent.refresh_from_db()
    assert respondent.started_at is not None


def test_a_facilitated_answer_records_who_entered_it(open_assessment_, owner):
    respondent = make_respondent(open_assessment_)
    save_answers(
        respondent=respondent,
        answers=_inputs(open_assessment_, "4", {"people.q1"}),
        source=AnswerSource.FACILITATED,
        entered_by=owner,
    )
    answer = Answer.objects.get()
    assert (answer.source, answer.entered_by, answer.level) == ("facilitated", owner, 4)


def test_answers_to_another_versions_questions_are_refused(open_assessment_):
    respondent = make_respondent(open_assessment_)
    other = make_bank_version(label="other")
    stranger = AnswerInput(other.questions.first(), "3")
    with pytest.raises(AssessmentError, match="Not questions of this assessment"):
        save_answers(respondent=respondent, answers=[stranger])
    assert not Answer.objects.exists()


@pytest.mark.parametrize("status", ["draft", "closed"])
def test_an_assessment_that_is_not_open_refuses_answers(client_record, status):
    respondent = make_respondent(make_assessment(client_record, status=status))
    with pytest.raises(AnswersRefused):
        save_answers(respondent=respondent, answers=_inputs(respondent.assessment))
    assert not Answer.objects.exists()


def test_a_submitted_respondent_refuses_answers_until_reopened(open_assessment_):
    respondent = make_respondent(open_assessment_)
    answer_all(respondent, "3", submit=True)
    with pytest.raises(AnswersRefused, match="submitted"):
        save_answers(respondent=respondent, answers=_inputs(open_assessment_, "5"))
    respondent.reopen()
    save_answers(respondent=respondent, answers=_inputs(open_assessment_, "5"))
    assert set(respondent.answers.values_list("choice", flat=True)) == {"5"}


def test_submitting_needs_every_question_answered(open_assessment_):
    respondent = make_respondent(open_assessment_)
    keys = {"people.q1", "process.q1"}
    save_answers(respondent=respondent, answers=_inputs(open_assessment_, "DK", keys))
    missing = submit(respondent=respondent)
    assert len(missing) == open_assessment_.bank_version.questions.count() - 2
    assert Respondent.objects.get(pk=respondent.pk).submitted_at is None

    save_answers(respondent=respondent, answers=_inputs(open_assessment_, "NA"))
    assert submit(respondent=respondent) == []
    assert Respondent.objects.get(pk=respondent.pk).is_submitted


def test_one_answer_per_respondent_and_question_in_the_database(open_assessment_):
    respondent = make_respondent(open_assessment_)
    question = open_assessment_.bank_version.questions.first()
    Answer.objects.create(respondent=respondent, question=question, choice="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(respondent=respondent, question=question, choice="2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(respondent=respondent).update(choice="7")


def test_respondent_names_are_unique_in_an_assessment_ignoring_case(open_assessment_):
    make_respondent(open_assessment_, name="Priya Shah")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_respondent(open_assessment_, name="PRIYA SHAH")


def test_a_bank_version_in_use_cannot_be_deleted(open_assessment_):
    version = BankVersion.objects.get(pk=open_assessment_.bank_version_id)
    with pytest.raises(Exception):  # noqa: B017 - PublishedVersionError or ProtectedError
        version.delete()
    assert BankVersion.objects.filter(pk=version.pk).exists()
