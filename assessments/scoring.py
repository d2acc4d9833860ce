"""Relay's scoring methodology (PRODUCT.md §3) as pure code: plain values in, dataclasses out.

No ORM, no request, no settings: `score(ScoringInput) -> Results`. The methodology page and
the reports describe exactly what this module does; change both together.

- Only *submitted* respondents count. "Not applicable" and "Don't know" give no level.
- Question level = mean of the levels given; question index = (level - 1) / 4 x 100.
- Dimension and handoff index = weighted mean of question indexes (question weights) over the
  questions that have a level; overall index = weighted mean of dimension indexes (dimension
  weights). Anything with nothing to average (or only zero weights) has no index.
- Stage: < 20 Ad hoc, < 40 Emerging, < 60 Defined, < 80 Managed, else Optimized.
- The baton drop is the handoff with the lowest index (ties: the upstream one); under 40 is at
  risk.
- A question below its dimension's target yields its recommendation: the rung of its ladder for
  the level rounded down (a question at 3.4 gets the step from level 3 to 4), with priority
  (target - level) x weight x impact / effort of that rung x (1.5 if tagged with the baton-drop
  handoff)
  x (the largest funnel boost of its handoffs: 1.25 where the client's real funnel shows the
  handoff's health is poor, see funnel.health; 1 without funnel figures);
  highest first; ties: upstream handoff, then dimension order, then question order.
- Alignment (two or more respondents): a question's spread is max level - min level, 2 or more
  is a disagreement; per role, dimension indexes from that role's respondents alone, and a
  dimension whose role indexes differ by 20 or more has an alignment gap.
- Confidence per dimension = share of the expected answers that are levels x agreement. The
  expected answers are one per submitted respondent and question, less the "Not applicable"
  and "Don't know" answers (they say nothing about confidence either way); agreement =
  1 - mean spread / 4 over the dimension's questions with two or more levels (1 otherwise).
- A *validated level* (a consultant's, from evidence; question key -> level 1-5) replaces the
  respondents' mean as that question's level everywhere the level counts: its index, the
  dimension and handoff indexes, the recommendations. The answers still drive the spread and
  the alignment by role, and the question's `answered_level` keeps their mean. Evidence raises
  confidence: a validated question counts as fully answered and agreed.
- A *workshop consensus* (the level a team agreed on in a live workshop; question key -> level
  1-5) replaces the respondents' mean the same way where no validated level does: evidence
  first, then the room's agreement, then the mean. Unlike evidence it leaves the confidence as
  the answers give it: the spread the room started from still counts.
- The overall index of a quarter missing a whole dimension is *partial*, and says so.
- Exact arithmetic: every index, priority and comparison is computed with fractions, so that
  two mathematically equal handoff indexes tie (and the upstream one is the baton drop) and an
  index of exactly 60 is Managed. Results carry floats for display and exports, converted once
  at the end.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from lib.maturity import (
    AT_RISK_BELOW,
    HANDOFF_NAMES,
    HANDOFF_ORDER,
    Stage,
    level_index,
    stage_of,
)

DISAGREEMENT_SPREAD = 2
ALIGNMENT_GAP = 20
BATON_DROP_BOOST = 1.5
DEFAULT_TARGET = 4
CONFIDENCE_LABELS = ((Fraction(3, 4), "high"), (Fraction(1, 2), "medium"), (Fraction(0), "low"))

Number = int | float | Decimal | Fraction


def exact(value: Number) -> Fraction:
    """A weight or level as an exact fraction: a float by the decimal it prints as (0.1 is one
    tenth, not the binary number nearest it), since weights are written with two decimals."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


# ---- Inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    name: str
    order: int
    weight: Number = 1


