"""Chart geometry: the radar of the dimensions and the relay of the three handoffs.

Pure code, like scoring: plain values in, frozen dataclasses out; no ORM, no request. The SVG
partials in templates/assessments/charts/ only loop over what these functions return, so the
results page and the WeasyPrint PDF draw exactly the same picture.

Both renderers must agree, so the geometry keeps to what WeasyPrint draws: basic shapes and
<text> with an explicit font and a computed baseline (WeasyPrint ignores `dominant-baseline`);
no CSS, no transforms. WeasyPrint also clips text at the edge of the viewBox, so every label is
measured with `text_width` (an upper bound for DejaVu Sans, the font the PDF uses and about the
widest of the usual sans-serif fonts) and wrapped or moved to stay inside.
"""

import math
from dataclasses import dataclass, replace

from django.utils.text import slugify

from assessments.scoring import HANDOFF_NAMES, HANDOFF_ORDER, LEVEL_NAMES, stage_of

FONT_FAMILY = "DejaVu Sans, sans-serif"
MARGIN = 6  # no text comes closer than this to the edge of the viewBox

# The house colours (static/css/relay.css): SVG attributes cannot read CSS variables.
INK = "#17212e"
NAVY = "#16324f"
ACCENT = "#1f5fa8"
ACCENT_STRONG = "#174a85"
BATON = "#f08a3c"
DANGER = "#b42318"
MUTED = "#556070"
LINE = "#d9dee5"
LINE_STRONG = "#b7c0cc"
PREVIOUS_GREY = "#7b8594"
WHITE = "#ffffff"

# Stages 1 to 5, pale red to dark green. Luminance falls at every step (greys 217, 186, 164,
# 141, 102), so a greyscale print keeps the order, and the text on each fill has at least 4.5:1
# contrast. The index is always printed on the bar: colour is never the only cue.
STAGE_FILLS = {1: "#fbd0cc", 2: "#f2ab88", 3: "#c7a132", 4: "#4c9e68", 5: "#067647"}
STAGE_TEXT = {1: INK, 2: INK, 3: INK, 4: INK, 5: WHITE}
STAGE_LEGEND = {
    1: "Ad hoc <20",
    2: "Emerging 20+",
    3: "Defined 40+",
    4: "Managed 60+",
    5: "Optimized 80+",
}

RING_VALUES = (20, 40, 60, 80, 100)  # the stage boundaries, and the edge of the scale
NO_DATA = "no data"
NO_INDEX = "no index"


# ---- Text --------------------------------------------------------------------------------

# Advance widths in em, each at least that of the widest DejaVu Sans glyph of its class.
_NARROW = set("fijlrtI.,:;'|!()[]- ")
_WIDE = set("mwMW")
_EM_REGULAR = {"narrow": 0.42, "lower": 0.64, "wide": 1.0, "upper": 0.8, "digit": 0.66}
_EM_BOLD = {"narrow": 0.5, "lower": 0.72, "wide": 1.11, "upper": 0.86, "digit": 0.7}
_EM_OTHER = 0.9  # &, arrows, dashes and anything else


def _char_class(char: str) -> str:
    if char in _NARROW:
        return "narrow"
    if char in _WIDE:
        return "wide"
    if char.isdigit():
        return "digit"
    if char.isascii() and char.isalpha():
        return "lower" if char.islower() else "upper"
    return "other"


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """An upper bound of the width of `text` set in DejaVu Sans at `size` px."""
    ems = _EM_BOLD if bold else _EM_REGULAR
    return size * sum(ems.get(_char_class(char), _EM_OTHER) for char in text)


def wrap_words(text: str, max_width: float, size: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap; a single word wider than `max_width` gets a line of its own."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size, bold=bold) <= max_width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines or [""]


def whole(value: float | None, missing: str = NO_DATA) -> str:
    """An index as screens and reports show it: a whole number."""
    return missing if value is None else str(round(value))


def _stage_name(value: float | None) -> str:
    return "" if value is None else stage_of(value).name


@dataclass(frozen=True)
class Text:
    text: str
    x: float
    y: float  # the baseline
    size: float
    anchor: str = "start"  # start | middle | end
    fill: str = INK
    bold: bool = False
    italic: bool = False

    def __post_init__(self):
        # Short attribute values in the SVG, whatever arithmetic placed the text.
        object.__setattr__(self, "x", round(self.x, 1))
        object.__setattr__(self, "y", round(self.y, 1))

    @property
    def width(self) -> float:
        return text_width(self.text, self.size, bold=self.bold)

    @property
    def left(self) -> float:
        return self.x - {"start": 0, "middle": self.width / 2, "end": self.width}[self.anchor]

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def weight(self) -> str:
        return "bold" if self.bold else "normal"

    @property
    def style(self) -> str:
        return "italic" if self.italic else "normal"


# ---- Shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float

    def __post_init__(self):
        for name in ("x1", "y1", "x2", "y2"):
            object.__setattr__(self, name, round(getattr(self, name), 1))


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    def __post_init__(self):
        for name in ("x", "y", "width", "height"):
            object.__setattr__(self, name, round(getattr(self, name), 1))

    @property
    def radius(self) -> float:
        """The corner radius that makes a pill of the box."""
        return round(self.height / 2, 1)


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _points(points: list[Point]) -> str:
    """An SVG points attribute. Formatted here, so that no locale can make 1.5 into "1,5"."""
    return " ".join(f"{_number(p.x)},{_number(p.y)}" for p in points)


# ---- Legend and table --------------------------------------------------------------------


@dataclass(frozen=True)
class LegendKey:
    """A legend swatch: a filled box ("box") or a stroke sample ("line")."""

    kind: str
    box: Box
    fill: str = "none"
    fill_opacity: float = 1.0
    stroke: str = "none"
    stroke_width: float = 1.0
    dasharray: str = ""

    @property
    def line(self) -> Line:
        middle = self.box.y + self.box.height / 2
        return Line(self.box.x, middle, self.box.x + self.box.width, middle)


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool = False


@dataclass(frozen=True)
class DataTable:
    """The chart as a table: its text alternative, and the numbers for whoever wants them."""

    caption: str
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]  # the first cell of each row is the row's header


