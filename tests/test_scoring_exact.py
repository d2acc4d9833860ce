"""Exact scoring: ties and thresholds are decided on exact values, never on raw floats; and the
recommendation ladder gives the step for the level a client stands at. Property tests over
random answer sets (hypothesis) against an oracle in plain fractions."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.scoring import (
    DimensionSpec,
    QuestionSpec,
    RespondentSpec,
    ResponseSpec,
    RungSpec,
    ScoringInput,
    score,
)
from lib.maturity import HANDOFF_ORDER, stage_of

DIMENSIONS = (
    DimensionSpec("people", "People", 1),
    DimensionSpec("process", "Process", 2),
)
WEIGHTS = (0.35, 0.5, 1, 1.5, 2, 2.25)
CHOICES = ("1", "2", "3", "4", "5", "NA", "DK")


@st.composite
def answer_sets(draw) -> ScoringInput:
    count = draw(st.integers(1, 7))
    questions = []
    for number in range(draw(st.integers(1, 6))):
        dimension = draw(st.sampled_from(("people", "process")))
        handoffs = draw(st.lists(st.sampled_from(HANDOFF_ORDER), unique=True, max_size=3))
        questions.append(
            QuestionSpec(
                f"{dimension}.q{number}",
                dimension,
                number,
                draw(st.sampled_from(WEIGHTS)),
                tuple(h for h in HANDOFF_ORDER if h in handoffs),
            )
        )
    respondents = tuple(RespondentSpec(n, f"R{n}", "sales", True) for n in range(count))
    responses = tuple(
        ResponseSpec(n, q.key, draw(st.sampled_from(CHOICES)))
        for q in questions
        for n in range(count)
    )
    return ScoringInput(DIMENSIONS, tuple(questions), respondents, responses)


def _oracle_index(data: ScoringInput, keys) -> Fraction | None:
    """The methodology's weighted mean of question indexes, in fractions, written out again."""
    pairs = []
    for question in data.questions:
        if question.key not in keys:
            continue
        levels = [
            int(r.choice)
            for r in data.responses
            if r.question_key == question.key and r.choice.isdigit()
        ]
        if levels:
            index = (Fraction(sum(levels), len(levels)) - 1) / 4 * 100
            pairs.append((Fraction(repr(question.weight)), index))
    total = sum(weight for weight, _ in pairs)
    return sum(w * i for w, i in pairs) / total if total else None


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_the_baton_drop_is_the_lowest_exact_index_and_ties_go_upstream(data):
    exact = {
        key: _oracle_index(data, {q.key for q in data.questions if key in q.handoffs})
        for key in HANDOFF_ORDER
    }
    scored = {key: index for key, index in exact.items() if index is not None}
    results = score(data)
    if not scored:
        assert results.baton_drop is None
        return
    lowest = min(scored.values())
    upstream_of_the_lowest = next(key for key in HANDOFF_ORDER if scored.get(key) == lowest)
    assert results.baton_drop.key == upstream_of_the_lowest
    for handoff in results.handoffs:
        index = exact[handoff.key]
        assert handoff.at_risk == (index is not None and index < 40)


@settings(max_examples=300, deadline=None)
@given(answer_sets())
def test_every_stage_is_decided_on_the_exact_index(data):
    results = score(data)
    for dimension in results.dimensions:
        index = _oracle_index(data, {q.key for q in data.questions if q.dimension == dimension.key})
        assert dimension.stage == (stage_of(index) if index is not None else None)


@settings(max_examples=200, deadline=None)
@given(answer_sets(), st.randoms(use_true_random=False))
def test_the_order_of_the_answers_changes_nothing(data, random):
    """Floating-point sums depend on their order; exact ones do not."""
    shuffled = list(data.responses)
    random.shuffle(shuffled)
    again = ScoringInput(data.dimensions, data.questions, data.respondents, tuple(shuffled))
    first, second = score(data), score(again)
    assert [h.baton_drop for h in first.handoffs] == [h.baton_drop for h in second.handoffs]
    assert [d.stage for d in first.dimensions] == [d.stage for d in second.dimensions]
    assert [r.question.key for r in first.recommendations] == [
        r.question.key for r in second.recommendations
    ]


def _one_question(levels: list[str], **spec) -> ScoringInput:
    respondents = tuple(RespondentSpec(n, f"R{n}", "sales", True) for n in range(len(levels)))
    question = QuestionSpec("people.a", "people", 1, **spec)
    responses = tuple(ResponseSpec(n, "people.a", level) for n, level in enumerate(levels))
    return ScoringInput(DIMENSIONS[:1], (question,), respondents, responses, {"people": 5})


def test_an_index_of_exactly_60_stages_up():
    # Level 3.4 from five respondents: (3.4 - 1) / 4 x 100 = 60, which floats make 59.99...
    [people] = score(_one_question(["3", "3", "3", "4", "4"])).dimensions
    assert people.index == 60 and people.stage.name == "Managed"


def test_mathematically_equal_handoff_indexes_tie_and_the_upstream_one_drops():
    """175/3 reached two ways: level 10/3 on one question, and (1 x 50 + 2 x 62.5) / 3 over
    two. Exactly equal, so the upstream one is the baton drop, whatever floats would say."""
    respondents = tuple(RespondentSpec(n, f"R{n}", "sales", True) for n in range(3))
    data = ScoringInput(
        DIMENSIONS[:1],
        (
            QuestionSpec("people.a", "people", 1, 1, ("gtm_to_demand",)),
            QuestionSpec("people.c", "people", 2, 1, ("demand_to_lead",)),
            QuestionSpec("people.d", "people", 3, 2, ("demand_to_lead",)),
        ),
        respondents,
        (
            *(ResponseSpec(n, "people.a", level) for n, level in enumerate("334")),
            *(ResponseSpec(n, "people.c", level) for n, level in enumerate("333")),
            *(ResponseSpec(n, "people.d", level) for n, level in enumerate(["3", "4", "NA"])),
        ),
    )
    gtm, demand, _ = score(data).handoffs
    assert gtm.exact_index == demand.exact_index == Fraction(175, 3)
    assert gtm.baton_drop and not demand.baton_drop


# ---- The ladder ----------------------------------------------------------------------------

LADDER = tuple(
    RungSpec(level, f"Reach {level + 1}", f"Steps from {level}", impact, effort)
    for level, impact, effort in ((1, 3, 1), (2, 2, 2), (3, 1, 1), (4, 3, 3))
)


def test_the_step_shown_is_the_rung_of_the_level_rounded_down():
    cases = {("3", "4"): 3, ("1",): 1, ("2", "3", "4"): 3, ("4", "4", "5"): 4, ("2", "3"): 2}
    for levels, rung in cases.items():
        [recommendation] = score(_one_question(list(levels), rungs=LADDER)).recommendations
        assert recommendation.rung.from_level == rung, levels
        assert recommendation.title == f"Reach {rung + 1}"


def test_a_level_3_company_is_told_how_to_reach_4_with_that_steps_impact_and_effort():
    [recommendation] = score(_one_question(["3"], rungs=LADDER)).recommendations
    assert (recommendation.title, recommendation.next_steps) == ("Reach 4", "Steps from 3")
    # (target 5 - level 3) x weight 1 x impact 1 / effort 1
    assert recommendation.priority == 2 and recommendation.next_level == 4


def test_a_draft_missing_a_rung_falls_back_to_the_nearest_one_below():
    ladder = (LADDER[0], LADDER[3])  # from 1 and from 4 only
    [recommendation] = score(_one_question(["3"], rungs=ladder)).recommendations
    assert recommendation.rung.from_level == 1
