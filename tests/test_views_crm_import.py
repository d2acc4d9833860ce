"""Importing a client's CRM exports (issue 17): upload, the proposed mapping, confirming, the
quarters' figures and their provenance on the funnel page, saved mappings, corrections kept,
bad files, the raw files' fate and the background path. Access is in test_url_access.py."""

from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from devtools.crm_samples import FILE_NAMES, SAMPLES
from funnel import crm_imports
from funnel.crm.fields import HUBSPOT, PIPEDRIVE, SALESFORCE
from funnel.crm.mapping import propose_mapping
from funnel.crm.pipeline import derive_from_csv
from funnel.crm.reader import open_crm_csv
from funnel.crm_imports import derived_values
from funnel.models import CrmImport, CrmMapping, FunnelFigures
from funnel.tasks import derive_crm_import_in_background
from tests.factories import make_client, make_workspace

pytestmark = pytest.mark.django_db

LAYOUT_WORDS = {HUBSPOT: "HubSpot", SALESFORCE: "Salesforce", PIPEDRIVE: "Pipedrive"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def browser(client, consultant):
    client.force_login(consultant)
    return client


def _url(name: str, gtm_client, *more) -> str:
    return reverse(f"funnel:{name}", args=[gtm_client.workspace.slug, gtm_client.pk, *more])


def _file(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    data = (SAMPLES / name).read_bytes() if data is None else data
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _upload(browser, gtm_client, leads, deals=None, **fields):
    body = {"lead_file": leads, **fields}
    if deals is not None:
        body["deal_file"] = deals
    return browser.post(_url("crm_upload", gtm_client), body)


def _confirm_body(form, **changes) -> dict:
    """The mapping form as proposed, sent back unchanged (but for `changes`)."""
    body = {name: form.initial.get(name, "") for name in form.fields}
    body.update(changes)
    return {name: "" if value is None else value for name, value in body.items()}


def _import(browser, gtm_client, crm: str, **changes):
    """Upload a sample pair, confirm the proposal; the mapping page and the status page."""
    leads, deals = FILE_NAMES[crm]
    response = _upload(browser, gtm_client, _file(leads), _file(deals))
    assert response.status_code == 302, response.content.decode()[:3000]
    mapping = browser.get(response["Location"])
    assert mapping.status_code == 200
    confirmed = browser.post(
        response["Location"], _confirm_body(mapping.context["form"], **changes)
    )
    assert confirmed.status_code == 302, confirmed.content.decode()[:3000]
    return mapping, browser.get(confirmed["Location"])


def _derived(crm: str):
    leads, deals = FILE_NAMES[crm]
    with open(SAMPLES / leads, "rb") as lead_file, open(SAMPLES / deals, "rb") as deal_file:
        return derive_from_csv(lead_file, deal_file, as_of=timezone.localdate())


@pytest.mark.parametrize("crm", [HUBSPOT, SALESFORCE, PIPEDRIVE])
def test_a_sample_export_fills_each_quarter_with_the_figures_it_derives(browser, gtm_client, crm):
    mapping, status = _import(browser, gtm_client, crm)

    form = mapping.context["form"]
    for kind, name in zip(("leads", "deals"), FILE_NAMES[crm], strict=True):
        with open(SAMPLES / name, "rb") as source:
            header = open_crm_csv(source).header
        proposal = propose_mapping(header, kind)
        for key, column in proposal.columns.items():
            assert form.initial[f"{kind}-{key}"] == column, (kind, key)
    page = unescape(mapping.content.decode())
    assert f"looks like a {LAYOUT_WORDS[crm]} lead or contact export" in page
    assert f"looks like a {LAYOUT_WORDS[crm]} deal or opportunity export" in page
    assert "Dates: written as" in page

    assert status.status_code == 200
    crm_import = CrmImport.objects.get()
    assert crm_import.status == CrmImport.Status.DONE, crm_import.problems
    assert crm_import.layout == crm
    derived = _derived(crm)
    rows = {str(row.period): row for row in FunnelFigures.objects.filter(client=gtm_client)}
    assert sorted(rows) == [str(q.quarter) for q in derived.derivation.quarters]
    for quarter in derived.derivation.quarters:
        row = rows[str(quarter.quarter)]
        assert {k: getattr(row, k) for k in derived_values(quarter)} == derived_values(quarter)
        assert row.crm_import == crm_import
        kept = crm_import.measures[str(quarter.quarter)]
        assert kept["gate_pass_share"] == quarter.gate_pass_share
        assert kept["stalled_sals"] == quarter.stalled_sals
        assert "stalled_mqls" not in kept  # a figure of the quarter now
    assert "Share of MQLs that sales went on to accept" in status.content.decode()

    funnel = unescape(browser.get(_url("funnel", gtm_client)).content.decode())
    leads, deals = FILE_NAMES[crm]
    today = timezone.localdate()
    rows_read = derived.derivation.leads + derived.derivation.deals
    provenance = f"derived from {leads} and {deals}, {rows_read:,} rows, {today.day} {today:%b %Y}"
    assert provenance in funnel
    assert "From the CRM export" in funnel


def test_the_saved_mapping_is_proposed_at_the_next_import(browser, gtm_client):
    leads, _ = FILE_NAMES[HUBSPOT]
    # The first time, the consultant points the source at another column.
    _import(browser, gtm_client, HUBSPOT, **{"leads-source": "Company Name", "stall_days": "45"})
    saved = CrmMapping.objects.get(client=gtm_client)
    assert saved.lead_mapping["columns"]["source"] == "Company Name"
    assert saved.stall_days == 45

    response = _upload(browser, gtm_client, _file(leads))
    form = browser.get(response["Location"]).context["form"]
    assert form.initial["leads-source"] == "Company Name"
    assert form.initial["stall_days"] == 45


def test_a_mapping_with_a_column_chosen_twice_is_refused_and_derives_nothing(browser, gtm_client):
    _, page = _import_refused(browser, gtm_client, **{"leads-source": "Lifecycle Stage"})
    assert "is chosen for" in page
    assert not FunnelFigures.objects.exists()
    assert CrmImport.objects.get().status == CrmImport.Status.PENDING


def _import_refused(browser, gtm_client, **changes):
    leads, deals = FILE_NAMES[HUBSPOT]
    response = _upload(browser, gtm_client, _file(leads), _file(deals))
    mapping = browser.get(response["Location"])
    refused = browser.post(response["Location"], _confirm_body(mapping.context["form"], **changes))
    assert refused.status_code == 200
    return mapping, unescape(refused.content.decode())


def test_a_figure_corrected_by_hand_is_kept_and_marked_at_the_next_import(browser, gtm_client):
    _import(browser, gtm_client, HUBSPOT)
    row = FunnelFigures.objects.filter(client=gtm_client).order_by("-year", "-quarter")[1]
    derived_mqls = row.mqls
    body = {"quarter": str(row.period)}
    for name in crm_imports.FIGURE_VALUES:
        value = getattr(row, name)
        body[name] = "" if value is None else str(value)
    body["mqls"] = str(derived_mqls + 7)
    response = browser.post(_url("figures_edit", gtm_client, row.pk), body)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.corrected_fields == ["mqls"]

    _, status = _import(browser, gtm_client, HUBSPOT)
    row.refresh_from_db()
    assert row.mqls == derived_mqls + 7
    assert row.crm_import == CrmImport.objects.order_by("pk").last()
    assert f"{row.period}: MQLs" in unescape(status.content.decode())
    funnel = browser.get(_url("funnel", gtm_client)).content.decode()
    assert "corrected by hand" in funnel


def _bad_rows_import(browser, gtm_client, lines_changed=None):
    """Import the HubSpot sample with a bad create date (line 3) and a row of one cell too
    many (line 5); the status page."""
    leads, _ = FILE_NAMES[HUBSPOT]
    lines = (SAMPLES / leads).read_text().splitlines()
    lines[2] = lines[2].replace("2026-05-19 02:12", "soon")  # line 3: its create date
    lines[4] = lines[4].replace(",false,", ",false,extra,")  # line 5: one cell too many
    for index, text in (lines_changed or {}).items():
        lines[index] = text
    data = ("\n".join(lines) + "\n").encode()
    response = _upload(browser, gtm_client, _file(leads, data))
    mapping = browser.get(response["Location"])
    return browser.get(
        browser.post(response["Location"], _confirm_body(mapping.context["form"]))["Location"]
    )


def test_bad_rows_change_nothing_and_are_listed_by_line_and_column(browser, gtm_client, _media):
    before = list(FunnelFigures.objects.values())
    page = unescape(_bad_rows_import(browser, gtm_client).content.decode())
    assert "Nothing has been imported yet" in page
    assert "Leads: Line 3, column “Create Date”: “soon” is not a date" in page
    assert "Leads: Line 5: expected 17 cells" in page
    assert "Import the other rows" in page
    assert list(FunnelFigures.objects.values()) == before
    assert not CrmMapping.objects.filter(client=gtm_client, stall_days=0).exists()
    waiting = CrmImport.objects.get()
    assert waiting.status == CrmImport.Status.REVIEW
    assert Path(waiting.lead_file.path).is_file()  # kept for the decision


def test_the_rest_can_be_imported_leaving_the_bad_rows_out(browser, gtm_client, _media):
    _bad_rows_import(browser, gtm_client)
    waiting = CrmImport.objects.get()
    response = browser.post(_url("crm_leave_out", gtm_client, waiting.pk))
    assert response["Location"] == _url("crm_status", gtm_client, waiting.pk)
    done = CrmImport.objects.get()
    assert done.status == CrmImport.Status.DONE and done.leave_out_problems
    assert FunnelFigures.objects.filter(client=gtm_client, crm_import=done).exists()
    # The 400 sample leads less the two left out.
    assert sum(FunnelFigures.objects.values_list("inquiries", flat=True)) == 398
    assert done.lead_rows == 398  # the rows used: neither left-out row counts
    page = unescape(browser.get(response["Location"]).content.decode())
    assert "Left out, as chosen: 2 problems in the rows" in page
    assert "Leads: Line 3, column “Create Date”" in page
    assert not any(path.is_file() for path in Path(_media).rglob("*"))
    again = browser.post(_url("crm_leave_out", gtm_client, waiting.pk))  # a double submit
    assert again.status_code == 302 and CrmImport.objects.get().status == CrmImport.Status.DONE


def test_a_problem_no_left_out_row_mends_fails_the_import(browser, gtm_client, _media):
    # A double quote never closed on line 7: the rest of the file cannot be read.
    leads, _ = FILE_NAMES[HUBSPOT]
    line = (SAMPLES / leads).read_text().splitlines()[6]
    status = _bad_rows_import(browser, gtm_client, {6: line.replace("Company", '"Company', 1)})
    page = unescape(status.content.decode())
    assert "Nothing was imported" in page
    assert "Import the other rows" not in page
    assert CrmImport.objects.get().status == CrmImport.Status.FAILED
    assert not FunnelFigures.objects.exists()
    assert not any(path.is_file() for path in Path(_media).rglob("*"))


def test_a_new_upload_replaces_an_import_waiting_in_review(browser, gtm_client, _media):
    _bad_rows_import(browser, gtm_client)
    waiting = CrmImport.objects.get()
    leads, deals = FILE_NAMES[HUBSPOT]
    _upload(browser, gtm_client, _file(leads), _file(deals))
    waiting.refresh_from_db()
    assert waiting.status == CrmImport.Status.FAILED and not waiting.lead_file
    kept = [path.name for path in Path(_media).rglob("*") if path.is_file()]
    assert len(kept) == 2  # the new upload's two files, waiting for their mapping
    response = browser.post(_url("crm_leave_out", gtm_client, waiting.pk))
    assert response.status_code == 302 and not FunnelFigures.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"PK\x03\x04" + bytes(200), "This is an Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "This is not a CSV file"),
        (b"Record ID,Create Date\n", "The file has a header but no records"),
    ],
)
def test_a_file_that_is_no_export_is_refused_at_the_upload(browser, gtm_client, data, message):
    response = _upload(browser, gtm_client, _file("leads.csv", data))
    if message.startswith("The file has a header"):  # read, then found empty when derived
        mapping = browser.get(response["Location"])
        response = browser.get(
            browser.post(response["Location"], _confirm_body(mapping.context["form"]))["Location"]
        )
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not FunnelFigures.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(
    browser, gtm_client, monkeypatch
):
    monkeypatch.setattr("funnel.forms.CRM_MAX_BYTES", 100)
    response = _upload(browser, gtm_client, _file(FILE_NAMES[HUBSPOT][0]))
    assert response.status_code == 200
    assert "The file is larger than" in response.content.decode()
    assert not CrmImport.objects.exists()


