"""The workshop's workflows: each writes several rows in one transaction, and bumps the
workshop's version so that the screens polling it know to fetch what changed."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment, PlanItem, Respondent
from assessments.plan import PLANNED_STATUSES, planned_item_for
from assessments.results import compute_results
from assessments.scoring import DISAGREEMENT_SPREAD
from assessments.services import AnswerInput, AnswersRefused, remove_respondent, save_answers
from assessments.summaries import results_changed
from bank.structure import structure_of
from clients.models import Client
from lib.forms import same_name
from lib.maturity import LEVEL_NAMES
from workshops.models import Consensus, Participant, Scope, Vote, Workshop


class WorkshopError(Exception):
    """A workshop action refused for a reason the person can act on; the message says which."""


def _questions_in_order(assessment: Assessment):
    structure = structure_of(assessment.bank_version)
    order = {d.key: d.order for d in structure.dimensions}
    return sorted(structure.questions, key=lambda q: (order.get(q.dimension, 99), q.order, q.key))


def _disagreements(assessment: Assessment) -> set[str]:
    """Questions whose submitted answers so far are 2 or more levels apart."""
    results = compute_results(assessment).results
    return {q.key for q in results.questions if (q.spread or 0) >= DISAGREEMENT_SPREAD}


@transaction.atomic
def create_workshop(
    *, assessment: Assessment, scope: str, dimension: str = "", created_by: User | None
) -> Workshop:
    """A workshop waiting for people to join, with the questions it will walk."""
    if not assessment.accepts_answers:
        raise WorkshopError("Open the assessment first: a workshop's votes are its answers.")
    questions = _questions_in_order(assessment)
    if scope == Scope.DIMENSION:
        questions = [q for q in questions if q.dimension == dimension]
    elif scope == Scope.DISAGREEMENTS:
        disagreeing = _disagreements(assessment)
        questions = [q for q in questions if q.key in disagreeing]
    if not questions:
        raise WorkshopError(
            "No question disagrees yet: that needs submitted answers two or more levels apart."
            if scope == Scope.DISAGREEMENTS
            else "That choice has no questions."
        )
    for _ in range(5):  # a code already taken: draw another
        try:
            with transaction.atomic():
                return Workshop.objects.create(
                    assessment=assessment,
                    scope=scope,
                    dimension=dimension if scope == Scope.DIMENSION else "",
                    question_keys=[q.key for q in questions],
                    created_by=created_by,
                )
        except IntegrityError:
            continue
    raise WorkshopError("No free join code was found; try again.")


def _locked(workshop: Workshop) -> Workshop:
    """The workshop's row, locked: votes, reveals and moves for one workshop never interleave."""
    return (
        Workshop.objects.select_for_update()
        .select_related("assessment__bank_version")
        .get(pk=workshop.pk)
    )


@transaction.atomic
def _is_them(respondent: Respondent, email: str) -> bool:
    """Whether someone joining with this email is the respondent of the name they typed: the
    room's code is on the projector, so a name alone would let anyone in the room take over
    (and reopen) another person's answers."""
    return bool(email and respondent.email) and respondent.email.casefold() == email.casefold()


def join(*, workshop: Workshop, name: str, role: str, email: str = "") -> tuple[Participant, str]:
    """Someone joins on their phone: as the respondent of that name and invitation email, who
    keeps their answers, or as a new respondent. Returns the participant and the token their
    phone keeps."""
    locked = _locked(workshop)
    if locked.is_ended:
        raise WorkshopError("This workshop has ended.")
    assessment = locked.assessment
    if not assessment.accepts_answers:
        raise WorkshopError("This assessment is not open for answers any more.")
    respondent = same_name(assessment.respondents.select_for_update(), name).first()
    created = respondent is None
    if created:
        respondent = Respondent.objects.create(assessment=assessment, name=name, role=role)
    else:
        earlier = locked.participants.filter(respondent=respondent).first()
        if earlier is not None:
            raise WorkshopError(
                "The facilitator removed this name from the workshop."
                if earlier.is_removed
                else f"Someone has already joined as {respondent.name}. If that was not you, "
                "tell the facilitator."
            )
        if not _is_them(respondent, email):
            raise WorkshopError(
                f"{respondent.name} is a respondent of this assessment already. If that is you, "
                "add the email your invitation came to, to keep your answers; if not, add "
                "something to your name, such as an initial."
            )
        if respondent.is_submitted:
            # Their answers leave the results until the workshop ends and submits them again.
            respondent.reopen()
            results_changed(assessment.pk)
    token, digest = Participant.new_token()
    participant = Participant.objects.create(
        workshop=locked,
        respondent=respondent,
        name=respondent.name,
        role=respondent.role,
        token_hash=digest,
        created_respondent=created,
    )
    locked.bump()
    return participant, token


