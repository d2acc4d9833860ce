"""`make bench`'s growth data: the same pages at growing sizes, to show how their cost grows.

- an assessment answered by 1, 5, 20 and 50 respondents (the results page and the PDF report);
- a question bank of 52 questions (the default) and of four times as many (the questionnaire).

Everything is made up and lives in the bench's throwaway database, in a workspace of its own
(the scale workspace keeps its exact number of clients) owned by the scale data's owner, whose
session the bench uses. A figure grows "no faster than linearly" when, from each size
to the next, its time grows by at most the factor its size does.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time
from itertools import pairwise

from django.utils import timezone

from accounts.models import Workspace
from accounts.services import create_workspace
from assessments.models import Answer, AnswerSource, Assessment, Respondent
from assessments.summaries import refresh
from bank.models import BankVersion, LevelDescriptor, Question, RecommendationRung
from bank.services import clone_to_draft, publish
from clients.models import Client
from devtools.scale import ROLES
from lib.quarters import Quarter

RESPONDENT_COUNTS = (1, 5, 20, 50)
BANK_COPIES = (1, 4)  # the default bank's questions, and each of them four times over
GROWTH_QUARTER = Quarter(2026, 3)


GROWTH_WORKSPACE = "Growth Test Consulting"


@dataclass(frozen=True)
class Growth:
    workspace: Workspace
    answered: dict[int, Assessment]  # respondents -> a closed assessment they all answered
    questionnaires: dict[int, Respondent]  # questions in the bank -> a respondent to answer it


def seed_growth(owner, version: BankVersion) -> Growth:
    workspace = create_workspace(name=GROWTH_WORKSPACE, owner=owner)
    rng = random.Random(18)  # noqa: S311 (made-up answers, no secret)
    answered = {
        count: _answered_assessment(workspace, version, owner, count, rng)
        for count in RESPONDENT_COUNTS
    }
    questionnaires = {}
    for copies in BANK_COPIES:
        bank = version if copies == 1 else _bank_times(version, copies)
        respondent = _open_questionnaire(workspace, bank, owner, copies)
        questionnaires[bank.questions.count()] = respondent
    return Growth(workspace, answered, questionnaires)


def _client(workspace: Workspace, name: str) -> Client:
    return Client.objects.create(workspace=workspace, name=name, industry="Software")


def _assessment(client, version, owner, *, status) -> Assessment:
    opened = timezone.make_aware(datetime.combine(GROWTH_QUARTER.first_day, time(9)))
    closed = status == Assessment.Status.CLOSED
    return Assessment.objects.create(
        client=client,
        year=GROWTH_QUARTER.year,
        quarter=GROWTH_QUARTER.number,
        bank_version=version,
        status=status,
        created_by=owner,
        opened_at=opened,
        closed_at=opened + timezone.timedelta(days=60) if closed else None,
    )


def _answered_assessment(workspace, version, owner, count: int, rng) -> Assessment:
    client = _client(workspace, f"Growth {count:02d} Respondents Ltd")
    assessment = _assessment(client, version, owner, status=Assessment.Status.CLOSED)
    submitted = assessment.opened_at + timezone.timedelta(days=7)
    respondents = Respondent.objects.bulk_create(
        Respondent(
            assessment=assessment,
            name=f"Respondent {number + 1}",
            email=f"growth{count}.{number + 1}@example.com",
            role=ROLES[number % len(ROLES)],
            started_at=submitted - timezone.timedelta(hours=1),
            submitted_at=submitted,
        )
        for number in range(count)
    )
    questions = list(version.questions.all())
    Answer.objects.bulk_create(
        Answer(
            respondent=respondent,
            question=question,
            choice=str(rng.randint(1, 5)),
            comment="Agreed last quarter, not yet practised." if rng.random() < 0.3 else "",
            source=AnswerSource.RESPONDENT,
        )
        for respondent in respondents
        for question in questions
    )
    refresh([Assessment.objects.select_related("bank_version").get(pk=assessment.pk)])
    return assessment


def _open_questionnaire(workspace, bank, owner, copies: int) -> Respondent:
    client = _client(workspace, f"Growth {copies}x Questions Ltd")
    assessment = _assessment(client, bank, owner, status=Assessment.Status.OPEN)
    return Respondent.objects.create(assessment=assessment, name="Growth Respondent", role="sales")


def _bank_times(version: BankVersion, copies: int) -> BankVersion:
    """A published copy of `version` holding each question `copies` times (keys suffixed)."""
    draft = clone_to_draft(version=version, label=f"{version.label}-x{copies}")
    originals = list(draft.questions.prefetch_related("descriptors", "rungs"))
    per_dimension: dict[str, int] = {}
    for question in originals:
        per_dimension[question.dimension] = max(
            per_dimension.get(question.dimension, 0), question.order
        )
    # Every field as the original's but the version's, the key's and the order's.
    fields = [
        field.name
        for field in Question._meta.concrete_fields
        if field.name not in {"id", "version", "key", "order", "replaces"}
    ]
    copied = [
        (
            question,
            Question(
                version=draft,
                key=f"{question.key}_copy{copy}",
                order=question.order + per_dimension[question.dimension] * (copy - 1),
                **{name: getattr(question, name) for name in fields},
            ),
        )
        for copy in range(2, copies + 1)
        for question in originals
    ]
    Question.objects.bulk_create([extra for _, extra in copied])
    ids = dict(draft.questions.values_list("key", "id"))
    LevelDescriptor.objects.bulk_create(
        LevelDescriptor(question_id=ids[extra.key], level=d.level, text=d.text)
        for original, extra in copied
        for d in original.descriptors.all()
    )
    RecommendationRung.objects.bulk_create(
        RecommendationRung(
            question_id=ids[extra.key],
            from_level=r.from_level,
            title=r.title,
            next_steps=r.next_steps,
            impact=r.impact,
            effort=r.effort,
        )
        for original, extra in copied
        for r in original.rungs.all()
    )
    return publish(version=draft)


def grows_at_most_linearly(points: list[tuple[int, float]]) -> bool:
    """From each size to the next, the time grows by at most the factor the size does."""
    return all(
        later / earlier <= size_later / size
        for (size, earlier), (size_later, later) in pairwise(points)
    )
