"""axe-core finds no violation on the pages respondents and consultants use most: the
questionnaire's welcome, a page of questions and the review, at laptop and phone sizes, and
the assessment page with its respondents and reminders, the dashboard and the results, the
sign-up's pages, the bank's changes as the methodology and an older quarter's results show
them, and every admin page of the question bank."""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command

from assessments.models import Assessment
from bank.models import BankVersion
from bank.services import clone_to_draft
from devtools.demo import seed_demo
from devtools.demo_world import DEMO_PASSWORD
from tests.factories import PASSWORD, confirmation_link, fill_in_sign_up, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _violations(page, within: str | None = None) -> list[str]:
    """axe's violations on the page, or within the elements a CSS selector picks."""
    results = Axe().run(page, context=within)
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
    # The closed quarter with the demo's contradiction: its funnel check, the signs, the answers
    # against the evidence, a validated level and the form that records one.
    closed = Assessment.objects.get(client=assessment.client, year=2026, quarter=3)
    found = {}
    for path in (
        f"/w/{slug}/",
        f"/w/{slug}/assessments/{assessment.pk}/",
        f"/w/{slug}/assessments/{assessment.pk}/results/",
        f"/w/{slug}/assessments/{closed.pk}/results/",
        f"/w/{slug}/assessments/{closed.pk}/validated/people.lead_follow_up_speed/",
        f"/w/{slug}/assessments/{closed.pk}/results/people/",
        f"/w/{slug}/clients/{closed.client_id}/funnel/",
    ):
        page.goto(live_server.url + path)
        if violations := _violations(page):
            found[path] = violations
    context.close()
    assert found == {}


@pytest.mark.parametrize("size", SIZES)
def test_the_bank_changes_shown_to_consultants_have_no_accessibility_violation(
    live_server, browser, size
):
    # Checked within the notice and the section alone: the methodology's tables and an
    # older quarter's results tables scroll on a phone without keyboard access
    # (scrollable-region-focusable), which is not theirs.
    seed_demo(today=date(2026, 11, 22))
    assessment = _open_assessment()
    slug = assessment.client.workspace.slug
    earlier = assessment.client.assessments.filter(status="closed").exclude(
        bank_version=assessment.bank_version
    )[0]
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("consultant@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/w/**")
    page.goto(f"{live_server.url}/w/{slug}/assessments/{earlier.pk}/results/")
    notice = _violations(page, within=".bank-notice")
    page.get_by_role("link", name=f"What changed since {earlier.bank_version.label}").click()
    assert page.url.endswith("/methodology/#bank-changes")
    section = _violations(page, within="#bank-changes")
    context.close()
    assert (notice, section) == ([], [])


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


def test_the_question_bank_admin_pages_have_no_accessibility_violation(live_server, page):
    call_command("load_default_bank")
    group = Group.objects.create(name="Methodology admins")
    group.permissions.set(Permission.objects.filter(content_type__app_label="bank"))
    make_user(email="admin@example.com", is_staff=True).groups.add(group)
    published = BankVersion.objects.get(label="2026.2")
    draft = clone_to_draft(version=published)
    draft.questions.filter(key="people.relay_ownership").update(text="Who owns the relay?")
    question = draft.questions.get(key="process.lead_definition")
    published_question = published.questions.get(key="process.lead_definition")
    incomplete = clone_to_draft(version=published)
    incomplete.questions.get(key="people.relay_ownership").descriptors.filter(level=5).delete()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    found = {}
    for path in (
        "bankversion/",
        f"bankversion/{published.pk}/change/",
        f"bankversion/{draft.pk}/change/",
        "bankversion/import/",
        "question/",
        f"question/?version__id__exact={draft.pk}",
        f"question/{question.pk}/change/",
        f"question/{published_question.pk}/change/",  # read-only
        "question/add/",
        f"bankversion/{published.pk}/diff/",  # 2026.2 against 2026.1: splits
        f"bankversion/{draft.pk}/diff/",
        f"bankversion/{draft.pk}/publish/",
        f"bankversion/{incomplete.pk}/publish/",  # what is missing, and no button
    ):
        response = page.goto(f"{live_server.url}/admin/bank/{path}")
        assert response.ok and "/login/" not in page.url, path
        if violations := _violations(page):
            found[path] = violations
    assert found == {}
