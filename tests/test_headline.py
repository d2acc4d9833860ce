"""The one "act first" conclusion (assessments.headline): measured evidence first, then
upstream first, then the baton drop."""

from assessments.headline import (
    AGREEMENT,
    BATON_DROP,
    BLIND_SPOT,
    EVIDENCE,
    UNKNOWN,
    UPSTREAM,
    act_first,
)
from assessments.scoring import (
    DimensionSpec,
    QuestionSpec,
    RespondentSpec,
    ResponseSpec,
    ScoringInput,
    score,
)
from funnel.health import HandoffHealth
from lib.maturity import HANDOFF_NAMES, HANDOFF_ORDER


def _results(levels: dict[str, str]):
    """One question per handoff, answered by one respondent with the level given."""
    data = ScoringInput(
        dimensions=(DimensionSpec("people", "People", 1),),
        questions=tuple(
            QuestionSpec(f"people.{key}", "people", order, 1, (key,))
            for order, key in enumerate(HANDOFF_ORDER)
        ),
        respondents=(RespondentSpec(1, "Mia", "marketing", True),),
        responses=tuple(ResponseSpec(1, f"people.{key}", level) for key, level in levels.items()),
    )
    return score(data)


def _health(**labels) -> dict[str, HandoffHealth]:
    return {
        key: HandoffHealth(key, HANDOFF_NAMES[key], None, labels.get(key, "fair"), ())
        for key in HANDOFF_ORDER
    }


def test_without_funnel_figures_the_baton_drop_is_where_to_act_first():
    # Indexes 75, 50, 25: the drop is lead -> sales, nothing upstream of it at risk.
    results = _results({"gtm_to_demand": "4", "demand_to_lead": "3", "lead_to_sales": "2"})
    first = act_first(results, None)
    assert (first.rule, first.key) == (BATON_DROP, "lead_to_sales")
    assert first.headline == "Act first on Lead gen → Sales-ready opportunities."


def test_an_at_risk_handoff_upstream_of_the_drop_comes_first():
    # 25, 75, 0: the drop is lead -> sales, but strategy -> demand is at risk too.
    results = _results({"gtm_to_demand": "2", "demand_to_lead": "4", "lead_to_sales": "1"})
    first = act_first(results, None)
    assert (first.rule, first.key) == (UPSTREAM, "gtm_to_demand")
    assert "downstream depends on upstream" in first.reason


def test_a_handoff_rated_well_whose_figures_are_poor_is_a_blind_spot_and_wins():
    """The issue's case: the baton drops at demand -> lead, the funnel says lead -> sales is
    overrated and poor: the evidence wins."""
    results = _results({"gtm_to_demand": "4", "demand_to_lead": "2", "lead_to_sales": "4"})
    first = act_first(results, _health(lead_to_sales="poor"))
    assert (first.rule, first.key) == (BLIND_SPOT, "lead_to_sales")
    assert "rates it 75 of 100: a blind spot" in first.reason


def test_when_the_answers_and_the_figures_agree_it_says_so():
    results = _results({"gtm_to_demand": "4", "demand_to_lead": "2", "lead_to_sales": "4"})
    first = act_first(results, _health(demand_to_lead="poor"))
    assert (first.rule, first.key) == (AGREEMENT, "demand_to_lead")


def test_the_most_upstream_poor_handoff_comes_first_whatever_its_rating():
    results = _results({"gtm_to_demand": "3", "demand_to_lead": "2", "lead_to_sales": "4"})
    first = act_first(results, _health(gtm_to_demand="poor", lead_to_sales="poor"))
    assert (first.rule, first.key) == (EVIDENCE, "gtm_to_demand")


def test_healthy_figures_leave_the_questionnaire_to_decide():
    results = _results({"gtm_to_demand": "4", "demand_to_lead": "3", "lead_to_sales": "2"})
    first = act_first(results, _health(gtm_to_demand="healthy", lead_to_sales="healthy"))
    assert (first.rule, first.key) == (BATON_DROP, "lead_to_sales")


def test_without_answers_there_is_nothing_to_conclude():
    first = act_first(_results({}), None)
    assert (first.rule, first.handoff, first.headline) == (UNKNOWN, None, "")
