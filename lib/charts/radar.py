"""The radar of the dimensions: each axis a dimension, with target and previous quarter."""

import math
from dataclasses import dataclass, replace

from lib.charts.svg import (
    ACCENT,
    ACCENT_STRONG,
    MARGIN,
    MUTED,
    NAVY,
    NO_INDEX,
    PREVIOUS_GREY,
    RING_VALUES,
    Box,
    Cell,
    DataTable,
    LabelledChart,
    LegendKey,
    Line,
    Point,
    Text,
    chart_id_prefix,
    legend_row,
    stage_name,
    svg_points,
    text_width,
    whole,
    wrap_words,
)

# ---- The radar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RadarAxis:
    label: str  # dimension name, e.g. "Buyer insights & content"
    value: float | None  # index 0-100, None when the dimension has no index
    target: float | None  # target index 0-100 ((target_level - 1) / 4 * 100), None if unknown
    previous: float | None  # previous quarter's index, None if no previous quarter


@dataclass(frozen=True)
class Ring:
    """One ring of the grid, at a stage boundary (or 100), with its value as a small label."""

    value: int
    points: str
    label: Text | None  # None on a ring the layout leaves unlabelled
    label_box: Box | None  # a white patch under the label, so that no grid line crosses it


@dataclass(frozen=True)
class Series:
    key: str  # current | target | previous
    name: str
    points: str
    stroke: str
    fill: str = "none"
    fill_opacity: float = 0.0
    stroke_width: float = 1.75
    dasharray: str = ""  # "" for a solid line
    markers: tuple[Point, ...] = ()


@dataclass(frozen=True)
class RadarChart(LabelledChart):
    title: str
    description: str
    id_prefix: str
    width: int
    height: int
    center: Point
    radius: float
    rings: tuple[Ring, ...]
    axes: tuple[Line, ...]  # from the centre to 100, one per axis
    series: tuple[Series, ...]  # in drawing order: previous, target, current on top
    texts: tuple[Text, ...]  # axis labels and the legend's labels (ring labels are on rings)
    legend: tuple[LegendKey, ...]
    table: DataTable
    # The same radar laid out for a phone's width (NARROW), drawn there instead; None on the
    # narrow one itself.
    narrow: "RadarChart | None" = None


@dataclass(frozen=True)
class RadarLayout:
    """The radar's drawing size and its text sizes, in SVG units. The page draws the wide one
    and, for a phone, the narrow one at about its own size (so its text stays readable); the
    PDF draws the wide one."""

    width: int
    height: int
    center: Point
    radius: float
    label_gap: float  # between the outer ring and an axis label
    label_size: float
    value_size: float
    no_index_size: float  # "no index" in place of the value, in italics
    ring_label_size: float
    legend_size: float
    labelled_rings: tuple[int, ...] = RING_VALUES

    @property
    def legend_baseline(self) -> float:
        return self.height - 14


WIDE = RadarLayout(
    width=440,
    height=380,
    center=Point(220, 178),
    radius=110,
    label_gap=10,
    label_size=12,
    value_size=13,
    no_index_size=11,
    ring_label_size=9,
    legend_size=12,
)
# Drawn about 310 px wide on a 390 px phone: every text at least 12 units is at least 11 px
# there. The sideways labels need about 77 units beside the outer ring ("Technology" at 12),
# hence the smaller radius.
NARROW = RadarLayout(
    width=320,
    height=270,
    center=Point(160, 118),
    radius=70,
    label_gap=7,
    label_size=12,
    value_size=13,
    no_index_size=12,
    ring_label_size=12,
    legend_size=12,
    labelled_rings=(40, 80),  # at this size five labels would crowd the centre
)
RADAR_WIDTH, RADAR_HEIGHT = WIDE.width, WIDE.height
RADAR_CENTER, RADAR_RADIUS = WIDE.center, WIDE.radius


def radar_angle(position: int, count: int) -> float:
    """The angle of an axis in radians: the first points up, the others follow clockwise."""
    # SVG's y axis points down, so angles growing from -90° turn clockwise on the screen.
    return -math.pi / 2 + 2 * math.pi * position / count