def _legend_row(
    items: list[tuple[LegendKey, str]], *, center_x: float, baseline: float, size: float
) -> tuple[list[LegendKey], list[Text]]:
    """Lay (swatch, label) pairs out on one centred row; the swatches' boxes give only a size."""
    gap_after_swatch, gap_between = 6, 18
    widths = [key.box.width + gap_after_swatch + text_width(label, size) for key, label in items]
    x = center_x - (sum(widths) + gap_between * (len(items) - 1)) / 2
    keys, texts = [], []
    for (key, label), width in zip(items, widths, strict=True):
        top = baseline - size * 0.36 - key.box.height / 2  # level with the lower-case letters
        keys.append(replace(key, box=Box(x, top, key.box.width, key.box.height)))
        texts.append(Text(label, x + key.box.width + gap_after_swatch, baseline, size))
        x += width + gap_between
    return keys, texts


def _id_prefix(title: str, id_prefix: str | None) -> str:
    return id_prefix or f"chart-{slugify(title)}".rstrip("-")


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
    label: Text
    label_box: Box  # a white patch under the label, so that no grid line crosses it


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


class _LabelledChart:
    """The ids that tie a chart's <svg> to its <title> and <desc> (aria-labelledby)."""

    id_prefix: str

    @property
    def title_id(self) -> str:
        return f"{self.id_prefix}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id_prefix}-desc"


@dataclass(frozen=True)
class RadarChart(_LabelledChart):
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


RADAR_WIDTH = 440
RADAR_HEIGHT = 380
RADAR_CENTER = Point(220, 178)
RADAR_RADIUS = 110
RADAR_LABEL_GAP = 10  # between the outer ring and an axis label
RADAR_LABEL_SIZE = 12
RADAR_VALUE_SIZE = 13
RING_LABEL_SIZE = 9
RADAR_LEGEND_BASELINE = RADAR_HEIGHT - 14


def radar_angle(position: int, count: int) -> float:
    """The angle of an axis in radians: the first points up, the others follow clockwise."""
    # SVG's y axis points down, so angles growing from -90° turn clockwise on the screen.
    return -math.pi / 2 + 2 * math.pi * position / count


def radar_point(
    value: float | None,
    position: int,
    count: int,
    *,
    center: Point = RADAR_CENTER,
    radius: float = RADAR_RADIUS,
) -> Point:
    """Where `value` (0-100, clamped; None counts as 0) sits on axis `position` of `count`."""
    r = max(0.0, min(100.0, value or 0.0)) / 100 * radius
    angle = radar_angle(position, count)
    return Point(round(center.x + r * math.cos(angle), 2), round(center.y + r * math.sin(angle), 2))


def _ring(value: int, count: int) -> Ring:
    if count >= 3:
        points = [radar_point(value, i, count) for i in range(count)]
    else:
        # With fewer than three axes a polygon is a line or a dot: the ring is a circle.
        points = [radar_point(value, i, 72) for i in range(72)]
    # The scale reads up the first axis, on white patches that break the grid lines; the data
    # is drawn over it.
    spot = radar_point(value, 0, 1)
    label = Text(
        str(value), spot.x, spot.y + RING_LABEL_SIZE * 0.36, RING_LABEL_SIZE, "middle", MUTED
    )
    box = Box(
        label.left - 2, spot.y - RING_LABEL_SIZE * 0.6, label.width + 4, RING_LABEL_SIZE * 1.2
    )
    return Ring(value, _points(points), label, box)


