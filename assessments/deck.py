"""report.pptx: the maturity report as an editable 16:9 slide deck, a consultancy's deliverable.

One builder, two renderers: the deck is drawn from `assessments.report.report_context`, the
context of the PDF report (so the same figures, the same act-first headline, the same answer
visibility: the client's deck names no one unless the assessment is named), with the chart
values rounded as results.json rounds them (`exports.rounded`). The slides: a title slide with
the workspace's logo and accent colour, an executive summary in words, the radar and the relay
as native PowerPoint charts (editable: their data sit in an embedded workbook), the top
recommendations, the action plan, and the trend over the client's quarters as native line
charts (at most four lines each). The report's options apply as in the PDF: the consultant's
executive note is a slide of its own, their dimension notes another; "executive summary only"
keeps the title, the note, the summary and the charts.

Text is laid out to fit its box: `chars_per_line` and `lines_of` estimate how a paragraph wraps
from the box's width and the font size, and long text is cut to the lines there are ("…", or
"and N more" for lists). tests/test_deck.py checks every text box with the same kind of
estimate.
"""

import io
import math
import re
from dataclasses import dataclass, replace

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from accounts.branding import logo_bitmap
from assessments.exports import rounded
from assessments.models import Assessment
from assessments.report import report_context
from assessments.scoring import DimensionResult, Recommendation
from assessments.templatetags.results import level_name, priority_words, strength
from lib.maturity import LEVEL_NAMES

PPTX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
CONTENT_WIDTH = SLIDE_WIDTH - 2 * MARGIN
INSET_X, INSET_Y = Inches(0.1), Inches(0.05)  # every text box's inner margins

# The estimate of how text wraps (tests/test_deck.py checks against a slightly looser one):
# an average character of the theme's sans-serif font is about half an em wide; a line is 1.2
# ems high.
CHAR_EM = 0.53
LINE_EM = 1.2

INK = RGBColor.from_string("1B2430")
MUTED = RGBColor.from_string("5B6573")
PALE = RGBColor.from_string("F2F4F7")
TARGET_GREY = RGBColor.from_string("8A94A3")
PREVIOUS_GREY = RGBColor.from_string("C3C9D2")
DROP_RED = RGBColor.from_string("B42318")
RISK_ORANGE = RGBColor.from_string("C4510A")
LINE_COLOURS = ("1F5FA8", "E69F00", "009E73", "CC79A7")  # four lines a chart at most
OVERALL_NAVY = "14213D"

TOP_RECOMMENDATIONS = 6  # in the deck: two slides of three
PER_SLIDE = 3
PLAN_ROWS = 10


# ---- How text fits ---------------------------------------------------------------------------


def chars_per_line(width: int, size: float) -> int:
    """How many average characters of `size` points fit on a line `width` EMU wide."""
    return max(int(Emu(width).pt / (size * CHAR_EM)), 1)


def wrap(text: str, chars: int) -> list[str]:
    """The lines a word-wrapping text box makes of `text`, greedily, `chars` to a line (a
    word longer than a line is broken, as PowerPoint does)."""
    lines: list[str] = []
    for paragraph_line in text.split("\n"):
        line = ""
        for word in paragraph_line.split():
            while len(word) > chars:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:chars])
                word = word[chars:]
            candidate = f"{line} {word}" if line else word
            if len(candidate) <= chars:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def lines_of(text: str, width: int, size: float) -> int:
    return len(wrap(text, chars_per_line(width, size)))


def clip(text: str, width: int, size: float, max_lines: int) -> str:
    """`text`, cut with an ellipsis to the words that fit `max_lines` lines."""
    chars = chars_per_line(width, size)
    if len(wrap(text, chars)) <= max_lines:
        return text
    words = text.split()
    low, high = 0, len(words)  # the most words that fit with the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if len(wrap(" ".join(words[:middle]) + "…", chars)) <= max_lines:
            low = middle
        else:
            high = middle - 1
    return (" ".join(words[:low]).rstrip(",;:.") + "…") if low else text[: chars - 1] + "…"


