"""`{% load charts %}`: the charts' pieces drawn by lib.charts.draw (registered in the settings'
TEMPLATES libraries, as lib is no app)."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from lib.charts import draw

register = template.Library()


@register.simple_tag
def trend_chart(chart) -> SafeString:
    return draw.trend(chart)


@register.simple_tag
def chart_texts(chart) -> SafeString:
    return mark_safe(draw.texts(chart.texts))  # noqa: S308 - escaped by draw


@register.simple_tag
def chart_data_table(chart) -> SafeString:
    return mark_safe(draw.data_table(chart))  # noqa: S308 - escaped by draw


@register.simple_tag
def chart_phone_figures(chart) -> SafeString:
    return mark_safe(draw.phone_figures(chart))  # noqa: S308 - escaped by draw
