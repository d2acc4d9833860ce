from django import template

from assessments.models import Choice, RespondentRole
from funnel import health
from funnel.kpis import KPI_UNITS
from lib.maturity import HANDOFF_NAMES, HANDOFF_SHORT_NAMES, stage_of

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    """{{ "customer_success"|role_label }} -> Customer success"""
    return RespondentRole(role).label if role in RespondentRole.values else role


@register.filter
def handoff_name(key: str) -> str:
    return HANDOFF_NAMES.get(key, key)


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
    return {
        "metrics": metrics,
        "rated_high_from": health.RATED_HIGH_FROM,
        "rated_low_below": health.RATED_LOW_BELOW,
        "boost": health.FUNNEL_BOOST,
        "healthy_from": health.HEALTHY_FROM,
        "fair_from": health.FAIR_FROM,
    }


def _threshold_text(key: str, value: float) -> str:
    if KPI_UNITS.get(key) == "days":
        return f"{value:g} days"
    return f"{value * 100:g}%"