def _axis_label(axis: RadarAxis, position: int, count: int) -> list[Text]:
    """The dimension's name and its current index, just beyond the end of its axis."""
    angle = radar_angle(position, count)
    cos, sin = math.cos(angle), math.sin(angle)
    anchor_x = RADAR_CENTER.x + (RADAR_RADIUS + RADAR_LABEL_GAP) * cos
    anchor_y = RADAR_CENTER.y + (RADAR_RADIUS + RADAR_LABEL_GAP) * sin
    if cos > 0.3:
        anchor, room = "start", RADAR_WIDTH - MARGIN - anchor_x
    elif cos < -0.3:
        anchor, room = "end", anchor_x - MARGIN
    else:
        anchor, room = "middle", RADAR_WIDTH - 2 * MARGIN
    lines = wrap_words(axis.label, room, RADAR_LABEL_SIZE)
    value_size = RADAR_VALUE_SIZE if axis.value is not None else RADAR_LABEL_SIZE - 1
    heights = [RADAR_LABEL_SIZE * 1.2] * len(lines) + [value_size * 1.25]
    # Above the end of an axis that points up, below one that points down, centred beside one
    # that points sideways, and in proportion in between; never into the margin or the legend.
    top = anchor_y - sum(heights) * (1 - sin) / 2
    top = max(MARGIN, min(top, RADAR_LEGEND_BASELINE - 24 - sum(heights)))
    if anchor == "middle":
        half = max(text_width(line, RADAR_LABEL_SIZE) for line in lines) / 2 + MARGIN
        anchor_x = max(half, min(anchor_x, RADAR_WIDTH - half))
    texts = []
    for line in lines:
        texts.append(Text(line, anchor_x, top + RADAR_LABEL_SIZE, RADAR_LABEL_SIZE, anchor, NAVY))
        top += RADAR_LABEL_SIZE * 1.2
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
    """
    count = len(axes)
    previous_name = previous_label or "Previous quarter"
    has_target = any(axis.target is not None for axis in axes)
    has_previous = any(axis.previous is not None for axis in axes)

    def outline(attribute: str) -> str:
        return _points([radar_point(getattr(a, attribute), i, count) for i, a in enumerate(axes)])

    series = []
    if has_previous:
        series.append(
            Series("previous", previous_name, outline("previous"), PREVIOUS_GREY, dasharray="3 3")
        )
    if has_target:
        series.append(Series("target", "Target", outline("target"), NAVY, dasharray="7 4"))
    if count:
        markers = tuple(
            radar_point(a.value, i, count) for i, a in enumerate(axes) if a.value is not None
        )
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
    legend, legend_texts = _legend_row(
        legend_items, center_x=RADAR_WIDTH / 2, baseline=RADAR_LEGEND_BASELINE, size=12
    )

    headers = [Cell("Dimension"), Cell("Index", True), Cell("Stage"), Cell("Target", True)]
    if has_previous:
        headers.append(Cell(previous_name, True))
    rows = []
    for axis in axes:
        row = [
            Cell(axis.label),
            Cell(whole(axis.value, NO_INDEX), True),
            Cell(_stage_name(axis.value)),
            Cell(whole(axis.target), True),
        ]
        if has_previous:
            row.append(Cell(whole(axis.previous), True))
        rows.append(tuple(row))

    center = RADAR_CENTER
    ends = [radar_point(100, i, count) for i in range(count)]
    axis_texts = [text for i, axis in enumerate(axes) for text in _axis_label(axis, i, count)]
    return RadarChart(
        title=title,
        description=_radar_description(axes, previous_name),
        id_prefix=_id_prefix(title, id_prefix),
        width=RADAR_WIDTH,
        height=RADAR_HEIGHT,
        center=center,
        radius=RADAR_RADIUS,
        rings=tuple(_ring(value, count) for value in RING_VALUES),
        axes=tuple(Line(center.x, center.y, end.x, end.y) for end in ends),
        series=tuple(series),
        texts=tuple(axis_texts + legend_texts),
        legend=tuple(legend),
        table=DataTable(title, tuple(headers), tuple(rows)),
    )


# ---- The relay ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RelayHandoff:
    key: str  # "gtm_to_demand" | "demand_to_lead" | "lead_to_sales"
    name: str  # "GTM strategy → Demand gen"
    index: float | None
    at_risk: bool
    baton_drop: bool


@dataclass(frozen=True)
class Station:
    number: int
    name: str
    cx: float
    cy: float
    r: float


@dataclass(frozen=True)
class BatonTag:
    """The orange "Baton drop" tag above a handoff, pointing down at it, with a dropped baton."""

    box: Box
    pointer: str  # polygon points of the small triangle under the tag
    baton: Line  # drawn as a thick line with round caps: a relay baton, tilted, fallen
    ground: Line  # the ground the baton has fallen on
    bounce: tuple[Line, ...]  # two short strokes where it hit the ground


@dataclass(frozen=True)
class HandoffBar:
    key: str
    name: str
    index: float | None
    stage_number: int | None
    at_risk: bool
    baton_drop: bool
    shape: str  # polygon points: a bar pointing right, the direction the race runs
    fill: str
    stroke: str
    dasharray: str  # "" for a solid outline
    risk_outline: str  # polygon points of the dashed red outline; "" unless at risk
    tag: BatonTag | None


@dataclass(frozen=True)
class RelayChart(_LabelledChart):
    title: str
    description: str
    id_prefix: str
    width: int
    height: int
    track: Line  # the grey line the stations and handoffs sit on
    stations: tuple[Station, ...]
    handoffs: tuple[HandoffBar, ...]  # upstream first
    texts: tuple[Text, ...]
    legend: tuple[LegendKey, ...]
    table: DataTable


STATIONS = ("GTM strategy", "Demand gen", "Lead gen", "Sales-ready opportunities")
RELAY_WIDTH = 760
RELAY_HEIGHT = 200
RELAY_SIDE = 72  # from the edge of the viewBox to the centre of the first and last station
RELAY_TRACK_Y = 80
STATION_RADIUS = 22
STATION_LABEL_SIZE = 14
BAR_HEIGHT = 40
BAR_GAP = 10  # between a station and a bar
BAR_TIP = 12  # the length of the bar's point
RISK_OFFSET = 4  # between a bar and its at-risk outline
INDEX_SIZE = 18
STAGE_SIZE = 12
RISK_LABEL_SIZE = 13
TAG_HEIGHT = 26
TAG_SIZE = 13
RELAY_LEGEND_BASELINE = RELAY_HEIGHT - 14


def station_x(position: int) -> float:
    step = (RELAY_WIDTH - 2 * RELAY_SIDE) / (len(STATIONS) - 1)
    return round(RELAY_SIDE + position * step, 1)


def _arrow(left: float, top: float, right: float, bottom: float, tip: float) -> str:
    middle = (top + bottom) / 2
    corners = [
        (left, top),
        (right - tip, top),
        (right, middle),
        (right - tip, bottom),
        (left, bottom),
    ]
    return _points([Point(x, y) for x, y in corners])


def _baton_tag(center_x: float, bar_top: float) -> tuple[BatonTag, Text]:
    glyph_width, padding, gap = 22, 10, 6
    label = "Baton drop"
    width = padding + glyph_width + gap + text_width(label, TAG_SIZE, bold=True) + padding
    left = center_x - width / 2
    bottom = bar_top - RISK_OFFSET - 9
    top = bottom - TAG_HEIGHT
    ground_y = top + TAG_HEIGHT - 7
    # The baton lies tilted with its left end on the ground, where two strokes mark the bounce.
    hit = Point(left + padding + 5, ground_y - 2.5)
    tag = BatonTag(
        box=Box(left, top, width, TAG_HEIGHT),
        pointer=_points(
            [Point(center_x - 7, bottom), Point(center_x + 7, bottom), Point(center_x, bottom + 7)]
        ),
        baton=Line(hit.x, hit.y, hit.x + 15, hit.y - 9),
        ground=Line(left + padding, ground_y, left + padding + glyph_width, ground_y),
        bounce=(
            Line(hit.x - 3, hit.y - 4, hit.x - 5, hit.y - 8),
            Line(hit.x + 1, hit.y - 6, hit.x + 1, hit.y - 10),
        ),
    )
    text_x = left + padding + glyph_width + gap
    text = Text(
        label, text_x, top + TAG_HEIGHT / 2 + TAG_SIZE * 0.36, TAG_SIZE, "start", NAVY, bold=True
    )
    return tag, text


def _in_race_order(handoffs: list[RelayHandoff]) -> list[RelayHandoff]:
    """The three handoffs, upstream first; a missing one is shown without data."""
    by_key = {handoff.key: handoff for handoff in handoffs}
    return [
        by_key.get(key) or RelayHandoff(key, HANDOFF_NAMES[key], None, False, False)
        for key in HANDOFF_ORDER
    ]


def _handoff(handoff: RelayHandoff, position: int) -> tuple[HandoffBar, list[Text]]:
    left = station_x(position) + STATION_RADIUS + BAR_GAP
    right = station_x(position + 1) - STATION_RADIUS - BAR_GAP
    top, bottom = RELAY_TRACK_Y - BAR_HEIGHT / 2, RELAY_TRACK_Y + BAR_HEIGHT / 2
    middle_x = (left + right - BAR_TIP) / 2
    texts = []
    if handoff.index is None:
        stage_number = None
        fill, stroke, dasharray = WHITE, MUTED, "4 3"
        texts.append(Text(NO_DATA, middle_x, RELAY_TRACK_Y + 5, 14, "middle", MUTED, italic=True))
    else:
        stage = stage_of(handoff.index)
        stage_number = stage.number
        fill, stroke, dasharray = STAGE_FILLS[stage.number], INK, ""
        colour = STAGE_TEXT[stage.number]
        # The index and the stage's name side by side, split around the centre of the bar so
        # that the width estimates' slack falls on both sides.
        number = whole(handoff.index)
        gap = 7
        number_width = text_width(number, INDEX_SIZE, bold=True)
        split = middle_x - (number_width + gap + text_width(stage.name, STAGE_SIZE)) / 2
        split += number_width + gap / 2
        baseline = RELAY_TRACK_Y + INDEX_SIZE * 0.36
        texts.append(Text(number, split - gap / 2, baseline, INDEX_SIZE, "end", colour, bold=True))
        texts.append(Text(stage.name, split + gap / 2, baseline, STAGE_SIZE, "start", colour))
    risk_outline = ""
    if handoff.at_risk:
        o = RISK_OFFSET
        risk_outline = _arrow(left - o, top - o, right + o, bottom + o, BAR_TIP + o / 2)
        baseline = bottom + RISK_OFFSET + 17
        texts.append(
            Text("At risk", middle_x, baseline, RISK_LABEL_SIZE, "middle", DANGER, bold=True)
        )
    tag = None
    if handoff.baton_drop:
        tag, tag_text = _baton_tag(middle_x, top)
        texts.append(tag_text)
    bar = HandoffBar(
        key=handoff.key,
        name=handoff.name,
        index=handoff.index,
        stage_number=stage_number,
        at_risk=handoff.at_risk,
        baton_drop=handoff.baton_drop,
        shape=_arrow(left, top, right, bottom, BAR_TIP),
        fill=fill,
        stroke=stroke,
        dasharray=dasharray,
        risk_outline=risk_outline,
        tag=tag,
    )
    return bar, texts


def _station_texts(station: Station) -> list[Text]:
    texts = [Text(str(station.number), station.cx, station.cy + 5, 14, "middle", WHITE, bold=True)]
    room = (RELAY_WIDTH - 2 * RELAY_SIDE) / (len(STATIONS) - 1) - 50
    lines = wrap_words(station.name, room, STATION_LABEL_SIZE, bold=True)
    # Keep the first and last names inside the viewBox, however long they are.
    half = max(text_width(line, STATION_LABEL_SIZE, bold=True) for line in lines) / 2 + MARGIN
    x = max(half, min(station.cx, RELAY_WIDTH - half))
    baseline = station.cy + station.r + 6 + STATION_LABEL_SIZE
    for line in lines:
        texts.append(Text(line, x, baseline, STATION_LABEL_SIZE, "middle", NAVY, bold=True))
        baseline += STATION_LABEL_SIZE * 1.2
    return texts


def _relay_description(handoffs: list[RelayHandoff]) -> str:
    parts = []
    for handoff in handoffs:
        if handoff.index is None:
            parts.append(f"{handoff.name} {NO_DATA}")
        else:
            notes = [_stage_name(handoff.index)] + (["at risk"] if handoff.at_risk else [])
            parts.append(f"{handoff.name} {whole(handoff.index)} ({', '.join(notes)})")
    sentence = f"Handoff indexes out of 100: {'; '.join(parts)}."
    drop = next((handoff for handoff in handoffs if handoff.baton_drop), None)
    return f"{sentence} The baton drops at {drop.name}." if drop else sentence


def _flags(handoff: RelayHandoff) -> str:
    flags = [("Baton drop", handoff.baton_drop), ("At risk", handoff.at_risk)]
    return ", ".join(flag for flag, present in flags if present)


def relay_chart(
    handoffs: list[RelayHandoff], *, title: str, id_prefix: str | None = None
) -> RelayChart:
    """The relay race: four stations joined by the three handoffs, each coloured by its stage.

    An at-risk handoff gets a dashed red outline and "At risk"; the baton drop an orange tag.
    Handoffs are placed by key, upstream first, whatever order they come in; a missing one
    shows "no data". `id_prefix` makes the SVG's ids unique on a page; by default it comes
    from the title.
    """
    ordered = _in_race_order(handoffs)
    stations = tuple(
        Station(i + 1, name, station_x(i), RELAY_TRACK_Y, STATION_RADIUS)
        for i, name in enumerate(STATIONS)
    )
    texts = [text for station in stations for text in _station_texts(station)]
    bars = []
    for position, handoff in enumerate(ordered):
        bar, bar_texts = _handoff(handoff, position)
        bars.append(bar)
        texts.extend(bar_texts)

    legend_items = [
        (LegendKey("box", Box(0, 0, 16, 12), STAGE_FILLS[n], 1, INK, 1), STAGE_LEGEND[n])
        for n in LEVEL_NAMES
    ]
    legend, legend_texts = _legend_row(
        legend_items, center_x=RELAY_WIDTH / 2, baseline=RELAY_LEGEND_BASELINE, size=12
    )
    headers = (Cell("Handoff"), Cell("Index", True), Cell("Stage"), Cell("Flag"))
    rows = tuple(
        (
            Cell(handoff.name),
            Cell(whole(handoff.index), True),
            Cell(_stage_name(handoff.index)),
            Cell(_flags(handoff)),
        )
        for handoff in ordered
    )
    return RelayChart(
        title=title,
        description=_relay_description(ordered),
        id_prefix=_id_prefix(title, id_prefix),
        width=RELAY_WIDTH,
        height=RELAY_HEIGHT,
        track=Line(stations[0].cx, RELAY_TRACK_Y, stations[-1].cx, RELAY_TRACK_Y),
        stations=stations,
        handoffs=tuple(bars),
        texts=tuple(texts + legend_texts),
        legend=tuple(legend),
        table=DataTable(title, headers, rows),
    )


# ---- The trend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    name: str  # "Overall", "People", "GTM strategy → Demand gen", ...
    values: tuple[float | None, ...]  # one per quarter; None: no index that quarter, a gap
    emphasis: bool = False  # the overall line: thicker, navy, with its values printed


@dataclass(frozen=True)
class TrendMarker:
    """A point's marker. The shape, as well as the colour, tells the lines apart in greyscale."""

    x: float
    y: float
    shape: str  # circle | square | diamond | triangle
    size: float  # the circle's radius; the other shapes cover about the same area
    fill: str

    def __post_init__(self):
        object.__setattr__(self, "x", round(self.x, 1))
        object.__setattr__(self, "y", round(self.y, 1))

    @property
    def points(self) -> str:
        """The polygon of a shape other than the circle."""
        x, y, s = self.x, self.y, self.size
        corners = {
            "square": [(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)],
            "diamond": [(0, -1.25), (1.25, 0), (0, 1.25), (-1.25, 0)],
            "triangle": [(0, -1.3), (1.15, 0.8), (-1.15, 0.8)],
        }.get(self.shape, [])
        return _points([Point(x + dx * s, y + dy * s) for dx, dy in corners])