@dataclass(frozen=True)
class RungSpec:
    """One step of a question's recommendation ladder: from `from_level` to the next level."""

    from_level: int
    title: str = ""
    next_steps: str = ""
    impact: int = 2
    effort: int = 2


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    dimension: str
    order: int
    weight: Number = 1
    handoffs: tuple[str, ...] = ()
    text: str = ""
    rungs: tuple[RungSpec, ...] = ()  # from level 1 up
    replaces: tuple[str, ...] = ()  # keys of the bank version before that it takes over

    def rung_for(self, level: Number) -> RungSpec:
        """The step for a question at `level`: the rung of the level rounded down (1 to 4); in
        a draft without it, the nearest rung below, else the lowest one there is."""
        start = min(max(math.floor(exact(level)), 1), 4)
        below = [rung for rung in self.rungs if rung.from_level <= start]
        if below:
            return max(below, key=lambda rung: rung.from_level)
        return min(self.rungs, key=lambda rung: rung.from_level, default=RungSpec(start))


@dataclass(frozen=True)
class RespondentSpec:
    id: int
    name: str
    role: str
    submitted: bool


@dataclass(frozen=True)
class ResponseSpec:
    """One respondent's answer: a level "1"-"5", "NA" (not applicable) or "DK" (don't know)."""

    respondent_id: int
    question_key: str
    choice: str
    comment: str = ""

    @property
    def level(self) -> int | None:
        return int(self.choice) if self.choice.isdigit() else None


@dataclass(frozen=True)
class ScoringInput:
    dimensions: tuple[DimensionSpec, ...]
    questions: tuple[QuestionSpec, ...]
    respondents: tuple[RespondentSpec, ...]
    responses: tuple[ResponseSpec, ...]
    targets: dict[str, int] = field(default_factory=dict)  # dimension key -> target level
    # handoff key -> priority multiplier, from the client's observed funnel (funnel.health)
    handoff_boosts: dict[str, float] = field(default_factory=dict)
    # question key -> the level a consultant validated from evidence (1-5)
    validated_levels: dict[str, int] = field(default_factory=dict)
    # question key -> the level a workshop's team agreed on (1-5); a validated level wins
    consensus_levels: dict[str, int] = field(default_factory=dict)


# ---- Results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confidence:
    value: float  # 0 to 1
    label: str  # high, medium or low
    levels: int = 0  # answers that are levels
    expected: int = 0  # answers expected, less Not applicable and Don't know
    agreement: float = 1.0  # 1 - mean spread / 4


@dataclass(frozen=True)
class GivenAnswer:
    respondent: RespondentSpec
    choice: str
    comment: str

    @cached_property  # read several times per answer while scoring
    def level(self) -> int | None:
        return int(self.choice) if self.choice.isdigit() else None


@dataclass(frozen=True)
class QuestionResult:
    spec: QuestionSpec
    level: float | None
    index: float | None
    spread: int | None  # max level - min level; None without a level
    answers: tuple[GivenAnswer, ...]
    exact_level: Fraction | None = field(default=None, repr=False, compare=False)
    exact_index: Fraction | None = field(default=None, repr=False, compare=False)
    # The respondents' mean level, which a validated level replaces in `level` (and the index).
    answered_level: float | None = None
    validated: bool = False
    # The level is the workshop's consensus (no validated level; the answers keep their mean).
    consensus: bool = False

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def levels_by_role(self) -> list[tuple[str, list[int]]]:
        """The levels given, grouped by role and sorted: who sees it how, without the order
        of the answers (nor, where roles are folded, the person)."""
        levels: dict[str, list[int]] = {}
        for answer in self.answers:
            if answer.level:
                levels.setdefault(answer.respondent.role, []).append(answer.level)
        return [(role, sorted(given)) for role, given in sorted(levels.items())]

    @property
    def answered_index(self) -> float | None:
        return None if self.answered_level is None else (self.answered_level - 1) * 25

    @property
    def level_count(self) -> int:
        return sum(answer.level is not None for answer in self.answers)

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


@dataclass(frozen=True)
class DimensionResult:
    key: str
    name: str
    order: int
    weight: float
    index: float | None
    stage: Stage | None
    confidence: Confidence | None
    target: int
    exact_index: Fraction | None = field(default=None, repr=False, compare=False)

    @property
    def target_index(self) -> float:
        """The target level on the index scale, where the index is (level 4 is 75)."""
        return level_index(self.target)

    @property
    def gap(self) -> float | None:
        """How far below the target the index stands (0 when at or above it)."""
        return None if self.index is None else max(self.target_index - self.index, 0.0)


