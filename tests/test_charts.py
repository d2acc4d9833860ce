"""Chart geometry (pure, no database) and the SVG partials that draw it."""

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from lib.charts import RadarAxis, RelayHandoff, TrendSeries, radar_chart, relay_chart, trend_chart
from lib.charts.radar import RADAR_CENTER, RADAR_RADIUS, radar_point
from lib.charts.svg import NAVY, STAGE_FILLS, Text, text_width, wrap_words
from lib.charts.trend import TREND_PLOT, trend_point, trend_x
from lib.maturity import LEVEL_NAMES

SVG = "{http://www.w3.org/2000/svg}"
CX, CY, R = RADAR_CENTER.x, RADAR_CENTER.y, RADAR_RADIUS

DIMENSIONS = [
    RadarAxis("People", 62.5, 75, 50),
    RadarAxis("Process", 45.4, 75, 40),
    RadarAxis("Buyer insights & content", 30, 75, 35.6),
    RadarAxis("Technology systems & data", None, 50, 20),
]
HANDOFFS = [
    RelayHandoff("gtm_to_demand", "GTM strategy → Demand gen", 55.4, False, False),
    RelayHandoff("demand_to_lead", "Demand gen → Lead gen", 31.7, True, True),
    RelayHandoff("lead_to_sales", "Lead gen → Sales-ready opportunities", None, False, False),
]


def points(text: str) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in text.split()]


def series(chart, key):
    return next((s for s in chart.series if s.key == key), None)


def assert_inside(texts, width, height):
    for text in texts:
        assert text.left >= 0 and text.right <= width, text
        assert text.size <= text.y <= height, text


def assert_apart(texts):
    """No two labels' boxes (estimated generously) overlap."""
    for a, b in itertools.combinations(texts, 2):
        apart_x = a.right <= b.left or b.right <= a.left
        apart_y = a.y <= b.y - b.size * 0.8 or b.y <= a.y - a.size * 0.8
        assert apart_x or apart_y, (a, b)


# ---- Text --------------------------------------------------------------------------------


def test_text_width_is_an_upper_bound_for_dejavu_sans():
    ttLib = pytest.importorskip("fontTools.ttLib")
    fonts = Path("/usr/share/fonts/truetype/dejavu")
    if not (fonts / "DejaVuSans.ttf").exists():
        pytest.skip("DejaVu Sans is not installed")
    samples = [*(d.label for d in DIMENSIONS), "Sales-ready opportunities", "Baton drop 100"]
    for file, bold in [("DejaVuSans.ttf", False), ("DejaVuSans-Bold.ttf", True)]:
        font = ttLib.TTFont(fonts / file)
        cmap, metrics, units = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        for sample in samples:
            actual = sum(metrics[cmap[ord(c)]][0] for c in sample) / units * 12
            assert actual <= text_width(sample, 12, bold=bold) <= actual * 1.25, sample


def test_words_wrap_to_the_room_given():
    assert wrap_words("Technology systems & data", 1000, 12) == ["Technology systems & data"]
    lines = wrap_words("Technology systems & data", 110, 12)
    assert len(lines) == 2
    assert all(text_width(line, 12) <= 110 for line in lines)
    assert wrap_words("Unbreakable", 10, 12) == ["Unbreakable"]


def test_a_text_knows_its_extent_from_its_anchor():
    assert Text("ab", 100, 20, 10, "start").left == 100
    assert Text("ab", 100, 20, 10, "end").right == 100
    middle = Text("ab", 100, 20, 10, "middle")
    assert middle.left == pytest.approx(100 - middle.width / 2)


# ---- Radar geometry ----------------------------------------------------------------------


def test_the_first_axis_points_up_and_values_scale_with_the_radius():
    point = radar_point(50, 0, 4)
    assert (point.x, point.y) == (pytest.approx(CX), pytest.approx(CY - R / 2))
    point = radar_point(25, 1, 4)
    assert (point.x, point.y) == (pytest.approx(CX + R / 4), pytest.approx(CY))


