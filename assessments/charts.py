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
