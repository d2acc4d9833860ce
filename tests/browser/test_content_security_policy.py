"""The pages work under the Content-Security-Policy: a real browser reports no violation while a
consultant reads results and the dashboard, a respondent saves an answer by htmx, someone is
locked out of logging in, and an administrator uses the admin."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import Workspace
from assessments.models import Respondent
from bank.models import BankVersion
from bank.services import clone_to_draft
from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)

# Added to every document before its own scripts run, so it sees each violation; it reports
# through a Playwright binding, which the page's policy does not govern.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def violations(page) -> list[str]:
    """Every CSP violation of the page's life: its events and Chromium's console errors."""
    seen: list[str] = []

    def report(text: str) -> None:
        seen.append(text)

    def read_console(message) -> None:
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    page.expose_function("reportViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", read_console)
    return seen


def _log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def _prove_violations_are_seen(page, violations: list[str]) -> None:
    """The listeners work: a style attribute added now is blocked, and reported."""
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color: red">')""")
    for _ in range(40):  # the report arrives asynchronously
        if violations:
            break
        page.wait_for_timeout(50)
    assert any("style-src" in violation for violation in violations), violations


def test_results_dashboard_and_questionnaire_run_under_the_policy(
    live_server, page, violations, screenshot
):
    seed_demo(today=date(2026, 11, 22))
    Workspace.objects.filter(name="Northwind Advisory").update(accent_color="#0b7a3e")
    respondent = Respondent.objects.filter(
        assessment__status="open", submitted_at__isnull=True
    ).first()

    # The questionnaire, from its welcome: an answer saved by htmx shows its saved state.
    page.goto(f"{live_server.url}/r/{respondent.issue_link()}/")
    page.get_by_role("link", name=re.compile("^(Start|Continue where you left off)$")).click()
    question = page.locator("fieldset.question").first
    question.locator("label.choice").filter(has=page.locator("input:not(:checked)")).first.click()
    expect(question.locator(".save-status")).to_have_text(re.compile(r"Saved \d\d:\d\d"))

    # The dashboard, its htmx search, the results with their charts, a client's trend.
    _log_in(page, live_server.url, "consultant@example.com", DEMO_PASSWORD)
    page.get_by_label("Search").fill("Brightline")
    expect(page.get_by_role("link", name="Cobalt Health Systems")).to_have_count(0)
    page.get_by_role("link", name="Brightline Logistics").click()
    expect(
        page.get_by_role("img", name=re.compile("indexes over the quarters")).first
    ).to_be_visible()
    page.get_by_role("row").filter(
        has=page.get_by_role("link", name="2026-Q3", exact=True)
    ).get_by_role("link", name="Results").click()
    expect(page.get_by_role("img", name=re.compile("Maturity by dimension"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("The relay"))).to_be_visible()
    # The accent stripe: its colour comes in the <style> the nonce lets through.
    stripe = page.locator(".site-header").evaluate("e => getComputedStyle(e).borderTopColor")
    assert stripe == "rgb(11, 122, 62)"  # #0b7a3e
    screenshot("csp-results")

    assert violations == []
    _prove_violations_are_seen(page, violations)


def test_the_lockout_page_runs_under_the_policy(live_server, page, violations, screenshot):
    for _ in range(5):
        _log_in(page, live_server.url, "nobody@example.com", "a-wrong-guess")
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    expect(page.get_by_role("link", name="Reset your password")).to_be_visible()
    screenshot("csp-login-lockout")
    assert violations == []


def test_the_admin_runs_under_the_policy(live_server, page, violations, screenshot):
    seed_demo(today=date(2026, 11, 22))
    make_user(email="root@example.com", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Email").fill("root@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Question bank, workspaces and people")).to_be_visible()

    # A changelist with actions and filters, and a change form with inlines.
    page.goto(f"{live_server.url}/admin/bank/question/")
    page.get_by_role("link", name=re.compile(r"^people\.")).first.click()
    expect(page.get_by_role("link", name="Open the preview")).to_be_visible()

    # The bank's own pages, with their stylesheet: a version's changes and the publish
    # confirmation of a draft.
    page.goto(f"{live_server.url}/admin/bank/bankversion/")
    page.get_by_role("link", name="Changes in 2026.2").click()
    expect(page.locator("ins").first).to_be_visible()
    draft = clone_to_draft(version=BankVersion.objects.current())
    page.goto(f"{live_server.url}/admin/bank/bankversion/{draft.pk}/change/")
    page.get_by_role("link", name=f"Publish {draft.label}…").click()
    expect(page.get_by_label("Changelog note:")).to_be_visible()

    # A workspace's members: an inline row added by script, and its autocomplete opened.
    page.goto(f"{live_server.url}/admin/accounts/workspace/")
    page.get_by_role("link", name="Northwind Advisory").click()
    page.locator(".add-row a").click()  # "Add another membership"
    page.locator(".dynamic-memberships .select2-selection").last.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    screenshot("csp-admin-autocomplete")

    assert violations == []
