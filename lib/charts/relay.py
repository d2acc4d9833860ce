"""The relay of the three handoffs, with the baton drop and the at-risk handoffs marked."""

from dataclasses import dataclass

from lib.charts.svg import (
    DANGER,
    INK,
    MARGIN,
    MUTED,
    NAVY,
    NO_DATA,
    STAGE_FILLS,
    STAGE_LEGEND,
    STAGE_TEXT,
    WHITE,
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
from lib.maturity import HANDOFF_NAMES, HANDOFF_ORDER, LEVEL_NAMES, stage_of

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
class RelayChart(LabelledChart):
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
    return svg_points([Point(x, y) for x, y in corners])


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
        pointer=svg_points(
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
            notes = [stage_name(handoff.index)] + (["at risk"] if handoff.at_risk else [])
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
    legend, legend_texts = legend_row(
        legend_items, center_x=RELAY_WIDTH / 2, baseline=RELAY_LEGEND_BASELINE, size=12
    )
    headers = (Cell("Handoff"), Cell("Index", True), Cell("Stage"), Cell("Flag"))
    rows = tuple(
        (
            Cell(handoff.name),
            Cell(whole(handoff.index), True),
            Cell(stage_name(handoff.index)),
            Cell(_flags(handoff)),
        )
        for handoff in ordered
    )
    return RelayChart(
        title=title,
        description=_relay_description(ordered),
        id_prefix=chart_id_prefix(title, id_prefix),
        width=RELAY_WIDTH,
        height=RELAY_HEIGHT,
        track=Line(stations[0].cx, RELAY_TRACK_Y, stations[-1].cx, RELAY_TRACK_Y),
        stations=stations,
        handoffs=tuple(bars),
        texts=tuple(texts + legend_texts),
        legend=tuple(legend),
        table=DataTable(title, headers, rows),
    )
