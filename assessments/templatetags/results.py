from django import template

from assessments.models import Choice, RespondentRole
from assessments.scoring import HANDOFF_NAMES

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    """{{ "customer_success"|role_label }} -> Customer success"""
    return RespondentRole(role).label if role in RespondentRole.values else role


@register.filter
def handoff_name(key: str) -> str:
    return HANDOFF_NAMES.get(key, key)


SHORT_HANDOFF_NAMES = {
    "gtm_to_demand": "Strategy → Demand",
    "demand_to_lead": "Demand → Lead",
    "lead_to_sales": "Lead → Sales",
}


@register.filter
def handoff_short(key: str) -> str:
    return SHORT_HANDOFF_NAMES.get(key, key)


@register.filter
def choice_label(choice: str) -> str:
    return Choice(choice).label if choice in Choice.values else choice
