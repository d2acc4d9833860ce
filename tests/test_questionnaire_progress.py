"""The progress sent back with each autosave counts the same as the full questionnaire."""

from assessments.models import Answer
from assessments.questionnaire import load_progress, load_questionnaire
from tests.factories import make_assessment, make_bank_version, make_respondent


def _counts(sections):
    return [(s.key, s.name, s.answered, s.total, s.complete) for s in sections]


def test_the_progress_alone_agrees_with_the_questionnaire(gtm_client, django_assert_num_queries):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    respondent = make_respondent(make_assessment(gtm_client, version=version, status="open"))
    questions = list(version.questions.order_by("dimension", "order"))
    people = [q for q in questions if q.dimension == "people"]
    chosen = [*people, *[q for q in questions if q.dimension == "process"][:2]]
    Answer.objects.bulk_create(
        Answer(respondent=respondent, question=q, choice=c)
        for q, c in zip(chosen, ["1", "NA", "DK", "5", "3", "2", "4", "4"], strict=True)
    )

    questionnaire = load_questionnaire(respondent)  # reads the published version, then keeps it
    with django_assert_num_queries(1):  # the answered questions
        progress = load_progress(respondent)

    assert _counts(progress.sections) == _counts(questionnaire.sections)
    assert (progress.answered, progress.total) == (8, 24)
    assert [s.complete for s in progress.sections] == [True, False, False, False]
