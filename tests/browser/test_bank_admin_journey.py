"""A methodology admin clones the bank, edits the draft, reads what it changes, publishes it
with a changelog note, and finds it read-only."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from playwright.sync_api import expect

from bank.models import BankVersion
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _select_version_and_run(page, label: str, action: str) -> None:
    page.get_by_role("row").filter(
        has=page.get_by_role("link", name=label, exact=True)
    ).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name="Go").click()


def test_clone_edit_publish_and_then_no_more_edits(live_server, page, screenshot):
    call_command("load_default_bank")
    group = Group.objects.create(name="Methodology admins")
    group.permissions.set(Permission.objects.filter(content_type__app_label="bank"))
    make_user(email="admin@example.com", is_staff=True).groups.add(group)

    page.goto(f"{live_server.url}/admin/bank/bankversion/")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    _select_version_and_run(page, "2026.2", "Clone to new draft")
    expect(page.get_by_text("Cloned 2026.2 to the draft 2026.3.")).to_be_visible()

    draft = BankVersion.objects.get(label="2026.3")
    page.goto(
        f"{live_server.url}/admin/bank/question/?version__id__exact={draft.pk}&q=lead_definition"
    )
    page.get_by_role("link", name="process.lead_definition", exact=True).click()
    page.get_by_label("Text:").fill("Is there one written definition of a qualified lead?")
    # The ladder, inline: the step from level 3 (the third of the four).
    page.locator("#id_rungs-2-title").fill("Review the definition every quarter")
    screenshot("bank-admin-ladder")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    page.goto(f"{live_server.url}/admin/bank/bankversion/{draft.pk}/change/")
    page.get_by_role("link", name="Changes in 2026.3").click()
    expect(page.get_by_role("heading", name="Changes in 2026.3 since 2026.2")).to_be_visible()
    changed = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="text"))
    expect(changed.locator("ins").filter(has_text="qualified")).to_have_count(1)
    screenshot("bank-admin-diff")

    page.go_back()
    page.get_by_role("link", name="Publish 2026.3…").click()
    expect(page.get_by_text("1 changed", exact=True)).to_be_visible()
    page.get_by_label("Changelog note:").fill("The lead definition asks for a written one.")
    screenshot("bank-admin-publish")
    page.get_by_role("button", name="Publish 2026.3").click()
    expect(page.get_by_text("Published 2026.3: new assessments now use it.")).to_be_visible()
    screenshot("bank-admin-published")

    assert BankVersion.objects.current() == draft
    draft.refresh_from_db()
    assert draft.changelog == "The lead definition asks for a written one."
    question = draft.questions.get(key="process.lead_definition")
    assert question.text == "Is there one written definition of a qualified lead?"
    assert question.rungs.get(from_level=3).title == "Review the definition every quarter"
    page.goto(f"{live_server.url}/admin/bank/question/{question.pk}/change/")
    expect(page.get_by_role("heading", name="View question")).to_be_visible()
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