@pytest.mark.parametrize(
    ("position", "expected"),
    [(0, (CX, CY - R)), (1, (CX + R, CY)), (2, (CX, CY + R)), (3, (CX - R, CY))],
)
def test_axes_go_clockwise_from_the_top(position, expected):
    point = radar_point(100, position, 4)
    assert (point.x, point.y) == (pytest.approx(expected[0]), pytest.approx(expected[1]))


def test_no_index_is_drawn_at_the_centre_and_values_stay_on_the_scale():
    centre = radar_point(None, 2, 4)
    assert (centre.x, centre.y) == (CX, CY)
    assert radar_point(150, 0, 4).y == pytest.approx(CY - R)
    assert radar_point(-5, 0, 4).y == pytest.approx(CY)


def test_the_current_series_joins_the_values_in_order():
    chart = radar_chart(DIMENSIONS, title="Maturity")
    current = points(series(chart, "current").points)
    assert current == [
        pytest.approx((CX, CY - 0.625 * R), abs=0.06),
        pytest.approx((CX + 0.454 * R, CY), abs=0.06),
        pytest.approx((CX, CY + 0.3 * R), abs=0.06),
        (CX, CY),  # no index: at the centre
    ]
    # A marker for every dimension with an index, none for the one without.
    assert len(series(chart, "current").markers) == 3


def test_target_and_previous_are_dashed_outlines_drawn_under_the_current_series():
    chart = radar_chart(DIMENSIONS, title="Maturity", previous_label="2026-Q2")
    assert [s.key for s in chart.series] == ["previous", "target", "current"]
    assert series(chart, "target").dasharray and series(chart, "target").fill == "none"
    assert series(chart, "previous").dasharray and series(chart, "previous").name == "2026-Q2"
    assert points(series(chart, "target").points)[0] == pytest.approx((CX, CY - 0.75 * R), abs=0.06)


def test_there_is_no_previous_outline_without_a_previous_quarter():
    axes = [RadarAxis(d.label, d.value, d.target, None) for d in DIMENSIONS]
    chart = radar_chart(axes, title="Maturity", previous_label="2026-Q2")
    assert series(chart, "previous") is None
    assert [cell.text for cell in chart.table.headers] == ["Dimension", "Index", "Stage", "Target"]


def test_rings_mark_the_stage_boundaries():
    chart = radar_chart(DIMENSIONS, title="Maturity")
    assert [ring.value for ring in chart.rings] == [20, 40, 60, 80, 100]
    ring_40 = points(chart.rings[1].points)
    assert ring_40 == [
        pytest.approx((CX, CY - 0.4 * R)),
        pytest.approx((CX + 0.4 * R, CY)),
        pytest.approx((CX, CY + 0.4 * R)),
        pytest.approx((CX - 0.4 * R, CY)),
    ]


def test_the_table_shows_whole_numbers_and_says_what_is_missing():
    chart = radar_chart(DIMENSIONS, title="Maturity", previous_label="2026-Q2")
    rows = [[cell.text for cell in row] for row in chart.table.rows]
    assert rows == [
        ["People", "62", "Managed", "75", "50"],  # round(62.5) == 62, as round() does
        ["Process", "45", "Defined", "75", "40"],
        ["Buyer insights & content", "30", "Emerging", "75", "36"],
        ["Technology systems & data", "no index", "", "50", "20"],
    ]


def test_the_description_sums_the_data_up():
    chart = radar_chart(DIMENSIONS, title="Maturity", previous_label="2026-Q2")
    assert "People 62" in chart.description
    assert "Technology systems & data no index" in chart.description
    assert "weakest is Buyer insights & content" in chart.description
    assert "the target and 2026-Q2" in chart.description


def _both_layouts(chart):
    return [chart, chart.narrow]


def _ring_labels(chart):
    return [ring.label for ring in chart.rings if ring.label is not None]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 8])
def test_radar_labels_stay_inside_the_view_box_whatever_the_number_of_axes(count):
    names = ["Technology systems & data", "Buyer insights & content", "People", "Process"]
    axes = [RadarAxis(names[i % 4], 50, 75, 40) for i in range(count)]
    for chart in _both_layouts(radar_chart(axes, title="Maturity", previous_label="2026-Q2")):
        assert_inside(chart.texts, chart.width, chart.height)
        assert_inside(_ring_labels(chart), chart.width, chart.height)