def radar_point(
    value: float | None,
    position: int,
    count: int,
    *,
    center: Point = WIDE.center,
    radius: float = WIDE.radius,
) -> Point:
    """Where `value` (0-100, clamped; None counts as 0) sits on axis `position` of `count`."""
    r = max(0.0, min(100.0, value or 0.0)) / 100 * radius
    angle = radar_angle(position, count)
    return Point(round(center.x + r * math.cos(angle), 2), round(center.y + r * math.sin(angle), 2))


def _ring(value: int, count: int, layout: RadarLayout) -> Ring:
    def point(value, position, count):
        return radar_point(value, position, count, center=layout.center, radius=layout.radius)

    if count >= 3:
        points = [point(value, i, count) for i in range(count)]
    else:
        # With fewer than three axes a polygon is a line or a dot: the ring is a circle.
        points = [point(value, i, 72) for i in range(72)]
    # The scale reads up the first axis, on white patches that break the grid lines; the data
    # is drawn over it.
    if value not in layout.labelled_rings:
        return Ring(value, svg_points(points), None, None)
    spot, size = point(value, 0, 1), layout.ring_label_size
    label = Text(str(value), spot.x, spot.y + size * 0.36, size, "middle", MUTED)
    box = Box(label.left - 2, spot.y - size * 0.6, label.width + 4, size * 1.2)
    return Ring(value, svg_points(points), label, box)


def _axis_label(axis: RadarAxis, position: int, count: int, layout: RadarLayout) -> list[Text]:
    """The dimension's name and its current index, just beyond the end of its axis."""
    angle = radar_angle(position, count)
    cos, sin = math.cos(angle), math.sin(angle)
    center, width, size = layout.center, layout.width, layout.label_size
    anchor_x = center.x + (layout.radius + layout.label_gap) * cos
    anchor_y = center.y + (layout.radius + layout.label_gap) * sin
    if cos > 0.3:
        anchor, room = "start", width - MARGIN - anchor_x
    elif cos < -0.3:
        anchor, room = "end", anchor_x - MARGIN
    else:
        anchor, room = "middle", width - 2 * MARGIN
    lines = wrap_words(axis.label, room, size)
    value_size = layout.value_size if axis.value is not None else layout.no_index_size
    heights = [size * 1.2] * len(lines) + [value_size * 1.25]
    # Above the end of an axis that points up, below one that points down, centred beside one
    # that points sideways, and in proportion in between; never into the margin or the legend.
    top = anchor_y - sum(heights) * (1 - sin) / 2
    top = max(MARGIN, min(top, layout.legend_baseline - 24 - sum(heights)))
    if anchor == "middle":
        half = max(text_width(line, size) for line in lines) / 2 + MARGIN
        anchor_x = max(half, min(anchor_x, width - half))
    texts = []
    for line in lines:
        texts.append(Text(line, anchor_x, top + size, size, anchor, NAVY))
        top += size * 1.2
    baseline = top + value_size
    if axis.value is None:
        texts.append(Text(NO_INDEX, anchor_x, baseline, value_size, anchor, MUTED, italic=True))
    else:
        value = whole(axis.value)
        texts.append(Text(value, anchor_x, baseline, value_size, anchor, ACCENT_STRONG, bold=True))
    return texts


def _radar_description(axes: list[RadarAxis], previous_name: str) -> str:
    if not axes:
        return "There are no dimensions to chart."
    values = ", ".join(f"{axis.label} {whole(axis.value, NO_INDEX)}" for axis in axes)
    sentence = f"Index out of 100 for each dimension: {values}."
    details = []
    scored = [axis for axis in axes if axis.value is not None]
    if len(scored) > 1:
        weakest = min(scored, key=lambda axis: axis.value)
        details.append(f"The weakest is {weakest.label}")
    outlines = []
    if any(axis.target is not None for axis in axes):
        outlines.append("the target")
    if any(axis.previous is not None for axis in axes):
        outlines.append(previous_name)
    if outlines:
        verb = "dashed outlines show" if details else "Dashed outlines show"
        details.append(f"{verb} {' and '.join(outlines)}")
    return f"{sentence} {'; '.join(details)}." if details else sentence


