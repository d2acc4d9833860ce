"""The methodology, checked against cases computed by hand. No database needed."""

import dataclasses

import pytest

from assessments.scoring import (
    DimensionSpec,
    QuestionSpec,
    RespondentSpec,
    ResponseSpec,
    RungSpec,
    ScoringInput,
    score,
)
from lib.maturity import stage_of

PEOPLE = DimensionSpec("people", "People", 1)
PROCESS = DimensionSpec("process", "Process", 2)

MARKETING_1 = RespondentSpec(1, "Mia", "marketing", submitted=True)
SALES_2 = RespondentSpec(2, "Sol", "sales", submitted=True)
SALES_3_IN_PROGRESS = RespondentSpec(3, "Ivo", "sales", submitted=False)


def _ladder(impact: int, effort: int) -> tuple[RungSpec, ...]:
    """The same impact and effort on every rung, each titled after its level."""
    return tuple(RungSpec(level, f"From {level}", "", impact, effort) for level in (1, 2, 3, 4))


def _responses(*rows) -> tuple[ResponseSpec, ...]:
    return tuple(ResponseSpec(respondent, key, choice) for respondent, key, choice in rows)


@pytest.fixture
def worked_example():
    """The example worked by hand below.

    people.a  w1 gtm_to_demand             impact 3 effort 1   Mia 4, Sol 2, (Ivo 1, not submitted)
    people.b  w2 demand_to_lead            impact 2 effort 2   Mia 3, Sol NA
    process.c w1 demand_to_lead, lead_to_sales  impact 1 effort 1   Mia DK, Sol 1
    process.d w0 lead_to_sales             impact 3 effort 1   Mia 5, Sol 5

    Question levels: a 3 (index 50, spread 2), b 3 (50, 0), c 1 (0, 0), d 5 (100, 0).
    People = (1x50 + 2x50) / 3 = 50; Process = (1x0 + 0x100) / 1 = 0; overall = 25.
    Handoffs: gtm_to_demand = 50; demand_to_lead = (2x50 + 1x0) / 3 = 33.3;
    lead_to_sales = (1x0 + 0x100) / 1 = 0  -> the baton drop; the last two are at risk.
    Targets people 4, process 3. Priorities: a (4-3)x1x3/1 = 3; b (4-3)x2x2/2 = 2;
    c (3-1)x1x1/1 x1.5 (baton drop) = 3; d is above target. Order: a, c (a is upstream), b.
    """
    return ScoringInput(
        dimensions=(PEOPLE, PROCESS),
        questions=(
            QuestionSpec("people.a", "people", 1, 1, ("gtm_to_demand",), rungs=_ladder(3, 1)),
            QuestionSpec("people.b", "people", 2, 2, ("demand_to_lead",), rungs=_ladder(2, 2)),
            QuestionSpec(
                "process.c",
                "process",
                1,
                1,
                ("demand_to_lead", "lead_to_sales"),
                rungs=_ladder(1, 1),
            ),
            QuestionSpec("process.d", "process", 2, 0, ("lead_to_sales",), rungs=_ladder(3, 1)),
        ),
        respondents=(MARKETING_1, SALES_2, SALES_3_IN_PROGRESS),
        responses=_responses(
            (1, "people.a", "4"),
            (2, "people.a", "2"),
            (3, "people.a", "1"),
            (1, "people.b", "3"),
            (2, "people.b", "NA"),
            (1, "process.c", "DK"),
            (2, "process.c", "1"),
            (1, "process.d", "5"),
            (2, "process.d", "5"),
        ),
        targets={"people": 4, "process": 3},
    )


def test_question_levels_indexes_and_spreads(worked_example):
    questions = {q.key: q for q in score(worked_example).questions}
    assert (questions["people.a"].level, questions["people.a"].index) == (3, 50)
    assert questions["people.a"].spread == 2 and questions["people.a"].disagreement
    assert (questions["people.b"].level, questions["people.b"].spread) == (3, 0)
    assert (questions["process.c"].level, questions["process.c"].index) == (1, 0)
    assert questions["process.d"].index == 100


