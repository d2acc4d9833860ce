import re
from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, SignupRequest, User, Workspace
from tests.factories import (
    PASSWORD,
    confirmation_link,
    make_user,
    make_workspace,
    sign_up_and_confirm,
)

SIGNUP = {
    "name": "Dana Founder",
    "email": "Dana@Example.com",
    "workspace_name": "Dana Consulting",
    "password1": "a-sturdy-passphrase",
    "password2": "a-sturdy-passphrase",
}


def _counts():
    return User.objects.count(), Workspace.objects.count(), Membership.objects.count()


def _text(response) -> str:
    """The page's words, without markup (and so without its CSRF token)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.mark.django_db
def test_signing_up_creates_an_account_that_owns_a_new_workspace(client):
    response = sign_up_and_confirm(client, SIGNUP)

    user = User.objects.get()
    assert user.email == "dana@example.com"  # stored lower-cased
    assert user.check_password("a-sturdy-passphrase")
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.name == "Dana Consulting"
    assert response.context["user"] == user  # logged in
    assert response.redirect_chain[-1][0] == membership.workspace.get_absolute_url()
    assert "Dana Consulting" in response.content.decode()
    assert SignupRequest.objects.count() == 0  # the link works once


@pytest.mark.django_db
def test_a_sign_up_creates_nothing_until_the_email_is_confirmed(client):
    response = client.post(reverse("accounts:signup"), SIGNUP, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:signup_sent")
    assert "We sent an email to dana@example.com" in _text(response)
    assert _counts() == (0, 0, 0)
    (message,) = mail.outbox
    assert message.to == ["dana@example.com"]
    assert "Confirm your email" in message.subject
    pending = SignupRequest.objects.get()
    assert pending.password != "a-sturdy-passphrase"  # hashed
    assert pending.token_hash not in message.body  # the link holds the token, the table its hash

    # Opening the link (as a mail scanner would) only shows the button.
    page = client.get(confirmation_link(message))
    assert page.status_code == 200
    assert "Create my account" in _text(page)
    assert _counts() == (0, 0, 0)


@pytest.mark.django_db
def test_a_known_email_gets_the_same_answer_and_its_owner_an_email(client):
    owner = make_user(email="dana@example.com")
    before = _counts()
    known = client.post(reverse("accounts:signup"), SIGNUP, follow=True)
    unknown = client.post(
        reverse("accounts:signup"), {**SIGNUP, "email": "erin@example.com"}, follow=True
    )

    # The two pages differ only by the address they repeat.
    assert known.redirect_chain == unknown.redirect_chain
    assert _text(known).replace("dana@", "erin@") == _text(unknown)
    assert _counts() == before  # nothing created for the known address ...
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # ... nor changed
    assert SignupRequest.objects.get().email == "erin@example.com"
    told, confirm = mail.outbox
    assert told.to == ["dana@example.com"]
    assert "already have a Relay account" in told.subject
    assert reverse("login") in told.body and reverse("password_reset") in told.body
    assert "/signup/confirm/" not in told.body
    assert confirm.to == ["erin@example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("days_later", [3, 30])
def test_an_expired_link_no_longer_works_and_is_forgotten(client, days_later):
    client.post(reverse("accounts:signup"), SIGNUP)
    link = confirmation_link(mail.outbox[-1])
    with time_machine.travel(timezone.now() + timedelta(days=days_later, seconds=1)):
        response = client.post(link)
        assert response.status_code == 404
        assert "This link no longer works" in _text(response)
        assert _counts() == (0, 0, 0)
        client.post(reverse("accounts:signup"), {**SIGNUP, "email": "erin@example.com"})
    assert list(SignupRequest.objects.values_list("email", flat=True)) == ["erin@example.com"]


@pytest.mark.django_db
def test_an_unknown_link_says_it_no_longer_works(client):
    response = client.get(reverse("accounts:signup_confirm", args=["not-a-token"]))
    assert response.status_code == 404
    assert "Sign up again" in _text(response)


@pytest.mark.django_db
def test_of_two_sign_ups_for_one_email_the_first_confirmed_wins(client):
    client.post(reverse("accounts:signup"), SIGNUP)
    first = confirmation_link(mail.outbox[-1])
    client.post(reverse("accounts:signup"), {**SIGNUP, "workspace_name": "Other name"})
    second = confirmation_link(mail.outbox[-1])

    client.post(second)
    assert Workspace.objects.get().name == "Other name"
    client.logout()
    assert client.post(first).status_code == 404  # the other sign-ups went with it
    assert _counts() == (1, 1, 1)


@pytest.mark.django_db
def test_a_sign_up_confirmed_after_the_email_got_an_account_creates_nothing(client):
    client.post(reverse("accounts:signup"), SIGNUP)
    make_user(email="dana@example.com")  # meanwhile, say, through an invitation
    before = _counts()
    response = client.post(confirmation_link(mail.outbox[-1]), follow=True)
    assert "already has an account" in _text(response)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert _counts() == before


def test_the_check_your_email_page_needs_a_sign_up(client, db):
    response = client.get(reverse("accounts:signup_sent"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"name": ""}, "name"),
        ({"workspace_name": "   "}, "workspace_name"),
        ({"workspace_name": "x" * 101}, "workspace_name"),
        ({"password2": "something-else"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password2"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password2"),
    ],
)
def test_a_bad_sign_up_shows_the_error_and_saves_nothing(client, change, field):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _counts() == (0, 0, 0)
    assert b'aria-invalid="true"' in response.content


@pytest.mark.django_db
def test_an_email_already_used_in_another_case_gets_no_second_account(client):
    make_user(email="dana@example.com")
    before = _counts()
    response = client.post(reverse("accounts:signup"), SIGNUP)  # Dana@Example.com
    assert response.status_code == 302  # no "already exists" on the form
    assert _counts() == before
    assert SignupRequest.objects.count() == 0
    assert "already have a Relay account" in mail.outbox[-1].subject


def test_a_logged_in_visitor_to_sign_up_goes_home(client, owner):
    client.force_login(owner)
    assert client.get(reverse("accounts:signup")).status_code == 302


def test_logging_in_takes_the_email_in_any_case(client, owner):
    response = client.post(
        reverse("login"), {"username": "OWNER@Example.COM", "password": PASSWORD}, follow=True
    )
    assert response.context["user"] == owner


def test_a_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(reverse("login"), {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert "correct email" in response.content.decode()


def test_the_login_page_has_labelled_email_and_password_fields(client, db):
    html = client.get(reverse("login")).content.decode()
    assert re.search(r'<label for="id_username">Email', html)
    assert '<label for="id_password">' in html
    assert 'name="username"' in html and 'name="password"' in html


def test_logging_out_needs_a_post(client, owner):
    client.force_login(owner)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_changing_the_password(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-sturdy-one",
            "new_password2": "another-sturdy-one",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    owner.refresh_from_db()
    assert owner.check_password("another-sturdy-one")


def test_a_wrong_old_password_changes_nothing(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x-y-z-1234", "new_password2": "x-y-z-1234"},
    )
    assert "old_password" in response.context["form"].errors
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_resetting_a_forgotten_password_by_email(client, owner):
    response = client.post(reverse("password_reset"), {"email": "Owner@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your Relay password"
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    client.post(form_url, {"new_password1": "fresh-secret-99", "new_password2": "fresh-secret-99"})

    owner.refresh_from_db()
    assert owner.check_password("fresh-secret-99")


def test_a_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_home_opens_the_workspace_used_last(client, owner, workspace):
    other = make_workspace(owner=owner, name="Another")
    client.force_login(owner)
    client.get(reverse("clients:list", args=[other.slug]))
    assert client.get(reverse("home"))["Location"] == other.get_absolute_url()
    client.get(reverse("clients:list", args=[workspace.slug]))
    assert client.get(reverse("home"))["Location"] == workspace.get_absolute_url()


def test_home_sends_someone_without_a_workspace_to_create_one(client, db):
    client.force_login(make_user())
    assert client.get(reverse("home"))["Location"] == reverse("accounts:workspace_create")


def test_creating_another_workspace_makes_you_its_owner(client, owner, workspace):
    client.force_login(owner)
    response = client.post(reverse("accounts:workspace_create"), {"name": "  Side project "})
    created = Workspace.objects.get(name="Side project")
    assert response["Location"] == created.get_absolute_url()
    assert created.memberships.get().user == owner
    assert created.memberships.get().role == Role.OWNER


def test_a_blank_workspace_name_is_refused(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:workspace_create"), {"name": " "})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Workspace.objects.count() == 0


def test_the_current_workspace_is_shown_and_the_others_are_one_click_away(client, owner, workspace):
    other = make_workspace(owner=owner, name="Second Shop")
    client.force_login(owner)
    html = client.get(reverse("clients:list", args=[other.slug])).content.decode()
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", html, re.S).group(1)
    assert "Second Shop" in summary
    assert f'href="{workspace.get_absolute_url()}"' in html


def test_the_current_workspace_stays_visible_outside_workspace_pages(client, owner, workspace):
    client.force_login(owner)
    client.get(workspace.get_absolute_url())
    html = client.get(reverse("password_change")).content.decode()
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", html, re.S).group(1)
    assert "Northwind" in summary


def test_owners_rename_their_workspace_and_the_address_stays(client, owner, workspace):
    client.force_login(owner)
    url = reverse("accounts:workspace_settings", args=[workspace.slug])
    client.post(url, {"name": "Northwind Partners"})
    workspace.refresh_from_db()
    assert workspace.name == "Northwind Partners"
    assert workspace.slug.startswith("northwind-")


def test_pages_load_htmx_from_our_static_files_not_a_cdn(client, db):
    html = client.get(reverse("login")).content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx[^"]*\.js"', html)
    assert "unpkg" not in html and "cdn" not in html.lower()
    assert 'hx-headers=\'{"X-CSRFToken":' in html


@pytest.mark.django_db
def test_a_known_email_hashes_the_password_too_so_both_answers_take_as_long(client, monkeypatch):
    from accounts import services

    hashed = []
    real = services.make_password
    monkeypatch.setattr(services, "make_password", lambda raw: hashed.append(raw) or real(raw))
    make_user(email="dana@example.com")
    client.post(reverse("accounts:signup"), SIGNUP)
    client.post(reverse("accounts:signup"), {**SIGNUP, "email": "erin@example.com"})
    assert hashed == ["a-sturdy-passphrase", "a-sturdy-passphrase"]