@dataclass(frozen=True)
class HandoffResult:
    key: str
    name: str
    index: float | None
    stage: Stage | None
    at_risk: bool
    baton_drop: bool
    exact_index: Fraction | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Recommendation:
    question: QuestionSpec
    level: float
    target: int
    priority: float
    on_baton_drop: bool
    funnel_boost: float = 1.0  # > 1 when the real funnel shows one of its handoffs is poor
    rung: RungSpec = field(default_factory=lambda: RungSpec(1))  # the step for this level

    @property
    def title(self) -> str:
        return self.rung.title

    @property
    def next_steps(self) -> str:
        return self.rung.next_steps

    @property
    def impact(self) -> int:
        return self.rung.impact

    @property
    def effort(self) -> int:
        return self.rung.effort

    @property
    def next_level(self) -> int:
        return self.rung.from_level + 1


@dataclass(frozen=True)
class AlignmentGap:
    dimension: str
    highest_role: str
    highest: float
    lowest_role: str
    lowest: float

    @property
    def difference(self) -> float:
        return self.highest - self.lowest


@dataclass(frozen=True)
class Alignment:
    disagreements: tuple[QuestionResult, ...]
    role_indexes: dict[str, dict[str, float | None]]  # role -> dimension key -> index
    gaps: tuple[AlignmentGap, ...]


@dataclass(frozen=True)
class Results:
    respondent_count: int  # submitted respondents the results rest on
    overall_index: float | None
    overall_stage: Stage | None
    dimensions: tuple[DimensionResult, ...]
    handoffs: tuple[HandoffResult, ...]
    questions: tuple[QuestionResult, ...]
    recommendations: tuple[Recommendation, ...]
    alignment: Alignment | None  # None with fewer than two respondents
    # The overall index leaves out a dimension that has no index this quarter.
    overall_partial: bool = False
    exact_overall: Fraction | None = field(default=None, repr=False, compare=False)

    @property
    def baton_drop(self) -> HandoffResult | None:
        return next((h for h in self.handoffs if h.baton_drop), None)

    def dimension(self, key: str) -> DimensionResult | None:
        return next((d for d in self.dimensions if d.key == key), None)


# ---- The rules -----------------------------------------------------------------------------


def weighted_mean(pairs: list[tuple[Number, Number]]) -> Fraction | None:
    """Exact mean of (weight, value) pairs; None when there is nothing (or only zero weight)."""
    pairs = [(exact(weight), exact(value)) for weight, value in pairs]
    total = sum(weight for weight, _ in pairs)
    if total <= 0:
        return None
    return sum(weight * value for weight, value in pairs) / total


def confidence_of(
    value: Fraction, *, levels: int = 0, expected: int = 0, agreement: Fraction = Fraction(1)
) -> Confidence:
    label = next(name for threshold, name in CONFIDENCE_LABELS if value >= threshold)
    return Confidence(float(value), label, levels, expected, float(agreement))


def _question_result(
    spec: QuestionSpec,
    answers: list[GivenAnswer],
    validated: int | None = None,
    consensus: int | None = None,
) -> QuestionResult:
    levels = [answer.level for answer in answers if answer.level is not None]
    answered = Fraction(sum(levels), len(levels)) if levels else None
    spread = max(levels) - min(levels) if levels else None
    # Evidence first, then the workshop's consensus, then the respondents' mean.
    if validated is not None:
        level = Fraction(validated)
    elif consensus is not None:
        level = Fraction(consensus)
    else:
        level = answered
    if level is None:
        return QuestionResult(spec, None, None, None, tuple(answers))
    index = (level - 1) * 25  # level_index, exactly
    return QuestionResult(
        spec,
        float(level),
        float(index),
        spread,
        tuple(answers),
        level,
        index,
        answered_level=_float(answered),
        validated=validated is not None,
        consensus=validated is None and consensus is not None,
    )


