"""A consultant adds a recommendation to the action plan from the results (htmx), marks it done
on the plan page, and finds it done on the client page."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Assessment, PlanItem, PlanStatus
from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_recommendation_is_planned_done_and_shown_on_the_client_page(
    live_server, page, screenshot
):
    seed_demo(today=date(2026, 11, 22))
    q3 = Assessment.objects.select_related("client__workspace").get(
        client__name="Brightline Logistics", year=2026, quarter=3
    )
    results_url = reverse("assessments:results", args=[q3.client.workspace.slug, q3.pk])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("consultant@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{results_url}")

    first = page.locator("ol.recommendations").first.locator("li.recommendation").first
    title = first.get_by_role("heading").inner_text()
    first.get_by_role("button", name="Add to plan").click()
    expect(first.get_by_text("In the plan")).to_be_visible()
    expect(first.get_by_role("button", name="Add to plan")).to_have_count(0)
    assert page.url == f"{live_server.url}{results_url}"  # swapped in place, no page load
    first.scroll_into_view_if_needed()
    screenshot("plan-1-added-from-the-results")

    first.get_by_role("link", name="View the plan").click()
    expect(page.get_by_role("heading", name="Action plan")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(re.escape(title)))
    expect(row.get_by_text("Unassigned")).to_be_visible()
    row.get_by_label(f"Status of {title}").select_option("done")
    expect(row.get_by_text("Saved")).to_be_visible()
    expect(row.get_by_label(f"Status of {title}")).to_have_value("done")
    expect(page.get_by_role("list", name="The plan at a glance")).to_contain_text("1 done")
    assert PlanItem.objects.get().status == PlanStatus.DONE
    screenshot("plan-2-marked-done")

    page.locator(".breadcrumbs").get_by_role("link", name="Brightline Logistics").click()
    card = page.get_by_role("region", name="Action plan")
    expect(card.get_by_text("Recently done")).to_be_visible()
    expect(card.get_by_role("listitem").filter(has_text=title)).to_contain_text("Done")
    card.scroll_into_view_if_needed()
    screenshot("plan-3-done-on-the-client-page")
