"""The action plan: recommendations turned into work, tracked across quarters.

Writes (`add_recommendation_to_plan`; a status change is `PlanItem.change_status`) and the
reads behind the plan's pages: the client page's summary, the plan page's rows, and the
results page's "Plan progress".
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from types import EllipsisType

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, IntegerField, Subquery, Value, When
from django.utils import timezone

from assessments.models import (
    OPEN_PLAN_STATUSES,
    Answer,
    Assessment,
    PlanItem,
    PlanItemQuerySet,
    PlanStatus,
)
from assessments.results import AssessmentResults, BankCache, compute_many, previous_assessment
from assessments.scoring import QuestionSpec, RungSpec
from bank.models import Question
from clients.models import Client
from lib.quarters import Quarter

# What the client page's card lists at most of each kind; the plan page has the rest.
SUMMARY_OPEN_ITEMS = 6
SUMMARY_DONE_ITEMS = 3
# Statuses that count as "this question is in the plan": a dropped item does not, so a
# recommendation dropped once can be planned again.
PLANNED_STATUSES = (*OPEN_PLAN_STATUSES, PlanStatus.DONE)


def ordered(items: PlanItemQuerySet) -> PlanItemQuerySet:
    """Open items first, then done, then dropped; each by target quarter."""
    rank = Case(
        When(status__in=OPEN_PLAN_STATUSES, then=Value(0)),
        When(status=PlanStatus.DONE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return items.alias(rank=rank).order_by("rank", "target_year", "target_quarter", "pk")


def plan_questions(client: Client) -> list[Question]:
    """The questions an item can link: the bank of the client's latest assessment (keys are
    stable across bank versions, so later quarters still find them). One query."""
    latest_version = client.assessments.order_by("-year", "-quarter").values("bank_version_id")
    return list(
        Question.objects.filter(version_id=Subquery(latest_version[:1])).order_by(
            "dimension", "order", "key"
        )
    )


def filter_choices(client: Client) -> tuple[list[Quarter], list[tuple[int | None, str, str]]]:
    """The target quarters and the owners the client's items have, for the plan's filters:
    quarters oldest first, owners as (member id or None, free-text name, display name). One
    query."""
    rows = (
        client.plan_items.values_list(
            "target_year", "target_quarter", "owner_user_id", "owner_user__name", "owner_name"
        )
        .order_by()
        .distinct()
    )
    quarters, owners = set(), {}
    for year, number, user_id, user_name, name in rows:
        quarters.add(Quarter(year, number))
        if user_id or name:
            owners[(user_id, "" if user_id else name)] = user_name if user_id else name
    by_name = sorted(owners.items(), key=lambda pair: pair[1].lower())
    return sorted(quarters), [(user_id, name, shown) for (user_id, name), shown in by_name]


def plan_summary(client: Client, today: date) -> dict:
    """What the client page shows of the plan: open items (overdue flagged) and recent ones done.

    One query. `open_items` are in target order (so overdue ones come first), `next_items` the
    first few of them for a compact card, `done_items` the most recently completed.
    """
    items = list(
        client.plan_items.select_related("owner_user").order_by(
            "target_year", "target_quarter", "pk"
        )
    )
    open_items = [item for item in items if item.is_open]
    overdue = [item for item in open_items if item.is_overdue(today)]
    done = [item for item in items if item.status == PlanStatus.DONE]
    done.sort(key=lambda item: item.completed_at or item.updated_at, reverse=True)
    return {
        "open_items": open_items,
        "overdue": overdue,
        "overdue_ids": {item.pk for item in overdue},
        "next_items": open_items[:SUMMARY_OPEN_ITEMS],
        "more_open": max(len(open_items) - SUMMARY_OPEN_ITEMS, 0),
        "done_items": done[:SUMMARY_DONE_ITEMS],
        "done_count": len(done),
        "total": len(items),
    }


def planned_item_for(items, question_key: str) -> PlanItem | None:
    """The open or done item among `items` that covers the question, if any."""
    return next(
        (i for i in items if i.status in PLANNED_STATUSES and question_key in i.question_keys),
        None,
    )


def planned_keys(items) -> set[str]:
    """The question keys that open or done items among `items` cover."""
    return {key for item in items if item.status in PLANNED_STATUSES for key in item.question_keys}


def _step_shown(assessment: Assessment, question: Question) -> RungSpec:
    """The step of the question's ladder the results recommend: the rung for the mean level
    of the submitted answers (as the scoring takes it). Two queries."""
    levels = [
        int(choice)
        for choice in Answer.objects.filter(
            respondent__assessment=assessment,
            respondent__submitted_at__isnull=False,
            question=question,
        ).values_list("choice", flat=True)
        if choice.isdigit()
    ]
    spec = QuestionSpec(
        key=question.key,
        dimension=question.dimension,
        order=question.order,
        rungs=tuple(
            RungSpec(r.from_level, r.title, r.next_steps, r.impact, r.effort)
            for r in question.rungs.all()
        ),
    )
    return spec.rung_for(Fraction(sum(levels), len(levels)) if levels else 1)


def add_recommendation_to_plan(
    *,
    assessment: Assessment,
    question: Question,
    user: AbstractBaseUser,
    today: date | None = None,
) -> tuple[PlanItem, bool]:
    """Turn a recommendation of `assessment` into a plan item of its client; return the item
    and whether it was created. A question already covered by an open or done item is not
    planned twice: that item is returned instead.

    `question` must belong to the assessment's bank version (the form checks it). The item
    starts planned for the next quarter, unassigned, titled after the recommendation the
    results show (the step for the question's level) and with its next steps as notes.
    """
    client = assessment.client
    rung = _step_shown(assessment, question)
    with transaction.atomic():
        # Two clicks (or two tabs) adding the same recommendation at once must not make two
        # items; a JSON list cannot carry a unique constraint, so adds to one client's plan
        # take turns on the client's row.
        Client.objects.select_for_update().only("pk").get(pk=client.pk)
        existing = planned_item_for(
            client.plan_items.filter(status__in=PLANNED_STATUSES).only("status", "question_keys"),
            question.key,
        )
        if existing is not None:
            return existing, False
        target = Quarter.of(today or timezone.localdate()).next()
        item = PlanItem.objects.create(
            client=client,
            title=(rung.title or question.text)[:200],
            question_keys=[question.key],
            target_year=target.year,
            target_quarter=target.number,
            notes=rung.next_steps[:5000],
            source_assessment=assessment,
            created_by=user,
        )
    return item, True


# ---- Plan progress: did the questions of done items move? ---------------------------------


@dataclass(frozen=True)
class QuestionMove:
    key: str
    text: str
    before: float | None  # mean level in the baseline quarter
    now: float | None  # mean level in this quarter
    asked_before: bool  # the question was in the baseline's bank
    asked_now: bool  # ... and in this quarter's

    @property
    def change(self) -> float | None:
        if self.before is None or self.now is None:
            return None
        # Compared as shown (one decimal), so "2.0 → 2.0" never reads as a move.
        return round(round(self.now, 1) - round(self.before, 1), 1)

    @property
    def size(self) -> float | None:
        return None if self.change is None else abs(self.change)

    @property
    def direction(self) -> str | None:
        """ "up", "down", "flat", or None when there is nothing to compare."""
        change = self.change
        if change is None:
            return None
        return "up" if change > 0 else "down" if change < 0 else "flat"


@dataclass(frozen=True)
class ItemProgress:
    item: PlanItem
    baseline: Assessment | None  # the quarter the item is measured from
    moves: tuple[QuestionMove, ...]


@dataclass(frozen=True)
class PlanProgress:
    items: tuple[ItemProgress, ...]  # done items measured from an earlier quarter
    waiting: tuple[PlanItem, ...]  # done items planned from this quarter: measured next time

    def __bool__(self) -> bool:
        return bool(self.items or self.waiting)


def _levels(computed: AssessmentResults | None) -> dict[str, tuple[float | None, str]]:
    if computed is None:
        return {}
    return {q.key: (q.level, q.spec.text) for q in computed.results.questions}


def plan_progress(
    results: AssessmentResults,
    client: Client,
    *,
    items: list[PlanItem] | None = None,
    previous: AssessmentResults | EllipsisType | None = ...,
    cache: BankCache | None = None,
) -> PlanProgress:
    """For each done item of the client: its questions' level in this assessment against the
    assessment it came from (its source, or this one's previous quarter when it has none).

    A constant number of queries: the client's items (none if `items` is given, which must
    have `source_assessment__bank_version` selected), the previous quarter (none if `previous`
    is given: its results, or None when there is no earlier quarter), then all the baselines
    scored together by `compute_many`. `cache` spares reading a bank version twice.
    """
    assessment = results.assessment
    if items is None:
        items = list(
            client.plan_items.filter(status=PlanStatus.DONE).select_related(
                "source_assessment__bank_version", "owner_user"
            )
        )
    done = [item for item in items if item.status == PlanStatus.DONE]
    if not done:
        return PlanProgress((), ())
    cache = cache or BankCache()
    if previous is ...:
        earlier = previous_assessment(assessment)
        previous = compute_many([earlier], cache)[earlier.pk] if earlier else None
    before_this = previous.assessment if previous else None
    baselines: dict[int, Assessment | None] = {}
    waiting = []
    for item in done:
        source = item.source_assessment
        if source is None:
            baselines[item.pk] = before_this
        elif source.period < assessment.period:
            baselines[item.pk] = source
        elif source.pk == assessment.pk:
            waiting.append(item)
        # Items planned from a later quarter say nothing about this one.
    known = {assessment.pk: results, **({previous.assessment.pk: previous} if previous else {})}
    to_score = {a.pk: a for a in baselines.values() if a is not None and a.pk not in known}.values()
    computed = {**known, **(compute_many(list(to_score), cache) if to_score else {})}
    now = _levels(results)
    progress = []
    for item in done:
        if item.pk not in baselines:
            continue
        baseline = baselines[item.pk]
        before = _levels(computed[baseline.pk]) if baseline else {}
        moves = tuple(
            QuestionMove(
                key=key,
                text=(now.get(key) or before.get(key) or (None, key))[1],
                before=before[key][0] if key in before else None,
                now=now[key][0] if key in now else None,
                asked_before=key in before,
                asked_now=key in now,
            )
            for key in item.question_keys
        )
        progress.append(ItemProgress(item, baseline, moves))
    return PlanProgress(tuple(progress), tuple(waiting))
