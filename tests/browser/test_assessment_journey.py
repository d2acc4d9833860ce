"""A consultant runs an assessment end to end: start it, invite two people, both answer (one
without JavaScript), and a third person's answers arrive by CSV, refused until the file is right."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.services import sign_up
from assessments.models import Assessment
from tests.factories import make_bank_version, make_client

pytestmark = pytest.mark.django_db(transaction=True)

SAVED = re.compile(r"Saved \d\d:\d\d")


def _answer_everything_with_autosave(page, link: str) -> None:
    page.goto(link)
    page.get_by_role("link", name="Start").click()
    # Page after page: each answer saves as it is chosen, the button goes on to the next page.
    while not page.get_by_role("heading", name="Review and submit").is_visible():
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("label.choice").nth(1).click()
            expect(fieldset.locator(".save-status")).to_have_text(SAVED)
        page.get_by_role("button", name=re.compile("^Save and")).click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("^Thank you"))).to_be_visible()


def _answer_everything_without_javascript(page, link: str) -> None:
    page.goto(link)
    page.get_by_role("link", name="Start").click()
    while not page.get_by_role("heading", name="Review and submit").is_visible():
        for fieldset in page.locator("fieldset.question").all():
            fieldset.locator("label.choice").nth(3).click()
        page.get_by_role("button", name=re.compile("^Save and")).click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name=re.compile("^Thank you"))).to_be_visible()


def _csv(rows: list[str]) -> dict:
    text = "respondent,role,question_key,level,comment\n" + "\n".join(rows) + "\n"
    return {"name": "answers.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_start_invite_answer_twice_and_import_a_third(live_server, page, browser, screenshot):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    owner = sign_up(
        email="nadia@example.com", name="Nadia", password="pw-long-enough", workspace_name="NW"
    )
    make_client(owner.memberships.get().workspace, name="Brightline Logistics")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("nadia@example.com")
    page.get_by_label("Password").fill("pw-long-enough")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Brightline Logistics").click()
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Process").select_option("3")
    page.get_by_role("button", name="Create assessment").click()
    expect(
        page.get_by_role("heading", name=re.compile("Brightline Logistics · 2026-Q4"))
    ).to_be_visible()

    for name, email, role in (
        ("Priya Shah", "priya@example.com", "sales"),
        ("Dana Ray", "dana@example.com", "marketing"),
    ):
        page.get_by_label("Name", exact=True).fill(name)  # not the visibility's "Named"
        page.get_by_label("Email").fill(email)
        page.get_by_label("Role").select_option(role)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_role("cell", name=re.compile(name))).to_be_visible()

    page.get_by_role("button", name="Open and send links").click()
    expect(page.get_by_role("heading", name="New questionnaire links")).to_be_visible()
    screenshot("assessment-1-links")
    priya_link = page.get_by_role("textbox", name="Priya Shah").input_value()
    dana_link = page.get_by_role("textbox", name="Dana Ray").input_value()
    assert len(mail.outbox) == 2 and priya_link in mail.outbox[0].body + mail.outbox[1].body

    respondent_page = browser.new_page()
    _answer_everything_with_autosave(respondent_page, priya_link)
    no_script = browser.new_context(java_script_enabled=False)
    _answer_everything_without_javascript(no_script.new_page(), dana_link)
    no_script.close()

    page.get_by_role("link", name="Import answers (CSV)").click()
    keys = list(version.questions.values_list("key", flat=True))
    bad = [f"Leo Martins,leadership,{key},4," for key in keys]
    bad[2] = f"Leo Martins,leadership,{keys[2]},7,"
    bad[5] = "Leo Martins,leadership,people.no_such_question,3,"
    page.get_by_label("CSV file").set_input_files(_csv(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Nothing was imported.")).to_be_visible()
    expect(page.get_by_text(re.compile("^Line 4:"))).to_be_visible()
    expect(page.get_by_text(re.compile("^Line 7:"))).to_be_visible()
    screenshot("assessment-2-import-refused")
    assessment = Assessment.objects.get()
    assert assessment.respondents.count() == 2  # nothing saved

    good = [f"Leo Martins,leadership,{key},4," for key in keys]
    page.get_by_label("CSV file").set_input_files(_csv(good))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text(re.compile("Imported 24 answers from 1 respondents"))).to_be_visible()
    expect(page.get_by_text("3 of 3 respondents submitted")).to_be_visible()
    screenshot("assessment-3-all-submitted")
    assert [r.is_submitted for r in assessment.respondents.all()] == [True, True, True]