def test_radar_labels_do_not_overlap_each_other():
    for chart in _both_layouts(radar_chart(DIMENSIONS, title="Maturity", previous_label="2026-Q2")):
        assert_apart([*chart.texts, *_ring_labels(chart)])


def test_the_phone_radar_is_the_same_chart_drawn_smaller_with_text_that_stays_readable():
    chart = radar_chart(DIMENSIONS, title="Maturity", previous_label="2026-Q2")
    narrow = chart.narrow
    assert narrow.width < chart.width and narrow.narrow is None
    assert narrow.table == chart.table and narrow.description == chart.description
    # Drawn about 310 px wide on a 390 px phone, so 12 units are 11 px or more there.
    scale = 310 / narrow.width
    assert min(text.size for text in [*narrow.texts, *_ring_labels(narrow)]) * scale >= 11
    # The same shape: each point at the same fraction of the radius.
    wide_current = points(series(chart, "current").points)
    narrow_current = points(series(narrow, "current").points)
    for (wx, wy), (nx, ny) in zip(wide_current, narrow_current, strict=True):
        assert (wx - CX) / R == pytest.approx((nx - narrow.center.x) / narrow.radius, abs=0.01)
        assert (wy - CY) / R == pytest.approx((ny - narrow.center.y) / narrow.radius, abs=0.01)


def test_ids_come_from_the_title_or_the_prefix_given():
    assert radar_chart(DIMENSIONS, title="Maturity by dimension").title_id == (
        "chart-maturity-by-dimension-title"
    )
    chart = radar_chart(DIMENSIONS, title="Maturity", id_prefix="q3-radar")
    assert (chart.title_id, chart.desc_id) == ("q3-radar-title", "q3-radar-desc")
    # The phone's twin is on the same page: ids of its own.
    assert chart.narrow.title_id == "q3-radar-narrow-title"


# ---- Relay geometry ----------------------------------------------------------------------


def test_the_relay_runs_left_to_right_upstream_first_whatever_the_order_given():
    chart = relay_chart(list(reversed(HANDOFFS)), title="Relay")
    assert [h.key for h in chart.handoffs] == ["gtm_to_demand", "demand_to_lead", "lead_to_sales"]
    assert [s.name for s in chart.stations] == [
        "GTM strategy",
        "Demand gen",
        "Lead gen",
        "Sales-ready opportunities",
    ]
    xs = [s.cx for s in chart.stations]
    assert xs == sorted(xs)
    for handoff, before, after in zip(chart.handoffs, xs, xs[1:], strict=False):
        bar_xs = [x for x, _ in points(handoff.shape)]
        assert before < min(bar_xs) < max(bar_xs) < after


def test_each_handoff_is_coloured_by_its_stage_and_shows_its_whole_index():
    chart = relay_chart(HANDOFFS, title="Relay")
    defined, emerging, _ = chart.handoffs
    assert (defined.stage_number, defined.fill) == (3, STAGE_FILLS[3])
    assert (emerging.stage_number, emerging.fill) == (2, STAGE_FILLS[2])
    shown = [t.text for t in chart.texts]
    assert "55" in shown and "32" in shown  # round(31.7)
    assert "55.4" not in shown and "31.7" not in shown


def test_an_at_risk_handoff_is_outlined_and_says_so():
    chart = relay_chart(HANDOFFS, title="Relay")
    assert [bool(h.risk_outline) for h in chart.handoffs] == [False, True, False]
    assert [t.text for t in chart.texts].count("At risk") == 1


def test_the_baton_drop_gets_the_tag():
    chart = relay_chart(HANDOFFS, title="Relay")
    assert [h.tag is not None for h in chart.handoffs] == [False, True, False]
    assert "Baton drop" in [t.text for t in chart.texts]
    assert "The baton drops at Demand gen → Lead gen." in chart.description


def test_a_handoff_without_an_index_shows_no_data():
    chart = relay_chart(HANDOFFS, title="Relay")
    missing = chart.handoffs[2]
    assert missing.stage_number is None and missing.dasharray
    assert "no data" in [t.text for t in chart.texts]
    assert [c.text for c in chart.table.rows[2]][1] == "no data"


