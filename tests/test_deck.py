"""report.pptx, the editable slide deck: for every demo assessment with results, opened again
with python-pptx, it is 16:9, every text box's text is there and fits it, the radar's and the
relay's native charts carry results.json's indexes, and no slide shows an internal question
key. The deck honours the answer visibility as the PDF does, and is served as the PDF is."""

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu, Inches

from accounts.branding import logo_bitmap, read_logo
from accounts.models import Role
from assessments.models import (
    NOTE_FIELDS,
    Answer,
    Assessment,
    PlanItem,
    ReportOptions,
    ReportSections,
    Visibility,
)
from assessments.summaries import refresh
from bank.models import Question
from devtools.demo import seed_demo
from tests.factories import (
    add_member,
    answer_all,
    make_assessment,
    make_bank_version,
    make_respondent,
)

pytestmark = pytest.mark.django_db

# ---- Does the text fit? ----------------------------------------------------------------------

# An estimate, not a typesetter: an average character of a sans-serif font is about half an em
# wide (Calibri's lower case is narrower, its capitals wider), and a line of text is 1.2 ems
# high. A paragraph of `size` points in a box `width` wide then takes
#     lines = its words wrapped greedily at width / (size × CHAR_EM) characters a line
# and the box's text fits when the paragraphs' lines × size × LINE_EM, plus the space before
# each paragraph, are at most the box's height, both inside the box's margins.
CHAR_EM = 0.5
LINE_EM = 1.2


def _wrapped_lines(text: str, chars: int) -> int:
    lines = 0
    for hard_line in text.split("\n"):
        length, count = 0, 1
        for word in hard_line.split():
            while len(word) > chars:  # a word longer than the line is broken
                count += 1 if length else 0
                word, length = word[chars:], 0
                count += 1
            if length and length + 1 + len(word) > chars:
                count, length = count + 1, len(word)
            else:
                length += len(word) + (1 if length else 0)
        lines += count
    return lines


def text_overflow(frame, width: int, height: int) -> float:
    """Points by which the frame's text is taller than its box (0 or less: it fits). Every
    paragraph must say its font size (a run's), as the deck's do."""
    inner_width = Emu(width - frame.margin_left - frame.margin_right).pt
    room = Emu(height - frame.margin_top - frame.margin_bottom).pt
    needed = 0.0
    for paragraph in frame.paragraphs:
        sizes = [run.font.size.pt for run in paragraph.runs if run.font.size is not None]
        assert sizes, f"a paragraph without a font size: {paragraph.text!r}"
        size = max(sizes)
        chars = max(int(inner_width / (size * CHAR_EM)), 1)
        before = paragraph.space_before.pt if paragraph.space_before is not None else 0
        needed += before + _wrapped_lines(paragraph.text, chars) * size * LINE_EM
    return needed - room


def test_the_fit_estimate_wraps_as_a_text_box_would():
    assert _wrapped_lines("one two three", 7) == 2  # "one two" / "three"
    assert _wrapped_lines("one two three", 13) == 1
    assert _wrapped_lines("a\nb", 10) == 2
    assert _wrapped_lines("x" * 25, 10) == 3


# ---- What a deck holds -----------------------------------------------------------------------


def _frames(deck):
    """(slide number, text frame, width, height) of every text box and table cell; the
    accent's decorations (named so) carry no text."""
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame and not shape.name.startswith("Accent "):
                yield number, shape.text_frame, shape.width, shape.height
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for column, cell in zip(table.columns, row.cells, strict=True):
                        yield number, cell.text_frame, column.width, row.height


def _charts(deck) -> list[Chart]:
    return [s.chart for slide in deck.slides for s in slide.shapes if s.has_chart]


def _series(chart: Chart) -> dict[str, tuple]:
    return {series.name: tuple(series.values) for series in chart.plots[0].series}


def _slide_text(deck) -> str:
    return "\n".join(frame.text for _, frame, _, _ in _frames(deck))


def _download(client, assessment, name="report_pptx"):
    args = [assessment.client.workspace.slug, assessment.pk]
    return client.get(reverse(f"assessments:{name}", args=args))


def _deck(response):
    assert response.status_code == 200, response
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    )
    return Presentation(io.BytesIO(response.content))


def _assert_every_text_fits(deck, where: str) -> None:
    for number, frame, width, height in _frames(deck):
        assert frame.text.strip(), f"{where}: an empty text box on slide {number}"
        assert frame.word_wrap is True, (where, number, frame.text)
        overflow = text_overflow(frame, width, height)
        assert overflow <= 0, f"{where}, slide {number}: {frame.text!r} {overflow:.0f} pt over"


