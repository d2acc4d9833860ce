from django import template

from assessments.questionnaire import QuestionnaireLinks

register = template.Library()


@register.filter
def section_url(links: QuestionnaireLinks, section_key: str) -> str:
    """{{ links|section_url:section.key }}: the URL of one section of the questionnaire."""
    return links.section(section_key)
