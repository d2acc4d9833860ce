"""No page is wider than a phone: every HTML page of the URL catalogue, opened at 390 × 844 on
the demo data, fits the screen (`scrollWidth` ≤ the viewport), so nothing is cut off or needs
sideways scrolling. Wide tables scroll inside their own box (`.table-wrap`), which is allowed:
the page itself stays put."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Assessment, PlanItem
from devtools.crm_samples import FILE_NAMES, SAMPLES
from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD
from funnel.crm.fields import HUBSPOT
from funnel.crm_imports import start_crm_import
from funnel.models import CrmImport, FunnelFigures
from tests.factories import make_workshop
from tests.url_catalogue import WORKSPACE_ROUTES, route_url

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
# Downloads and fragments, not pages.
NOT_PAGES = {
    "assessments:results_json",
    "assessments:results_csv",
    "assessments:answers_csv",
    "assessments:facilitate_answers_csv",
    "assessments:report_pdf",
    "assessments:report_pptx",
    "assessments:results_xlsx",
    "accounts:workspace_logo",
}


def _demo_objects() -> tuple[dict, object]:
    assessment = (
        Assessment.objects.filter(client__name="Brightline Logistics", status="open")
        .select_related("client__workspace")
        .get()
    )
    client = assessment.client
    objects = {  # what the pages (GET routes) name; the others are buttons
        "client": client,
        "assessment": assessment,
        "respondent": assessment.respondents.filter(submitted_at__isnull=True).first(),
        "plan_item": PlanItem.objects.filter(client=client).first()
        or PlanItem.objects.create(
            client=client, title="Agree a lead definition", target_year=2027, target_quarter=1
        ),
        "figures": FunnelFigures.objects.filter(client=client).first(),
        "crm_import": _pending_crm_import(client),
        "workshop": make_workshop(assessment),
    }
    return objects, client.workspace


def _pending_crm_import(client) -> CrmImport:
    """An import waiting for its mapping, so the mapping page (the widest table) is seen."""
    leads, deals = FILE_NAMES[HUBSPOT]
    return start_crm_import(
        client=client,
        user=client.workspace.memberships.first().user,
        lead_upload=SimpleUploadedFile(leads, (SAMPLES / leads).read_bytes()),
        deal_upload=SimpleUploadedFile(deals, (SAMPLES / deals).read_bytes()),
        keep_raw=False,
    )


def _pages(objects: dict, workspace) -> list[str]:
    return [
        route_url(route, objects, workspace)
        for route in WORKSPACE_ROUTES
        if "GET" in route.methods and route.name not in NOT_PAGES
    ]


def test_no_page_is_wider_than_a_phone(live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo(today=date(2026, 11, 22))
    objects, workspace = _demo_objects()
    closed = Assessment.objects.filter(client=objects["client"], status="closed").first()
    pages = [
        *_pages(objects, workspace),
        f"/w/{workspace.slug}/assessments/{closed.pk}/results/",
        "/methodology/",
    ]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("consultant@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/w/**")

    too_wide = {}
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()
    assert too_wide == {}, f"{len(too_wide)} of {len(pages)} pages are wider than 390 px"


def test_on_a_phone_every_chart_shows_every_figure_in_readable_text(live_server, browser):
    seed_demo(today=date(2026, 11, 22))
    objects, workspace = _demo_objects()
    client, assessment = objects["client"], objects["assessment"]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("consultant@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/w/**")
    smallest_text = """(selector) => {
        const sizes = [...document.querySelectorAll(selector)]
            .filter(el => el.offsetParent !== null && el.textContent.trim())
            .map(el => parseFloat(getComputedStyle(el).fontSize));
        return sizes.length ? Math.min(...sizes) : null;
    }"""
    # An SVG's text is drawn at its font size times the drawing's scale on the screen.
    smallest_svg_text = """(selector) => {
        const sizes = [...document.querySelectorAll(selector)]
            .filter(svg => svg.getBoundingClientRect().width > 0)
            .flatMap(svg => {
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                return [...svg.querySelectorAll("text")]
                    .map(text => parseFloat(text.getAttribute("font-size")) * scale);
            });
        return sizes.length ? Math.min(...sizes) : null;
    }"""
    fits = "(el) => el.getBoundingClientRect().right <= window.innerWidth"
    # A cell whose words do not fit its column spills into the next one (or breaks a word).
    spilling = """(selector) => [...document.querySelectorAll(selector)]
        .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth)
        .map(el => el.textContent.trim())"""

    page.goto(f"{live_server.url}{client.get_absolute_url()}")
    quarters = [f"{q}" for q in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4")]
    tables = page.locator(".chart-trend .chart-phone table")
    assert tables.count() == 2
    for table in tables.all():
        for quarter in quarters:
            cell = table.get_by_role("rowheader", name=quarter)
            assert cell.is_visible() and cell.evaluate(fits), quarter
        assert all(th.evaluate(fits) for th in table.locator("thead th").all())
    assert not page.locator(".chart-trend svg").first.is_visible()
    assert page.evaluate(smallest_text, ".chart-trend .chart-phone th, .chart-phone td") >= 11
    assert (
        page.evaluate(spilling, ".chart-trend .chart-phone th, .chart-trend .chart-phone td") == []
    )

    page.goto(f"{live_server.url}/w/{workspace.slug}/assessments/{assessment.pk}/results/")
    # The radar is drawn (its phone-width twin), every label and value in it readable.
    assert page.locator(".chart-radar svg.radar-narrow").is_visible()
    assert not page.locator(".chart-radar svg.radar-wide").is_visible()
    assert page.locator(".chart-radar svg.radar-narrow").evaluate(fits)
    assert page.evaluate(smallest_svg_text, ".chart-radar svg") >= 11
    relay = page.locator(".chart-relay .chart-phone table")
    assert relay.locator("tbody tr").count() == 3
    assert all(row.evaluate(fits) for row in relay.locator("tbody tr").all())
    assert page.evaluate(smallest_text, ".chart-relay .chart-phone th, .chart-phone td") >= 11
    assert page.evaluate(spilling, ".chart-phone th, .chart-phone td") == []
    context.close()
