import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, Role, User, Workspace
from tests.factories import PASSWORD, make_user, make_workspace

SIGNUP = {
    "name": "Dana Founder",
    "email": "Dana@Example.com",
    "workspace_name": "Dana Consulting",
    "password1": "a-sturdy-passphrase",
    "password2": "a-sturdy-passphrase",
}


def _counts():
    return User.objects.count(), Workspace.objects.count(), Membership.objects.count()


@pytest.mark.django_db
def test_signing_up_creates_an_account_that_owns_a_new_workspace(client):
    response = client.post(reverse("accounts:signup"), SIGNUP, follow=True)

    user = User.objects.get()
    assert user.email == "dana@example.com"  # stored lower-cased
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    assert membership.workspace.name == "Dana Consulting"
    assert response.context["user"] == user  # logged in
    assert response.redirect_chain[-1][0] == membership.workspace.get_absolute_url()
    assert "Dana Consulting" in response.content.decode()


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
def test_an_email_already_used_in_another_case_is_refused(client):
    make_user(email="dana@example.com")
    before = _counts()
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert "email" in response.context["form"].errors
    assert _counts() == before


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
