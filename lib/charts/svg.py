"""What every chart shares: the palette, text measured the way WeasyPrint draws it, shapes,
the legend and the data table that stands in for the picture for screen readers."""

from dataclasses import dataclass, replace
from functools import lru_cache

from django.utils.text import slugify

from lib.maturity import stage_of

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


@lru_cache(maxsize=512)
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
    return size * _text_ems(text, bold)


@lru_cache(maxsize=4096)
def _text_ems(text: str, bold: bool) -> float:
    # Kept: a chart measures the same labels over and over (every client's quarters, stages).
    ems = _EM_BOLD if bold else _EM_REGULAR
    return sum(ems.get(_char_class(char), _EM_OTHER) for char in text)


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


def stage_name(value: float | None) -> str:
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


def svg_number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def svg_points(points: list[Point]) -> str:
    """An SVG points attribute. Formatted here, so that no locale can make 1.5 into "1,5"."""
    return " ".join(f"{svg_number(p.x)},{svg_number(p.y)}" for p in points)


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

    def transposed(self, corner: str) -> "DataTable":
        """The same figures with rows and columns swapped (`corner` heads the first column):
        a trend's quarters down the side fit a phone's width, where they ran off across it."""
        headers = (Cell(corner), *(Cell(row[0].text, True) for row in self.rows))
        rows = tuple(
            (Cell(header.text), *(row[column] for row in self.rows))
            for column, header in enumerate(self.headers)
            if column > 0
        )
        return DataTable(self.caption, headers, rows)


def legend_row(
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


def chart_id_prefix(title: str, id_prefix: str | None) -> str:
    return id_prefix or f"chart-{slugify(title)}".rstrip("-")


class LabelledChart:
    """The ids that tie a chart's <svg> to its <title> and <desc> (aria-labelledby)."""

    id_prefix: str

    @property
    def title_id(self) -> str:
        return f"{self.id_prefix}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.id_prefix}-desc"

    @property
    def phone_table(self) -> DataTable:
        """The figures a phone shows in the drawing's place: the chart's data table, unless
        the chart lays them out otherwise (the trend: a quarter a row)."""
        return self.table
