"""Two assessments of a client side by side: what moved, per dimension, handoff and question.

Pure over two sets of results. Questions are matched by their stable key, so two quarters on
different bank versions compare on the questions they share; a question the later bank split
or renamed is matched with the ones it `replaces` (the mean of their levels); the others are
marked as asked in one quarter only.
"""

from dataclasses import dataclass

from assessments.history import direction
from assessments.results import AssessmentResults
from assessments.scoring import QuestionResult, Recommendation

LEVEL_FLAT = 0.05


@dataclass(frozen=True)
class Change:
    key: str
    name: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def direction(self) -> str:
        return direction(self.delta)


@dataclass(frozen=True)
class QuestionChange(Change):
    dimension: str = ""
    only_in: str = ""  # "first" or "second" when the other quarter's bank lacks the question
    follows: tuple[str, ...] = ()  # the texts of the earlier questions this one replaces

    @property
    def direction(self) -> str:
        # Levels run 1-5 and show with one decimal: a tenth of a level is a change.
        return direction(self.delta, flat=LEVEL_FLAT)


@dataclass(frozen=True)
class Comparison:
    first: AssessmentResults
    second: AssessmentResults
    overall: Change
    dimensions: list[Change]
    handoffs: list[Change]
    questions: list[QuestionChange]
    resolved: list[Recommendation]  # recommended before, no longer (the question reached target)
    new: list[Recommendation]  # recommended now, not before
    still_open: list[Recommendation]


def _level(question: QuestionResult | None) -> float | None:
    return question.level if question is not None else None


def _mean_level(questions: list[QuestionResult]) -> float | None:
    levels = [q.level for q in questions if q.level is not None]
    return sum(levels) / len(levels) if levels else None


def _questions(first: AssessmentResults, second: AssessmentResults) -> list[QuestionChange]:
    before = {q.key: q for q in first.results.questions}
    after = {q.key: q for q in second.results.questions}
    # A later question with a new key, taking over earlier ones (a split or a rename).
    followed = {
        q.key: [before[key] for key in q.spec.replaces if key in before]
        for q in second.results.questions
        if q.key not in before and any(key in before for key in q.spec.replaces)
    }
    carried = {old.key for olds in followed.values() for old in olds}
    changes = []
    for q in second.results.questions:
        olds = followed.get(q.key, [])
        changes.append(
            QuestionChange(
                key=q.key,
                name=q.spec.text,
                before=_level(before.get(q.key)) if not olds else _mean_level(olds),
                after=q.level,
                dimension=q.spec.dimension,
                only_in="second" if q.key not in before and not olds else "",
                follows=tuple(old.spec.text for old in olds),
            )
        )
    for q in first.results.questions:
        if q.key not in after and q.key not in carried:
            changes.append(
                QuestionChange(q.key, q.spec.text, q.level, None, q.spec.dimension, "first")
            )
    return changes


def compare(first: AssessmentResults, second: AssessmentResults) -> Comparison:
    a, b = first.results, second.results
    before_dimensions = {d.key: d.index for d in a.dimensions}
    before_handoffs = {h.key: h.index for h in a.handoffs}
    before_recommended = {r.question.key: r for r in a.recommendations}
    after_recommended = {r.question.key: r for r in b.recommendations}
    asked_after = {q.key for q in b.questions if q.level is not None}
    return Comparison(
        first=first,
        second=second,
        overall=Change("overall", "Overall", a.overall_index, b.overall_index),
        dimensions=[
            Change(d.key, d.name, before_dimensions.get(d.key), d.index) for d in b.dimensions
        ],
        handoffs=[Change(h.key, h.name, before_handoffs.get(h.key), h.index) for h in b.handoffs],
        questions=_questions(first, second),
        resolved=[
            r
            for key, r in before_recommended.items()
            if key not in after_recommended and key in asked_after
        ],
        new=[r for key, r in after_recommended.items() if key not in before_recommended],
        still_open=[r for key, r in after_recommended.items() if key in before_recommended],
    )
