from django import template

from assessments.models import Choice, RespondentRole
from assessments.scoring import HANDOFF_NAMES, HANDOFF_SHORT_NAMES, stage_of

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