def radar_chart(
    axes: list[RadarAxis],
    *,
    title: str,
    previous_label: str | None = None,
    id_prefix: str | None = None,
) -> RadarChart:
    """The dimensions as a radar: the current index filled, target and previous outlined.

    Rings mark the stage boundaries (20, 40, 60, 80) and 100. A dimension without an index is
    drawn at 0 and reads "no index" in its label and in the table. The outline of the target,
    and of the previous quarter (named `previous_label`), appear only when they have a value.
    `id_prefix` makes the SVG's ids unique on a page; by default it comes from the title.
    The chart carries its phone-width twin as `narrow`.
    """
    previous_name = previous_label or "Previous quarter"
    id_prefix = chart_id_prefix(title, id_prefix)
    wide = _draw_radar(axes, title, previous_name, id_prefix, WIDE)
    narrow = _draw_radar(axes, title, previous_name, f"{id_prefix}-narrow", NARROW)
    return replace(wide, narrow=narrow)


def _draw_radar(
    axes: list[RadarAxis], title: str, previous_name: str, id_prefix: str, layout: RadarLayout
) -> RadarChart:
    count = len(axes)
    has_target = any(axis.target is not None for axis in axes)
    has_previous = any(axis.previous is not None for axis in axes)

    def point(value: float | None, position: int) -> Point:
        return radar_point(value, position, count, center=layout.center, radius=layout.radius)

    def outline(attribute: str) -> str:
        return svg_points([point(getattr(a, attribute), i) for i, a in enumerate(axes)])

    series = []
    if has_previous:
        series.append(
            Series("previous", previous_name, outline("previous"), PREVIOUS_GREY, dasharray="3 3")
        )
    if has_target:
        series.append(Series("target", "Target", outline("target"), NAVY, dasharray="7 4"))
    if count:
        markers = tuple(point(a.value, i) for i, a in enumerate(axes) if a.value is not None)
        series.append(
            Series(
                "current",
                "Current",
                outline("value"),
                ACCENT,
                fill=ACCENT,
                fill_opacity=0.2,
                stroke_width=2.5,
                markers=markers,
            )
        )

    legend_items = [(LegendKey("box", Box(0, 0, 16, 12), ACCENT, 0.2, ACCENT, 2), "Current")]
    if has_target:
        swatch = LegendKey(
            "line", Box(0, 0, 24, 12), stroke=NAVY, stroke_width=1.75, dasharray="7 4"
        )
        legend_items.append((swatch, "Target"))
    if has_previous:
        swatch = LegendKey(
            "line", Box(0, 0, 24, 12), stroke=PREVIOUS_GREY, stroke_width=1.75, dasharray="3 3"
        )
        legend_items.append((swatch, previous_name))
    legend, legend_texts = legend_row(
        legend_items,
        center_x=layout.width / 2,
        baseline=layout.legend_baseline,
        size=layout.legend_size,
    )

    headers = [Cell("Dimension"), Cell("Index", True), Cell("Stage"), Cell("Target", True)]
    if has_previous:
        headers.append(Cell(previous_name, True))
    rows = []
    for axis in axes:
        row = [
            Cell(axis.label),
            Cell(whole(axis.value, NO_INDEX), True),
            Cell(stage_name(axis.value)),
            Cell(whole(axis.target), True),
        ]
        if has_previous:
            row.append(Cell(whole(axis.previous), True))
        rows.append(tuple(row))

    center = layout.center
    ends = [point(100, i) for i in range(count)]
    axis_texts = [
        text for i, axis in enumerate(axes) for text in _axis_label(axis, i, count, layout)
    ]
    return RadarChart(
        title=title,
        description=_radar_description(axes, previous_name),
        id_prefix=id_prefix,
        width=layout.width,
        height=layout.height,
        center=center,
        radius=layout.radius,
        rings=tuple(_ring(value, count, layout) for value in RING_VALUES),
        axes=tuple(Line(center.x, center.y, end.x, end.y) for end in ends),
        series=tuple(series),
        texts=tuple(axis_texts + legend_texts),
        legend=tuple(legend),
        table=DataTable(title, tuple(headers), tuple(rows)),
    )
