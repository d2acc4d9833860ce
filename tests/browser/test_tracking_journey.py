"""Tracking a client over the quarters, as a new user would: read the trend, compare the first
and last quarter, add two recommendations to the plan, and see the dashboard reflect it."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_trend_compare_plan_and_dashboard(live_server, page, screenshot):
    seed_demo(today=date(2026, 11, 22))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("consultant@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    dashboard = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Cobalt Health Systems")
    )
    expect(dashboard.get_by_role("cell").last).to_have_text("0")  # no open plan items yet
    dashboard.get_by_role("link", name="Cobalt Health Systems").click()

    trend = page.get_by_role(
        "img", name=re.compile("overall and handoff indexes over the quarters")
    )
    expect(trend).to_be_visible()
    for quarter in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"):
        expect(trend.locator("text", has_text=quarter).first).to_be_visible()
    screenshot("tracking-1-client-trend")

    page.get_by_label("Compare").select_option(label="2025-Q4")
    page.get_by_label("with").select_option(label="2026-Q3")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="2025-Q4 → 2026-Q3")).to_be_visible()
    expect(
        page.get_by_role("table", name="Dimensions").get_by_role("row", name=re.compile("Overall"))
    ).to_contain_text("▲")
    screenshot("tracking-2-compare")

    page.locator(".breadcrumbs").get_by_role("link", name="Cobalt Health Systems").click()
    quarter = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="2026-Q3", exact=True)
    )
    quarter.get_by_role("link", name="Results").click()
    recommendations = page.locator("ol.recommendations").first.locator("li.recommendation")
    for position in (0, 1):
        item = recommendations.nth(position)
        item.get_by_role("button", name="Add to plan").click()
        expect(item.get_by_text("In the plan")).to_be_visible()

    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Dashboard").click()
    dashboard = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Cobalt Health Systems")
    )
    expect(dashboard.get_by_role("cell").last).to_have_text("2")
    screenshot("tracking-3-dashboard")
