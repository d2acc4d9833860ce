"""The PDF maturity report: what it says, how it is made, when it is made again."""

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from assessments import pdf as pdf_module
from assessments.cache_keys import report_key
from assessments.models import Answer, Assessment, ReportOptions, ReportRender, ReportSections
from assessments.pdf import render_report_pdf, report_html
from devtools.demo import seed_demo
from funnel.models import FunnelFigures

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "report"

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    seed_demo(today=date(2026, 11, 22))


def _assessment(client: str, quarter: int, year: int = 2026) -> Assessment:
    return Assessment.objects.select_related("client__workspace").get(
        client__name=client, year=year, quarter=quarter
    )


def _poppler(tool: str, *args: str) -> str:
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return path


def _owner_client(client, assessment: Assessment):
    client.force_login(assessment.client.workspace.memberships.get(role="owner").user)
    return client


def _url(name: str, assessment: Assessment) -> str:
    return reverse(f"assessments:{name}", args=[assessment.client.workspace.slug, assessment.pk])


def test_the_report_says_what_results_json_says(demo, client, tmp_path):
    assessment = _assessment("Brightline Logistics", 3)
    data = _owner_client(client, assessment).get(_url("results_json", assessment)).json()
    path = _write(tmp_path, render_report_pdf(assessment=assessment))

    text = _poppler("pdftotext", "-layout", str(path), "-")
    flat = " ".join(text.split())
    assert "Brightline Logistics" in flat and "2026-Q3" in flat
    assert f"{round(data['overall']['index'])} of 100" in flat
    drop = next(h for h in data["handoffs"] if h["baton_drop"])
    assert f"{drop['name']} {round(drop['index'])} of 100" in flat
    assert data["act_first"]["headline"] in flat and data["act_first"]["reason"] in flat
    assert "priority =" not in flat.split("Methodology")[0]  # no formulas before the appendix
    assert data["recommendations"][0]["title"] in flat
    for dimension in data["dimensions"]:
        assert dimension["name"] in flat
    assert "draft" not in text.lower()  # a closed assessment's report is final

    pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(path))).group(1))
    assert 7 <= pages <= 12  # the standard report: the body for a leadership reader
    assert f"Page {pages} of {pages}" in text


