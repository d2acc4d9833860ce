"""How django-axes names the account a login attempt is for (AXES_USERNAME_CALLABLE)."""

from django.http import HttpRequest

from accounts.models import normalize_email


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The attempted email as it is stored, so that its spellings share one failure count.

    Logins accept an email in any case; counted as typed, "Ann@x.com" and "ann@x.com" would
    each get their own allowance of failures for the same account.
    """
    email = (credentials or {}).get("username") or request.POST.get("username")
    return normalize_email(email) if email else None