def test_a_missing_handoff_is_shown_without_data():
    chart = relay_chart(HANDOFFS[:1], title="Relay")
    assert [h.index for h in chart.handoffs] == [55.4, None, None]
    assert chart.handoffs[2].name == "Lead gen → Sales-ready opportunities"


def test_the_relay_table_and_description():
    chart = relay_chart(HANDOFFS, title="Relay")
    rows = [[cell.text for cell in row] for row in chart.table.rows]
    assert rows == [
        ["GTM strategy → Demand gen", "55", "Defined", ""],
        ["Demand gen → Lead gen", "32", "Emerging", "Baton drop, At risk"],
        ["Lead gen → Sales-ready opportunities", "no data", "", ""],
    ]
    assert "Demand gen → Lead gen 32 (Emerging, at risk)" in chart.description


@pytest.mark.parametrize("index", [0, 12, 39.6, 55, 79.5, 100])
def test_relay_labels_stay_inside_and_apart(index):
    handoffs = [
        RelayHandoff("gtm_to_demand", "GTM strategy → Demand gen", index, index < 40, True),
        RelayHandoff("demand_to_lead", "Demand gen → Lead gen", 100, False, False),
        RelayHandoff("lead_to_sales", "Lead gen → Sales-ready", index, index < 40, False),
    ]
    chart = relay_chart(handoffs, title="Relay")
    assert_inside(chart.texts, chart.width, chart.height)
    assert_apart(chart.texts)


# ---- Rendering ---------------------------------------------------------------------------


def render(template, chart):
    html = render_to_string(f"charts/{template}", {"chart": chart})
    # Our own template's output: parsing it proves it well-formed, escaped, nothing unclosed.
    figure = ET.fromstring(html)  # noqa: S314
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    return html, figure, svg


CHARTS = [
    ("_radar.svg.html", lambda: radar_chart(DIMENSIONS, title="Maturity", previous_label="Q2")),
    ("_relay.svg.html", lambda: relay_chart(HANDOFFS, title="Relay")),
]


@pytest.mark.parametrize(("template", "make"), CHARTS)
def test_the_svg_is_labelled_by_its_title_and_description(template, make):
    chart = make()
    _, figure, svg = render(template, chart)
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert (title.text, desc.text) == (chart.title, chart.description)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert svg.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    # No style attribute, which the Content-Security-Policy would block: the figure's class
    # (charts.css) keeps the chart from growing past its drawn width.
    assert svg.get("width") == "100%" and svg.get("style") is None
    assert figure.find("details/summary").text == "Data table"


@pytest.mark.parametrize(("template", "make"), CHARTS)
def test_the_svg_keeps_to_what_weasyprint_draws(template, make):
    _, _, svg = render(template, make())
    allowed = {"title", "desc", "rect", "line", "polygon", "polyline", "circle", "path", "text"}
    for element in svg.iter():
        if element is svg:
            continue
        assert element.tag.removeprefix(SVG) in allowed
        assert not any("href" in name or name == "class" for name in element.attrib)


@pytest.mark.parametrize(("template", "make"), CHARTS)
def test_every_text_is_set_in_dejavu_and_stays_inside_the_view_box(template, make):
    chart = make()
    _, _, svg = render(template, chart)
    texts = svg.findall(f"{SVG}text")
    assert texts
    for element in texts:
        assert element.get("font-family") == "DejaVu Sans, sans-serif"
        text = Text(
            element.text,
            float(element.get("x")),
            float(element.get("y")),
            float(element.get("font-size")),
            element.get("text-anchor"),
            bold=element.get("font-weight") == "bold",
        )
        assert text.left >= 0 and text.right <= chart.width, element.text
        assert 0 < text.y <= chart.height, element.text


def test_the_radar_shows_the_data_and_escapes_names():
    chart = radar_chart(DIMENSIONS, title="Maturity", previous_label="Q2")
    html, figure, svg = render("_radar.svg.html", chart)
    assert "Buyer insights &amp; content" in html and "Buyer insights & content" not in html
    shown = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"Buyer insights & content", "62", "45", "30", "no index"} <= set(shown)
    cells = [cell.text for cell in figure.iter() if cell.tag in ("th", "td")]
    start = cells.index("Buyer insights & content")
    assert cells[start : start + 5] == ["Buyer insights & content", "30", "Emerging", "75", "36"]
    assert cells.count("no index") == 1