@dataclass(frozen=True)
class TrendLine:
    name: str
    stroke: str
    stroke_width: float
    dasharray: str  # "" for a solid line
    shape: str  # of the markers
    marker_size: float
    segments: tuple[str, ...]  # polyline points, one per unbroken run of two values or more
    markers: tuple[TrendMarker, ...]  # one per value, so a value between two gaps still shows
    emphasis: bool


@dataclass(frozen=True)
class TrendChart(_LabelledChart):
    title: str
    description: str
    id_prefix: str
    width: int
    height: int
    plot: Box  # the area 0-100 is drawn in
    bands: tuple[Box, ...]  # the shaded stages (Emerging and Managed), for the eye to follow
    gridlines: tuple[Line, ...]  # at the stage boundaries, 20 to 80, and at 100
    axis: Line  # the baseline, at 0
    ticks: tuple[Line, ...]  # one per quarter, longer for a label set in a lower row
    series: tuple[TrendLine, ...]  # in drawing order: the emphasised line last, on top
    # Pale patches under the emphasised line's values, over the other lines, to read them by.
    value_patches: tuple[Box, ...]
    texts: tuple[Text, ...]
    legend: tuple[LegendKey, ...]
    legend_markers: tuple[TrendMarker, ...]  # one on each legend key's line
    table: DataTable