@transaction.atomic
def start(*, workshop: Workshop) -> None:
    locked = _locked(workshop)
    if locked.status != Workshop.Status.LOBBY:
        raise WorkshopError("This workshop has already started.")
    locked.status = Workshop.Status.RUNNING
    locked.started_at = timezone.now()
    locked.position, locked.round, locked.phase = 0, 1, Workshop.Phase.VOTING
    locked.bump("status", "started_at", "position", "round", "phase")


def _refuse_unless_running(workshop: Workshop) -> None:
    if workshop.status == Workshop.Status.ENDED:
        raise WorkshopError("This workshop has ended.")
    if workshop.status != Workshop.Status.RUNNING:
        raise WorkshopError("This workshop has not started yet.")


@transaction.atomic
def vote(*, participant: Participant, choice: str) -> None:
    """The participant's vote on the current question in the current round: an upsert, and
    their answer to the question too (so the last round's vote is the answer)."""
    locked = _locked(participant.workshop)
    if Participant.objects.filter(pk=participant.pk, removed_at__isnull=False).exists():
        raise WorkshopError("The facilitator removed you from this workshop.")
    _refuse_unless_running(locked)
    if locked.phase != Workshop.Phase.VOTING:
        raise WorkshopError("The votes on this question are closed: they have been revealed.")
    key = locked.current_key
    question = structure_of(locked.assessment.bank_version).by_key[key]
    now = timezone.now()
    Vote.objects.bulk_create(
        [
            Vote(
                participant=participant,
                question_key=key,
                round=locked.round,
                choice=choice,
                updated_at=now,
            )
        ],
        update_conflicts=True,
        unique_fields=["participant", "question_key", "round"],
        update_fields=["choice", "updated_at"],
    )
    try:
        save_answers(respondent=participant.respondent, answers=[AnswerInput(question, choice)])
    except AnswersRefused as refused:
        raise WorkshopError(str(refused)) from refused
    locked.bump()


@transaction.atomic
def reveal(*, workshop: Workshop) -> None:
    locked = _locked(workshop)
    _refuse_unless_running(locked)
    locked.phase = Workshop.Phase.REVEALED
    locked.bump("phase")


@transaction.atomic
def reopen_votes(*, workshop: Workshop) -> None:
    """Another round of votes on the current question; the earlier rounds are kept."""
    locked = _locked(workshop)
    _refuse_unless_running(locked)
    if locked.phase != Workshop.Phase.REVEALED:
        raise WorkshopError("Reveal this round's votes before opening another.")
    locked.round += 1
    locked.phase = Workshop.Phase.VOTING
    locked.bump("round", "phase")


@transaction.atomic
def move(*, workshop: Workshop, step: int) -> None:
    """To the next (+1) or previous (-1) question, at its latest round of votes."""
    locked = _locked(workshop)
    _refuse_unless_running(locked)
    position = locked.position + step
    if not 0 <= position < len(locked.question_keys):
        raise WorkshopError("There is no question that way.")
    key = locked.question_keys[position]
    rounds = Vote.objects.filter(participant__workshop=locked, question_key=key)
    latest = rounds.order_by("-round").values_list("round", flat=True).first()
    locked.position, locked.round = position, latest or 1
    # A question already voted on comes back revealed; a new one opens for votes.
    locked.phase = Workshop.Phase.REVEALED if latest else Workshop.Phase.VOTING
    locked.bump("position", "round", "phase")


def _spread(workshop: Workshop, key: str, round_number: int) -> int | None:
    """Highest level voted minus lowest in a round (removed participants left out)."""
    levels = [
        int(choice)
        for choice in Vote.objects.filter(
            participant__workshop=workshop,
            participant__removed_at__isnull=True,
            question_key=key,
            round=round_number,
        ).values_list("choice", flat=True)
        if choice.isdigit()
    ]
    return max(levels) - min(levels) if levels else None