def test_the_report_has_a_title_an_author_and_embedded_fonts(demo, tmp_path):
    path = _write(tmp_path, render_report_pdf(assessment=_assessment("Cobalt Health Systems", 3)))
    info = _poppler("pdfinfo", str(path))
    assert "Title:           Cobalt Health Systems · Go-to-market maturity report 2026-Q3" in info
    assert "Author:          Nadia Okafor, Northwind Advisory" in info
    assert "A4" in info
    fonts = _poppler("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(" yes yes " in line for line in fonts)  # embedded, subset


def test_sections_are_bookmarked(demo):
    from weasyprint import HTML

    assessment = _assessment("Meridian Industrial Controls", 3)
    full = ReportOptions(assessment=assessment, sections=ReportSections.FULL)
    document = HTML(string=report_html(assessment=assessment, options=full)).render()
    labels = [label for label, *_ in document.make_bookmark_tree()]
    for section in (
        "Executive summary",
        "People",
        "Technology systems & data",
        "Trend over the quarters",
        "Appendix: how the figures are made",
        "Appendix: answers and comments",
    ):
        assert section in labels


def test_the_sections_option_chooses_what_the_report_holds(demo, tmp_path):
    assessment = _assessment("Brightline Logistics", 3)

    def text_of(sections):
        options = ReportOptions(assessment=assessment, sections=sections)
        path = _write(tmp_path, render_report_pdf(assessment=assessment, options=options))
        return " ".join(_poppler("pdftotext", str(path), "-").split())

    summary, standard, full = (text_of(s) for s in ReportSections.values)
    assert "Executive summary" in summary and "The three moves that matter" in summary
    assert "What good looks like at the next level" not in summary
    assert "What good looks like at the next level" in standard and "Funnel check" in standard
    assert "Appendix:" not in standard
    assert "Appendix: how the figures are made" in full
    assert "Appendix: answers and comments" in full
    # The plain-words methodology has no formula; the methodology page keeps them.
    assert "priority =" not in full and "confidence =" not in full and "×" not in full


def test_an_open_assessments_report_is_marked_draft(demo, tmp_path):
    path = _write(tmp_path, render_report_pdf(assessment=_assessment("Brightline Logistics", 4)))
    text = _poppler("pdftotext", str(path), "-")
    assert "Brightline Logistics · 2026-Q4 · draft" in text  # the running header
    assert "the assessment is still open" in text  # the cover
    # The rotated watermark comes out of pdftotext a letter per line.
    assert {"D", "R", "A", "F", "T"} <= set(re.findall(r"^([A-Z])$", text, re.MULTILINE))


def test_the_workspace_chooses_us_letter(demo, tmp_path):
    assessment = _assessment("Acme Analytics", 3)
    workspace = assessment.client.workspace
    workspace.paper_size = "Letter"
    workspace.save()
    path = _write(tmp_path, render_report_pdf(assessment=assessment))
    assert "612 x 792 pts (letter)" in _poppler("pdfinfo", str(path))


def test_pages_are_rendered_to_png_for_a_person_to_look_at(demo):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    path = ARTIFACTS / "brightline-2026-Q3.pdf"
    path.write_bytes(render_report_pdf(assessment=_assessment("Brightline Logistics", 3)))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / "page")], check=True)
    pngs = sorted(ARTIFACTS.glob("page-*.png"))
    assert len(pngs) >= 7 and all(p.stat().st_size > 5_000 for p in pngs)  # none blank


# ---- Downloading: cached per state, rendered again on change -----------------------------


@pytest.fixture
def renders(monkeypatch, settings):
    """Count real renders while keeping them real, and always render at once: whether a render
    goes to the background depends on how fast the machine rendered the last one."""
    settings.REPORT_BACKGROUND_SECONDS = float("inf")
    calls = []
    real = pdf_module.html_to_pdf

    def counting(html):
        calls.append(1)
        return real(html)

    monkeypatch.setattr(pdf_module, "html_to_pdf", counting)
    return calls


def test_a_repeat_download_is_served_from_the_cache(demo, client, renders):
    assessment = _assessment("Acme Analytics", 2)
    _owner_client(client, assessment)
    first = client.get(_url("report_pdf", assessment))
    assert first["Content-Type"] == "application/pdf" and first.content.startswith(b"%PDF")
    assert 'filename="Acme-Analytics-2026-Q2-report.pdf"' in first["Content-Disposition"]
    second = client.get(_url("report_pdf", assessment))
    assert second.content == first.content
    assert len(renders) == 1
    assert ReportRender.objects.get().status == "ready"


def test_any_change_makes_a_new_render(demo, client, renders):
    assessment = _assessment("Acme Analytics", 2)
    _owner_client(client, assessment)
    client.get(_url("report_pdf", assessment))
    answer = Answer.objects.filter(respondent__assessment=assessment).first()
    answer.choice = "5" if answer.choice != "5" else "1"
    answer.save()
    client.get(_url("report_pdf", assessment))
    assert len(renders) == 2
    workspace = assessment.client.workspace
    workspace.accent_color = "#aa3311"
    workspace.save()
    client.get(_url("report_pdf", assessment))
    assert len(renders) == 3
    assert ReportRender.objects.filter(assessment=assessment).count() <= pdf_module.KEEP_RENDERS


