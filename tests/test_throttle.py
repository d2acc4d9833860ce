"""lib.throttle and lib.client_ip, and what they guard: password resets and sign-ups are
limited per address (and resets per email), and the address is read through TRUSTED_PROXIES
by the throttles and django-axes alike."""

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import SignupRequest
from lib.client_ip import client_ip
from lib.throttle import allow
from tests.factories import PASSWORD, make_user

SIGNUP = {
    "name": "Dana Founder",
    "workspace_name": "Dana Consulting",
    "password1": "a-sturdy-passphrase",
    "password2": "a-sturdy-passphrase",
}


def test_a_key_is_allowed_its_limit_in_a_window_and_no_more():
    assert [allow("test", "k", limit=2) for _ in range(3)] == [True, True, False]
    assert allow("test", "another key", limit=2)


def _request(remote: str, forwarded: str | None = None):
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, headers=headers)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),  # one proxy
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged hop stays left
        ("10.0.0.2", "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two proxies
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # not through our proxy
        ("10.0.0.2", None, "10.0.0.2"),
    ],
)
def test_behind_trusted_proxies_the_client_is_the_nearest_untrusted_hop(
    settings, remote, forwarded, client
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request(remote, forwarded)) == client


def _reset(client, email: str, address: str = "203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_resets_for_one_email_stop_at_the_limit(client, owner, settings):
    settings.PASSWORD_RESETS_PER_EMAIL = 3
    for n in range(3):
        assert _reset(client, owner.email, address=f"203.0.113.{n}").status_code == 302
    refused = _reset(client, owner.email.upper(), address="203.0.113.99")
    assert refused.status_code == 429
    assert b"Too many password resets" in refused.content
    assert len(mail.outbox) == 3


def test_an_unknown_email_is_refused_alike_so_the_limit_reveals_no_account(client, db, settings):
    settings.PASSWORD_RESETS_PER_EMAIL = 1
    assert _reset(client, "nobody@example.com").status_code == 302
    assert _reset(client, "nobody@example.com").status_code == 429


def test_password_resets_from_one_address_stop_at_the_limit(client, db, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 2
    assert _reset(client, "a@example.com").status_code == 302
    assert _reset(client, "b@example.com").status_code == 302
    assert _reset(client, "c@example.com").status_code == 429
    assert _reset(client, "c@example.com", address="198.51.100.1").status_code == 302


def test_sign_ups_from_one_address_stop_at_the_limit(client, db, settings):
    settings.SIGNUPS_PER_ADDRESS = 2
    for n in range(3):
        client.logout()
        response = client.post(
            reverse("accounts:signup"), {**SIGNUP, "email": f"dana{n}@example.com"}
        )
    assert response.status_code == 429
    assert SignupRequest.objects.count() == 2
    assert len(mail.outbox) == 2


def test_sign_ups_for_one_email_stop_at_the_limit_known_or_not(client, db, settings):
    """Each sign-up emails its address, so the count per address stops an email flood; it
    counts known addresses too, so a refusal tells nothing about who has an account."""
    settings.SIGNUPS_PER_EMAIL = 2
    make_user(email="known@example.com")
    for email in ("known@example.com", "new@example.com"):
        statuses = [
            client.post(
                reverse("accounts:signup"), {**SIGNUP, "email": email}, REMOTE_ADDR=f"192.0.2.{n}"
            ).status_code
            for n in range(3)
        ]
        assert statuses == [302, 302, 429], email
    assert len(mail.outbox) == 4


def test_behind_a_proxy_axes_locks_out_the_client_not_the_proxy(client, db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    user = make_user(email="ann@example.com")

    def attempt(forwarded: str):
        return client.post(
            reverse("login"),
            {"username": user.email, "password": "not-the-password"},
            REMOTE_ADDR="10.0.0.2",
            headers={"x-forwarded-for": forwarded},
        )

    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        attempt("198.51.100.1")
    assert attempt("198.51.100.1").status_code == 429
    assert attempt("198.51.100.2").status_code == 200  # another client behind the same proxy


def _log_in(client, email: str, password: str, address: str = "192.0.2.10"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_one_address_trying_a_password_across_many_accounts_is_stopped(client, db, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    settings.AXES_FAILURE_LIMIT = 10  # the pair lockout stays out of the way
    users = [make_user(email=f"user{n}@example.com") for n in range(4)]
    for user in users[:3]:
        assert _log_in(client, user.email, "Summer2026!").status_code == 200  # wrong, the form
    refused = _log_in(client, users[3].email, PASSWORD)  # even the right password, from here
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address the account is open, and a login that works counts no failure.
    assert _log_in(client, users[3].email, PASSWORD, address="198.51.100.7").status_code == 302


def test_failed_logins_from_an_address_are_counted_whatever_the_email(client, db, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    _log_in(client, "nobody@example.com", "wrong")
    assert _log_in(client, "nobody-else@example.com", "wrong").status_code == 200
    assert _log_in(client, "third@example.com", "wrong").status_code == 429