def _validated(levels: dict[str, int], key: str) -> int | None:
    """A question's validated (or consensus) level, when it is one of the five."""
    level = levels.get(key)
    valid = isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 5
    return level if valid else None


def _index_over(questions: list[QuestionResult]) -> Fraction | None:
    return weighted_mean(
        [(q.spec.weight, q.exact_index) for q in questions if q.exact_index is not None]
    )


def _dimension_indexes(
    dimensions: tuple[DimensionSpec, ...], questions: list[QuestionResult]
) -> dict[str, Fraction | None]:
    by_dimension = defaultdict(list)
    for question in questions:
        by_dimension[question.spec.dimension].append(question)
    return {d.key: _index_over(by_dimension[d.key]) for d in dimensions}


def _confidence(questions: list[QuestionResult], respondent_count: int) -> Confidence | None:
    answers = [answer for question in questions for answer in question.answers]
    if not answers:
        return None
    levels = sum(answer.level is not None for answer in answers)
    not_levels = len(answers) - levels  # Not applicable and Don't know
    expected = respondent_count * len(questions) - not_levels
    if expected <= 0:
        return None  # nothing but Not applicable and Don't know: no level to be sure of
    # Evidence settles a validated question: every answer expected of it counts as a level,
    # and its spread as none.
    for question in questions:
        if question.validated:
            given = sum(answer.level is None for answer in question.answers)
            levels += respondent_count - given - question.level_count
    share = Fraction(min(levels, expected), expected)
    spreads = [q.spread for q in questions if q.level_count >= 2 and not q.validated]
    agreement = 1 - Fraction(sum(spreads), len(spreads)) / 4 if spreads else Fraction(1)
    return confidence_of(share * agreement, levels=levels, expected=expected, agreement=agreement)


def _handoffs(questions: list[QuestionResult]) -> tuple[HandoffResult, ...]:
    indexes = {
        key: _index_over([q for q in questions if key in q.spec.handoffs]) for key in HANDOFF_ORDER
    }
    scored = [key for key in HANDOFF_ORDER if indexes[key] is not None]
    # min() keeps the first of equal values, and HANDOFF_ORDER is upstream first; the values
    # are exact, so equal means equal.
    drop = min(scored, key=lambda key: indexes[key]) if scored else None
    return tuple(
        HandoffResult(
            key=key,
            name=HANDOFF_NAMES[key],
            index=_float(indexes[key]),
            stage=stage_of(indexes[key]) if indexes[key] is not None else None,
            at_risk=indexes[key] is not None and indexes[key] < AT_RISK_BELOW,
            baton_drop=key == drop,
            exact_index=indexes[key],
        )
        for key in HANDOFF_ORDER
    )


def _upstream_rank(spec: QuestionSpec) -> int:
    """0 for a question on the first handoff ... 3 for one on no handoff."""
    return min((HANDOFF_ORDER.index(h) for h in spec.handoffs), default=len(HANDOFF_ORDER))


def _recommendations(
    questions: list[QuestionResult],
    targets: dict[str, int],
    dimension_order: dict[str, int],
    baton_drop: str | None,
    handoff_boosts: dict[str, float],
) -> tuple[Recommendation, ...]:
    found = []
    for question in questions:
        spec, target = question.spec, targets.get(question.spec.dimension, DEFAULT_TARGET)
        if question.exact_level is None or question.exact_level >= target:
            continue
        on_drop = baton_drop is not None and baton_drop in spec.handoffs
        boost = max((exact(handoff_boosts.get(h, 1)) for h in spec.handoffs), default=Fraction(1))
        rung = spec.rung_for(question.exact_level)
        priority = (target - question.exact_level) * exact(spec.weight) * rung.impact / rung.effort
        priority *= (exact(BATON_DROP_BOOST) if on_drop else 1) * boost
        found.append(
            (
                priority,
                Recommendation(
                    spec, question.level, target, float(priority), on_drop, float(boost), rung
                ),
            )
        )
    found.sort(
        key=lambda pair: (
            -pair[0],
            _upstream_rank(pair[1].question),
            dimension_order.get(pair[1].question.dimension, 99),
            pair[1].question.order,
            pair[1].question.key,
        )
    )
    return tuple(recommendation for _, recommendation in found)