def test_a_large_report_renders_in_the_background_with_progress(
    demo, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pdf_module, "SECONDS_PER_ANSWER", 1.0)  # every report looks large
    assessment = _assessment("Cobalt Health Systems", 1)
    _owner_client(client, assessment)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.get(_url("report_pdf", assessment))
    assert response["Location"] == _url("report_status", assessment)
    assert len(queued) == 1  # the task is queued once the request's transaction commits
    # The tests' immediate backend ran it then; in production a db_worker picks it up.
    page = client.get(_url("report_status", assessment))
    assert "The report is ready." in page.content.decode()
    polled = client.get(_url("report_status", assessment), headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == _url("report_pdf", assessment)
    assert client.get(_url("report_pdf", assessment)).content.startswith(b"%PDF")


def test_report_background_seconds_of_zero_sends_every_report_to_the_worker(
    demo, client, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_BACKGROUND_SECONDS = 0
    assessment = _assessment("Cobalt Health Systems", 1)
    _owner_client(client, assessment)
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(_url("report_pdf", assessment))
    assert response["Location"] == _url("report_status", assessment)
    assert len(queued) == 1 and not ReportRender.objects.filter(status="ready").exists()


def test_while_rendering_the_page_polls_and_works_without_javascript(demo, client):
    assessment = _assessment("Cobalt Health Systems", 1)
    _owner_client(client, assessment)
    digest = report_key(assessment)
    ReportRender.objects.create(assessment=assessment, digest=digest)  # queued, not done
    html = client.get(_url("report_status", assessment)).content.decode()
    assert "Preparing the report" in html
    assert 'hx-trigger="every 1s"' in html and 'http-equiv="refresh"' in html
    # The poll gets the status region alone, still polling.
    polled = client.get(_url("report_status", assessment), headers={"HX-Request": "true"})
    region = polled.content.decode()
    assert region.lstrip().startswith('<div id="report-status"')
    assert f'hx-get="{_url("report_status", assessment)}"' in region


def test_a_failed_render_says_so_and_can_be_retried(
    demo, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pdf_module, "SECONDS_PER_ANSWER", 1.0)

    def broken(html):
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(pdf_module, "html_to_pdf", broken)
    assessment = _assessment("Meridian Industrial Controls", 2)
    _owner_client(client, assessment)
    with django_capture_on_commit_callbacks(execute=True):  # the task fails, and says so
        response = client.get(_url("report_pdf", assessment))
    assert response["Location"] == _url("report_status", assessment)
    render = ReportRender.objects.get()
    assert render.status == "failed" and "no fonts today" in render.error
    html = client.get(_url("report_status", assessment)).content.decode()
    assert "could not be rendered" in html and "Try again" in html

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("report_retry", assessment))
    assert ReportRender.objects.get(assessment=assessment).status == "ready"


def test_without_submitted_answers_there_is_no_report(client, gtm_client, owner):
    from tests.factories import make_assessment

    assessment = make_assessment(gtm_client, status="open")
    client.force_login(owner)
    response = client.get(_url("report_pdf", assessment), follow=True)
    assert response.redirect_chain[-1][0] == _url("results", assessment)
    assert "available once a respondent has submitted" in response.content.decode()
    assert not ReportRender.objects.exists()


def test_a_small_report_that_fails_goes_to_the_status_page_not_a_500(
    demo, client, monkeypatch, settings
):
    settings.REPORT_BACKGROUND_SECONDS = float("inf")

    def broken(html):
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(pdf_module, "html_to_pdf", broken)
    assessment = _assessment("Acme Analytics", 1)
    _owner_client(client, assessment)
    response = client.get(_url("report_pdf", assessment))
    assert response["Location"] == _url("report_status", assessment)
    assert ReportRender.objects.get().status == "failed"


def test_the_demo_contradiction_is_on_the_funnel_check_page(demo, client, tmp_path):
    # Brightline's people rate lead -> sales high in 2026-Q3; its funnel says poor.
    assessment = _assessment("Brightline Logistics", 3)
    funnel = (
        _owner_client(client, assessment).get(_url("results_json", assessment)).json()["funnel"]
    )
    [contradiction] = funnel["contradictions"]
    assert (contradiction["handoff"], contradiction["kind"]) == ("lead_to_sales", "overrated")

    path = _write(tmp_path, render_report_pdf(assessment=assessment))
    flat = " ".join(_poppler("pdftotext", str(path), "-").split())
    assert "Funnel check" in flat
    assert "Rated high by the respondents, poor in the funnel." in flat
    assert "weigh 1.25 times more, because the funnel shows poor health there" in flat


def test_without_funnel_figures_the_report_has_no_funnel_check(demo, tmp_path):
    assessment = _assessment("Brightline Logistics", 3)
    FunnelFigures.objects.filter(client=assessment.client).delete()
    path = _write(tmp_path, render_report_pdf(assessment=assessment))
    assert "Funnel check" not in _poppler("pdftotext", str(path), "-")


def test_a_render_is_claimed_once_and_others_wait_for_it(demo, client, renders):
    assessment = _assessment("Acme Analytics", 2)
    digest = report_key(assessment)
    claim, claimed = pdf_module.claim_render(assessment, digest)
    assert claimed and claim.status == "pending"
    assert pdf_module.claim_render(assessment, digest) == (claim, False)
    # A download meanwhile waits on the progress page instead of rendering it again.
    _owner_client(client, assessment)
    response = client.get(_url("report_pdf", assessment))
    assert response["Location"] == _url("report_status", assessment)
    assert renders == []


def test_the_background_decision_follows_how_fast_renders_are_now(demo):
    """No render of this report yet: the estimate is its answers times the median time per
    answer of the latest renders, so a busy machine sends large reports to the worker."""
    assessment = _assessment("Cobalt Health Systems", 3)
    answers = pdf_module.report_answers(assessment)
    assert answers > 500
    assert pdf_module.estimated_seconds(assessment) == pytest.approx(
        max(pdf_module.MINIMUM_SECONDS, answers * pdf_module.SECONDS_PER_ANSWER)
    )
    other = _assessment("Acme Analytics", 2)
    for number, seconds in enumerate((4.0, 5.0, 6.0)):  # renders under load: 10 ms an answer
        ReportRender.objects.create(
            assessment=other,
            digest=f"earlier-{number}",
            status="ready",
            render_seconds=seconds,
            answer_count=int(seconds * 100),
        )
    assert pdf_module.seconds_per_answer() == pytest.approx(0.01)
    assert pdf_module.estimated_seconds(assessment) == pytest.approx(answers * 0.01)
    assert pdf_module.renders_in_background(assessment)


def test_a_render_records_the_answers_it_rested_on(demo, client, renders):
    assessment = _assessment("Acme Analytics", 2)
    _owner_client(client, assessment)
    client.get(_url("report_pdf", assessment))
    render = ReportRender.objects.get()
    assert render.answer_count == pdf_module.report_answers(assessment) > 0
    assert render.render_seconds > 0


# ---- Report options: chosen by a consultant, remembered, each a render of its own ---------


def _member_client(client, assessment: Assessment, role: str):
    client.force_login(assessment.client.workspace.memberships.filter(role=role).first().user)
    return client


def _pdf_text(response) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def test_a_consultant_saves_the_options_and_a_viewer_downloads_with_them(demo, client, renders):
    assessment = _assessment("Brightline Logistics", 3)
    _member_client(client, assessment, "consultant")
    page = client.get(_url("report_options", assessment)).content.decode()
    assert "Executive summary only" in page and 'value="standard"' in page
    response = client.post(
        _url("report_options", assessment),
        {"sections": "summary", "executive_note": "Fix the lead definition first.\n\nThen SLAs."},
    )
    assert response["Location"] == _url("report_options", assessment)
    assert ReportOptions.objects.get(assessment=assessment).sections == "summary"

    _member_client(client, assessment, "viewer")
    assert client.get(_url("report_options", assessment)).status_code == 403
    text = _pdf_text(client.get(_url("report_pdf", assessment)))
    assert "Fix the lead definition first." in text and "Then SLAs." in text
    assert "What good looks like at the next level" not in text  # the summary only


def test_each_choice_is_a_render_of_its_own_and_switching_back_reuses_it(demo, client, renders):
    assessment = _assessment("Acme Analytics", 2)
    _owner_client(client, assessment)

    def choose(sections):
        client.post(_url("report_options", assessment), {"sections": sections})
        return client.get(_url("report_pdf", assessment)).content

    standard = choose("standard")
    full = choose("full")
    assert len(renders) == 2 and full != standard
    assert choose("standard") == standard and choose("full") == full
    assert len(renders) == 2  # both served from their stored renders
    assert choose("summary") != standard and len(renders) == 3


def test_a_refused_option_changes_nothing_and_says_why(demo, client):
    assessment = _assessment("Acme Analytics", 2)
    _owner_client(client, assessment)
    response = client.post(_url("report_options", assessment), {"sections": "everything"})
    assert response.status_code == 200
    assert "Choose one of the three reports." in response.content.decode()
    assert not ReportOptions.objects.filter(assessment=assessment).exists()


def test_the_dimension_notes_appear_on_their_pages(demo, client, tmp_path):
    assessment = _assessment("Meridian Industrial Controls", 3)
    ReportOptions.objects.create(
        assessment=assessment, note_people="Two new hires start in January."
    )
    path = _write(tmp_path, render_report_pdf(assessment=assessment))
    pages = _poppler("pdftotext", str(path), "-").split("\f")
    [page] = [p for p in pages if "Two new hires start in January." in p]
    assert "What good looks like at the next level" in page and "People" in page


def test_the_notes_show_on_the_results_page_as_soon_as_they_change(demo, client):
    assessment = _assessment("Acme Analytics", 2)
    _owner_client(client, assessment)
    assert "Notes for the report" not in client.get(_url("results", assessment)).content.decode()
    client.post(
        _url("report_options", assessment),
        {"sections": "standard", "note_process": "The SLA review starts in May."},
    )
    page = client.get(_url("results", assessment)).content.decode()  # its body is cached
    assert "Notes for the report" in page and "The SLA review starts in May." in page


def test_the_chosen_currency_signs_the_funnels_money_figures(demo, tmp_path):
    assessment = _assessment("Brightline Logistics", 3)
    plain = _write(tmp_path, render_report_pdf(assessment=assessment))
    plain_text = _poppler("pdftotext", "-layout", str(plain), "-")
    deal_size = re.search(r"Average deal size\s+([\d,]+)", plain_text)
    options = ReportOptions(assessment=assessment, currency="EUR")
    path = _write(tmp_path, render_report_pdf(assessment=assessment, options=options))
    text = _poppler("pdftotext", "-layout", str(path), "-")
    assert re.search(r"Average deal size\s+€" + re.escape(deal_size.group(1)), text)
    assert "€" not in plain_text


def test_the_chosen_number_format_writes_the_funnels_figures(demo, tmp_path):
    assessment = _assessment("Brightline Logistics", 3)
    plain_text = _poppler(
        "pdftotext", "-layout", str(_write(tmp_path, render_report_pdf(assessment=assessment))), "-"
    )
    deal_size = re.search(r"Average deal size\s+(\d+),(\d{3})", plain_text)
    rate = re.search(r"Email open rate\s+(\d+)\.(\d)%", plain_text)
    assert deal_size and rate

    options = ReportOptions(assessment=assessment, currency="EUR", number_format="point_comma")
    path = _write(tmp_path, render_report_pdf(assessment=assessment, options=options))
    text = _poppler("pdftotext", "-layout", str(path), "-")

    assert re.search(rf"Average deal size\s+€{deal_size[1]}\.{deal_size[2]}", text)
    assert re.search(rf"Email open rate\s+{rate[1]},{rate[2]}%", text)
    assert options.render_key() != ReportOptions(assessment=assessment, currency="EUR").render_key()
