"""lib.charts.draw writes the charts' markup in Python: well-formed, and every text escaped."""

import xml.etree.ElementTree as ET

from lib.charts import draw
from lib.charts.svg import Cell, DataTable, Text
from lib.charts.trend import TrendSeries, trend_chart


def test_texts_are_escaped_and_keep_their_attributes():
    markup = draw.texts([Text("Sales <& Marketing>", 10.25, 20, 9, anchor="end", bold=True)])
    element = ET.fromstring(markup)  # noqa: S314 - our own markup
    assert element.text == "Sales <& Marketing>"
    assert element.attrib["x"] == "10.2" and element.attrib["text-anchor"] == "end"
    assert element.attrib["font-weight"] == "bold" and element.attrib["font-size"] == "9"


def test_a_table_heads_its_rows_and_marks_numbers():
    table = DataTable(
        'Figures of "Acme" & co',
        (Cell("Quarter"), Cell("Overall", True)),
        ((Cell("2026-Q1"), Cell("54", True)),),
    )
    element = ET.fromstring(draw.table(table))  # noqa: S314
    assert element.find("caption").text == 'Figures of "Acme" & co'
    assert [th.attrib for th in element.iter("th")] == [
        {"scope": "col"},
        {"scope": "col", "class": "num"},
        {"scope": "row"},
    ]
    assert element.find("tbody/tr/td").attrib == {"class": "num"}


def test_the_trend_is_one_well_formed_figure_with_a_line_per_series():
    chart = trend_chart(
        ["2026-Q1", "2026-Q2", "2026-Q3"],
        [
            TrendSeries("Overall", (40.0, 48.5, 55.0), emphasis=True),
            TrendSeries("People <core>", (30.0, None, 45.0)),
        ],
        title="Acme & Co: indexes",
    )
    figure = ET.fromstring(draw.trend(chart))  # noqa: S314
    svg = figure.find("{http://www.w3.org/2000/svg}svg")
    assert svg.find("{http://www.w3.org/2000/svg}title").text == "Acme & Co: indexes"
    # The overall line is one unbroken polyline; People's gap leaves it without one.
    assert len(svg.findall("{http://www.w3.org/2000/svg}polyline")) == 1
    assert figure.find("div/table") is not None and figure.find("details/table") is not None
