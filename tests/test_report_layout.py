"""The PDF's layout, proven on every demo report with each choice of sections: no word
crosses the page's side margins, no page that continues a section is left mostly blank, a
table's header repeats on every page it crosses, and the body (everything before the
appendices) stays within the twelve pages a leadership reader is given."""

import re
import subprocess
from datetime import date
from html import unescape
from typing import NamedTuple

import pytest

from assessments.models import (
    EXECUTIVE_NOTE_MAX_LENGTH,
    NOTE_FIELDS,
    NOTE_MAX_LENGTH,
    Assessment,
    PlanItem,
    PlanStatus,
    ReportOptions,
    ReportSections,
)
from assessments.pdf import render_report_pdf
from devtools.demo import seed_demo

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
# static/css/report.css: @page { margin: 22mm 18mm 20mm }
TOP_MARGIN, SIDE_MARGIN, BOTTOM_MARGIN = 22 * MM, 18 * MM, 20 * MM
SLACK = 0.5  # points: rounding in the text extraction
MAX_BODY_PAGES = 12
WATERMARK_HEIGHT = 40  # points: the draft watermark's letters, drawn across the page on purpose
HEADING_HEIGHT = 18  # points: a word this tall is a page title (h1, 20pt); body text is 9.5pt
MOST_BLANK = 0.85  # a page continuing a section fills at least the rest of its text area

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


class Page(NamedTuple):
    width: float
    height: float
    words: list  # (left, right, top, bottom, text)

    def content(self) -> list:
        """The words inside the text area: not the running header and footer in the margins,
        nor the draft watermark drawn across the page."""
        return [
            word
            for word in self.words
            if word[2] >= TOP_MARGIN - SLACK
            and word[3] <= self.height - BOTTOM_MARGIN + SLACK
            and word[3] - word[2] <= WATERMARK_HEIGHT
        ]

    def starts_a_section(self) -> bool:
        return any(bottom - top > HEADING_HEIGHT for _, _, top, bottom, _ in self.content())

    def filled(self) -> float:
        """How far down its text area the page's words reach, from 0 to 1."""
        bottoms = [bottom for _, _, _, bottom, _ in self.content()]
        area = self.height - TOP_MARGIN - BOTTOM_MARGIN
        return (max(bottoms) - TOP_MARGIN) / area if bottoms else 0.0


def _pages(pdf: bytes) -> list[Page]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [
        Page(
            float(width),
            float(height),
            [
                (float(x0), float(x1), float(y0), float(y1), unescape(text))
                for x0, y0, x1, y1, text in _WORD.findall(body)
            ],
        )
        for width, height, body in _PAGE.findall(html)
    ]


def _outside_margins(pages: list[Page]) -> list[str]:
    found = []
    for number, page in enumerate(pages[1:], start=2):  # the cover bleeds on purpose
        for left, right, top, bottom, text in page.words:
            if bottom - top > WATERMARK_HEIGHT:
                continue
            if left < SIDE_MARGIN - SLACK or right > page.width - SIDE_MARGIN + SLACK:
                found.append(
                    f"page {number}: {text!r} at {left:.1f}–{right:.1f} of {page.width:.0f}"
                )
    return found


def _mostly_blank(pages: list[Page]) -> list[str]:
    """Pages that carry a section's tail over a page break and are mostly blank: a section
    that starts on a page may end short (the next starts on a new page), but one that spills
    a few lines onto the next page left them where the reader wants no page turn."""
    # The cover is a page of its own; the last page ends the document's last section (the
    # answers appendix runs as long as the answers do).
    return [
        f"page {number} is {1 - page.filled():.0%} blank"
        for number, page in enumerate(pages[1:-1], start=2)
        if not page.starts_a_section() and page.filled() < 1 - MOST_BLANK
    ]


def _body_pages(pages) -> int:
    """The pages before the first appendix (their headings alone say "Appendix:")."""
    for number, page in enumerate(pages, start=1):
        if any(text == "Appendix:" for *_, text in page.words):
            return number - 1
    return len(pages)


@pytest.fixture
def demo():
    # Seeded per test, inside its transaction: nothing is left behind for the tests after.
    seed_demo(today=date(2026, 11, 22))


def _demo_reports():
    return [
        a
        for a in Assessment.objects.select_related("client__workspace").order_by(
            "client__name", "year", "quarter"
        )
        if a.has_results
    ]


@pytest.mark.parametrize("sections", ReportSections.values)
def test_every_demo_report_keeps_its_margins_and_its_page_budget(demo, sections):
    problems, counts = [], {}
    for assessment in _demo_reports():
        options = ReportOptions(assessment=assessment, sections=sections)
        pages = _pages(render_report_pdf(assessment=assessment, options=options))
        name = f"{assessment.client.name} {assessment.period}"
        problems += [f"{name}: {line}" for line in _outside_margins(pages) + _mostly_blank(pages)]
        counts[name] = (_body_pages(pages), len(pages))
    assert problems == []
    assert len(counts) >= 20  # every demo quarter with results
    for name, (body, total) in counts.items():
        assert body <= MAX_BODY_PAGES, (name, body)
        if sections == ReportSections.SUMMARY:
            assert total == 2, name  # the cover and the one-page executive summary
        elif sections == ReportSections.STANDARD:
            assert body == total, name  # no appendix
        else:
            assert body < total, name  # the appendices follow the body


def test_the_longest_notes_keep_the_largest_report_within_its_pages(demo):
    """The consultant's notes at the longest the form takes, in the demo's longest report:
    the executive note gets a page of its own, each dimension's note fits beside its steps."""
    words = "The pipeline review moves to Mondays, and marketing joins it from January. "
    executive = (words * 60)[:EXECUTIVE_NOTE_MAX_LENGTH]
    dimension = (words * 20)[:NOTE_MAX_LENGTH]
    # The demo's longest report (9 body pages without notes, when this test was written).
    largest = Assessment.objects.select_related("client__workspace").get(
        client__name="Meridian Industrial Controls", year=2026, quarter=2
    )
    options = ReportOptions(
        assessment=largest,
        sections=ReportSections.FULL,
        executive_note=executive,
        **{field: dimension for field in NOTE_FIELDS.values()},
    )
    pages = _pages(render_report_pdf(assessment=largest, options=options))
    assert _outside_margins(pages) == []
    assert _mostly_blank(pages) == []
    assert _body_pages(pages) <= MAX_BODY_PAGES


def test_a_table_crossing_pages_repeats_its_header_on_each(demo):
    """A long action plan (eighty items) runs over several pages: each of them opens with the
    table's header, so a reader who turns the page still knows the columns."""
    assessment = Assessment.objects.select_related("client__workspace").get(
        client__name="Meridian Industrial Controls", year=2026, quarter=2
    )
    PlanItem.objects.bulk_create(
        PlanItem(
            client=assessment.client,
            title=f"Plan item {number:02d}: a step the team agreed on in the workshop",
            owner_name="Head of marketing",
            target_year=2026,
            target_quarter=4,
            status=PlanStatus.PLANNED,
        )
        for number in range(80)
    )
    pages = _pages(render_report_pdf(assessment=assessment))
    plan_pages = [
        page for page in pages if any(text.startswith("Plan") for *_, text in page.content())
    ]
    assert len(plan_pages) >= 2
    for page in plan_pages:
        first_line = sorted(page.content(), key=lambda word: (round(word[2]), word[0]))
        heading_words = [text for *_, text in first_line if text.isupper()][:4]
        assert heading_words[:2] == ["ITEM", "OWNER"], heading_words
    assert _mostly_blank(pages) == []
