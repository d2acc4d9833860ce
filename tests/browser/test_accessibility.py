"""axe-core finds no violation on the pages respondents and consultants use most: the
questionnaire's welcome, a page of questions and the review, at laptop and phone sizes, and
the assessment page with its respondents and reminders, the dashboard and the results, and
the sign-up's pages."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from assessments.models import Assessment
from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD
from tests.factories import confirmation_link, fill_in_sign_up

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def _open_assessment() -> Assessment:
    return (
        Assessment.objects.filter(client__name="Brightline Logistics", status="open")
        .select_related("client__workspace")
        .get()
    )


@pytest.mark.parametrize("size", SIZES)
def test_the_questionnaire_has_no_accessibility_violation(live_server, browser, size):
    seed_demo(today=date(2026, 11, 22))
    respondent = _open_assessment().respondents.filter(submitted_at__isnull=True).first()
    base = f"{live_server.url}/r/{respondent.issue_link()}/"
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    found = {}
    for path in ("", "s/people/", "s/process/2/", "review/"):
        page.goto(base + path)
        if violations := _violations(page):
            found[path or "welcome"] = violations
    context.close()
    assert found == {}


@pytest.mark.parametrize("size", SIZES)
def test_the_consultants_pages_have_no_accessibility_violation(live_server, browser, size):
    seed_demo(today=date(2026, 11, 22))
    assessment = _open_assessment()
    slug = assessment.client.workspace.slug
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("consultant@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/w/**")
    found = {}
    for path in (
        f"/w/{slug}/",
        f"/w/{slug}/assessments/{assessment.pk}/",
        f"/w/{slug}/assessments/{assessment.pk}/results/",
    ):
        page.goto(live_server.url + path)
        if violations := _violations(page):
            found[path] = violations
    context.close()
    assert found == {}


@pytest.mark.parametrize("size", SIZES)
def test_the_sign_up_pages_have_no_accessibility_violation(live_server, browser, size):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    found = {}

    def check(name: str) -> None:
        if violations := _violations(page):
            found[name] = violations

    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_role("button", name="Create account").click()  # empty: every field's error
    check("the form with its errors")
    fill_in_sign_up(page)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/signup/sent/")
    check("check your email")
    page.goto(f"{live_server.url}{confirmation_link(mail.outbox[-1])}")
    check("confirm")
    page.goto(f"{live_server.url}/accounts/signup/confirm/no-such-link/")
    check("a link that no longer works")
    context.close()
    assert found == {}


def test_the_check_finds_a_violation_when_there_is_one(page):
    # Guards the tests above: an empty list means axe ran and found nothing.
    page.set_content("<html lang='en'><title>t</title><main><img src='x.png'></main></html>")
    assert any(v.startswith("image-alt") for v in _violations(page))
