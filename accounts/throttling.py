"""How failed logins are counted: django-axes per email and address (and how it names the
account an attempt is for), and lib.throttle per address alone."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import normalize_email
from lib import throttle
from lib.client_ip import client_ip

FAILURES_FROM_ADDRESS = "login-failures-from"

USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The attempted email as it is stored, so that its spellings share one failure count.

    Logins accept an email in any case; counted as typed, "Ann@x.com" and "ann@x.com" would
    each get their own allowance of failures for the same account.
    """
    email = (credentials or {}).get("username") or request.POST.get("username")
    # Cut to axes's column: Django's login form does not enforce its own max_length, and an
    # overlong username (no email is longer than 254 characters) would fail to be recorded.
    return normalize_email(email)[:USERNAME_LENGTH] if email else None


@receiver(user_login_failed)
def count_failure_from_the_address(sender, credentials, request=None, **kwargs) -> None:
    """One address trying one password across many accounts never trips axes's lockout of an
    email and address pair: count its failures whatever the email."""
    if request is not None:
        limit = settings.LOGIN_FAILURES_PER_ADDRESS
        throttle.allow(FAILURES_FROM_ADDRESS, client_ip(request), limit=limit)


def too_many_failures_from(request: HttpRequest) -> bool:
    failures = throttle.count(FAILURES_FROM_ADDRESS, client_ip(request))
    return failures >= settings.LOGIN_FAILURES_PER_ADDRESS
