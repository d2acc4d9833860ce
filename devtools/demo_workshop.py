"""The demo's finished live workshop: Brightline Logistics' leadership team talked through
three of the questions their answers disagreed on before the quarter closed, voted twice on
the first, and agreed a level and an owner for each.

Written as rows, as the rest of the story is, so that the quarter keeps the answers its story
gives: the last round's votes are the respondents' answers, and each consensus is the level the
answers average to, so the scores stay as they were while the results page, the report and
the exports show the workshop's consensus and notes.
"""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Assessment
from assessments.results import compute_results
from assessments.scoring import DISAGREEMENT_SPREAD
from workshops.models import Consensus, Participant, Scope, Vote, Workshop

CLIENT = "Brightline Logistics"
# (question key, rounds, the decision): the consensus is the respondents' mean level.
DISCUSSED = (
    (
        "process.gtm_brief",
        2,
        "One GTM brief per segment, refreshed each quarter before the demand plan. "
        "Owner: the VP Marketing, first version by the end of next month.",
    ),
    (
        "content.value_proposition",
        1,
        "Sales and marketing test the value proposition with five customers. "
        "Owner: the head of product marketing, with two account executives.",
    ),
    (
        "content.sales_input_to_demand",
        1,
        "A monthly 30-minute review where sales brings the objections it hears to the "
        "content plan. Owner: the sales director.",
    ),
)


def _earlier(level: int, mean: int) -> int:
    """A first-round vote further from the room's mean than the answer it became."""
    if level == mean:
        return level
    return max(1, min(5, level + (1 if level > mean else -1)))


def _round_spread(participants: dict, key: str, number: int) -> int | None:
    levels = [
        int(choice)
        for choice in Vote.objects.filter(
            participant__in=participants.values(), question_key=key, round=number
        ).values_list("choice", flat=True)
        if choice.isdigit()
    ]
    return max(levels) - min(levels) if levels else None


def seed_demo_workshop() -> Workshop | None:
    """The finished workshop on the client's latest closed quarter (kept if already there)."""
    assessment = (
        Assessment.objects.filter(client__name=CLIENT, status=Assessment.Status.CLOSED)
        .select_related("bank_version")
        .order_by("-year", "-quarter")
        .first()
    )
    if assessment is None or assessment.workshops.exists():
        return None
    questions = {q.key: q for q in compute_results(assessment).results.questions}
    disagreeing = [k for k, q in questions.items() if (q.spread or 0) >= DISAGREEMENT_SPREAD]
    discussed = [(k, rounds, note) for k, rounds, note in DISCUSSED if k in disagreeing]
    if not discussed:
        return None
    ended = (assessment.closed_at or timezone.now()) - timedelta(days=2)
    workshop = Workshop.objects.create(
        assessment=assessment,
        status=Workshop.Status.ENDED,
        scope=Scope.DISAGREEMENTS,
        question_keys=disagreeing,
        position=disagreeing.index(discussed[-1][0]),
        round=discussed[-1][1],
        phase=Workshop.Phase.REVEALED,
        started_at=ended - timedelta(minutes=75),
        ended_at=ended,
    )
    participants = {}
    for respondent in assessment.respondents.filter(submitted_at__isnull=False):
        _, digest = Participant.new_token()
        participants[respondent.pk] = Participant.objects.create(
            workshop=workshop,
            respondent=respondent,
            name=respondent.name,
            role=respondent.role,
            token_hash=digest,
            joined_at=workshop.started_at,
        )
    consensus_levels = dict(assessment.consensus_levels or {})
    for key, rounds, note in discussed:
        question = questions[key]
        mean = round(question.answered_level)
        for answer in question.answers:
            participant = participants.get(answer.respondent.id)
            if participant is None:
                continue
            final = answer.choice
            first = str(_earlier(int(final), mean)) if final.isdigit() else final
            choices = [first, final] if rounds == 2 else [final]
            Vote.objects.bulk_create(
                Vote(participant=participant, question_key=key, round=number, choice=choice)
                for number, choice in enumerate(choices, 1)
            )
        Consensus.objects.create(
            workshop=workshop,
            question_key=key,
            level=mean,
            note=note,
            rounds=rounds,
            recorded_at=ended,
        )
        spreads = [
            _round_spread(participants, key, number) for number in dict.fromkeys((1, rounds))
        ]
        consensus_levels[key] = {
            "level": mean,
            "note": note,
            "recorded_at": ended.isoformat(),
            "rounds": rounds,
            "spreads": spreads,
        }
    assessment.consensus_levels = consensus_levels
    assessment.save(update_fields=["consensus_levels", "updated_at"])
    return workshop
