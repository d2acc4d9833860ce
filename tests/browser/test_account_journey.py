"""A newcomer's first visit, in a real browser: sign up (confirming the email), add a client,
log out, log back in."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from clients.models import Client
from tests.factories import confirmation_link, fill_in_sign_up

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_add_a_client_log_out_and_back_in(live_server, page, screenshot):
    page.goto(f"{live_server.url}/accounts/signup/")
    fill_in_sign_up(page)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    screenshot("journey-0-check-your-email")
    page.goto(f"{live_server.url}{confirmation_link(mail.outbox[-1])}")
    screenshot("journey-0-confirm")
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", name="Welcome to Dana Consulting")).to_be_visible()
    expect(page.locator(".workspace-switcher summary")).to_contain_text("Dana Consulting")
    screenshot("journey-1-empty-workspace")

    page.get_by_role("link", name="Add your first client").click()
    page.get_by_label("Company name").fill("Cobalt Health Systems")
    page.get_by_label("Industry").fill("Healthcare technology")
    page.get_by_label("Company size").select_option("51-200")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name="Cobalt Health Systems")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Cobalt Health Systems added.")
    screenshot("journey-2-client")

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to Relay")).to_be_visible()

    page.get_by_label("Email").fill("DANA@example.com")
    page.get_by_label("Password").fill("a-sturdy-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Cobalt Health Systems")).to_be_visible()  # dashboard
    screenshot("journey-3-dashboard")
    assert Client.objects.get().workspace.name == "Dana Consulting"


def test_the_client_search_filters_as_you_type(live_server, page, django_user_model):
    from accounts.services import sign_up
    from tests.factories import make_client

    user = sign_up(email="s@example.com", name="S", password="pw-long-enough", workspace_name="W")
    workspace = user.memberships.get().workspace
    for name in ("Alpha Freight", "Beta Bank", "Gamma Grid"):
        make_client(workspace, name=name)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("s@example.com")
    page.get_by_label("Password").fill("pw-long-enough")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Gamma Grid")).to_be_visible()

    page.get_by_label("Search clients").press_sequentially("bank")
    expect(page.get_by_role("link", name="Alpha Freight")).to_be_hidden()
    expect(page.get_by_role("link", name="Beta Bank")).to_be_visible()
    assert "q=bank" in page.url  # the search is in the address, so it can be shared and reloaded
