"""Workflows that write several rows: creating assessments, issuing links, saving answers."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments.models import (
    TARGET_FIELDS,
    Answer,
    AnswerSource,
    Assessment,
    Choice,
    Respondent,
    Visibility,
    VisibilityChange,
)
from assessments.summaries import results_changed
from bank.models import BankVersion, Question
from clients.models import Client
from lib.quarters import Quarter


class AssessmentError(Exception):
    """A workflow refused for a reason the user can act on; the message says which."""


class AnswersRefused(AssessmentError):
    """Answers that cannot be saved now (closed assessment, submitted respondent)."""


@transaction.atomic
def create_assessment(
    *,
    client: Client,
    period: Quarter,
    targets: dict[str, int],
    created_by: User | None,
    visibility: str = Visibility.NAMED,
) -> Assessment:
    """A draft assessment for a quarter, pinned to the newest published question bank."""
    version = BankVersion.objects.current()
    if version is None:
        raise AssessmentError(
            "No question bank has been published yet; a methodology admin must publish one."
        )
    if client.assessments.filter(year=period.year, quarter=period.number).exists():
        raise AssessmentError(f"{client.name} already has an assessment for {period}.")
    return Assessment.objects.create(
        client=client,
        year=period.year,
        quarter=period.number,
        bank_version=version,
        created_by=created_by,
        answer_visibility=visibility,
        **{TARGET_FIELDS[key]: level for key, level in targets.items()},
    )


@transaction.atomic
def start_next_quarter(*, assessment: Assessment, created_by: User | None) -> Assessment:
    """The following quarter's assessment: same targets and respondents, fresh links."""
    following = create_assessment(
        client=assessment.client,
        period=assessment.period.next(),
        targets=assessment.targets,
        created_by=created_by,
        visibility=assessment.answer_visibility,
    )
    Respondent.objects.bulk_create(
        Respondent(assessment=following, name=r.name, email=r.email, role=r.role)
        for r in assessment.respondents.all()
    )
    return following


@transaction.atomic
def open_assessment(*, assessment: Assessment) -> list[tuple[Respondent, str]]:
    """Open the questionnaire and give a link to everyone who has no working one.

    Returns each newly linked respondent with their token, to be emailed and shown once.
    """
    assessment.open()
    issued = []
    for respondent in assessment.respondents.filter(submitted_at__isnull=True):
        if not respondent.link_is_active:
            issued.append((respondent, respondent.issue_link()))
    return issued


@dataclass(frozen=True)
class AnswerInput:
    question: Question
    choice: str  # a Choice value
    comment: str = ""


def _lock_for_answers(respondent: Respondent) -> Respondent:
    """Lock the respondent row so saves and a submit for one respondent never interleave."""
    locked = (
        Respondent.objects.select_for_update().select_related("assessment").get(pk=respondent.pk)
    )
    if not locked.assessment.accepts_answers:
        state = locked.assessment.get_status_display().lower()
        raise AnswersRefused(f"This assessment is {state}: answers can no longer be changed.")
    if locked.is_submitted:
        raise AnswersRefused(
            "These answers have been submitted. Ask your consultant to reopen them to change them."
        )
    return locked


@transaction.atomic
def save_answers(
    *,
    respondent: Respondent,
    answers: Iterable[AnswerInput],
    source: AnswerSource = AnswerSource.RESPONDENT,
    entered_by: User | None = None,
) -> int:
    """Upsert answers (one row per respondent and question; the last write wins)."""
    answers = list(answers)
    locked = _lock_for_answers(respondent)
    foreign = [
        a.question.key
        for a in answers
        if a.question.version_id != locked.assessment.bank_version_id
    ]
    if foreign:
        raise AssessmentError(f"Not questions of this assessment: {', '.join(foreign)}.")
    if not answers:
        return 0
    now = timezone.now()
    Answer.objects.upsert(
        [
            Answer(
                respondent=locked,
                question=answer.question,
                choice=Choice(answer.choice),
                comment=answer.comment,
                source=source,
                entered_by=entered_by,
                updated_at=now,
            )
            for answer in answers
        ]
    )
    if locked.started_at is None:
        Respondent.objects.filter(pk=locked.pk).update(started_at=now)
        respondent.started_at = now
    return len(answers)


def unanswered_questions(respondent: Respondent) -> list[Question]:
    answered = respondent.answers.values("question_id")
    return list(
        respondent.assessment.bank_version.questions.exclude(pk__in=answered).order_by(
            "dimension", "order"
        )
    )


@transaction.atomic
def submit(*, respondent: Respondent) -> list[Question]:
    """Submit when every question has an answer; otherwise return the unanswered ones."""
    locked = _lock_for_answers(respondent)
    missing = unanswered_questions(locked)
    if missing:
        return missing
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    results_changed(locked.assessment_id)
    respondent.submitted_at = locked.submitted_at
    return []


@transaction.atomic
def reopen_respondent(*, respondent: Respondent) -> None:
    """Let a submitted respondent change their answers again; their answers leave the
    results until they submit again."""
    respondent.reopen()
    results_changed(respondent.assessment_id)


@transaction.atomic
def remove_respondent(*, respondent: Respondent) -> None:
    """Remove a respondent and their answers, and the results they were part of."""
    assessment_id = respondent.assessment_id
    respondent.delete()
    results_changed(assessment_id)


@transaction.atomic
def change_visibility(*, assessment: Assessment, visibility: str, changed_by: User | None) -> None:
    """Change who sees the answers, and keep the change. Once an answer is in, respondents
    answered under the setting they were told, so it may only become more private."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    answers = Answer.objects.filter(respondent__assessment=locked).count()
    if answers and not locked.visibility_tightens(visibility):
        raise AssessmentError(
            "Answers have come in under the current setting, which respondents were told: it "
            "can only become more private now."
        )
    VisibilityChange.objects.create(
        assessment=locked,
        previous=locked.answer_visibility,
        new=visibility,
        changed_by=changed_by,
        answers_at_the_time=answers,
    )
    locked.answer_visibility = visibility
    locked.save(update_fields=["answer_visibility", "updated_at"])
    assessment.answer_visibility = visibility