def test_respondents_still_answering_are_left_out(worked_example):
    results = score(worked_example)
    assert results.respondent_count == 2
    people_a = next(q for q in results.questions if q.key == "people.a")
    assert {a.respondent.name for a in people_a.answers} == {"Mia", "Sol"}


def test_dimension_and_overall_indexes_and_stages(worked_example):
    results = score(worked_example)
    people, process = results.dimensions
    assert (people.index, str(people.stage)) == (50, "3 Defined")
    assert (process.index, str(process.stage)) == (0, "1 Ad hoc")  # the weight-0 question is out
    assert (results.overall_index, str(results.overall_stage)) == (25, "2 Emerging")


def test_handoffs_baton_drop_and_risk(worked_example):
    gtm, demand, lead = score(worked_example).handoffs
    assert (gtm.index, gtm.at_risk, gtm.baton_drop) == (50, False, False)
    assert demand.index == pytest.approx(100 / 3) and demand.at_risk and not demand.baton_drop
    assert (lead.index, lead.at_risk, lead.baton_drop) == (0, True, True)


def test_recommendations_in_priority_order_with_the_baton_drop_boost(worked_example):
    recommendations = score(worked_example).recommendations
    assert [(r.question.key, r.priority) for r in recommendations] == [
        ("people.a", 3.0),
        ("process.c", 3.0),
        ("people.b", 2.0),
    ]
    assert [r.on_baton_drop for r in recommendations] == [False, True, False]


def test_alignment_disagreements_role_indexes_and_gaps(worked_example):
    alignment = score(worked_example).alignment
    assert [q.key for q in alignment.disagreements] == ["people.a"]
    # Marketing alone: people.a 4 (75), people.b 3 (50) -> (75 + 2x50) / 3 = 58.3;
    # process.c is DK and process.d has weight 0, so process has no index.
    assert alignment.role_indexes["marketing"]["people"] == pytest.approx(175 / 3)
    assert alignment.role_indexes["marketing"]["process"] is None
    # Sales alone: people.a 2 (25), people.b NA -> 25; process.c 1 (0) -> 0.
    assert alignment.role_indexes["sales"] == {"people": 25, "process": 0}
    [gap] = alignment.gaps
    assert (gap.dimension, gap.highest_role, gap.lowest_role) == ("people", "marketing", "sales")
    assert gap.difference == pytest.approx(175 / 3 - 25)


def test_confidence_counts_levels_and_agreement(worked_example):
    people, process = score(worked_example).dimensions
    # People: 3 levels of the 4 expected answers less 1 Not applicable (1.0) x agreement
    # 1 - 2/4 (people.a's spread) = 0.5.
    assert (people.confidence.value, people.confidence.label) == (0.5, "medium")
    assert (people.confidence.levels, people.confidence.expected) == (3, 3)
    # Process: 3 levels of 4 less 1 Don't know (1.0) x agreement 1 (process.d: spread 0).
    assert (process.confidence.value, process.confidence.label) == (1.0, "high")


def test_dont_know_and_not_applicable_are_out_of_the_confidence_denominator():
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=(
            QuestionSpec("people.a", "people", 1),
            QuestionSpec("people.b", "people", 2),
            QuestionSpec("people.c", "people", 3),
        ),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "3"), (1, "people.b", "DK"), (1, "people.c", "NA")),
    )
    [people] = score(data).dimensions
    assert people.index == 50
    assert (people.confidence.value, people.confidence.label) == (1.0, "high")
    assert (people.confidence.levels, people.confidence.expected) == (1, 1)


def test_missing_answers_lower_confidence():
    """An imported respondent who left questions out: fewer levels than expected."""
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=tuple(QuestionSpec(f"people.{n}", "people", n) for n in "abcd"),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "3"), (1, "people.b", "4")),
    )
    [people] = score(data).dimensions
    assert (people.confidence.value, people.confidence.label) == (0.5, "medium")


