"""A company assessing itself never reads "client": not on a page of its workspace, not in its
report. Its navigation has no client list; its dashboard is its own quarters."""

import re
import subprocess
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import WorkspaceKind
from assessments import pdf as pdf_module
from assessments.models import Assessment, PlanItem, ReportOptions
from devtools.demo import seed_demo
from funnel.models import FunnelFigures
from tests.factories import make_crm_import, make_workshop, sign_up_and_confirm
from tests.url_catalogue import WORKSPACE_ROUTES, route_url

pytestmark = pytest.mark.django_db

CLIENT_WORD = re.compile(r"\bclients?\b", re.IGNORECASE)
NOT_PAGES = {"assessments:report_pdf", "accounts:workspace_logo"}


@pytest.fixture
def acme(client):
    seed_demo(today=date(2026, 11, 22))
    assessment = (
        Assessment.objects.filter(client__name="Acme Analytics", status="open")
        .select_related("client__workspace")
        .get()
    )
    workspace = assessment.client.workspace
    assert workspace.kind == WorkspaceKind.COMPANY
    client.force_login(workspace.memberships.get(role="owner").user)
    unit = assessment.client
    objects = {
        "client": unit,
        "assessment": assessment,
        "respondent": assessment.respondents.first(),
        "plan_item": PlanItem.objects.filter(client=unit).first()
        or PlanItem.objects.create(
            client=unit, title="Agree the lead definition", target_year=2027, target_quarter=1
        ),
        "figures": FunnelFigures.objects.filter(client=unit).first(),
        "crm_import": make_crm_import(unit),
        "workshop": make_workshop(assessment),
    }
    return workspace, objects


def _visible_text(html: str) -> str:
    """What a person reads: no markup, scripts, styles or attribute values (URLs say
    /clients/, which nobody reads)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(text).split())


def _client_words(text: str) -> list[str]:
    return [text[max(0, m.start() - 60) : m.end() + 40] for m in CLIENT_WORD.finditer(text)]


def test_no_page_of_a_company_workspace_says_client(client, acme):
    workspace, objects = acme
    found = {}
    for route in WORKSPACE_ROUTES:
        if "GET" not in route.methods or route.name in NOT_PAGES:
            continue
        # The demo's bank has its own question keys.
        fixed = {"question_key": "people.lead_follow_up_speed"} if "validated" in route.name else {}
        url = route_url(route, objects, workspace, **fixed)
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue  # the data exports (JSON, CSV) keep their documented field names
        if words := _client_words(_visible_text(response.content.decode())):
            found[url] = words
    assert found == {}, "\n".join(f"{url}: {words}" for url, words in found.items())


def test_a_company_reads_our_in_its_report(acme, tmp_path, monkeypatch):
    _, objects = acme
    path = tmp_path / "report.pdf"
    assessment = objects["assessment"]
    full = ReportOptions(assessment=assessment, sections="full")  # every section, appendices too
    path.write_bytes(pdf_module.render_report_pdf(assessment=assessment, options=full))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert _client_words(text) == []
    assert "Our go-to-market maturity" in text


def test_a_company_has_no_client_list_in_its_navigation_and_its_dashboard_is_its_quarters(
    client, acme
):
    workspace, objects = acme
    response = client.get(reverse("assessments:workspace_home", args=[workspace.slug]))
    assert response.status_code == 302
    assert response["Location"] == objects["client"].get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', page, re.DOTALL).group(0)
    assert reverse("clients:list", args=[workspace.slug]) not in nav
    assert "2026-Q3" in page  # its quarters


def test_the_owner_changes_what_the_workspace_is(client, acme):
    workspace, _ = acme
    url = reverse("accounts:workspace_settings", args=[workspace.slug])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if name in ("name", "accent_color", "paper_size")
    }
    client.post(url, {**data, "kind": "consultancy"})
    workspace.refresh_from_db()
    assert workspace.kind == WorkspaceKind.CONSULTANCY
    nav_url = reverse("clients:list", args=[workspace.slug])
    home = client.get(reverse("assessments:workspace_home", args=[workspace.slug]))
    assert home.status_code == 200 and nav_url in home.content.decode()


def test_signing_up_as_a_company_makes_a_company_workspace(client, db):
    response = sign_up_and_confirm(
        client,
        {
            "name": "Cora Chief",
            "email": "cora@example.com",
            "workspace_name": "Cora Cables",
            "workspace_kind": "company",
            "password1": "a-sturdy-passphrase",
            "password2": "a-sturdy-passphrase",
        },
    )
    from accounts.models import Workspace

    workspace = Workspace.objects.get(name="Cora Cables")
    assert workspace.kind == WorkspaceKind.COMPANY
    text = _visible_text(response.content.decode())
    assert _client_words(text) == [], text[:500]


def test_a_companys_slide_deck_says_our(client, acme):
    from io import BytesIO

    from pptx import Presentation

    workspace, objects = acme
    url = reverse("assessments:report_pptx", args=[workspace.slug, objects["assessment"].pk])
    deck = Presentation(BytesIO(client.get(url).content))
    text = " ".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "Our go-to-market maturity" in text
    assert _client_words(text) == []