KEY_SHAPED = re.compile(r"\b[a-z]+\.[a-z_0-9]+\b")


def test_every_demo_deck_is_16_9_fits_its_text_and_charts_results_json(settings, client):
    settings.DEBUG = True
    seed_demo(today=date(2026, 11, 22))
    keys = set(Question.objects.values_list("key", flat=True))
    assessments = [
        a for a in Assessment.objects.select_related("client__workspace") if a.has_results
    ]
    assert len(assessments) >= 15
    for assessment in assessments:
        where = f"{assessment.client} {assessment.period}"
        owner = assessment.client.workspace.memberships.get(role=Role.OWNER).user
        client.force_login(owner)
        deck = _deck(_download(client, assessment))
        data = _download(client, assessment, "results_json").json()

        assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5)), where
        _assert_every_text_fits(deck, where)

        charts = _charts(deck)
        [relay] = [c for c in charts if c.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED]
        [radar] = [c for c in charts if c.chart_type == XL_CHART_TYPE.RADAR_MARKERS]
        assert list(relay.plots[0].categories) == [h["name"] for h in data["handoffs"]], where
        assert _series(relay) == {"Index": tuple(h["index"] for h in data["handoffs"])}, where
        assert list(radar.plots[0].categories) == [d["name"] for d in data["dimensions"]], where
        radar_series = _series(radar)
        assert radar_series["This quarter"] == tuple(d["index"] for d in data["dimensions"])
        assert radar_series["Target"] == tuple(d["target_index"] for d in data["dimensions"])
        previous = data["previous_quarter"]
        if previous:
            expected = tuple(previous["dimensions"][d["key"]] for d in data["dimensions"])
            assert radar_series[previous["quarter"]] == expected, where
        lines = [c for c in charts if c.chart_type == XL_CHART_TYPE.LINE_MARKERS]
        assert all(len(_series(chart)) <= 4 for chart in lines), where

        text = _slide_text(deck)
        leaked = {word for word in KEY_SHAPED.findall(text) if word in keys}
        assert leaked == set(), f"{where}: internal keys on the slides: {leaked}"
        if data["act_first"]["headline"]:
            assert data["act_first"]["headline"] in text, where
            assert data["act_first"]["reason"] in text, where
        first = data["recommendations"][0] if data["recommendations"] else None
        if first:
            assert first["title"][:30] in text, where
        assert str(data["overall"]["index"]) not in text.replace(",", ""), (
            where
        )  # words, not scores


def test_the_trend_is_two_line_charts_of_the_snapshots(settings, client):
    settings.DEBUG = True
    seed_demo(today=date(2026, 11, 22))
    assessment = Assessment.objects.filter(status="closed").order_by("-year", "-quarter").first()
    client.force_login(assessment.client.workspace.memberships.get(role=Role.OWNER).user)
    deck = _deck(_download(client, assessment))
    lines = [c for c in _charts(deck) if c.chart_type == XL_CHART_TYPE.LINE_MARKERS]
    assert [list(_series(chart)) for chart in lines] == [
        ["People", "Process", "Buyer insights & content", "Technology systems & data"],
        [
            "Overall",
            "GTM strategy → Demand gen",
            "Demand gen → Lead gen",
            "Lead gen → Sales-ready opportunities",
        ],
    ]
    quarters = list(lines[0].plots[0].categories)
    assert quarters[-1] == str(assessment.period) and len(quarters) >= 2
    overall = _series(lines[1])["Overall"]
    assert overall[-1] == round(assessment.overall_index, 1)


NAMES = ("Priya Shah", "Sam Sales", "Sol Seller")


@pytest.fixture
def small(gtm_client, owner):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    assessment = make_assessment(gtm_client, version=version, status="open")
    for number, name in enumerate(NAMES):
        respondent = make_respondent(assessment, name=name, role="sales")
        answer_all(respondent, str(number + 2), submit=True)
    return assessment


@pytest.mark.parametrize("visibility", [Visibility.CONFIDENTIAL, Visibility.ANONYMOUS])
def test_the_deck_names_no_respondent_unless_the_assessment_is_named(
    client, owner, small, visibility
):
    Assessment.objects.filter(pk=small.pk).update(answer_visibility=visibility)
    client.force_login(owner)
    deck = _deck(_download(client, small))
    text = _slide_text(deck)
    assert not [name for name in NAMES if name in text]
    assert "Brightline Logistics" in text


