"""Respondents in a real browser: the welcome, autosave, resume after a reload, page after
page to the submit, and the same without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, Respondent
from tests.factories import (
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
    make_workspace,
)

pytestmark = pytest.mark.django_db(transaction=True)

SAVED = re.compile(r"Saved \d\d:\d\d")


@pytest.fixture
def invite_link(live_server):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    assessment = make_assessment(
        make_client(make_workspace(), name="Cobalt Health"), version=version, status="open"
    )
    respondent = make_respondent(assessment, name="Priya Shah", role="sales")
    return f"{live_server.url}/r/{respondent.issue_link()}/", respondent


CONTINUE = re.compile("^Save and")


def _answer_page(page, level_index: int) -> None:
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("label.choice").nth(level_index).click()
        expect(fieldset.locator(".save-status")).to_have_text(SAVED)


def test_autosave_resume_and_submit(page, invite_link, screenshot):
    link, respondent = invite_link
    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome, Priya Shah")).to_be_visible()
    page.get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()

    first = page.locator("fieldset.question").first
    first.locator("label.choice").nth(1).click()
    expect(first.locator(".save-status")).to_have_text(SAVED)
    first.get_by_label("Comment").fill("We have no written SLA yet.")
    first.get_by_label("Comment").blur()
    expect(page.locator("#q-progress")).to_contain_text("1 of 24 answered")
    screenshot("questionnaire-1-autosaved")

    page.reload()
    first = page.locator("fieldset.question").first
    expect(first.locator("input[value='2']")).to_be_checked()
    expect(first.get_by_label("Comment")).to_have_value("We have no written SLA yet.")

    # Page after page, each answered as it is shown, to the review.
    for _ in range(8):
        _answer_page(page, 2)
        page.get_by_role("button", name=CONTINUE).click()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    expect(page.get_by_text("Every question has an answer.")).to_be_visible()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you, Priya Shah")).to_be_visible()
    screenshot("questionnaire-2-thank-you")

    respondent.refresh_from_db()
    assert respondent.is_submitted
    assert Answer.objects.filter(respondent=respondent).count() == 24
    assert respondent.answers.get(comment__startswith="We have").choice == "3"  # changed later


def test_a_failed_save_is_shown_and_can_be_retried(page, invite_link):
    link, respondent = invite_link
    page.goto(f"{link}s/people/")
    page.route("**/answer/", lambda route: route.abort())
    first = page.locator("fieldset.question").first
    first.locator("label.choice").nth(3).click()
    expect(first.locator(".save-status")).to_contain_text("Not saved")
    assert not Answer.objects.exists()

    page.unroute("**/answer/")
    first.get_by_role("button", name="Retry").click()
    expect(first.locator(".save-status")).to_have_text(SAVED)
    assert Answer.objects.get(respondent=respondent).choice == "4"


def test_without_javascript_each_section_saves_and_submits(browser, invite_link, screenshot):
    link, respondent = invite_link
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("link", name="Start").click()
    for _ in range(8):  # four sections of two pages
        for fieldset in page.locator("fieldset.question").all():
            fieldset.get_by_label("Don’t know").check()
        page.get_by_role("button", name=CONTINUE).click()
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    screenshot("questionnaire-3-review-without-javascript")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you, Priya Shah")).to_be_visible()
    assert Respondent.objects.get(pk=respondent.pk).is_submitted
    assert set(respondent.answers.values_list("choice", flat=True)) == {"DK"}
    context.close()
