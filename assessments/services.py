"""Workflows that write several rows: creating assessments, issuing links, saving answers."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import default_task_backend

from accounts.models import User
from assessments.emails import send_submission_notice
from assessments.models import (
    TARGET_FIELDS,
    Answer,
    AnswerSource,
    Assessment,
    Choice,
    Respondent,
    Visibility,
    VisibilityChange,
    refresh_standings,
)
from assessments.reminders import slot_times
from assessments.summaries import results_changed
from assessments.tasks import send_scheduled_reminders
from bank.models import BankVersion, Question
from clients.models import Client
from lib.quarters import Quarter

logger = logging.getLogger(__name__)


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
    assessment = Assessment.objects.create(
        client=client,
        year=period.year,
        quarter=period.number,
        bank_version=version,
        created_by=created_by,
        answer_visibility=visibility,
        **{TARGET_FIELDS[key]: level for key, level in targets.items()},
    )
    refresh_standings([client.pk])
    return assessment


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
    # The client's standing counts the respondents of an open assessment only: the new draft's
    # leave it as create_assessment stored it.
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
    schedule_reminders(assessment)
    issued = []
    for respondent in assessment.respondents.filter(submitted_at__isnull=True):
        if not respondent.link_is_active:
            issued.append((respondent, respondent.issue_link()))
    return issued


@transaction.atomic
def set_deadline(*, assessment: Assessment, deadline) -> None:
    """Set (or clear) the date respondents are asked to answer by, and time the reminders."""
    if assessment.status == Assessment.Status.CLOSED:
        raise AssessmentError("This assessment is closed; its deadline stays as it was.")
    assessment.deadline = deadline
    assessment.save(update_fields=["deadline", "updated_at"])
    refresh_standings([assessment.client_id])
    if assessment.accepts_answers:
        schedule_reminders(assessment)


def schedule_reminders(assessment: Assessment) -> int:
    """Queue the background worker to send the scheduled reminders at their times (each run
    checks again what is due, so a moved deadline leaves earlier runs with nothing to do).
    A backend without deferred tasks (the immediate one, in development) queues nothing:
    `manage.py send_reminders` sends what is due instead. Returns how many were queued."""
    if not default_task_backend.supports_defer:
        return 0
    now = timezone.now()
    future = [at for at in slot_times(assessment).values() if at > now]
    for at in future:
        transaction.on_commit(
            lambda at=at: send_scheduled_reminders.using(run_after=at).enqueue(assessment.pk)
        )
    return len(future)


@dataclass(frozen=True)
class AnswerInput:
    question: Question
    choice: str  # a Choice value
    comment: str = ""


def _lock_for_answers(respondent: Respondent) -> Respondent:
    """Lock the respondent row so saves and a submit for one respondent never interleave."""
    return Respondent.objects.select_for_update().select_related("assessment").get(pk=respondent.pk)


def _answers_refusal(respondent: Respondent) -> str:
    """Why the respondent's answers cannot change now ("" when they can)."""
    if not respondent.assessment.accepts_answers:
        state = respondent.assessment.get_status_display().lower()
        return f"This assessment is {state}: answers can no longer be changed."
    if respondent.is_submitted:
        return (
            "These answers have been submitted. Ask your consultant to reopen them to change them."
        )
    return ""


def save_answers(
    *,
    respondent: Respondent,
    answers: Iterable[AnswerInput],
    source: AnswerSource = AnswerSource.RESPONDENT,
    entered_by: User | None = None,
    locked: bool = False,
) -> int:
    """Upsert answers (one row per respondent and question; the last write wins).

    `locked` says the caller read the respondent and its assessment under a row lock in the
    transaction it runs in (the questionnaire's token lookup does, for a post), so they are
    not read again to lock them."""
    answers = list(answers)
    # No savepoint of its own: a refusal is decided inside and raised outside the block, so
    # it leaves the caller's transaction usable, and a failed write fails the request anyway.
    with transaction.atomic(savepoint=False):
        row = respondent if locked else _lock_for_answers(respondent)
        refusal = _answers_refusal(row)
        version_id = row.assessment.bank_version_id
        foreign = [a.question.key for a in answers if a.question.version_id != version_id]
        if not (refusal or foreign) and answers:
            _write_answers(row, answers, source=source, entered_by=entered_by)
    if refusal:
        raise AnswersRefused(refusal)
    if foreign:
        raise AssessmentError(f"Not questions of this assessment: {', '.join(foreign)}.")
    if row is not respondent:
        respondent.last_active_at, respondent.started_at = row.last_active_at, row.started_at
    return len(answers)


def _write_answers(respondent, answers, *, source, entered_by) -> None:
    now = timezone.now()
    Answer.objects.upsert(
        [
            Answer(
                respondent=respondent,
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
    activity = {"last_active_at": now, "started_at": respondent.started_at or now}
    Respondent.objects.filter(pk=respondent.pk).update(**activity)
    for field, value in activity.items():
        setattr(respondent, field, value)


# A visit counts as activity at most this often, so reading pages costs no write each time.
VISIT_GRANULARITY = timedelta(minutes=5)


def note_visit(respondent: Respondent) -> None:
    """Record that the respondent opened their link: first opened, and last active."""
    now = timezone.now()
    last = respondent.last_active_at
    if respondent.opened_at is not None and last is not None and now - last < VISIT_GRANULARITY:
        return
    activity = {"last_active_at": now, "opened_at": respondent.opened_at or now}
    Respondent.objects.filter(pk=respondent.pk).update(**activity)
    for field, value in activity.items():
        setattr(respondent, field, value)


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
    if refusal := _answers_refusal(locked):
        raise AnswersRefused(refusal)
    missing = unanswered_questions(locked)
    if missing:
        return missing
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["submitted_at"])
    results_changed(locked.assessment_id)
    respondent.submitted_at = locked.submitted_at
    transaction.on_commit(lambda: tell_the_consultant(locked.pk))
    return []


def tell_the_consultant(respondent_id: int) -> None:
    """Email whoever opened the assessment that someone submitted (and when everyone has).
    After the commit, and never failing the submission: the answers are in either way."""
    respondent = (
        Respondent.objects.select_related("assessment__created_by", "assessment__client__workspace")
        .filter(pk=respondent_id)
        .first()
    )
    if respondent is None:
        return
    counts = respondent.assessment.respondents.aggregate(
        total=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
    )
    try:
        send_submission_notice(respondent=respondent, **counts)
    except OSError:
        logger.warning("The submission notice for respondent %s was not sent", respondent_id)


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


@transaction.atomic
def validate_level(
    *, assessment: Assessment, question_key: str, level: int, reason: str, by: User
) -> None:
    """Record the level the evidence shows for a question, with the reason: the scoring uses
    it in place of the respondents' mean (which stays visible)."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.validated_levels = {
        **(locked.validated_levels or {}),
        question_key: {
            "level": level,
            "reason": reason,
            "by": by.get_full_name() or by.email,
            "on": timezone.localdate().isoformat(),
        },
    }
    locked.save(update_fields=["validated_levels", "updated_at"])
    assessment.validated_levels = locked.validated_levels
    results_changed(assessment.pk)


@transaction.atomic
def clear_validated_level(*, assessment: Assessment, question_key: str) -> bool:
    """Go back to the respondents' answers for a question; False if it had no validated level."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    levels = dict(locked.validated_levels or {})
    if levels.pop(question_key, None) is None:
        return False
    locked.validated_levels = levels
    locked.save(update_fields=["validated_levels", "updated_at"])
    assessment.validated_levels = levels
    results_changed(assessment.pk)
    return True
