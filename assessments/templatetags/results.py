from collections import Counter
from datetime import date

from django import template

from assessments.anonymity import FOLDED_ROLE, FOLDED_ROLE_LABEL
from assessments.models import Choice, RespondentRole
from assessments.scoring import (
    ALIGNMENT_GAP,
    BATON_DROP_BOOST,
    CONFIDENCE_LABELS,
    DEFAULT_TARGET,
    DISAGREEMENT_SPREAD,
)
from bank.models import RUNG_LEVELS
from funnel import health
from funnel.kpis import (
    DEFAULT_DISCOUNT_RATE,
    KPI_UNITS,
    MAX_DISCOUNT_RATE,
    rate_text,
)
from funnel.signs import SIGNS
from lib.maturity import (
    AT_RISK_BELOW,
    DIMENSION_NAMES,
    HANDOFF_NAMES,
    HANDOFF_SHORT_NAMES,
    LEVEL_NAMES,
    STAGE_UPPER_BOUNDS,
    stage_of,
)

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """{{ texts|get_item:key }}: a dictionary's value for a key held in a variable."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def role_label(role: str) -> str:
    """{{ "customer_success"|role_label }} -> Customer success"""
    if role == FOLDED_ROLE:
        return FOLDED_ROLE_LABEL
    return RespondentRole(role).label if role in RespondentRole.values else role


@register.filter
def handoff_name(key: str) -> str:
    return HANDOFF_NAMES.get(key, key)


@register.filter
def as_reported(kpi, options) -> str:
    """{{ kpi|as_reported:options }}: a KPI as the report writes it, in the report options'
    number format and currency: "€42.000"."""
    return options.show_kpi(kpi)


@register.filter
def dimension_name(key: str) -> str:
    return DIMENSION_NAMES.get(key, key)


@register.filter
def handoff_short(key: str) -> str:
    return HANDOFF_SHORT_NAMES.get(key, key)


@register.filter
def choice_label(choice: str) -> str:
    return Choice(choice).label if choice in Choice.values else choice


@register.filter
def stage_name(index: float | None) -> str:
    """{{ 55.2|stage_name }} -> Defined"""
    return "" if index is None else stage_of(index).name


@register.filter
def handoff_short_or_blank(key: str) -> str:
    return HANDOFF_SHORT_NAMES.get(key, "")


@register.simple_tag
def funnel_methodology() -> dict:
    """The funnel rules as the methodology page and the report state them (from the code)."""
    metrics = [
        {
            "handoff": HANDOFF_NAMES[handoff],
            "label": health.THRESHOLD_LABELS[key],
            "poor": _threshold_text(key, health.DEFAULT_THRESHOLDS[key].poor),
            "healthy": _threshold_text(key, health.DEFAULT_THRESHOLDS[key].healthy),
            "lower_is_better": not health.DEFAULT_THRESHOLDS[key].higher_is_better,
        }
        for handoff, keys in health.HANDOFF_METRICS.items()
        for key in keys
    ]
    signs = [
        {
            "name": sign.name,
            "meaning": sign.meaning,
            "handoff": HANDOFF_NAMES[sign.handoff],
            "figures": [health.THRESHOLD_LABELS[key] for key in sign.metrics],
        }
        for sign in SIGNS
    ]
    return {
        "metrics": metrics,
        "signs": signs,
        "rated_high_from": health.RATED_HIGH_FROM,
        "rated_low_below": health.RATED_LOW_BELOW,
        "boost": health.FUNNEL_BOOST,
        "healthy_from": health.HEALTHY_FROM,
        "fair_from": health.FAIR_FROM,
        "default_discount_rate": rate_text(DEFAULT_DISCOUNT_RATE),
        "max_discount_rate": rate_text(MAX_DISCOUNT_RATE),
    }


def _threshold_text(key: str, value: float) -> str:
    if KPI_UNITS.get(key) == "days":
        return f"{value:g} days"
    return f"{value * 100:g}%"


# ---- Figures in words (no raw scores on screens and reports) -------------------------------

STRENGTH_WORDS = {1: "low", 2: "medium", 3: "high"}


@register.filter
def strength(value: int) -> str:
    """An impact or effort 1-3 in words: {{ r.impact|strength }} -> high"""
    return STRENGTH_WORDS.get(value, "")


@register.filter
def level_name(level: int) -> str:
    """{{ 3|level_name }} -> Defined"""
    return LEVEL_NAMES.get(level, "")


# The priority words by rank: the first, the next two, up to the tenth, the rest.
PRIORITY_RANKS = ((1, "Highest priority"), (3, "High priority"), (10, "Medium priority"))


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
_ORDINALS += ("ninth", "tenth", "eleventh", "twelfth")


def _priority_sentence() -> str:
    """ "“highest priority” for the first, “high priority” to the third, …" """
    parts = [
        f"“{words.lower()}” {'for' if last == 1 else 'to'} the {_ORDINALS[last - 1]}"
        for last, words in PRIORITY_RANKS
    ]
    return ", ".join(parts) + " and “lower priority” for the rest"


@register.simple_tag
def priority_words(recommendation, recommendations) -> str:
    """A recommendation's priority as its rank in words (the figure is in the exports)."""
    rank = next((n for n, r in enumerate(recommendations, 1) if r is recommendation), None)
    if rank is None:
        return ""
    return next((words for last, words in PRIORITY_RANKS if rank <= last), "Lower priority")


@register.filter
def confidence_words(confidence) -> str:
    """ "High confidence", or what lowers it: "Low confidence: 6 of 10 answers given"."""
    if confidence is None:
        return ""
    words = f"{confidence.label.capitalize()} confidence"
    if confidence.label == "high":
        return words
    reasons = []
    if confidence.levels < confidence.expected:
        reasons.append(f"{confidence.levels} of {confidence.expected} answers given")
    if confidence.agreement < 1:
        reasons.append("respondents disagree" if confidence.agreement < 0.75 else "some spread")
    return f"{words}: {', '.join(reasons)}" if reasons else words


@register.simple_tag
def scoring_methodology() -> dict:
    """The scoring's constants as the methodology page states them (from the code, so the page
    cannot drift from what is computed: tests/test_methodology.py checks every one)."""
    return {
        "stage_bounds": STAGE_UPPER_BOUNDS,
        "at_risk_below": AT_RISK_BELOW,
        "disagreement_spread": DISAGREEMENT_SPREAD,
        "alignment_gap": ALIGNMENT_GAP,
        "baton_drop_boost": f"{BATON_DROP_BOOST:g}",
        "default_target": DEFAULT_TARGET,
        "high_confidence": f"{float(CONFIDENCE_LABELS[0][0]):g}",
        "medium_confidence": f"{float(CONFIDENCE_LABELS[1][0]):g}",
        "rung_levels": RUNG_LEVELS,
        "top_level": max(LEVEL_NAMES),
        "roles": [str(role.label).lower() for role in RespondentRole],
        "priority_ranks": _priority_sentence(),
    }


@register.filter
def levels_given(question) -> list[tuple[str, int, int]]:
    """A question's levels as (role, level, how many gave it), by role then level: a chip per
    role and level rather than per answer, so the alignment table does not grow with the
    number of respondents."""
    return [
        (role, level, count)
        for role, levels in question.levels_by_role
        for level, count in sorted(Counter(levels).items())
    ]


@register.filter
def iso_date(text: str):
    """A date kept as text in ISO form ("2026-08-13") as a date, for the `date` filter; the
    text itself when it is not one."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return text