def test_the_relay_shows_the_data():
    _, figure, svg = render("_relay.svg.html", relay_chart(HANDOFFS, title="Relay"))
    shown = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"55", "32", "no data", "At risk", "Baton drop", "Lead gen"} <= set(shown)
    red_dashed = [
        p
        for p in svg.iter(f"{SVG}polygon")
        if p.get("stroke") == "#b42318" and p.get("stroke-dasharray")
    ]
    assert len(red_dashed) == 1
    cells = [cell.text for cell in figure.iter() if cell.tag in ("th", "td")]
    assert "Baton drop, At risk" in cells and "no data" in cells


def test_two_charts_on_one_page_have_distinct_ids():
    radar_html, *_ = render("_radar.svg.html", radar_chart(DIMENSIONS, title="Maturity"))
    relay_html, *_ = render("_relay.svg.html", relay_chart(HANDOFFS, title="Relay"))
    ids = re.findall(r'\bid="([^"]+)"', radar_html + relay_html)
    assert len(ids) == len(set(ids)) == 6  # the radar drawn twice (wide and narrow), the relay


@pytest.mark.parametrize(("template", "make"), CHARTS)
def test_no_locale_turns_a_coordinate_into_a_decimal_comma(template, make):
    with translation.override("de"):
        _, _, svg = render(template, make())
    for element in svg.iter():
        for name in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"):
            if name in element.attrib and element.attrib[name] != "100%":
                float(element.attrib[name])
        if "points" in element.attrib:
            points(element.attrib["points"])


# ---- Trend geometry ----------------------------------------------------------------------

QUARTERS = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
TREND = [
    TrendSeries("Overall", (31.2, 38.5, None, 47.9), emphasis=True),
    TrendSeries("People", (40, 45, None, 55)),
    TrendSeries("Technology systems & data", (None, 35, None, None)),
    TrendSeries("Lead gen → Sales-ready opportunities", (None, None, None, None)),
]
NOTES = ["Lead → Sales", None, None, "Demand → Lead"]
LONG_NAMES = [
    "Overall",
    "People",
    "Process",
    "Buyer insights & content",
    "Technology systems & data",
    "GTM strategy → Demand gen",
    "Demand gen → Lead gen",
    "Lead gen → Sales-ready opportunities",
]
PLOT_BOTTOM = TREND_PLOT.y + TREND_PLOT.height


def trend_line(chart, name):
    return next(line for line in chart.series if line.name == name)


def many_quarters(count: int):
    """`count` quarters from 2023-Q1, eight series of full names with values and gaps, notes."""
    quarters = [f"{2023 + i // 4}-Q{i % 4 + 1}" for i in range(count)]
    series = [
        TrendSeries(
            name,
            tuple(None if (i + j) % 5 == 4 else (i * 7 + j * 13) % 101 for i in range(count)),
            emphasis=j == 0,
        )
        for j, name in enumerate(LONG_NAMES)
    ]
    notes = [["Lead → Sales", "Demand → Lead", None][i % 3] for i in range(count)]
    return trend_chart(quarters, series, title="Trend", annotations=notes)


def test_the_scale_runs_from_0_at_the_bottom_of_the_plot_to_100_at_the_top():
    middle = TREND_PLOT.y + TREND_PLOT.height / 2
    assert trend_point(50, 0, 4).y == pytest.approx(middle)
    assert trend_point(0, 0, 4).y == pytest.approx(PLOT_BOTTOM)
    assert trend_point(100, 0, 4).y == pytest.approx(TREND_PLOT.y)
    assert trend_point(130, 0, 4).y == pytest.approx(TREND_PLOT.y)  # kept on the scale


@pytest.mark.parametrize("count", [2, 4, 8, 16])
def test_quarters_are_evenly_spaced_across_the_plot(count):
    xs = [trend_x(i, count) for i in range(count)]
    steps = {round(b - a, 1) for a, b in itertools.pairwise(xs)}
    assert len(steps) == 1
    assert TREND_PLOT.x < xs[0] and xs[-1] < TREND_PLOT.x + TREND_PLOT.width
    assert xs[0] - TREND_PLOT.x == pytest.approx(TREND_PLOT.x + TREND_PLOT.width - xs[-1])


