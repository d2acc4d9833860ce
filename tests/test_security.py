"""Security details: login throttling (django-axes), the Content-Security-Policy (django-csp)
and the other response headers."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.db.models import F
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user

LIMIT = settings.AXES_FAILURE_LIMIT  # 5 unless LOGIN_FAILURE_LIMIT says otherwise
LOCKED_OUT = "Too many failed logins"


def _log_in(client: Client, email: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def _fail(client: Client, email: str, times: int, address: str = "203.0.113.7") -> None:
    """Fail `times` logins short of a lockout: each shows the form again with its error."""
    for _ in range(times):
        response = _log_in(client, email, "not-the-password", address)
        assert response.status_code == 200, "shown the form again, not locked out"


def _lock_out(client: Client, email: str, address: str = "203.0.113.7") -> None:
    _fail(client, email, LIMIT - 1, address)
    assert _log_in(client, email, "not-the-password", address).status_code == 429


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ---- Login throttling --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_fifth_failed_login_locks_the_email_out_with_a_friendly_page(client):
    make_user(email="ann@example.com")
    _fail(client, "ann@example.com", 4)

    response = _log_in(client, "ann@example.com", "not-the-password")

    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_OUT in html
    minutes = settings.AXES_COOLOFF_TIME.total_seconds() // 60
    assert f"paused for {minutes:.0f} minutes" in html
    assert f'href="{reverse("password_reset")}"' in html
    assert '<header class="site-header">' in html  # the site's own layout, not a bare message


@pytest.mark.django_db
def test_the_right_password_is_refused_while_locked_out(client):
    make_user(email="ann@example.com")
    _lock_out(client, "ann@example.com")

    response = _log_in(client, "ann@example.com", PASSWORD)

    assert response.status_code == 429
    assert LOCKED_OUT in response.content.decode()
    assert not _logged_in(client)


@pytest.mark.django_db
def test_another_user_from_the_same_address_is_not_locked_out(client):
    make_user(email="ann@example.com")
    make_user(email="bob@example.com")
    _lock_out(client, "ann@example.com")

    response = _log_in(client, "bob@example.com", PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_the_same_user_from_another_address_is_not_locked_out(client):
    # The lock is on the email and address together, so a stranger guessing at someone's
    # email cannot lock them out of their own desk.
    make_user(email="ann@example.com")
    _lock_out(client, "ann@example.com", address="198.51.100.66")

    assert _log_in(client, "ann@example.com", PASSWORD, address="203.0.113.7").status_code == 302


@pytest.mark.django_db
def test_the_email_counts_as_one_whatever_its_case(client):
    make_user(email="ann@example.com")
    _fail(client, "Ann@Example.com", 2)
    _fail(client, "ANN@example.com", 2)

    assert _log_in(client, "ann@EXAMPLE.com", "not-the-password").status_code == 429


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client):
    make_user(email="ann@example.com")
    _lock_out(client, "ann@example.com")
    # As if the failures had been a minute longer ago than the cool-off.
    cool_off = settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off)

    response = _log_in(client, "ann@example.com", PASSWORD)

    assert response.status_code == 302
    assert _logged_in(client)


@pytest.mark.django_db
def test_a_successful_login_wipes_the_failures_before_it(client):
    make_user(email="ann@example.com")
    _fail(client, "ann@example.com", LIMIT - 1)
    assert _log_in(client, "ann@example.com", PASSWORD).status_code == 302
    client.post(reverse("logout"))

    # Counted on from before, the next failure would be the fifth and lock the account.
    _fail(client, "ann@example.com", LIMIT - 1)


@pytest.mark.django_db
def test_setting_a_new_password_by_email_ends_the_lockout(client):
    make_user(email="ann@example.com")
    _lock_out(client, "ann@example.com")

    client.post(reverse("password_reset"), {"email": "ann@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    new = {"new_password1": "fresh-secret-99", "new_password2": "fresh-secret-99"}
    assert client.post(form_url, new)["Location"] == reverse("password_reset_complete")

    assert _log_in(client, "ann@example.com", "fresh-secret-99").status_code == 302


# ---- Content-Security-Policy -------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


@pytest.mark.django_db
def test_a_page_carries_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))

    assert _policy(response) == {**STRICT, "style-src": ["'self'"]}
    assert "unsafe" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_accent_style_is_let_through_by_this_responses_nonce_alone(client, owner, workspace):
    client.force_login(owner)
    first = client.get(workspace.get_absolute_url(), follow=True)
    second = client.get(workspace.get_absolute_url(), follow=True)

    style_sources = _policy(first)["style-src"]
    assert style_sources[0] == "'self'" and style_sources[1].startswith("'nonce-")
    nonce = style_sources[1].removeprefix("'nonce-").removesuffix("'")
    assert f'<style nonce="{nonce}">' in first.content.decode()
    assert _policy(second)["style-src"] != style_sources  # a fresh nonce for every response
    assert _policy(first)["script-src"] == ["'self'"]  # scripts get no nonce at all


@pytest.mark.django_db
def test_htmx_fragments_carry_the_policy_too(client, owner, workspace):
    client.force_login(owner)
    url = reverse("clients:list", args=[workspace.slug])

    response = client.get(url, headers={"HX-Request": "true"})

    assert _policy(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_htmx_is_told_to_inject_no_style_and_to_evaluate_nothing(client):
    html = client.get(reverse("login")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert json.loads(config) == {"includeIndicatorStyles": False, "allowEval": False}


# What the policy blocks, in every template the browser gets. The PDF report's is read by
# WeasyPrint alone, so it may keep its <style>.
INLINE = {
    "a style attribute": re.compile(r"\sstyle="),
    "an inline <style>": re.compile(r"<style(?![^>]*nonce=)"),
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)"),
    "an event handler attribute": re.compile(r"\son[a-z]+=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "an hx-on attribute": re.compile(r"hx-on"),
    "evaluated hx-vals": re.compile(r"hx-vals='js:"),
}
TEMPLATES = Path(settings.BASE_DIR, "templates")
PRINT_ONLY = {"assessments/report/report.html"}
COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


def _browser_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in PRINT_ONLY:
            yield name, COMMENTS.sub("", path.read_text())


@pytest.mark.parametrize("what", INLINE)
def test_no_template_the_browser_gets_has_inline_code_or_style(what):
    offenders = [name for name, source in _browser_templates() if INLINE[what].search(source)]
    assert offenders == [], f"{what} in {offenders}: the Content-Security-Policy blocks it"


def test_the_500_page_takes_its_style_from_a_static_file():
    # Rendered without a request, the 500 page has no nonce for an inline <style>.
    html = render_to_string("500.html")
    assert "<style" not in html
    assert '<link rel="stylesheet" href="/static/css/error.css">' in html
    assert Path(settings.BASE_DIR, "static", "css", "error.css").is_file()


# ---- The other headers -------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_the_other_security_headers(client, owner, workspace):
    client.force_login(owner)
    response = client.get(reverse("accounts:member_list", args=[workspace.slug]))

    assert response.status_code == 200
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