@dataclass(frozen=True)
class Para:
    text: str
    size: float  # points
    bold: bool = False
    colour: RGBColor = INK
    space_before: float = 0  # points
    max_lines: int | None = None  # cut to this many lines


def _height(paragraphs: list[Para], width: int) -> float:
    """Points the paragraphs take in a box `width` EMU wide (inside its insets)."""
    return sum(
        p.space_before + lines_of(p.text, width, p.size) * p.size * LINE_EM for p in paragraphs
    )


def note_paragraphs(text: str, size: float) -> list[Para]:
    """A consultant's note (plain text) as the PDF sets it: a blank line starts a paragraph,
    a single line break starts a line."""
    paragraphs = []
    for block_number, block in enumerate(re.split(r"\n\s*\n", text.strip())):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        for line_number, line in enumerate(lines):
            space = 8 if block_number and not line_number else 0
            paragraphs.append(Para(line, size, space_before=space))
    return paragraphs


NOTE_SIZES = (18, 16, 14, 13, 12, 11)  # points, the largest first


def _note_box(name: str, note: str, size: float) -> list[Para]:
    """A dimension's name over the consultant's note on it."""
    heading = Para(name, size + 2, bold=True, max_lines=1)
    first, *rest = note_paragraphs(note, size)
    return [heading, replace(first, space_before=4), *rest]