def test_a_single_quarter_sits_in_the_middle():
    assert trend_x(0, 1) == pytest.approx(TREND_PLOT.x + TREND_PLOT.width / 2)


def test_each_series_joins_its_values_in_quarter_order():
    chart = trend_chart(QUARTERS[:2], [TrendSeries("People", (40, 45))], title="Trend")
    (segment,) = trend_line(chart, "People").segments
    assert points(segment) == [
        pytest.approx((trend_x(0, 2), trend_point(40, 0, 2).y), abs=0.06),
        pytest.approx((trend_x(1, 2), trend_point(45, 1, 2).y), abs=0.06),
    ]


def test_a_gap_splits_the_line_and_is_never_drawn_as_0():
    chart = trend_chart(
        ["Q1", "Q2", "Q3", "Q4", "Q5"], [TrendSeries("People", (40, 50, None, 60, 70))], title="T"
    )
    line = trend_line(chart, "People")
    assert len(line.segments) == 2
    assert [len(points(segment)) for segment in line.segments] == [2, 2]
    assert len(line.markers) == 4
    drawn = [p for segment in line.segments for p in points(segment)]
    assert trend_x(2, 5) not in [x for x, _ in drawn]
    assert all(y < PLOT_BOTTOM for _, y in drawn)


def test_a_value_alone_between_gaps_keeps_its_marker():
    chart = trend_chart(QUARTERS, TREND, title="Trend")
    technology = trend_line(chart, "Technology systems & data")
    assert technology.segments == ()
    assert [(m.x, m.y) for m in technology.markers] == [
        pytest.approx((trend_x(1, 4), trend_point(35, 1, 4).y), abs=0.06)
    ]


def test_a_series_without_any_value_draws_nothing_but_stays_in_the_table_and_legend():
    chart = trend_chart(QUARTERS, TREND, title="Trend")
    empty = trend_line(chart, "Lead gen → Sales-ready opportunities")
    assert (empty.segments, empty.markers) == ((), ())
    rows = [[cell.text for cell in row] for row in chart.table.rows]
    assert ["Lead gen → Sales-ready opportunities", "—", "—", "—", "—"] in rows
    assert "Lead gen → Sales-ready opportunities (no data)" in [t.text for t in chart.texts]
    assert "Lead gen → Sales-ready opportunities no data" in chart.description


def test_the_overall_line_is_navy_thicker_drawn_on_top_and_the_only_one_with_values():
    chart = trend_chart(QUARTERS, TREND, title="Trend")
    overall, people = trend_line(chart, "Overall"), trend_line(chart, "People")
    assert chart.series[-1] is overall
    assert overall.stroke == NAVY and overall.stroke_width > people.stroke_width
    values = [t.text for t in chart.texts if t.bold and t.fill == NAVY]
    assert values == ["31", "38", "48"]  # whole numbers; the gap has none
    assert len(chart.value_patches) == 3


def test_eight_series_get_eight_different_looks_from_the_palette():
    chart = many_quarters(4)
    looks = {(line.stroke, line.dasharray, line.shape) for line in chart.series}
    assert len(looks) == 8
    assert [line.stroke for line in chart.series].count(NAVY) == 1
    # Each legend key has the line's colour and dashes, and a marker of the line's shape.
    for key, marker, line in zip(chart.legend, chart.legend_markers, LONG_NAMES, strict=True):
        drawn = trend_line(chart, line)
        assert (key.stroke, key.dasharray) == (drawn.stroke, drawn.dasharray)
        assert (marker.fill, marker.shape) == (drawn.stroke, drawn.shape)


def test_the_stage_names_sit_in_their_bands_right_of_the_plot():
    chart = trend_chart(QUARTERS, TREND, title="Trend")
    for number, name in LEVEL_NAMES.items():
        label = next(t for t in chart.texts if t.text == name)
        assert label.left > TREND_PLOT.x + TREND_PLOT.width
        assert trend_point(number * 20, 0, 1).y < label.y < trend_point(number * 20 - 20, 0, 1).y
    assert [round(line.y1, 1) for line in chart.gridlines] == [
        round(trend_point(value, 0, 1).y, 1) for value in (20, 40, 60, 80, 100)
    ]