# Okabe & Ito's palette, without its black (too close to the navy of the overall line) and its
# yellow (too pale on white), in an order that keeps the similar hues apart. A seventh line
# takes the colours again, dashed.
TREND_PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#d55e00", "#0072b2")
TREND_DASHES = ("", "6 3", "2 3")
TREND_SHAPES = ("square", "triangle", "diamond", "circle")
TREND_WIDTH = 760
TREND_AXIS_SIZE = 9  # the scale at the left, the stage names at the right
TREND_QUARTER_SIZE = 11
TREND_NOTE_SIZE = 9
TREND_VALUE_SIZE = 10
TREND_LEGEND_SIZE = 12
TREND_LABEL_GAP = 8  # the least room between two quarters' labels on the same row
# The plot leaves room for the scale's numbers on its left, the stages' names on its right and
# the value over a point at 100 above it.
_TREND_LEFT = MARGIN + text_width("100", TREND_AXIS_SIZE) + 6
_STAGE_NAME_WIDTH = max(text_width(name, TREND_AXIS_SIZE) for name in LEVEL_NAMES.values())
_TREND_RIGHT = TREND_WIDTH - MARGIN - _STAGE_NAME_WIDTH - 8
TREND_PLOT = Box(_TREND_LEFT, 24, _TREND_RIGHT - _TREND_LEFT, 200)
NO_VALUE = "—"  # a quarter without an index, in the table


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def trend_y(value: float) -> float:
    """The height of an index (0-100, clamped) in the plot."""
    return round(TREND_PLOT.y + TREND_PLOT.height * (1 - _clamp(value) / 100), 2)