def test_the_raw_files_are_deleted_once_derived(browser, gtm_client, _media):
    _import(browser, gtm_client, HUBSPOT)
    crm_import = CrmImport.objects.get()
    assert not crm_import.lead_file and not crm_import.deal_file
    assert not any(path.is_file() for path in Path(_media).rglob("*"))
    assert (
        "The raw files have been deleted"
        in browser.get(_url("crm_status", gtm_client, crm_import.pk)).content.decode()
    )


def test_only_an_owner_may_keep_the_raw_files(browser, gtm_client, _media):
    leads, deals = FILE_NAMES[PIPEDRIVE]
    assert "keep_raw" not in browser.get(_url("crm_upload", gtm_client)).context["form"].fields
    response = _upload(browser, gtm_client, _file(leads), _file(deals), keep_raw="on")
    assert response.status_code == 302
    assert not CrmImport.objects.get().keep_raw


def test_raw_files_kept_by_choice_live_under_the_workspace_and_go_with_the_import(
    client, owner, gtm_client, _media
):
    client.force_login(owner)
    browser = client
    leads, deals = FILE_NAMES[PIPEDRIVE]
    response = _upload(browser, gtm_client, _file(leads), _file(deals), keep_raw="on")
    mapping = browser.get(response["Location"])
    browser.post(response["Location"], _confirm_body(mapping.context["form"]))
    crm_import = CrmImport.objects.get()
    kept = Path(crm_import.lead_file.path)
    assert kept.read_bytes() == (SAMPLES / leads).read_bytes()
    assert kept.parent == Path(_media) / "crm-imports" / str(gtm_client.workspace_id)
    crm_import.delete()
    assert not kept.exists()