def test_a_question_everyone_marked_not_applicable_is_left_out():
    data = ScoringInput(
        dimensions=(PEOPLE, PROCESS),
        questions=(QuestionSpec("people.a", "people", 1), QuestionSpec("process.a", "process", 1)),
        respondents=(MARKETING_1, SALES_2),
        responses=_responses(
            (1, "people.a", "NA"),
            (2, "people.a", "NA"),
            (1, "process.a", "2"),
            (2, "process.a", "4"),
        ),
    )
    results = score(data)
    people, process = results.dimensions
    assert people.index is None and people.stage is None
    assert results.questions[0].level is None and results.questions[0].spread is None
    assert process.index == 50
    assert results.overall_index == 50  # the mean of the dimensions that have an index
    assert [r.question.key for r in results.recommendations] == ["process.a"]


def test_a_dimension_without_questions_has_no_index_or_confidence():
    data = ScoringInput(
        dimensions=(PEOPLE, PROCESS),
        questions=(QuestionSpec("people.a", "people", 1),),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "5")),
    )
    people, process = score(data).dimensions
    assert people.index == 100 and str(people.stage) == "5 Optimized"
    assert (process.index, process.stage, process.confidence) == (None, None, None)


def test_only_zero_weights_give_no_index():
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=(QuestionSpec("people.a", "people", 1, weight=0.0, handoffs=("gtm_to_demand",)),),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "1")),
    )
    results = score(data)
    assert results.dimensions[0].index is None and results.overall_index is None
    assert results.handoffs[0].index is None and results.baton_drop is None
    # Below target, it still yields its recommendation, at priority 0 (weight 0).
    assert [(r.question.key, r.priority) for r in results.recommendations] == [("people.a", 0.0)]


def test_the_baton_drop_tie_goes_to_the_upstream_handoff():
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=(
            QuestionSpec("people.a", "people", 1, handoffs=("gtm_to_demand",)),
            QuestionSpec("people.b", "people", 2, handoffs=("demand_to_lead",)),
            QuestionSpec("people.c", "people", 3, handoffs=("lead_to_sales",)),
        ),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "4"), (1, "people.b", "2"), (1, "people.c", "2")),
    )
    drops = [h.key for h in score(data).handoffs if h.baton_drop]
    assert drops == ["demand_to_lead"]


def test_a_handoff_without_answers_is_never_the_baton_drop():
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=(
            QuestionSpec("people.a", "people", 1, handoffs=("gtm_to_demand",)),
            QuestionSpec("people.b", "people", 2, handoffs=("lead_to_sales",)),
        ),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "2"), (1, "people.b", "NA")),
    )
    gtm, demand, lead = score(data).handoffs
    assert gtm.baton_drop and demand.index is None and lead.index is None


def test_priority_ties_fall_to_upstream_then_dimension_then_question_order():
    data = ScoringInput(
        dimensions=(PEOPLE, PROCESS),
        questions=(
            QuestionSpec("process.x", "process", 1),
            QuestionSpec("people.y", "people", 2),
            QuestionSpec("people.z", "people", 1),
            QuestionSpec("process.w", "process", 9, handoffs=("lead_to_sales",)),
            QuestionSpec("people.v", "people", 5, handoffs=("lead_to_sales",)),
        ),
        respondents=(MARKETING_1,),
        # Everything at level 2 and a sole handoff: the baton drop boost applies to both
        # tagged questions, so they lead; then the untagged ones by dimension and order.
        responses=_responses(
            *[(1, k, "2") for k in ("process.x", "people.y", "people.z", "process.w", "people.v")]
        ),
        targets={"people": 4, "process": 4},
    )
    order = [r.question.key for r in score(data).recommendations]
    assert order == ["people.v", "process.w", "people.z", "people.y", "process.x"]