def trend_x(position: int, count: int) -> float:
    """The middle of the quarter's slot: quarters evenly spaced, a single one in the centre."""
    slot = TREND_PLOT.width / max(count, 1)
    return round(TREND_PLOT.x + slot * (position + 0.5), 2)


def trend_point(value: float, position: int, count: int) -> Point:
    return Point(trend_x(position, count), trend_y(value))


def _runs(values: tuple[float | None, ...]) -> list[list[int]]:
    """The positions of the values, split at every gap."""
    runs: list[list[int]] = [[]]
    for position, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(position)
    return [run for run in runs if run]


def _trend_line(series: TrendSeries, number: int, count: int) -> TrendLine:
    """`number` counts the lines that are not emphasised: it picks colour, dashes and shape."""
    if series.emphasis:
        stroke, stroke_width, dasharray, shape, size = NAVY, 3.0, "", "circle", 4.5
    else:
        stroke = TREND_PALETTE[number % len(TREND_PALETTE)]
        dasharray = TREND_DASHES[number // len(TREND_PALETTE) % len(TREND_DASHES)]
        stroke_width, shape, size = 1.75, TREND_SHAPES[number % len(TREND_SHAPES)], 3.5
    segments, markers = [], []
    for run in _runs(series.values):
        spots = [trend_point(series.values[i], i, count) for i in run]
        if len(spots) > 1:
            segments.append(_points(spots))
        markers.extend(TrendMarker(spot.x, spot.y, shape, size, stroke) for spot in spots)
    return TrendLine(
        name=series.name,
        stroke=stroke,
        stroke_width=stroke_width,
        dasharray=dasharray,
        shape=shape,
        marker_size=size,
        segments=tuple(segments),
        markers=tuple(markers),
        emphasis=series.emphasis,
    )


def _value_label_box(text: Text) -> Box:
    """The box a value label covers, a little larger than its digits."""
    top = text.y - text.size * 0.8
    return Box(text.left - 2, top, text.width + 4, text.size + 1)


def _clashes(text: Text, spot: Point, neighbours: list[Point], others: list[Point]) -> int:
    """How badly a value label for the point at `spot` is crossed: by its own line, where the
    line leaves the label's edge past the label's near side, or by another series' point."""
    box = _value_label_box(text)
    over = box.y < spot.y
    count = 0
    for neighbour in neighbours:
        y = spot.y + (neighbour.y - spot.y) * (box.width / 2) / abs(neighbour.x - spot.x)
        if (over and y <= box.y + box.height) or (not over and y >= box.y):
            count += 2
    for other in others:
        inside_x = box.x - 4 <= other.x <= box.x + box.width + 4
        if inside_x and box.y - 4 <= other.y <= box.y + box.height + 4:
            count += 1
    return count


def _value_labels(series: TrendSeries, others: list[TrendSeries], count: int) -> list[Text]:
    """The emphasised line's values, each over its point or under it, whichever is clearer."""
    floor = TREND_PLOT.y + TREND_PLOT.height - 2
    texts = []
    for position, value in enumerate(series.values):
        if value is None:
            continue
        spot = trend_point(value, position, count)
        above = Text(whole(value), spot.x, spot.y - 8, TREND_VALUE_SIZE, "middle", NAVY, bold=True)
        below = replace(above, y=spot.y + 8 + TREND_VALUE_SIZE * 0.76)
        candidates = [above]
        if below.y + 3 <= floor:
            candidates.append(below)
        neighbours = [
            trend_point(series.values[i], i, count)
            for i in (position - 1, position + 1)
            if 0 <= i < count and series.values[i] is not None
        ]
        points = [
            trend_point(other.values[position], position, count)
            for other in others
            if other.values[position] is not None
        ]
        # On a tie min() keeps the first: over the point.
        texts.append(min(candidates, key=lambda text: _clashes(text, spot, neighbours, points)))
    return texts


def _scale_texts(unit: str) -> list[Text]:
    """Numbers at the gridlines on the left; for indexes, each stage's name in its band on the
    right (for percentages, "%" after the numbers instead)."""
    left, right = TREND_PLOT.x - 6, TREND_PLOT.x + TREND_PLOT.width + 8
    lift = TREND_AXIS_SIZE * 0.36  # from the middle of the digits down to their baseline
    suffix = "%" if unit == "percent" else ""
    texts = [
        Text(f"{value}{suffix}", left, trend_y(value) + lift, TREND_AXIS_SIZE, "end", MUTED)
        for value in (0, *RING_VALUES)
    ]
    if unit == "percent":
        return texts
    for number, name in LEVEL_NAMES.items():
        middle = trend_y(number * 20 - 10)
        texts.append(Text(name, right, middle + lift, TREND_AXIS_SIZE, "start", MUTED))
    return texts


def _quarter_labels(
    quarters: list[str], notes: list[str | None]
) -> tuple[list[Text], list[Line], float]:
    """Each quarter's label, with its note wrapped under it, centred under its tick.

    When the labels are too wide for their slots, they are staggered onto rows: with two rows
    each label has the width of two slots, and the ticks of the lower row reach down to it.
    Returns the texts, the ticks and the bottom of the lowest line.
    """
    count = len(quarters)
    axis_y = TREND_PLOT.y + TREND_PLOT.height
    if not count:
        return [], [], axis_y
    slot = TREND_PLOT.width / count
    for rows in range(1, count + 1):
        room = rows * slot - TREND_LABEL_GAP
        blocks = [
            [(quarter, TREND_QUARTER_SIZE)]
            + [(line, TREND_NOTE_SIZE) for line in wrap_words(note, room, TREND_NOTE_SIZE)]
            if note
            else [(quarter, TREND_QUARTER_SIZE)]
            for quarter, note in zip(quarters, notes, strict=True)
        ]
        widest = max((text_width(t, size) for block in blocks for t, size in block), default=0)
        if widest <= room:
            break
    note_lines = max(len(block) - 1 for block in blocks)
    row_height = TREND_QUARTER_SIZE * 1.25 + note_lines * TREND_NOTE_SIZE * 1.2 + 4
    texts, ticks = [], []
    for position, block in enumerate(blocks):
        x = trend_x(position, count)
        top = axis_y + 6 + (position % rows) * row_height
        ticks.append(Line(x, axis_y, x, top - 2 if position % rows else axis_y + 4))
        half = max(text_width(t, size) for t, size in block) / 2 + MARGIN
        centre = max(half, min(x, TREND_WIDTH - half))
        baseline = top + TREND_QUARTER_SIZE * 1.05
        texts.append(Text(block[0][0], centre, baseline, TREND_QUARTER_SIZE, "middle", INK))
        for line, size in block[1:]:
            baseline += size * 1.2
            texts.append(Text(line, centre, baseline, size, "middle", MUTED))
    return texts, ticks, axis_y + 6 + rows * row_height


def _legend_rows(
    items: list[tuple[LegendKey, str]], *, first_baseline: float, size: float
) -> tuple[list[LegendKey], list[Text], float]:
    """`_legend_row`, wrapped onto as many centred rows as the width needs. Returns the last
    row's baseline too."""
    # The widths as `_legend_row` measures them: 6 after a swatch, 18 between two items.
    room = TREND_WIDTH - 2 * MARGIN
    rows: list[list[tuple[LegendKey, str]]] = [[]]
    used = 0.0
    for key, label in items:
        width = key.box.width + 6 + text_width(label, size)
        if rows[-1] and used + 18 + width > room:
            rows.append([])
            used = 0.0
        used += (18 if rows[-1] else 0) + width
        rows[-1].append((key, label))
    keys, texts, baseline = [], [], first_baseline
    for number, row in enumerate(row for row in rows if row):
        baseline = first_baseline + number * size * 1.6
        row_keys, row_texts = _legend_row(
            row, center_x=TREND_WIDTH / 2, baseline=baseline, size=size
        )
        keys.extend(row_keys)
        texts.extend(row_texts)
    return keys, texts, baseline


def _trend_description(
    quarters: list[str], series: list[TrendSeries], notes: list[str | None], unit: str
) -> str:
    if not quarters:
        return "There are no quarters to chart."
    span = quarters[0] if len(quarters) == 1 else f"{quarters[0]} to {quarters[-1]}"
    sign = "%" if unit == "percent" else ""
    parts = []
    for line in series:
        known = [(q, v) for q, v in zip(quarters, line.values, strict=True) if v is not None]
        if not known:
            parts.append(f"{line.name} {NO_DATA}")
        elif len(known) == 1:
            parts.append(f"{line.name} {whole(known[0][1])}{sign} in {known[0][0]}")
        else:
            (first_q, first), (last_q, last) = known[0], known[-1]
            parts.append(
                f"{line.name} from {whole(first)}{sign} in {first_q} "
                f"to {whole(last)}{sign} in {last_q}"
            )
    what = "Percent" if unit == "percent" else "Index out of 100"
    sentences = [f"{what} by quarter, {span}: {'; '.join(parts)}."]
    if any(v is None for line in series for v in line.values):
        sentences.append("A quarter without a value leaves a gap in its line.")
    marked = [f"{q} {note}" for q, note in zip(quarters, notes, strict=True) if note]
    if marked:
        sentences.append(f"Notes under the quarters: {'; '.join(marked)}.")
    return " ".join(sentences)


def trend_chart(
    quarters: list[str],
    series: list[TrendSeries],
    *,
    title: str,
    annotations: list[str | None] | None = None,
    id_prefix: str | None = None,
    unit: str = "index",
) -> TrendChart:
    """Indexes over the quarters, oldest first: a line per series over the five stage bands.
    With unit="percent" the same 0-100 scale carries percentages: no stage bands or names.

    A quarter without a value (None) is a gap in the line, never a 0; a value alone between
    gaps keeps its marker. The emphasised series (the overall index) is navy, thicker, drawn on
    top and the only one with its values printed. `annotations` puts a note in small type under
    each quarter's label (the quarter's baton drop, say). The legend wraps under the chart, and
    the chart grows taller for it and for labels staggered when there are many quarters.
    `id_prefix` makes the SVG's ids unique on a page; by default it comes from the title.
    """
    count = len(quarters)
    notes = list(annotations) if annotations is not None else [None] * count
    if len(notes) != count or any(len(line.values) != count for line in series):
        raise ValueError("Every series, and the annotations, need one value per quarter.")

    lines, plain_count = [], 0
    for source in series:
        lines.append(_trend_line(source, plain_count, count))
        plain_count += not source.emphasis
    drawn = sorted(lines, key=lambda line: line.emphasis)  # stable: the emphasised on top
    plain = [source for source in series if not source.emphasis]
    value_texts = [
        text for line in series if line.emphasis for text in _value_labels(line, plain, count)
    ]
    patches = tuple(_value_label_box(text) for text in value_texts)

    plot = TREND_PLOT
    right = plot.x + plot.width
    gridlines = tuple(Line(plot.x, trend_y(v), right, trend_y(v)) for v in RING_VALUES)
    bands = tuple(
        Box(plot.x, trend_y(top), plot.width, trend_y(top - 20) - trend_y(top))
        for top in ((40, 80) if unit == "index" else ())
    )
    quarter_texts, ticks, labels_bottom = _quarter_labels(quarters, notes)

    legend_items = []
    for source, line in zip(series, lines, strict=True):
        key = LegendKey(
            "line",
            Box(0, 0, 28, 12),
            stroke=line.stroke,
            stroke_width=line.stroke_width,
            dasharray=line.dasharray,
        )
        empty = all(value is None for value in source.values)
        legend_items.append((key, f"{line.name} ({NO_DATA})" if empty else line.name))
    first_baseline = labels_bottom + 10 + TREND_LEGEND_SIZE
    legend, legend_texts, last_baseline = _legend_rows(
        legend_items, first_baseline=first_baseline, size=TREND_LEGEND_SIZE
    )
    legend_markers = [
        TrendMarker(
            (key.line.x1 + key.line.x2) / 2, key.line.y1, line.shape, line.marker_size, line.stroke
        )
        for key, line in zip(legend, lines, strict=True)
    ]

    headers = (Cell("Series"), *(Cell(quarter, True) for quarter in quarters))
    rows = tuple(
        (Cell(line.name), *(Cell(whole(value, NO_VALUE), True) for value in line.values))
        for line in series
    )
    return TrendChart(
        title=title,
        description=_trend_description(quarters, series, notes, unit),
        id_prefix=_id_prefix(title, id_prefix),
        width=TREND_WIDTH,
        height=round(last_baseline + 14) if series else round(labels_bottom + 8),
        plot=plot,
        bands=bands,
        gridlines=gridlines,
        axis=Line(plot.x, trend_y(0), right, trend_y(0)),
        ticks=tuple(ticks),
        series=tuple(drawn),
        value_patches=patches,
        texts=tuple(_scale_texts(unit) + value_texts + quarter_texts + legend_texts),
        legend=tuple(legend),
        legend_markers=tuple(legend_markers),
        table=DataTable(title, headers, rows),
    )
