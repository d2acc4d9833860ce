"""How django-axes names the account a login attempt is for (AXES_USERNAME_CALLABLE)."""

from axes.models import AccessAttempt
from django.http import HttpRequest

from accounts.models import normalize_email

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
