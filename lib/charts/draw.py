"""The markup of what the charts draw most of: their texts, their data tables and the whole
trend chart, written in Python.

The geometry is computed in the chart modules; this only writes it down. The trend chart is
drawn on every client page, funnel page and report, and a template spends about a tenth of a
millisecond per element on it: a chart of eight lines over eight quarters has hundreds of
elements, which made the template two fifths of the client page's time. Written here it costs
a fraction of that. Numbers are written with str(), never localized, so that no locale can turn
a coordinate's decimal point into a comma; every text is escaped.
"""

from collections.abc import Iterable
from html import escape as _escape_text

from django.utils.safestring import SafeString, mark_safe

from lib.charts.svg import FONT_FAMILY, DataTable, Text


def escape(value) -> str:
    """A text or an attribute's value, escaped; a number needs none. (The standard library's
    escape: Django's also marks each result safe, which a chart's thousands of values pay for.)"""
    if isinstance(value, int | float):
        return str(value)
    return _escape_text(str(value))


def _attrs(**values) -> str:
    """name="value" pairs, in order; a name's underscores become hyphens."""
    return "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in values.items())


def texts(items: "Iterable[Text]") -> str:
    return "".join(
        f"<text{_attrs(x=t.x, y=t.y, text_anchor=t.anchor, font_family=FONT_FAMILY)}"
        f"{_attrs(font_size=t.size, font_weight=t.weight, font_style=t.style, fill=t.fill)}>"
        f"{escape(t.text)}</text>\n"
        for t in items
    )


def _cell(cell, *, tag: str, scope: str = "", numeric: bool | None = None) -> str:
    scope_attr = f' scope="{scope}"' if scope else ""
    numeric = ' class="num"' if (cell.numeric if numeric is None else numeric) else ""
    return f"<{tag}{scope_attr}{numeric}>{escape(cell.text)}</{tag}>"


def table(data: DataTable) -> str:
    headers = "".join(_cell(cell, tag="th", scope="col") for cell in data.headers)
    rows = "".join(
        "<tr>"
        + _cell(row[0], tag="th", scope="row", numeric=False)  # a row's header, never a figure
        + "".join(_cell(cell, tag="td") for cell in row[1:])
        + "</tr>\n"
        for row in data.rows
    )
    return (
        f"<table>\n<caption>{escape(data.caption)}</caption>\n"
        f"<thead>\n<tr>{headers}</tr>\n</thead>\n<tbody>\n{rows}</tbody>\n</table>"
    )


def data_table(chart) -> str:
    return (
        '<details class="chart-data">\n<summary>Data table</summary>\n'
        f"{table(chart.table)}\n</details>"
    )


def phone_figures(chart) -> str:
    # On a phone the drawing would shrink past reading: its figures, as a list, instead (the
    # one copy there: the drawing and its collapsed data table are hidden; charts.css).
    return f'<div class="chart-phone">\n{table(chart.phone_table)}\n</div>'


# ---- The trend -----------------------------------------------------------------------------


def _marker(marker) -> str:
    if marker.hollow:
        paint = _attrs(fill="#ffffff", stroke=marker.fill, stroke_width=2)
    else:
        paint = _attrs(fill=marker.fill, stroke="#ffffff", stroke_width=1)
    if marker.shape == "circle":
        return f"<circle{_attrs(cx=marker.x, cy=marker.y, r=marker.size)}{paint}/>\n"
    return f'<polygon{_attrs(points=marker.points)}{paint} stroke-linejoin="round"/>\n'


def _series(line) -> str:
    dashes = _attrs(stroke_dasharray=line.dasharray) if line.dasharray else ""
    polylines = "".join(
        f'<polyline{_attrs(points=points)} fill="none"'
        f"{_attrs(stroke=line.stroke, stroke_width=line.stroke_width)}"
        f' stroke-linejoin="round" stroke-linecap="round"{dashes}/>\n'
        for points in line.segments
    )
    return polylines + "".join(_marker(marker) for marker in line.markers)


def _line(line, *, stroke: str) -> str:
    return f"<line{_attrs(x1=line.x1, y1=line.y1, x2=line.x2, y2=line.y2)}" + (
        f'{_attrs(stroke=stroke)} stroke-width="1"/>\n'
    )


def _rect(box, fill: str, extra: str = "") -> str:
    return f"<rect{_attrs(x=box.x, y=box.y, width=box.width, height=box.height)}{extra}" + (
        f"{_attrs(fill=fill)}/>\n"
    )


def _legend_line(key) -> str:
    line = key.line
    dashes = _attrs(stroke_dasharray=key.dasharray) if key.dasharray else ""
    return (
        f"<line{_attrs(x1=line.x1, y1=line.y1, x2=line.x2, y2=line.y2)}"
        f"{_attrs(stroke=key.stroke, stroke_width=key.stroke_width)}{dashes}/>\n"
    )


def trend(chart) -> SafeString:
    """The whole <figure> of a lib.charts.trend.TrendChart: the drawing, the phone's figures
    and the data table."""
    svg = [
        f'<svg width="100%"{_attrs(viewBox=f"0 0 {chart.width} {chart.height}")}',
        f"{_attrs(role='img', aria_labelledby=f'{chart.title_id} {chart.desc_id}')}",
        f' xmlns="http://www.w3.org/2000/svg"{_attrs(font_family=FONT_FAMILY)}>\n',
        f"<title{_attrs(id=chart.title_id)}>{escape(chart.title)}</title>\n",
        f"<desc{_attrs(id=chart.desc_id)}>{escape(chart.description)}</desc>\n",
        f'<rect x="0" y="0"{_attrs(width=chart.width, height=chart.height)} fill="#ffffff"/>\n',
        *(_rect(band, "#f3f5f8") for band in chart.bands),
        *(_line(line, stroke="#d9dee5") for line in chart.gridlines),
        *(_line(tick, stroke="#b7c0cc") for tick in chart.ticks),
        _line(chart.axis, stroke="#b7c0cc"),
        *(_series(line) for line in chart.series if not line.emphasis),
        *(_rect(patch, "#ffffff", ' rx="2" fill-opacity="0.8"') for patch in chart.value_patches),
        *(_series(line) for line in chart.series if line.emphasis),
        *(_legend_line(key) for key in chart.legend),
        *(_marker(marker) for marker in chart.legend_markers),
        texts(chart.texts),
        "</svg>",
    ]
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<figure class="chart chart-trend">\n{"".join(svg)}\n'
        f"{phone_figures(chart)}\n{data_table(chart)}\n</figure>"
    )