def test_another_workspaces_import_is_not_found(browser, gtm_client, client):
    _import(browser, gtm_client, HUBSPOT)
    crm_import = CrmImport.objects.get()
    other = make_client(make_workspace(), name="Elsewhere Ltd")
    # A's import through B's client, and through A's other client.
    mine = make_client(gtm_client.workspace, name="Second client")
    for url in (
        _url("crm_status", mine, crm_import.pk),
        _url("crm_mapping", mine, crm_import.pk),
    ):
        assert browser.get(url).status_code == 404
    client.force_login(other.workspace.memberships.get().user)
    assert client.get(_url("crm_status", gtm_client, crm_import.pk)).status_code == 404


def test_a_large_file_is_derived_in_the_background_with_its_progress_shown(
    browser, gtm_client, settings, monkeypatch
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(crm_imports, "BACKGROUND_ROWS", 100)
    monkeypatch.setattr(crm_imports, "PROGRESS_EVERY_ROWS", 50)
    leads, deals = FILE_NAMES[SALESFORCE]
    response = _upload(browser, gtm_client, _file(leads), _file(deals))
    mapping = browser.get(response["Location"])
    confirmed = browser.post(response["Location"], _confirm_body(mapping.context["form"]))
    crm_import = CrmImport.objects.get()
    assert crm_import.status == CrmImport.Status.RUNNING
    assert not FunnelFigures.objects.exists()

    page = browser.get(confirmed["Location"])
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert '<meta http-equiv="refresh"' in body  # without JavaScript
    assert "0 of about 429 rows read" in body
    polled = browser.get(confirmed["Location"], HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and "<html" not in polled.content.decode()

    derive_crm_import_in_background.call(crm_import.pk)  # what the worker runs
    crm_import.refresh_from_db()
    assert crm_import.status == CrmImport.Status.DONE
    assert crm_import.rows_read == crm_import.rows_total
    assert FunnelFigures.objects.filter(client=gtm_client).count() == 6
    done = browser.get(confirmed["Location"], HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == confirmed["Location"]


def test_a_confirmed_import_is_not_derived_twice(browser, gtm_client):
    mapping, _ = _import(browser, gtm_client, HUBSPOT)
    crm_import = CrmImport.objects.get()
    again = browser.post(
        _url("crm_mapping", gtm_client, crm_import.pk), _confirm_body(mapping.context["form"])
    )
    assert again.status_code == 302
    assert again["Location"] == _url("crm_status", gtm_client, crm_import.pk)


def test_the_funnel_page_queries_stay_bounded_however_many_quarters_are_imported(
    browser, gtm_client, django_assert_max_num_queries
):
    _import(browser, gtm_client, HUBSPOT)
    url = _url("funnel", gtm_client)
    with django_assert_max_num_queries(12):
        assert browser.get(url).status_code == 200
