"""The settings module, run as production would run it: in a fresh process, from the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The production environment the README documents (values are examples).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7Qz-production-example-8vX2mR4tLp9sWc3nYh6fJd1bGe5aUo0iZq",
    "ALLOWED_HOSTS": "relay.example.com",
    "SITE_URL": "https://relay.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://relay.example.com",
    "DATABASE_URL": "postgres://relay:secret@db.example.com:5432/relay",
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "Relay <relay@example.com>",
    "CACHE_URL": "redis://cache.example.com:6379/0",
}
# Variables of ours, and the test-only async switch conftest sets, never reach production.
_OURS = {
    *PRODUCTION,
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "MAX_REQUEST_MB",
    "LARGE_REQUEST_MB",
    "TRUSTED_PROXIES",
    "PASSWORD_RESETS_PER_EMAIL",
    "PASSWORD_RESETS_PER_ADDRESS",
    "SIGNUPS_PER_ADDRESS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "WEB_CONCURRENCY",
}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in _OURS}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "gtm.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setting(name: str, env: dict[str, str]) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({name})"
    result = _run("-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_the_site_url_for_emailed_links_is_missing():
    env = {**PRODUCTION, "SITE_URL": ""}
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "relay.W001" in result.stderr + result.stdout


def test_check_deploy_warns_when_several_workers_would_each_keep_their_own_cache():
    env = {**PRODUCTION, "CACHE_URL": ""}
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "relay.W002" in result.stderr + result.stdout


def test_check_deploy_accepts_a_per_process_cache_for_a_single_worker():
    env = {**PRODUCTION, "CACHE_URL": "", "WEB_CONCURRENCY": "1"}
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = _run("manage.py", "check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_bad_boolean_is_named_in_the_error():
    result = _run("manage.py", "check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_development_needs_no_environment_and_uses_sqlite():
    assert _setting("settings.DEBUG", env={}) == "True"
    assert _setting("settings.DATABASES['default']['ENGINE']", env={}).endswith("sqlite3")


def test_database_url_switches_to_postgresql():
    engine = _setting("settings.DATABASES['default']['ENGINE']", env=PRODUCTION)
    assert engine == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("settings.SESSION_COOKIE_SECURE", "True"),
        ("settings.SECURE_SSL_REDIRECT", "True"),
        ("settings.EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        (
            "settings.STORAGES['staticfiles']['BACKEND']",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
        ("settings.ALLOWED_HOSTS", "['relay.example.com']"),
    ],
)
def test_production_settings_are_strict(setting, expected):
    assert _setting(setting, env=PRODUCTION) == expected


def test_behind_a_tls_proxy_the_forwarded_protocol_is_trusted_only_when_asked():
    assert _setting("getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)", env=PRODUCTION) == "None"
    header = _setting(
        "settings.SECURE_PROXY_SSL_HEADER", env={**PRODUCTION, "SECURE_PROXY_SSL_HEADER": "true"}
    )
    assert header == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_login_throttling_defaults_to_5_failures_and_15_minutes_and_follows_the_environment():
    assert _setting("settings.AXES_FAILURE_LIMIT", env=PRODUCTION) == "5"
    assert _setting("settings.AXES_COOLOFF_TIME", env=PRODUCTION) == "0:15:00"
    env = {**PRODUCTION, "LOGIN_FAILURE_LIMIT": "10", "LOGIN_LOCKOUT_MINUTES": "60"}
    assert _setting("settings.AXES_FAILURE_LIMIT", env=env) == "10"
    assert _setting("settings.AXES_COOLOFF_TIME", env=env) == "1:00:00"


def test_a_login_failure_limit_of_zero_is_refused():
    result = _run("manage.py", "check", env={"LOGIN_FAILURE_LIMIT": "0"})
    assert result.returncode != 0
    assert "LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be 1 or more" in result.stderr


def test_the_request_size_limits_default_to_10_and_110_mb_and_follow_the_environment():
    assert _setting("settings.MAX_REQUEST_BYTES", env=PRODUCTION) == str(10 * 1024 * 1024)
    assert _setting("settings.LARGE_REQUEST_BYTES", env=PRODUCTION) == str(110 * 1024 * 1024)
    env = {**PRODUCTION, "MAX_REQUEST_MB": "64", "LARGE_REQUEST_MB": "200"}
    assert _setting("settings.MAX_REQUEST_BYTES", env=env) == str(64 * 1024 * 1024)
    assert _setting("settings.LARGE_REQUEST_BYTES", env=env) == str(200 * 1024 * 1024)


def test_trusted_proxies_are_read_as_a_list_and_a_bad_one_is_refused():
    assert _setting("settings.TRUSTED_PROXIES", env=PRODUCTION) == "[]"
    env = {**PRODUCTION, "TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.1"}
    assert _setting("settings.TRUSTED_PROXIES", env=env) == "['10.0.0.0/8', '192.0.2.1']"
    result = _run("manage.py", "check", env={"TRUSTED_PROXIES": "nginx"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES must list IP addresses or networks, not 'nginx'" in result.stderr


def test_a_throttle_limit_of_zero_is_refused():
    result = _run("manage.py", "check", env={"SIGNUPS_PER_ADDRESS": "0"})
    assert result.returncode != 0
    assert "SIGNUPS_PER_ADDRESS must be 1 or more" in result.stderr