def test_the_trend_table_has_a_row_per_series_and_a_column_per_quarter():
    chart = trend_chart(QUARTERS, TREND, title="Trend")
    assert [cell.text for cell in chart.table.headers] == ["Series", *QUARTERS]
    rows = [[cell.text for cell in row] for row in chart.table.rows]
    assert rows[:3] == [
        ["Overall", "31", "38", "—", "48"],
        ["People", "40", "45", "—", "55"],
        ["Technology systems & data", "—", "35", "—", "—"],
    ]


def test_the_trend_description_sums_the_data_up():
    chart = trend_chart(QUARTERS, TREND, title="Trend", annotations=NOTES)
    assert "2025-Q4 to 2026-Q3" in chart.description
    assert "Overall from 31 in 2025-Q4 to 48 in 2026-Q3" in chart.description
    assert "Technology systems & data 35 in 2026-Q1" in chart.description
    assert "gap" in chart.description
    assert "2025-Q4 Lead → Sales; 2026-Q3 Demand → Lead" in chart.description


def test_annotations_sit_under_their_quarters_label():
    chart = trend_chart(QUARTERS, TREND, title="Trend", annotations=NOTES)
    for quarter, note in zip(QUARTERS, NOTES, strict=True):
        label = next(t for t in chart.texts if t.text == quarter)
        assert label.y > PLOT_BOTTOM
        if note:
            shown = next(t for t in chart.texts if t.text == note)
            assert shown.x == label.x and shown.y > label.y and shown.size < label.size


def test_every_series_and_the_annotations_need_one_value_per_quarter():
    with pytest.raises(ValueError):
        trend_chart(QUARTERS, [TrendSeries("People", (40, 45))], title="Trend")
    with pytest.raises(ValueError):
        trend_chart(QUARTERS, TREND, title="Trend", annotations=["Lead → Sales"])


@pytest.mark.parametrize("count", [1, 4, 8, 16])
def test_trend_labels_stay_inside_and_apart_with_eight_series(count):
    chart = many_quarters(count)
    assert_inside(chart.texts, chart.width, chart.height)
    assert_apart(chart.texts)
    assert len([t for t in chart.texts if re.fullmatch(r"\d{4}-Q\d", t.text)]) == count
    for key in chart.legend:
        assert key.box.x >= 0 and key.box.x + key.box.width <= chart.width
        assert key.box.y + key.box.height <= chart.height


def test_many_quarters_stagger_their_labels_with_longer_ticks_to_the_lower_row():
    chart = many_quarters(16)
    labels = [t for t in chart.texts if re.fullmatch(r"\d{4}-Q\d", t.text)]
    assert len({label.y for label in labels}) == 2
    assert labels[0].y < labels[1].y and labels[0].y == labels[2].y
    assert chart.ticks[1].y2 > chart.ticks[0].y2
    few = [t for t in many_quarters(4).texts if re.fullmatch(r"\d{4}-Q\d", t.text)]
    assert len({label.y for label in few}) == 1  # room enough: one row


def test_a_long_legend_wraps_onto_rows_and_the_chart_grows_for_them():
    short = trend_chart(QUARTERS, TREND[:2], title="Trend")
    long = many_quarters(4)
    assert len({key.box.y for key in short.legend}) == 1
    assert len({key.box.y for key in long.legend}) > 1
    assert long.height > short.height


# ---- Trend rendering ---------------------------------------------------------------------


def trend_sample():
    return trend_chart(QUARTERS, TREND, title="Trend over quarters", annotations=NOTES)


def test_the_trend_svg_is_labelled_and_keeps_to_what_weasyprint_draws():
    chart = trend_sample()
    _, figure, svg = render("_trend.svg.html", chart)
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert (title.text, desc.text) == (chart.title, chart.description)
    assert (title.get("id"), desc.get("id")) == (chart.title_id, chart.desc_id)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{chart.title_id} {chart.desc_id}"
    assert svg.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    assert figure.get("class") == "chart chart-trend"
    allowed = {"title", "desc", "rect", "line", "polygon", "polyline", "circle", "text"}
    for element in svg.iter():
        if element is not svg:
            assert element.tag.removeprefix(SVG) in allowed
            assert not any("href" in name or name == "class" for name in element.attrib)