def fitted_note(
    text: str, width: int, height: int, *, sizes: tuple[float, ...] = NOTE_SIZES
) -> list[Para]:
    """The note at the largest of `sizes` that fits the box. A note too long even at the
    smallest is cut there, and says that the PDF has all of it (its note has a page)."""
    inner_width, room = width - 2 * INSET_X, Emu(height - 2 * INSET_Y).pt
    for size in sizes:
        paragraphs = note_paragraphs(text, size)
        if _height(paragraphs, inner_width) <= room:
            return paragraphs
    notice = Para("The whole note is in the PDF report.", size, colour=MUTED, space_before=8)
    budget = room - _height([notice], inner_width)
    kept: list[Para] = []
    for paragraph in paragraphs:
        if _height([*kept, paragraph], inner_width) <= budget:
            kept.append(paragraph)
            continue
        used = _height(kept, inner_width) + paragraph.space_before
        lines = int((budget - used) // (paragraph.size * LINE_EM))
        if lines > 0:
            kept.append(replace(paragraph, text=clip(paragraph.text, inner_width, size, lines)))
        break
    return [*kept, notice]


# ---- Drawing -------------------------------------------------------------------------------


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


class DeckBuilder:
    def __init__(self, context: dict):
        self.c = context
        self.workspace = context["workspace"]
        # A company assessing itself reads "our" (as in the PDF), a consultancy's client its name.
        company = self.workspace.is_company
        self.title = "Our go-to-market maturity" if company else "Go-to-market maturity report"
        self.whose = "our" if company else f"{context['client'].name}’s"
        self.accent = _rgb(self.workspace.accent_color or "#1f5fa8")
        self.deck = Presentation()
        self.deck.slide_width, self.deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
        self._widen_layouts()
        self.layout = self.deck.slide_layouts[5]  # title only
        self.deck.core_properties.title = self._document_title()
        self.deck.core_properties.author = self.workspace.name
        self.deck.core_properties.comments = "Made by Relay"

    def _document_title(self) -> str:
        client, assessment = self.c["client"], self.c["assessment"]
        return f"{client.name} · Go-to-market maturity report {assessment.period}"

    def _widen_layouts(self) -> None:
        """The default template is 4:3: stretch its master's and layouts' own placeholders to
        the 16:9 width, so a slide a consultant adds fits the deck."""
        ratio = SLIDE_WIDTH / Inches(10)
        master = self.deck.slide_master
        for shapes in [master.shapes, *(layout.shapes for layout in master.slide_layouts)]:
            for shape in shapes:
                if shape._element.xpath("./p:spPr/a:xfrm"):  # placed here, not inherited
                    shape.left, shape.width = round(shape.left * ratio), round(shape.width * ratio)

    # -- text boxes

    def text(self, slide, left, top, width, height, paragraphs: list[Para], *, fill=None):
        """A word-wrapping text box whose paragraphs are cut to fit it."""
        if fill is None:
            shape = slide.shapes.add_textbox(left, top, width, height)
        else:
            shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
            shape.fill.solid()
            shape.fill.fore_color.rgb = fill
            shape.line.fill.background()
            shape.shadow.inherit = False
        self.fill_frame(shape.text_frame, width, height, paragraphs)
        return shape

    def fill_frame(self, frame, width, height, paragraphs: list[Para]) -> None:
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.vertical_anchor = MSO_ANCHOR.TOP
        frame.margin_left = frame.margin_right = INSET_X
        frame.margin_top = frame.margin_bottom = INSET_Y
        inner_width, room = width - 2 * INSET_X, Emu(height - 2 * INSET_Y).pt
        fitted = []
        for p in paragraphs:
            text = clip(p.text, inner_width, p.size, p.max_lines) if p.max_lines else p.text
            fitted.append(Para(text, p.size, p.bold, p.colour, p.space_before))
        # Cut the last paragraphs further until the whole fits (the builder's layouts leave
        # room, so this only bites on unusually long text).
        while fitted and _height(fitted, inner_width) > room:
            last = fitted[-1]
            lines = lines_of(last.text, inner_width, last.size)
            if lines > 1:
                fitted[-1] = Para(
                    clip(last.text, inner_width, last.size, lines - 1),
                    last.size,
                    last.bold,
                    last.colour,
                    last.space_before,
                )
            else:
                fitted.pop()
        for number, p in enumerate(fitted):
            paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
            paragraph.space_before = Pt(p.space_before)
            paragraph.line_spacing = 1.0
            paragraph.alignment = PP_ALIGN.LEFT
            run = paragraph.add_run()
            run.text = p.text
            run.font.size = Pt(p.size)
            run.font.bold = p.bold
            run.font.color.rgb = p.colour

    def slide(self, title: str):
        slide = self.deck.slides.add_slide(self.layout)
        heading = slide.shapes.title
        heading.left, heading.top = MARGIN, Inches(0.35)
        heading.width, heading.height = CONTENT_WIDTH, Inches(0.8)
        self.fill_frame(
            heading.text_frame,
            heading.width,
            heading.height,
            [Para(title, 28, bold=True, max_lines=1)],
        )
        heading.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        rule = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.17), Inches(1.2), Inches(0.07)
        )
        rule.fill.solid()
        rule.fill.fore_color.rgb = self.accent
        rule.line.fill.background()
        rule.shadow.inherit = False
        rule.name = "Accent rule"  # a decoration: no text
        self.text(
            slide,
            MARGIN,
            Inches(7.0),
            CONTENT_WIDTH,
            Inches(0.35),
            [Para(self._footer(), 10, colour=MUTED, max_lines=1)],
        )
        return slide

    def _footer(self) -> str:
        parts = [self.c["client"].name, str(self.c["assessment"].period), self.workspace.name]
        if self.c["draft"]:
            parts.append("Draft: the assessment is still open")
        return " · ".join(parts)

    # -- the slides

    def build(self) -> bytes:
        """The slides the report's options choose, as the PDF does: the executive summary
        only, or the standard body (the appendices are the PDF's alone); the consultant's
        notes where the PDF has them."""
        self.title_slide()
        self.executive_note_slide()
        self.summary_slide()
        self.charts_slide()
        if self.c["body"]:
            self.dimension_notes_slide()
            self.recommendation_slides()
            self.plan_slide()
            self.trend_slide()
        buffer = io.BytesIO()
        self.deck.save(buffer)
        return buffer.getvalue()

    def title_slide(self) -> None:
        c = self.c
        slide = self.deck.slides.add_slide(self.deck.slide_layouts[6])  # blank
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_WIDTH, Inches(0.45))
        band.fill.solid()
        band.fill.fore_color.rgb = self.accent
        band.line.fill.background()
        band.shadow.inherit = False
        band.name = "Accent band"  # a decoration: no text
        top = Inches(1.0)
        if self._logo(slide, MARGIN, top, Inches(3.5), Inches(1.1)):
            top += Inches(1.35)
        width = CONTENT_WIDTH
        assessment = c["assessment"]
        self.text(
            slide, MARGIN, top, width, Inches(0.5), [Para(self.workspace.name, 18, colour=MUTED)]
        )
        self.text(
            slide,
            MARGIN,
            top + Inches(0.6),
            width,
            Inches(1.9),
            [
                Para(self.title, 40, bold=True, max_lines=1),
                Para(c["client"].name, 32, colour=self.accent, bold=True, max_lines=1),
                Para(str(assessment.period), 24, colour=MUTED, max_lines=1),
            ],
        )
        meta = [f"Date: {c['today']:%-d %B %Y}"]
        if c["prepared_by"]:
            meta.append(f"Prepared by {c['prepared_by']}, {self.workspace.name}")
        count = c["results"].respondent_count
        meta.append(f"Based on {count} submitted respondent{'s' if count != 1 else ''}")
        if c["draft"]:
            status = "Draft: the assessment is still open, so these results may change."
        else:
            status = f"Final results: the assessment closed on {assessment.closed_at:%-d %B %Y}."
        self.text(
            slide,
            MARGIN,
            top + Inches(2.7),
            width,
            Inches(1.6),
            [Para(line, 14, colour=MUTED, max_lines=1) for line in meta]
            + [Para(status, 14, bold=True, space_before=8, max_lines=2)],
        )

    def _logo(self, slide, left, top, max_width, max_height) -> bool:
        """The workspace's logo, scaled into the box. PowerPoint pictures are bitmaps, so an
        SVG logo is drawn as a PNG at print resolution (300 dpi) first."""
        workspace = self.workspace
        if not workspace.logo_content_type:
            return False
        fit = (round(Emu(max_width).inches * 300), round(Emu(max_height).inches * 300))
        data = logo_bitmap(bytes(workspace.logo), workspace.logo_content_type, fit=fit)
        if data is None:
            return False
        from PIL import Image  # Pillow checks every logo already (accounts.branding)

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        scale = min(max_width / width, max_height / height)
        slide.shapes.add_picture(
            io.BytesIO(data), left, top, round(width * scale), round(height * scale)
        )
        return True

    def executive_note_slide(self) -> None:
        """The consultant's executive note, a slide of its own before the summary, like the
        PDF's covering page."""
        note = self.c["options"].executive_note
        if not note:
            return
        slide = self.slide(f"A note from {self.c['prepared_by'] or self.workspace.name}")
        height = Inches(5.35)
        self.text(
            slide,
            MARGIN,
            Inches(1.5),
            CONTENT_WIDTH,
            height,
            fitted_note(note, CONTENT_WIDTH, height),
        )

    def dimension_notes_slide(self) -> None:
        """The consultant's note on each dimension that has one, side by side (the PDF puts
        each on its dimension's page): one font size for all, the largest at which every note
        fits its box, and boxes as tall as the longest note needs."""
        notes = [
            (page.dimension.name, page.note) for page in self.c["dimension_pages"] if page.note
        ]
        if not notes:
            return
        slide = self.slide("Notes by dimension")
        columns = 1 if len(notes) == 1 else 2
        rows = math.ceil(len(notes) / columns)
        gap = Inches(0.3)
        width = (CONTENT_WIDTH - gap * (columns - 1)) // columns
        inner_width = width - 2 * INSET_X
        room = Emu((Inches(5.35) - gap * (rows - 1)) // rows - 2 * INSET_Y).pt

        def needed(size: float) -> float:
            return max(_height(_note_box(name, note, size), inner_width) for name, note in notes)

        size = next((s for s in NOTE_SIZES if needed(s) <= room), NOTE_SIZES[-1])
        height = Pt(min(needed(size), room)) + 2 * INSET_Y + Pt(6)
        for number, (name, note) in enumerate(notes):
            row, column = divmod(number, columns)
            self.text(
                slide,
                MARGIN + column * (width + gap),
                Inches(1.5) + row * (height + gap),
                width,
                height,
                _note_box(name, note, size),
                fill=PALE,
            )

    def summary_slide(self) -> None:
        c = self.c
        results, act = c["results"], c["act_first"]
        slide = self.slide("Executive summary")
        half = (CONTENT_WIDTH - Inches(0.4)) // 2
        top = Inches(1.5)
        act_paragraphs = [Para("Act first", 14, bold=True, colour=MUTED)]
        if act.headline:
            act_paragraphs.append(Para(act.headline, 24, bold=True, max_lines=2))
        act_paragraphs.append(Para(act.reason, 15, space_before=6, max_lines=5))
        self.text(slide, MARGIN, top, half, Inches(2.6), act_paragraphs, fill=PALE)

        right = MARGIN + half + Inches(0.4)
        overall = results.overall_stage
        position = (
            f"Stage {overall.number} of {len(LEVEL_NAMES)}: {overall.name}"
            if overall
            else "Not enough answers yet"
        )
        notes = []
        if c["draft"]:
            notes.append("preliminary: the assessment is still open")
        if results.overall_partial:
            missing = [d.name for d in results.dimensions if d.index is None]
            notes.append(f"partial: {', '.join(missing)} has no result this quarter")
        overall_paragraphs = [
            Para("Overall maturity", 14, bold=True, colour=MUTED),
            Para(position, 22, bold=True, max_lines=1),
        ]
        if notes:
            sentence = "; ".join(notes)
            overall_paragraphs.append(
                Para(sentence[0].upper() + sentence[1:] + ".", 12, max_lines=2)
            )
        self.text(slide, right, top, half, Inches(1.2), overall_paragraphs)
        drop = results.baton_drop
        drop_paragraphs = [Para("Where the baton drops", 14, bold=True, colour=MUTED)]
        if drop is not None:
            drop_paragraphs.append(Para(drop.name, 22, bold=True, colour=DROP_RED, max_lines=2))
            words = drop.stage.name + (", at risk" if drop.at_risk else "")
            drop_paragraphs.append(Para(words, 14, max_lines=1))
        else:
            drop_paragraphs.append(Para("Not enough answers yet.", 14))
        self.text(slide, right, top + Inches(1.3), half, Inches(1.3), drop_paragraphs)

        lines = [Para("Each dimension against its target", 16, bold=True)]
        lines += [
            Para(_dimension_words(d), 14, space_before=4, max_lines=1)
            for d in c["results"].dimensions
        ]
        change = c["biggest_change"]
        if change is not None:
            moved = round(change.delta)
            direction = "up" if change.delta >= 0 else "down"
            lines.append(
                Para(
                    f"Biggest change since {change.since}: {change.dimension.name}, {direction} "
                    f"{abs(moved)} point{'s' if abs(moved) != 1 else ''}.",
                    14,
                    space_before=10,
                    max_lines=1,
                )
            )
        elif c["previous"] is None:
            lines.append(
                Para(
                    f"This is {self.whose} first assessment: later quarters will show the change.",
                    14,
                    space_before=10,
                    max_lines=1,
                )
            )
        self.text(slide, MARGIN, Inches(4.35), CONTENT_WIDTH, Inches(2.55), lines)

    def charts_slide(self) -> None:
        c = self.c
        results = c["results"]
        slide = self.slide("The relay and the dimensions")
        half = (CONTENT_WIDTH - Inches(0.4)) // 2
        top, height = Inches(1.45), Inches(4.75)

        data = CategoryChartData(number_format="0")
        data.categories = [h.name for h in results.handoffs]
        data.add_series("Index", [rounded(h.index) for h in results.handoffs])
        # Columns, upstream first from the left: the way the race runs.
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, top, half, height, data
        )
        chart = frame.chart
        _chart_title(chart, "The relay: each handoff, 0 to 100")
        chart.has_legend = False
        _scale(chart.value_axis)
        chart.category_axis.tick_labels.font.size = Pt(12)
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format, labels.number_format_is_linked = "0", False
        labels.font.size = Pt(12)
        series = plot.series[0]
        for number, handoff in enumerate(results.handoffs):
            fill = series.points[number].format.fill
            fill.solid()
            fill.fore_color.rgb = (
                DROP_RED if handoff.baton_drop else RISK_ORANGE if handoff.at_risk else self.accent
            )

        data = CategoryChartData(number_format="0")
        data.categories = [d.name for d in results.dimensions]
        data.add_series("This quarter", [rounded(d.index) for d in results.dimensions])
        data.add_series("Target", [rounded(d.target_index) for d in results.dimensions])
        previous = c["previous"]
        if previous is not None:
            before = {d.key: d.index for d in previous.results.dimensions}
            data.add_series(
                str(previous.assessment.period),
                [rounded(before.get(d.key)) for d in results.dimensions],
            )
        right = MARGIN + half + Inches(0.4)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.RADAR_MARKERS, right, top, half, height, data)
        chart = frame.chart
        _chart_title(chart, "Maturity by dimension against the target")
        _legend(chart)
        _scale(chart.value_axis)
        chart.category_axis.tick_labels.font.size = Pt(12)
        _plot_area(chart, x=0.2, y=0.2, w=0.6, h=0.6)  # room for the dimensions' names
        colours = [self.accent, TARGET_GREY, PREVIOUS_GREY]
        for series, colour in zip(chart.plots[0].series, colours, strict=False):
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(2.5 if colour is self.accent else 1.75)
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour
            series.marker.format.line.color.rgb = colour
            series.smooth = False

        legend = "Red: where the baton drops. Orange: at risk."
        self.text(
            slide,
            MARGIN,
            top + height + Inches(0.1),
            half,
            Inches(0.6),
            [Para(legend, 12, colour=MUTED, max_lines=2)],
        )
        stages = ", ".join(LEVEL_NAMES.values())
        self.text(
            slide,
            right,
            top + height + Inches(0.1),
            half,
            Inches(0.6),
            [
                Para(
                    f"The rings mark the stages from the centre out: {stages}.",
                    12,
                    colour=MUTED,
                    max_lines=2,
                )
            ],
        )

    def recommendation_slides(self) -> None:
        c = self.c
        recommendations: tuple[Recommendation, ...] = c["results"].recommendations
        shown = recommendations[:TOP_RECOMMENDATIONS]
        if not shown:
            slide = self.slide("Recommendations")
            self.text(
                slide,
                MARGIN,
                Inches(1.5),
                CONTENT_WIDTH,
                Inches(0.6),
                [Para("Every question is at or above its target.", 18)],
            )
            return
        pages = math.ceil(len(shown) / PER_SLIDE)
        gap = Inches(0.3)
        width = (CONTENT_WIDTH - gap * (PER_SLIDE - 1)) // PER_SLIDE
        for page in range(pages):
            title = "The top recommendations"
            if pages > 1:
                title += f" ({page + 1} of {pages})"
            slide = self.slide(title)
            for column, r in enumerate(shown[page * PER_SLIDE : (page + 1) * PER_SLIDE]):
                rank = page * PER_SLIDE + column + 1
                left = MARGIN + column * (width + gap)
                self.text(
                    slide,
                    left,
                    Inches(1.5),
                    width,
                    Inches(5.0),
                    _recommendation_paragraphs(rank, r, recommendations),
                    fill=PALE,
                )
            if page == pages - 1 and len(recommendations) > len(shown):
                more = len(recommendations) - len(shown)
                self.text(
                    slide,
                    MARGIN,
                    Inches(6.55),
                    CONTENT_WIDTH,
                    Inches(0.4),
                    [
                        Para(
                            f"And {more} more recommendation{'s' if more != 1 else ''} in the "
                            "full report.",
                            12,
                            colour=MUTED,
                            max_lines=1,
                        )
                    ],
                )

    def plan_slide(self) -> None:
        items = self.c["plan_items"]
        if not items:
            return
        slide = self.slide("The action plan")
        shown = items[:PLAN_ROWS]
        widths = [Inches(6.33), Inches(2.8), Inches(1.5), Inches(1.5)]
        row_height = Inches(0.42)
        frame = slide.shapes.add_table(
            len(shown) + 1, 4, MARGIN, Inches(1.5), sum(widths), row_height * (len(shown) + 1)
        )
        table = frame.table
        for column, width in enumerate(widths):
            table.columns[column].width = width
        for row in table.rows:
            row.height = row_height
        header = ("Item", "Owner", "Target quarter", "Status")
        for column, words in enumerate(header):
            self._cell(table.cell(0, column), widths[column], row_height, words, bold=True)
        for number, item in enumerate(shown, start=1):
            values = (
                item.title,
                item.owner_display or "Unassigned",
                str(item.target_period),
                item.get_status_display(),
            )
            for column, words in enumerate(values):
                self._cell(table.cell(number, column), widths[column], row_height, words)
        notes = ["Open items first, by target quarter; dropped items are left out."]
        if len(items) > len(shown):
            more = len(items) - len(shown)
            notes.insert(0, f"And {more} more item{'s' if more != 1 else ''} in the plan.")
        self.text(
            slide,
            MARGIN,
            Inches(1.6) + row_height * (len(shown) + 1),
            CONTENT_WIDTH,
            Inches(0.7),
            [Para(" ".join(notes), 12, colour=MUTED, max_lines=2)],
        )

    def _cell(self, cell, width, height, words: str, *, bold: bool = False) -> None:
        cell.margin_left = cell.margin_right = INSET_X
        cell.margin_top = cell.margin_bottom = INSET_Y
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        self.fill_frame(cell.text_frame, width, height, [Para(words, 11, bold, max_lines=1)])
        cell.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE

    def trend_slide(self) -> None:
        trend = self.c["trend_data"]
        if trend is None:
            return
        slide = self.slide("The trend over the quarters")
        half = (CONTENT_WIDTH - Inches(0.4)) // 2
        top, height = Inches(1.45), Inches(4.75)
        groups = [
            ("The four dimensions", list(trend.dimensions), MARGIN),
            ("Overall and the three handoffs", [trend.overall, *trend.handoffs], None),
        ]
        for title, series, left in groups:
            data = CategoryChartData(number_format="0")
            data.categories = list(trend.quarters)
            for line in series:
                data.add_series(line.name, [rounded(value) for value in line.values])
            x = left if left is not None else MARGIN + half + Inches(0.4)
            chart = slide.shapes.add_chart(
                XL_CHART_TYPE.LINE_MARKERS, x, top, half, height, data
            ).chart
            _chart_title(chart, title)
            _legend(chart)
            _scale(chart.value_axis)
            colours = (
                LINE_COLOURS if series[0].name != "Overall" else (OVERALL_NAVY, *LINE_COLOURS[1:])
            )
            for plotted, colour in zip(chart.plots[0].series, colours, strict=False):
                plotted.smooth = False
                plotted.format.line.color.rgb = _rgb(colour)
                plotted.format.line.width = Pt(2.25)
                plotted.marker.format.fill.solid()
                plotted.marker.format.fill.fore_color.rgb = _rgb(colour)
        notes = ["A quarter without results is a gap in the lines."]
        preliminary = [
            q for q, early in zip(trend.quarters, trend.preliminary, strict=True) if early
        ]
        if preliminary:
            notes.append(f"{' and '.join(preliminary)}: preliminary, the assessment is still open.")
        self.text(
            slide,
            MARGIN,
            top + height + Inches(0.1),
            CONTENT_WIDTH,
            Inches(0.6),
            [Para(" ".join(notes), 12, colour=MUTED, max_lines=2)],
        )