def test_floating_point_noise_does_not_break_a_priority_tie():
    # people.a: (4 - 1.4) x 1 = 2.6; people.b: (4 - 2.7) x 2 = 2.6 too (2.5999999999999996 in
    # floating point). Exactly equal: the tie goes to the upstream question, people.b.
    ten = tuple(RespondentSpec(n, f"R{n}", "sales", True) for n in range(1, 11))
    data = ScoringInput(
        dimensions=(PEOPLE, PROCESS),
        questions=(
            QuestionSpec("people.a", "people", 1, weight=1.0, handoffs=("lead_to_sales",)),
            QuestionSpec("people.b", "people", 2, weight=2.0, handoffs=("gtm_to_demand",)),
            # The baton drop, elsewhere, and no recommendation of its own (target 1).
            QuestionSpec("process.c", "process", 1, handoffs=("demand_to_lead",)),
        ),
        respondents=ten,
        responses=_responses(
            *[(n, "people.a", "1" if n <= 6 else "2") for n in range(1, 11)],
            *[(n, "people.b", "3" if n <= 7 else "2") for n in range(1, 11)],
            *[(n, "process.c", "1") for n in range(1, 11)],
        ),
        targets={"people": 4, "process": 1},
    )
    results = score(data)
    assert results.baton_drop.key == "demand_to_lead"
    a, b = sorted(results.recommendations, key=lambda r: r.question.key)
    assert a.priority == b.priority == 2.6
    assert [r.question.key for r in results.recommendations] == ["people.b", "people.a"]


def test_a_single_respondent_has_no_alignment_and_full_agreement():
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=(QuestionSpec("people.a", "people", 1),),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "2")),
    )
    results = score(data)
    assert results.alignment is None
    assert results.dimensions[0].confidence.value == 1.0


def test_without_submitted_respondents_there_are_no_results():
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=(QuestionSpec("people.a", "people", 1, handoffs=("gtm_to_demand",)),),
        respondents=(SALES_3_IN_PROGRESS,),
        responses=_responses((3, "people.a", "1")),
    )
    results = score(data)
    assert results.respondent_count == 0
    assert (results.overall_index, results.baton_drop, results.recommendations) == (None, None, ())


@pytest.mark.parametrize(
    ("index", "stage"),
    [
        (0, 1),
        (19.99, 1),
        (20, 2),
        (39.99, 2),
        (40, 3),
        (59.9, 3),
        (60, 4),
        (79.99, 4),
        (80, 5),
        (100, 5),
    ],
)
def test_stage_thresholds(index, stage):
    assert stage_of(index).number == stage


def test_a_poor_observed_funnel_boosts_the_recommendations_of_its_handoff(worked_example):
    boosted = dataclasses.replace(worked_example, handoff_boosts={"gtm_to_demand": 1.25})
    by_key = {r.question.key: r for r in score(boosted).recommendations}
    # people.a is on gtm_to_demand: 3 x 1.25; the others are not.
    assert (by_key["people.a"].priority, by_key["people.a"].funnel_boost) == (3.75, 1.25)
    assert (by_key["process.c"].priority, by_key["process.c"].funnel_boost) == (3.0, 1.0)
    assert score(boosted).recommendations[0].question.key == "people.a"


def test_the_largest_boost_of_a_questions_handoffs_applies_once():
    data = ScoringInput(
        dimensions=(PEOPLE,),
        questions=(
            QuestionSpec("people.a", "people", 1, handoffs=("gtm_to_demand", "lead_to_sales")),
        ),
        respondents=(MARKETING_1,),
        responses=_responses((1, "people.a", "3")),
        handoff_boosts={"gtm_to_demand": 1.25, "lead_to_sales": 1.1},
    )
    [recommendation] = score(data).recommendations
    # (4 - 3) x 1 x 2 / 2 = 1; it is on the only handoffs with answers: baton drop x1.5; x1.25.
    assert recommendation.priority == pytest.approx(1 * 1.5 * 1.25)


def test_headline_only_gives_the_same_figures_without_recommendations_or_alignment(
    worked_example,
):
    full = score(worked_example)
    headline = score(worked_example, headline_only=True)
    assert full.recommendations and full.alignment is not None  # the example has both
    assert headline.recommendations == () and headline.alignment is None
    assert headline.dimensions == full.dimensions  # indexes, stages, confidence, targets
    assert headline.handoffs == full.handoffs
    assert (headline.overall_index, headline.overall_stage) == (
        full.overall_index,
        full.overall_stage,
    )
    assert headline.respondent_count == full.respondent_count
    assert headline.questions == full.questions