def test_a_viewer_downloads_it_and_without_results_it_waits(client, workspace, small, gtm_client):
    viewer = add_member(workspace, role=Role.VIEWER).user
    client.force_login(viewer)
    response = _download(client, small)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Brightline-Logistics-2026-Q3-report.pptx" in response["Content-Disposition"]
    empty = make_assessment(gtm_client, quarter=4, status="open")
    response = _download(client, empty)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/assessments/{empty.pk}/results/")


def test_a_png_logo_is_on_the_title_slide(client, owner, workspace, small):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 100), "#123456").save(buffer, "PNG")
    workspace.set_logo(data=buffer.getvalue(), content_type="image/png")
    workspace.accent_color = "#aa3377"
    workspace.save()
    client.force_login(owner)
    deck = _deck(_download(client, small))
    title = deck.slides[0]
    pictures = [s for s in title.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 1
    assert pictures[0].width / pictures[0].height == pytest.approx(4, rel=0.01)
    fills = [
        str(s.fill.fore_color.rgb) for s in title.shapes if s.shape_type == 1 and s.fill.type == 1
    ]
    assert "AA3377" in fills


def test_an_svg_logo_is_drawn_as_a_picture_on_the_title_slide(client, owner, workspace, small):
    from PIL import Image

    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100">'
        b'<rect width="300" height="100" fill="#123456"/></svg>'
    )
    workspace.set_logo(data=read_logo(svg).data, content_type="image/svg+xml")
    workspace.save()
    client.force_login(owner)
    deck = _deck(_download(client, small))
    pictures = [s for s in deck.slides[0].shapes if s.shape_type == 13]  # PICTURE
    assert len(pictures) == 1
    picture = pictures[0]
    assert picture.width / picture.height == pytest.approx(3, rel=0.01)
    assert picture.image.content_type == "image/png"
    with Image.open(io.BytesIO(picture.image.blob)) as image:
        # Sharp when printed: about 300 dots per inch of the picture's width on the slide.
        assert image.size[0] / picture.width.inches == pytest.approx(300, rel=0.05)
        assert image.convert("RGB").getpixel((image.size[0] // 2, image.size[1] // 2)) == (
            0x12,
            0x34,
            0x56,
        )


def test_a_logo_that_cannot_be_drawn_leaves_the_name_alone():
    assert logo_bitmap(b"<svg", "image/svg+xml", fit=(300, 100)) is None
    assert logo_bitmap(b"GIF89a", "image/gif", fit=(300, 100)) is None


def _titles(deck) -> list[str]:
    return [slide.shapes.title.text if slide.shapes.title else "" for slide in deck.slides]


EXECUTIVE_NOTE = (
    "We met the leadership team twice in October.\n\n"
    "The lead handoff is where the quarter was lost:\nmarketing and sales count leads apart."
)


def test_the_deck_follows_the_report_options(client, owner, small):
    options = ReportOptions.of(small)
    options.executive_note = EXECUTIVE_NOTE
    options.note_people = "Hire a marketing operations lead before the spring."
    options.note_process = "Agree one definition of a qualified lead."
    options.save()
    client.force_login(owner)
    deck = _deck(_download(client, small))
    titles = _titles(deck)
    assert titles[1].startswith("A note from") and titles[2] == "Executive summary"
    # The dimension notes follow the charts, before the recommendations.
    assert titles.index("Notes by dimension") == titles.index("The relay and the dimensions") + 1
    note = deck.slides[1]
    paragraphs = [p.text for s in note.shapes if s.has_text_frame for p in s.text_frame.paragraphs]
    # Paragraphs and line breaks as written; the second paragraph is set apart.
    assert "We met the leadership team twice in October." in paragraphs
    assert "marketing and sales count leads apart." in paragraphs
    notes_slide = deck.slides[titles.index("Notes by dimension")]
    notes_text = "\n".join(s.text_frame.text for s in notes_slide.shapes if s.has_text_frame)
    assert "People\nHire a marketing operations lead" in notes_text
    assert "Process\nAgree one definition" in notes_text
    assert "Buyer insights" not in notes_text  # no note, no box
    _assert_every_text_fits(deck, "with notes")

    options.sections = ReportSections.SUMMARY
    options.save()
    summary_only = _titles(_deck(_download(client, small)))
    assert summary_only == [
        "",  # the title slide
        titles[1],
        "Executive summary",
        "The relay and the dimensions",
    ]

    options.sections, options.executive_note, options.note_people = ReportSections.FULL, "", ""
    options.note_process = ""
    options.save()
    full = _titles(_deck(_download(client, small)))
    assert "Executive summary" in full and not any(t.startswith("A note") for t in full)
    assert "Notes by dimension" not in full


def test_notes_as_long_as_the_form_allows_fit_their_slides(client, owner, small):
    options = ReportOptions.of(small)
    words = "The team agrees on the goal but not on who owns the lead once it is scored. "
    options.executive_note = _longest(ReportOptions, "executive_note", words + "\n\n" + words)
    for field in NOTE_FIELDS.values():
        setattr(options, field, _longest(ReportOptions, field, words))
    options.save()
    client.force_login(owner)
    deck = _deck(_download(client, small))
    _assert_every_text_fits(deck, "longest notes")
    notes_slide = deck.slides[_titles(deck).index("Notes by dimension")]
    boxes = [s.text_frame.text for s in notes_slide.shapes if s.has_text_frame]
    names = ["People", "Process", "Buyer insights & content", "Technology systems & data"]
    assert all(any(box.startswith(f"{name}\n") for box in boxes) for name in names)


def test_a_note_too_long_for_its_slide_is_cut_and_says_so():
    from assessments.deck import CONTENT_WIDTH, fitted_note

    sentence = "The team agrees on the goal but not on who owns the lead once it is scored."
    short = fitted_note(sentence, CONTENT_WIDTH, Inches(5))
    assert [p.text for p in short] == [sentence] and short[0].size == 18
    long = fitted_note("\n\n".join([sentence] * 60), CONTENT_WIDTH, Inches(5))
    assert long[-1].text == "The whole note is in the PDF report."
    assert 1 < len(long) < 60 and long[0].size == 11


def _longest(model, field: str, words: str) -> str:
    """`words` repeated to the field's maximum length, the longest a form lets through (and
    what PostgreSQL enforces; SQLite would store more)."""
    limit = model._meta.get_field(field).max_length
    return (words * (limit // len(words) + 1))[:limit].strip()


def test_long_names_and_a_long_plan_are_cut_to_fit(client, owner, workspace, small, gtm_client):
    """Text as long as the forms allow: the client's and workspace's names, plan items'
    titles; more plan items than a slide holds end in "and N more"."""
    workspace.name = _longest(workspace, "name", "Northwind Advisory and Partners ")
    workspace.save()
    gtm_client.name = _longest(gtm_client, "name", "Brightline Logistics International ")
    gtm_client.save()
    for number in range(12):
        PlanItem.objects.create(
            client=gtm_client,
            title=_longest(PlanItem, "title", f"Item {number} rebuild the lead definition "),
            owner_name=_longest(PlanItem, "owner_name", "Alexandra Konstantinopoulou "),
            target_year=2026,
            target_quarter=4,
        )
    PlanItem.objects.create(
        client=gtm_client, title="Dropped", target_year=2026, target_quarter=4, status="dropped"
    )
    client.force_login(owner)
    deck = _deck(_download(client, small))
    _assert_every_text_fits(deck, "long text")
    [plan] = [s for s in list(deck.slides)[1:] if s.shapes.title.text == "The action plan"]
    [table] = [shape.table for shape in plan.shapes if shape.has_table]
    assert len(table.rows) == 1 + 10
    assert [cell.text for cell in table.rows[0].cells] == [
        "Item",
        "Owner",
        "Target quarter",
        "Status",
    ]
    assert table.cell(1, 2).text == "2026-Q4" and table.cell(1, 3).text == "Planned"
    assert table.cell(1, 0).text.endswith("…")
    text = _slide_text(deck)
    assert "And 2 more items in the plan." in text  # the dropped one is left out
    assert "Dropped" not in text


def test_a_partial_overall_says_which_dimension_is_missing(client, owner, small):
    Answer.objects.filter(respondent__assessment=small, question__dimension="technology").update(
        choice="NA"
    )
    refresh([small])
    client.force_login(owner)
    text = _slide_text(_deck(_download(client, small)))
    assert (
        "Preliminary: the assessment is still open; partial: Technology systems & data has no "
        "result this quarter." in text
    )
    assert "Technology systems & data: not enough answers yet (target Managed)." in text
