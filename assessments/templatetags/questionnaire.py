from django import template

from assessments.questionnaire import QuestionnaireLinks

register = template.Library()


@register.filter
def section_url(links: QuestionnaireLinks, section) -> str:
    """{{ links|section_url:item }}: where a section's link lands, the page holding its first
    unanswered question (its first page once every question is answered)."""
    return links.section(section.key, section.resume_page)


@register.simple_tag
def page_url(links: QuestionnaireLinks, section_key: str, page: int) -> str:
    """{% page_url links section.key 2 %}: the URL of one page of a section."""
    return links.section(section_key, page)