def _dimension_words(d: DimensionResult) -> str:
    """ "People: Defined, one level below its target, Managed." in words, no figures."""
    target = LEVEL_NAMES.get(d.target, "")
    if d.index is None or d.stage is None:
        return f"{d.name}: not enough answers yet (target {target})."
    if d.index >= d.target_index:
        return f"{d.name}: {d.stage.name}, at or above its target ({target})."
    below = d.target - d.stage.number
    if below <= 0:
        return f"{d.name}: {d.stage.name}, close to its target ({target})."
    words = {1: "one level", 2: "two levels", 3: "three levels", 4: "four levels"}[below]
    return f"{d.name}: {d.stage.name}, {words} below its target ({target})."


def _recommendation_paragraphs(
    rank: int, r: Recommendation, recommendations: tuple[Recommendation, ...]
) -> list[Para]:
    why = [
        priority_words(r, recommendations),
        f"from {level_name(r.rung.from_level)} to {level_name(r.next_level)}, "
        f"target {level_name(r.target)}",
        f"impact {strength(r.impact)}, effort {strength(r.effort)}",
    ]
    if r.on_baton_drop:
        why.append("on the baton drop")
    return [
        Para(f"{rank}. {r.title}", 17, bold=True, max_lines=3),
        Para("Why", 12, bold=True, colour=MUTED, space_before=8),
        Para(f"{r.question.text} " + "; ".join(why) + ".", 12, max_lines=7),
        Para("Next steps", 12, bold=True, colour=MUTED, space_before=8),
        Para(r.next_steps or "See the full report.", 12, max_lines=14),
    ]