def test_the_trend_draws_a_polyline_per_segment_and_a_marker_per_value():
    chart = trend_sample()
    _, _, svg = render("_trend.svg.html", chart)
    polylines = svg.findall(f"{SVG}polyline")
    assert len(polylines) == sum(len(line.segments) for line in chart.series) == 2
    assert polylines[-1].get("stroke") == NAVY  # the overall on top
    markers = [e for e in svg if e.tag in (f"{SVG}circle", f"{SVG}polygon")]
    assert len(markers) == 3 + 3 + 1 + len(chart.legend)  # overall, people, technology, legend


@pytest.mark.parametrize("count", [1, 4, 8, 16])
def test_every_trend_text_is_in_dejavu_inside_the_view_box(count):
    chart = many_quarters(count)
    _, _, svg = render("_trend.svg.html", chart)
    for element in svg.findall(f"{SVG}text"):
        assert element.get("font-family") == "DejaVu Sans, sans-serif"
        text = Text(
            element.text,
            float(element.get("x")),
            float(element.get("y")),
            float(element.get("font-size")),
            element.get("text-anchor"),
            bold=element.get("font-weight") == "bold",
        )
        assert text.left >= 0 and text.right <= chart.width, element.text
        assert text.size <= text.y <= chart.height, element.text


def test_the_trend_shows_the_data_annotations_and_escapes_names():
    html, figure, svg = render("_trend.svg.html", trend_sample())
    assert "Lead gen → Sales-ready opportunities" in html
    assert "Technology systems &amp; data" in html and "systems & data" not in html
    shown = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"2025-Q4", "Lead → Sales", "Demand → Lead", "31", "38", "48", "Defined"} <= set(shown)
    data_table = next(el for el in figure.iter() if el.get("class") == "chart-data")
    cells = [cell.text for cell in data_table.iter() if cell.tag in ("th", "td")]
    assert cells[:5] == ["Series", *QUARTERS]
    start = cells.index("Overall")
    assert cells[start : start + 5] == ["Overall", "31", "38", "—", "48"]
    assert cells.count("Lead gen → Sales-ready opportunities") == 1
    # A phone shows the same figures a quarter a row (charts.css hides the drawing there).
    phone = next(el for el in figure.iter() if el.get("class") == "chart-phone")
    rows = [[c.text for c in row if c.tag in ("th", "td")] for row in phone.iter("tr")]
    assert rows[0][:2] == ["Quarter", "Overall"] and [row[0] for row in rows[1:]] == QUARTERS
    assert [row[1] for row in rows[1:]] == ["31", "38", "—", "48"]


def test_no_locale_turns_a_trend_coordinate_into_a_decimal_comma():
    with translation.override("de"):
        _, _, svg = render("_trend.svg.html", trend_sample())
    for element in svg.iter():
        for name in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"):
            if name in element.attrib and element.attrib[name] != "100%":
                float(element.attrib[name])
        for name in ("points", "stroke-width", "fill-opacity"):
            if name == "points" and name in element.attrib:
                points(element.attrib[name])
            elif name in element.attrib:
                float(element.attrib[name])


def test_the_trend_ids_come_from_the_title_or_the_prefix_given():
    assert trend_sample().title_id == "chart-trend-over-quarters-title"
    chart = trend_chart(QUARTERS, TREND, title="Trend", id_prefix="client-7-trend")
    assert (chart.title_id, chart.desc_id) == ("client-7-trend-title", "client-7-trend-desc")


def test_a_trend_in_percent_has_no_stage_bands_or_names():
    chart = trend_chart(
        ["2026-Q1", "2026-Q2"],
        [TrendSeries("Win rate", (20.0, 25.0))],
        title="Rates",
        unit="percent",
    )
    texts = {text.text for text in chart.texts}
    assert chart.bands == () and "Managed" not in texts
    assert {"0%", "100%"} <= texts
    assert chart.description.startswith("Percent by quarter, 2026-Q1 to 2026-Q2: Win rate from 20%")
