"""A consultant enters a quarter's real funnel figures (one of them odd enough to flag), reads
the KPIs and the handoffs' health on the funnel page, and plans the revenue waterfall."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from funnel.models import FunnelFigures
from lib.quarters import Quarter
from tests.factories import PASSWORD, add_member, make_client, make_user, make_workspace

pytestmark = pytest.mark.django_db(transaction=True)

FIGURES = {
    "Inquiries": "1,200",
    "MQLs (marketing-qualified leads)": "1300",  # more than the inquiries: allowed, but flagged
    "SALs (sales-accepted leads)": "390",
    "SQLs (opportunities)": "120",
    "Won deals": "24",
    "Average deal size": "40,000",
    "Days from MQL to SAL": "6.5",
}


def test_a_consultant_enters_figures_reads_the_funnel_and_plans(live_server, page, screenshot):
    workspace = make_workspace(name="Northwind Advisory")
    consultant = make_user(email="cara@example.com", name="Cara Consultant")
    add_member(workspace, role=Role.CONSULTANT, user=consultant)
    client = make_client(workspace, name="Brightline Logistics")
    ended = str(Quarter.of(timezone.localdate()).previous())

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("cara@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{client.get_absolute_url()}")
    page.get_by_role("link", name="Funnel", exact=True).click()
    expect(page.get_by_role("heading", name="No funnel figures yet")).to_be_visible()
    screenshot("funnel-1-empty")

    page.get_by_role("link", name="Enter a quarter’s figures").first.click()
    expect(page.get_by_label("Quarter")).to_have_value(ended)
    page.get_by_label("Emails sent").fill("1000")
    page.get_by_label("Emails opened").fill("1500")  # impossible: refused
    for label, value in FIGURES.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Save the figures").click()
    expect(page.get_by_text("More emails opened (1,500) than sent (1,000).")).to_be_visible()
    assert not FunnelFigures.objects.exists()
    screenshot("funnel-2-form-with-an-error")

    page.get_by_label("Emails opened").fill("260")
    page.get_by_role("button", name="Save the figures").click()
    expect(
        page.get_by_text(f"The {ended} figures of Brightline Logistics are saved.")
    ).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="More MQLs (1,300) than inquiries (1,200)")
    ).to_be_visible()

    health = page.get_by_role("region", name=f"Handoff health in {ended}")
    lead_to_sales = health.locator(".health-card").filter(has_text="Lead gen → Sales-ready")
    # MQL → SAL 30% (poor), SAL → SQL 30.8% (fair), 6.5 days to accept (poor): 17, poor.
    expect(lead_to_sales).to_contain_text("Poor")
    expect(lead_to_sales).to_contain_text("30.0%")
    expect(lead_to_sales).to_contain_text("6.5 days")
    table = page.get_by_role("table", name=re.compile("one column per quarter"))
    expect(table.get_by_role("row", name=re.compile("^Win rate"))).to_contain_text("20.0%")
    expect(table.get_by_role("row", name=re.compile("^Submit rate"))).to_contain_text("n/a")
    screenshot("funnel-3-kpis-and-health")

    page.get_by_role("link", name="Plan revenue").click()
    expect(page.get_by_label("MQL → SAL")).to_have_value("30")
    page.get_by_label("Revenue target").fill("2,000,000")
    page.get_by_role("button", name="Work it out").click()
    result = page.get_by_role("region", name="What it takes")
    won = result.get_by_role("row", name=re.compile("^Won deals"))
    expect(won).to_contain_text("50")  # 2,000,000 / 40,000
    expect(won).to_contain_text("26 short")
    expect(result.get_by_role("row", name=re.compile("^Inquiries"))).to_contain_text("short")
    assert "target_revenue=2%2C000%2C000" in page.url  # a URL to share
    screenshot("funnel-4-planner")
