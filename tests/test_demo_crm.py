"""Acme Analytics' demo quarters come from a CRM import (issue 17): a generated HubSpot export
run through the real import at seed time, over the quarters typed in from the story. Its lead
and deal figures follow the story within a CRM's noise, the rest stays typed in, and seeding
again imports nothing."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from devtools.demo import seed_demo
from devtools.demo_crm import IMPORTED_CLIENT, demo_export, taken_on
from devtools.demo_funnel import STORIES, closed_quarters, demo_figures
from funnel.crm.derive import FIGURE_VALUES
from funnel.kpis import FIGURE_FIELDS
from funnel.models import CrmImport, FunnelFigures
from lib.quarters import Quarter

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 22)  # in 2026-Q4: the closed quarters are 2025-Q4 to 2026-Q3
CLOSED = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
STORY = STORIES[IMPORTED_CLIENT]
COUNTS = ("mqls", "sals", "sqls", "won_deals")
DAYS = ("days_inquiry_to_mql", "days_mql_to_sal", "days_sal_to_sql", "days_sql_to_won")


@pytest.fixture
def demo():
    seed_demo(today=TODAY)


def _rows():
    return list(
        FunnelFigures.objects.filter(client__name=IMPORTED_CLIENT).order_by("year", "quarter")
    )


def _state():
    return (
        list(FunnelFigures.objects.order_by("pk").values()),
        list(CrmImport.objects.order_by("pk").values()),
    )


def test_acmes_four_closed_quarters_come_from_one_done_import(demo):
    crm_import = CrmImport.objects.get(client__name=IMPORTED_CLIENT)

    assert crm_import.status == CrmImport.Status.DONE and crm_import.problems == []
    assert crm_import.layout == "hubspot"
    assert (crm_import.lead_file_name, crm_import.deal_file_name) == (
        "hubspot-contacts.csv",
        "hubspot-deals.csv",
    )
    assert [str(row.period) for row in _rows()] == CLOSED
    assert {row.crm_import_id for row in _rows()} == {crm_import.pk}
    # The other demo clients' figures are typed in.
    assert not FunnelFigures.objects.exclude(client__name=IMPORTED_CLIENT).filter(
        crm_import__isnull=False
    )


def test_the_imported_counts_follow_the_story_within_a_crms_noise(demo):
    for position, row in enumerate(_rows()):
        story = demo_figures(STORY, position)
        assert row.inquiries == story["inquiries"], row  # a contact created per inquiry
        for name in COUNTS:
            assert abs(getattr(row, name) / story[name] - 1) <= 0.2, (row, name)
        assert abs(row.average_deal_size / story["average_deal_size"] - 1) <= 0.1, row
        for name in DAYS:
            allowed = max(Decimal(1), story[name] / 10)
            assert abs(getattr(row, name) - story[name]) <= allowed, (row, name)


def test_what_a_crm_does_not_know_is_typed_in_from_the_story(demo):
    for position, row in enumerate(_rows()):
        story = demo_figures(STORY, position)
        typed = {name for name in FIGURE_FIELDS if name not in FIGURE_VALUES}
        assert {name: getattr(row, name) for name in typed} == {n: story[n] for n in typed}
        assert row.corrected_fields == []


def test_seeding_again_imports_nothing_and_changes_nothing(demo):
    before = _state()

    seed_demo(today=TODAY)

    assert _state() == before


def test_the_raw_files_are_not_kept(demo, settings):
    crm_import = CrmImport.objects.get(client__name=IMPORTED_CLIENT)

    assert not crm_import.keep_raw
    assert not crm_import.lead_file and not crm_import.deal_file
    uploads = settings.MEDIA_ROOT / "crm-imports"
    assert [path for path in uploads.rglob("*") if path.is_file()] == []
    assert settings.MEDIA_ROOT != django_settings.BASE_DIR / "media"  # conftest's scratch


def test_a_deleted_quarter_is_typed_in_from_the_story_not_imported_again(demo):
    FunnelFigures.objects.get(client__name=IMPORTED_CLIENT, year=2026, quarter=1).delete()

    seed_demo(today=TODAY)

    again = FunnelFigures.objects.get(client__name=IMPORTED_CLIENT, year=2026, quarter=1)
    assert again.crm_import is None
    assert {n: getattr(again, n) for n in FIGURE_FIELDS} == demo_figures(STORY, 1)
    assert CrmImport.objects.count() == 1


def test_the_funnel_page_says_where_the_figures_come_from(demo, client):
    crm_import = CrmImport.objects.get(client__name=IMPORTED_CLIENT)
    acme = crm_import.client
    client.force_login(acme.workspace.memberships.get(role="owner").user)

    page = client.get(reverse("funnel:funnel", args=[acme.workspace.slug, acme.pk]))

    day = crm_import.finished_at.astimezone()
    rows = crm_import.lead_rows + crm_import.deal_rows
    provenance = (
        f"derived from hubspot-contacts.csv and hubspot-deals.csv, {rows:,} rows, "
        f"{day.day} {day:%b %Y}"
    )
    assert page.status_code == 200
    assert page.content.decode().count(provenance) >= len(CLOSED)


def test_the_export_holds_the_closed_quarters_and_nothing_after():
    periods = closed_quarters(TODAY)
    contacts, deals = demo_export(STORY, periods)
    first, taken = periods[0].first_day, taken_on(periods)

    assert taken == date(2026, 10, 1)  # the current quarter's first day
    contact_rows = list(csv.DictReader(io.StringIO(contacts)))
    deal_rows = list(csv.DictReader(io.StringIO(deals)))
    created = [datetime.fromisoformat(row["Create Date"]).date() for row in contact_rows]
    assert first <= min(created) and max(created) < taken
    assert [Quarter.of(day) for day in created].count(periods[0]) == STORY.inquiries[0]
    moments = [
        datetime.fromisoformat(text).date()
        for rows in (contact_rows, deal_rows)
        for row in rows
        for name, text in row.items()
        # An open deal's close date is the one expected, after the export.
        if "Date" in name
        and text
        and (name, row.get("Deal Stage")) != ("Close Date", "Contract Sent")
    ]
    assert max(moments) < taken
    # Made-up people only, and the same files every time.
    assert all(row["Email"].endswith("@example.com") for row in contact_rows)
    assert demo_export(STORY, periods) == (contacts, deals)
