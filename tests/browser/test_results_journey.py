"""A consultant opens a demo client's results: both charts and the recommendations are there."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_demo_clients_results_show_the_charts_and_recommendations(live_server, page, screenshot):
    seed_demo(today=date(2026, 11, 22))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("consultant@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Brightline Logistics").click()
    quarter = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="2026-Q3", exact=True)
    )
    quarter.get_by_role("link", name="Results").click()

    expect(
        page.get_by_role("heading", name="Brightline Logistics · 2026-Q3 results")
    ).to_be_visible()
    radar = page.get_by_role("img", name=re.compile("Maturity by dimension"))
    relay = page.get_by_role("img", name=re.compile("The relay"))
    expect(radar).to_be_visible()
    expect(relay).to_be_visible()
    expect(relay.locator("text", has_text="Baton drop")).to_be_visible()
    assert radar.bounding_box()["width"] > 300 and relay.bounding_box()["width"] > 500

    recommendations = page.locator("ol.recommendations").first.locator("li.recommendation")
    expect(recommendations).to_have_count(10)
    recommendations.first.get_by_text("Next steps").click()
    expect(recommendations.first.locator("details p")).to_be_visible()
    page.get_by_text(re.compile(r"^All \d+ recommendations$")).click()

    # Each dimension's answers load when its section is opened, in place.
    people = page.locator("details.question-detail").first
    people.locator("summary").click()
    expect(people.get_by_role("table", name=re.compile("People: each question"))).to_be_visible()
    assert "/results/people/" not in page.url

    page.get_by_role("link", name="How these figures are computed").click()
    expect(
        page.get_by_role("heading", name="How Relay scores go-to-market maturity")
    ).to_be_visible()
    page.go_back()
    screenshot("results-brightline-2026-Q3")