@transaction.atomic
def record_consensus(*, workshop: Workshop, level: int, note: str, by: User) -> Consensus:
    """The level the team agreed on for the current question, and what was decided: kept on
    the workshop and given to the assessment's scoring (Assessment.consensus_levels)."""
    locked = _locked(workshop)
    _refuse_unless_running(locked)
    key = locked.current_key
    now = timezone.now()
    consensus, _ = Consensus.objects.update_or_create(
        workshop=locked,
        question_key=key,
        defaults={
            "level": level,
            "note": note,
            "rounds": locked.round,
            "recorded_by": by,
            "recorded_at": now,
        },
    )
    # How far apart the room was in its first round and in its last, for the report.
    spreads = [_spread(locked, key, number) for number in dict.fromkeys((1, locked.round))]
    assessment = Assessment.objects.select_for_update().get(pk=locked.assessment_id)
    assessment.consensus_levels = {
        **(assessment.consensus_levels or {}),
        key: {
            "level": level,
            "note": note,
            "recorded_at": now.isoformat(),
            "rounds": locked.round,
            "spreads": spreads,
        },
    }
    assessment.save(update_fields=["consensus_levels", "updated_at"])
    results_changed(assessment.pk)
    locked.bump()
    return consensus


@transaction.atomic
def remove_participant(*, participant: Participant) -> None:
    """The participant can no longer vote, and their votes stop counting."""
    locked = _locked(participant.workshop)
    if locked.is_ended:
        raise WorkshopError("This workshop has ended.")
    Participant.objects.filter(pk=participant.pk).update(removed_at=timezone.now())
    locked.bump()


@transaction.atomic
def end(*, workshop: Workshop) -> None:
    """End the workshop: its code stops working, and each participant's answers are submitted
    (they count in the results from now on). Whoever was removed and joined as a new
    respondent goes, with their answers."""
    locked = _locked(workshop)
    if locked.is_ended:
        return
    now = timezone.now()
    participants = list(locked.participants.select_related("respondent"))
    kept = [p.respondent_id for p in participants if not p.is_removed]
    Respondent.objects.filter(pk__in=kept, submitted_at__isnull=True, answers__isnull=False).update(
        submitted_at=now
    )
    for participant in participants:
        if participant.is_removed and participant.created_respondent:
            remove_respondent(respondent=participant.respondent)
    locked.status, locked.ended_at = Workshop.Status.ENDED, now
    locked.bump("status", "ended_at")
    results_changed(locked.assessment_id)


@transaction.atomic
def plan_decision(*, workshop: Workshop, question_key: str, user: User) -> tuple[PlanItem, bool]:
    """The decision recorded for a question, as an item of the client's plan (one click on the
    summary); return the item and whether it was created. A question already in the plan is
    not planned twice: its item is returned instead."""
    consensus = workshop.consensus.filter(question_key=question_key).first()
    if consensus is None:
        raise WorkshopError("No consensus was recorded for that question.")
    assessment = workshop.assessment
    client = assessment.client
    # Two clicks at once must not make two items: adds to one client's plan take turns.
    Client.objects.select_for_update().only("pk").get(pk=client.pk)
    existing = planned_item_for(
        client.plan_items.filter(status__in=PLANNED_STATUSES).only("status", "question_keys"),
        question_key,
    )
    if existing is not None:
        return existing, False
    question = structure_of(assessment.bank_version).by_key[question_key]
    decision = " ".join(consensus.note.split())
    title = decision.split(". ")[0].rstrip(".") if decision else f"Act on: {question.text}"
    target = assessment.period.next()
    agreed = (
        f"Agreed in the workshop of {workshop.ended_at or consensus.recorded_at:%-d %b %Y}: "
        f"“{question.text}” stands at {LEVEL_NAMES[consensus.level]}."
    )
    item = PlanItem.objects.create(
        client=client,
        title=title[:200],
        question_keys=[question_key],
        target_year=target.year,
        target_quarter=target.number,
        notes=f"{agreed}\n\n{consensus.note}".strip()[:5000],
        source_assessment=assessment,
        created_by=user,
    )
    return item, True
