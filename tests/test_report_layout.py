"""The PDF's layout, proven on every demo report with each choice of sections: no word
crosses the page's side margins, and the body (everything before the appendices) stays within
the twelve pages a leadership reader is given."""

import re
import subprocess
from datetime import date
from html import unescape

import pytest

from assessments.models import (
    EXECUTIVE_NOTE_MAX_LENGTH,
    NOTE_FIELDS,
    NOTE_MAX_LENGTH,
    Assessment,
    ReportOptions,
    ReportSections,
)
from assessments.pdf import render_report_pdf
from devtools.demo import seed_demo

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
SIDE_MARGIN = 18 * MM  # static/css/report.css: @page { margin: 22mm 18mm 20mm }
SLACK = 0.5  # points: rounding in the text extraction
MAX_BODY_PAGES = 12
WATERMARK_HEIGHT = 40  # points: the draft watermark's letters, drawn across the page on purpose

_PAGE = re.compile(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', re.DOTALL)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def _pages(pdf: bytes) -> list[tuple[float, list[tuple[float, float, float, str]]]]:
    """Per page: its width and its words as (left, right, height, text)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    pages = []
    for width, body in _PAGE.findall(html):
        words = [
            (float(x0), float(x1), float(y1) - float(y0), unescape(text))
            for x0, y0, x1, y1, text in _WORD.findall(body)
        ]
        pages.append((float(width), words))
    return pages


def _outside_margins(pages) -> list[str]:
    found = []
    for number, (width, words) in enumerate(pages[1:], start=2):  # the cover bleeds on purpose
        for left, right, height, text in words:
            if height > WATERMARK_HEIGHT:
                continue
            if left < SIDE_MARGIN - SLACK or right > width - SIDE_MARGIN + SLACK:
                found.append(f"page {number}: {text!r} at {left:.1f}–{right:.1f} of {width:.0f}")
    return found


def _body_pages(pages) -> int:
    """The pages before the first appendix (their headings alone say "Appendix:")."""
    for number, (_, words) in enumerate(pages, start=1):
        if any(text == "Appendix:" for *_, text in words):
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
        problems += [f"{name}: {line}" for line in _outside_margins(pages)]
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
    assert _body_pages(pages) <= MAX_BODY_PAGES