def _chart_title(chart, title: str) -> None:
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    font = chart.chart_title.text_frame.paragraphs[0].runs[0].font
    font.size, font.bold = Pt(14), True


def _legend(chart) -> None:
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(11)


def _plot_area(chart, *, x: float, y: float, w: float, h: float) -> None:
    """Place the plot inside the chart (fractions of its size): python-pptx has no API for it,
    and left to themselves renderers shrink a radar to make room for long axis names."""
    layout = chart._chartSpace.chart.plotArea.find(qn("c:layout"))
    layout.clear()
    manual = etree.SubElement(layout, qn("c:manualLayout"))
    for tag, value in (("layoutTarget", "inner"), ("xMode", "edge"), ("yMode", "edge")):
        etree.SubElement(manual, qn(f"c:{tag}")).set("val", value)
    for tag, value in (("x", x), ("y", y), ("w", w), ("h", h)):
        etree.SubElement(manual, qn(f"c:{tag}")).set("val", f"{value:g}")


def _scale(axis) -> None:
    """0 to 100 in steps of 20: the stages' bounds."""
    axis.minimum_scale, axis.maximum_scale, axis.major_unit = 0, 100, 20
    axis.has_major_gridlines = True
    axis.tick_labels.font.size = Pt(10)
    axis.tick_label_position = XL_TICK_LABEL_POSITION.NEXT_TO_AXIS


def render_report_pptx(*, assessment: Assessment) -> bytes:
    """The report of one assessment as a .pptx file's bytes."""
    return DeckBuilder(report_context(assessment)).build()
