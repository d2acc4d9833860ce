"""What the workshop's screens show, read from the database in a fixed number of queries: the
current question with its descriptors, the round's votes counted, the participants, and the
summary of a workshop."""

from dataclasses import dataclass

import segno
from django.db.models import Count, Q

from assessments.models import Visibility
from assessments.questionnaire import question_state
from bank.models import Question
from bank.structure import structure_of
from workshops.models import Consensus, Participant, Vote, Workshop
from workshops.tally import CastVote, Tally, tally


def join_qr_svg(url: str) -> str:
    """The join link as a QR code, inline SVG drawn on the server (no outside service)."""
    code = segno.make(url, error="m")
    return code.svg_inline(
        scale=1, border=2, omitsize=True, dark="#111827", light="#ffffff", title="Join: " + url
    )


def named(workshop: Workshop) -> bool:
    """The projector names who voted what only where the assessment names people."""
    return workshop.assessment.answer_visibility == Visibility.NAMED


def current_question(workshop: Workshop) -> tuple[Question | None, list[tuple[int, str, str]]]:
    """The question being discussed and its levels: (level, name, descriptor)."""
    key = workshop.current_key
    question = structure_of(workshop.assessment.bank_version).by_key.get(key) if key else None
    if question is None:
        return None, []
    return question, question_state(question).levels


def participants_with_votes(workshop: Workshop) -> list[Participant]:
    """Every participant, each marked `has_voted` on the current question and round."""
    key, current_round = workshop.current_key or "", workshop.round
    return list(
        workshop.participants.annotate(
            votes_now=Count("votes", filter=Q(votes__question_key=key, votes__round=current_round))
        ).order_by("joined_at", "pk")
    )


def round_votes(workshop: Workshop, key: str, round_number: int) -> list[CastVote]:
    rows = Vote.objects.filter(
        participant__workshop=workshop,
        participant__removed_at__isnull=True,
        question_key=key,
        round=round_number,
    ).values_list("participant__name", "participant__role", "choice")
    return [CastVote(name, role, choice) for name, role, choice in rows]


def current_tally(workshop: Workshop, levels) -> Tally:
    descriptors = {level: text for level, _, text in levels}
    votes = round_votes(workshop, workshop.current_key or "", workshop.round)
    return tally(votes, descriptors, named=named(workshop))


@dataclass(frozen=True)
class DiscussedQuestion:
    question: Question
    rounds: tuple[Tally, ...]  # the first round first
    consensus: Consensus | None

    @property
    def moved(self) -> float | None:
        """How far the room's mean moved from the first round to the last."""
        if len(self.rounds) < 2:
            return None
        first, last = self.rounds[0].mean, self.rounds[-1].mean
        return None if first is None or last is None else last - first

    @property
    def movement(self) -> str:
        """Where the room moved from the first round to the last, in words ("" for one)."""
        moved = self.moved
        if moved is None:
            return ""
        first, last = self.rounds[0].spread, self.rounds[-1].spread
        apart = f" ({first} levels apart, then {last})" if first != last else ""
        if abs(moved) >= 0.05:
            way = "up" if moved > 0 else "down"
            return f"The room moved {way} {abs(moved):.1f} levels between rounds{apart}."
        if first is not None and last is not None and last < first:
            return f"The room came closer together between rounds{apart}."
        return f"The room held its view between rounds{apart}."


def summary(workshop: Workshop) -> list[DiscussedQuestion]:
    """Each question voted on or agreed, in the workshop's order: its rounds and consensus."""
    votes: dict[tuple[str, int], list[CastVote]] = {}
    rows = Vote.objects.filter(
        participant__workshop=workshop, participant__removed_at__isnull=True
    ).values_list("question_key", "round", "participant__name", "participant__role", "choice")
    for key, round_number, name, role, choice in rows:
        votes.setdefault((key, round_number), []).append(CastVote(name, role, choice))
    agreed = {c.question_key: c for c in workshop.consensus.all()}
    discussed = {key for key, _ in votes} | set(agreed)
    questions = {
        q.key: q
        for q in workshop.assessment.bank_version.questions.filter(
            key__in=discussed
        ).prefetch_related("descriptors")
    }
    is_named = named(workshop)
    found = []
    for key in workshop.question_keys:
        if key not in discussed or key not in questions:
            continue
        question = questions[key]
        descriptors = {d.level: d.text for d in question.descriptors.all()}
        rounds = sorted(r for k, r in votes if k == key)
        tallies = tuple(tally(votes[(key, r)], descriptors, named=is_named) for r in rounds)
        found.append(DiscussedQuestion(question, tallies, agreed.get(key)))
    return found
