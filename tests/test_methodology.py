"""The methodology page states every rule the code applies: each constant the scoring, the
funnel check and the headline use appears on it, taken from the code itself."""

import re

import pytest
from django.urls import reverse

from assessments import scoring
from bank.models import RUNG_LEVELS
from funnel import health
from lib import maturity

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client) -> str:
    html = client.get(reverse("assessments:methodology")).content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _number(value) -> str:
    return f"{float(value):g}"


def test_every_scoring_constant_is_stated(page):
    for bound in maturity.STAGE_UPPER_BOUNDS:
        assert f"below {bound}" in page, bound
    assert f"below {maturity.AT_RISK_BELOW} is at risk" in page
    assert f"spread of {scoring.DISAGREEMENT_SPREAD} or more is a disagreement" in page
    assert f"{scoring.ALIGNMENT_GAP} points or more" in page
    assert f"({_number(scoring.BATON_DROP_BOOST)} if the question is tagged" in page
    assert f"{scoring.DEFAULT_TARGET} by default" in page
    for threshold, label in scoring.CONFIDENCE_LABELS[:2]:
        assert f"{label} from {_number(threshold)}" in page, label
    assert "level 4 is an index of 75" in page and scoring.level_index(4) == 75


def test_the_ladder_dont_know_roles_and_partial_indexes_are_stated(page):
    assert f"({', '.join(str(level) for level in RUNG_LEVELS)};" in page
    assert "rounded down, so a company at 3.4 is told how to reach 4" in page
    assert "Not applicable or Don’t know" in page and "left out of the confidence" in page
    assert "customer success" in page
    assert "marked partial" in page
    assert "preliminary" in page


def test_the_funnel_weighting_and_the_act_first_rule_are_stated(page):
    assert f"multiplied by {_number(health.FUNNEL_BOOST)}" in page
    assert f"healthy from {health.HEALTHY_FROM}" in page and f"fair from {health.FAIR_FROM}" in page
    assert f"high ({health.RATED_HIGH_FROM} or more)" in page
    assert "Measured evidence first" in page and "Otherwise, upstream first" in page
    assert "Exact values" in page


def test_the_priority_words_by_rank_are_stated_and_applied(page):
    from assessments.templatetags.results import PRIORITY_RANKS, priority_words

    assert "“highest priority” for the first, “high priority” to the third" in page
    assert "“medium priority” to the tenth" in page
    ranked = [object() for _ in range(12)]
    words = [priority_words(r, ranked) for r in ranked]
    assert words[0] == "Highest priority" and words[1:3] == ["High priority"] * 2
    assert words[3:10] == ["Medium priority"] * 7 and words[10:] == ["Lower priority"] * 2
    assert PRIORITY_RANKS[-1][0] == 10