def _alignment(
    data: ScoringInput, questions: list[QuestionResult], submitted: dict[int, RespondentSpec]
) -> Alignment | None:
    if len(submitted) < 2:
        return None
    roles = sorted({respondent.role for respondent in submitted.values()})
    role_indexes = {}
    for role in roles:
        by_role = [
            _question_result(q.spec, [a for a in q.answers if a.respondent.role == role])
            for q in questions
        ]
        role_indexes[role] = _dimension_indexes(data.dimensions, by_role)
    shown = {
        role: {key: _float(index) for key, index in indexes.items()}
        for role, indexes in role_indexes.items()
    }
    gaps = []
    for dimension in data.dimensions:
        present = [(role_indexes[r][dimension.key], r) for r in roles]
        present = [(index, role) for index, role in present if index is not None]
        if len(present) < 2:
            continue
        (lowest, low_role), (highest, high_role) = min(present), max(present)
        if highest - lowest >= ALIGNMENT_GAP:
            gaps.append(
                AlignmentGap(dimension.key, high_role, float(highest), low_role, float(lowest))
            )
    disagreements = sorted(
        (q for q in questions if q.disagreement), key=lambda q: (-q.spread, q.spec.key)
    )
    return Alignment(tuple(disagreements), shown, tuple(gaps))


def score(data: ScoringInput, *, headline_only: bool = False) -> Results:
    """Apply the methodology to one assessment's bank, respondents and answers.

    `headline_only` skips what only a results page reads, the recommendations and the
    alignment (left empty), for the results snapshots that list pages read: the indexes,
    stages, confidence and baton drop are the same either way.
    """
    submitted = {r.id: r for r in data.respondents if r.submitted}
    answers_by_question = defaultdict(list)
    for response in data.responses:
        respondent = submitted.get(response.respondent_id)
        if respondent is not None:  # respondents still answering do not count yet
            answers_by_question[response.question_key].append(
                GivenAnswer(respondent, response.choice, response.comment)
            )
    dimension_order = {d.key: d.order for d in data.dimensions}
    specs = sorted(
        data.questions, key=lambda q: (dimension_order.get(q.dimension, 99), q.order, q.key)
    )
    questions = [
        _question_result(
            spec,
            answers_by_question[spec.key],
            _validated(data.validated_levels, spec.key),
            _validated(data.consensus_levels, spec.key),
        )
        for spec in specs
    ]

    indexes = _dimension_indexes(data.dimensions, questions)
    dimensions = tuple(
        DimensionResult(
            key=d.key,
            name=d.name,
            order=d.order,
            weight=float(exact(d.weight)),
            index=_float(indexes[d.key]),
            stage=stage_of(indexes[d.key]) if indexes[d.key] is not None else None,
            confidence=_confidence(
                [q for q in questions if q.spec.dimension == d.key], len(submitted)
            ),
            target=data.targets.get(d.key, DEFAULT_TARGET),
            exact_index=indexes[d.key],
        )
        for d in sorted(data.dimensions, key=lambda d: d.order)
    )
    overall = weighted_mean(
        [(d.weight, d.exact_index) for d in dimensions if d.exact_index is not None]
    )
    handoffs = _handoffs(questions)
    drop = next((h.key for h in handoffs if h.baton_drop), None)
    return Results(
        respondent_count=len(submitted),
        overall_index=_float(overall),
        overall_stage=stage_of(overall) if overall is not None else None,
        dimensions=dimensions,
        handoffs=handoffs,
        questions=tuple(questions),
        recommendations=()
        if headline_only
        else _recommendations(
            questions,
            {d.key: d.target for d in dimensions},
            dimension_order,
            drop,
            data.handoff_boosts,
        ),
        alignment=None if headline_only else _alignment(data, questions, submitted),
        overall_partial=overall is not None and any(d.exact_index is None for d in dimensions),
        exact_overall=overall,
    )
