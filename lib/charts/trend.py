"""The trend over quarters: indexes (or rates) as lines, quarters without data as gaps."""

from dataclasses import dataclass, replace

from lib.charts.svg import (
    INK,
    MARGIN,
    MUTED,
    NAVY,
    NO_DATA,
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
    svg_points,
    text_width,
    whole,
    wrap_words,
)
from lib.maturity import LEVEL_NAMES

# ---- The trend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    name: str  # "Overall", "People", "GTM strategy → Demand gen", ...
    values: tuple[float | None, ...]  # one per quarter; None: no index that quarter, a gap
    emphasis: bool = False  # the overall line: thicker, navy, with its values printed
    short_name: str = ""  # for a phone's table: "Lead → Sales"; the name when blank


@dataclass(frozen=True)
class TrendMarker:
    """A point's marker. The shape, as well as the colour, tells the lines apart in greyscale."""

    x: float
    y: float
    shape: str  # circle | square | diamond | triangle
    size: float  # the circle's radius; the other shapes cover about the same area
    fill: str
    hollow: bool = False  # a preliminary quarter's value: outlined in its colour, white inside

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
        return svg_points([Point(x + dx * s, y + dy * s) for dx, dy in corners])


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
class TrendChart(LabelledChart):
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
    short_names: tuple[str, ...] = ()  # the series' names for a phone, in the table's order

    @property
    def phone_table(self) -> DataTable:
        """The figures a phone shows instead of the drawing: a quarter a row, the series under
        their short names so no header breaks a word."""
        table = self.table
        if self.short_names:
            rows = tuple(
                (Cell(short), *row[1:])
                for short, row in zip(self.short_names, table.rows, strict=True)
            )
            table = DataTable(table.caption, table.headers, rows)
        return table.transposed("Quarter")


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


def _trend_line(series: TrendSeries, number: int, count: int, preliminary: list[bool]) -> TrendLine:
    """`number` counts the lines that are not emphasised: it picks colour, dashes and shape;
    the points of `preliminary` quarters are hollow."""
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
            segments.append(svg_points(spots))
        markers.extend(
            TrendMarker(spot.x, spot.y, shape, size, stroke, preliminary[i])
            for i, spot in zip(run, spots, strict=True)
        )
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
        row_keys, row_texts = legend_row(
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
    preliminary: list[bool] | None = None,
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
    `preliminary` marks the quarters whose results may still change (an open assessment): their
    points are hollow and "preliminary" is noted under them.
    `id_prefix` makes the SVG's ids unique on a page; by default it comes from the title.
    """
    count = len(quarters)
    notes = list(annotations) if annotations is not None else [None] * count
    early = list(preliminary) if preliminary is not None else [False] * count
    if len(notes) != count or len(early) != count or any(len(s.values) != count for s in series):
        raise ValueError("Every series, and the annotations, need one value per quarter.")
    notes = [
        " · ".join(part for part in (note, "preliminary" if pending else None) if part) or None
        for note, pending in zip(notes, early, strict=True)
    ]

    lines, plain_count = [], 0
    for source in series:
        lines.append(_trend_line(source, plain_count, count, early))
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
        id_prefix=chart_id_prefix(title, id_prefix),
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
        short_names=tuple(line.short_name or line.name for line in series),
    )
