"""Relay's settings: one module, configured from the environment.

Development needs no environment at all (SQLite, DEBUG on, console email). Production sets at
least DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; the README lists every variable.
Nothing else in the code reads os.environ.
"""

import ipaddress
import os
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from lib.cache import cache_from_url

BASE_DIR = Path(__file__).resolve().parent.parent


def site_dir(name: str) -> Path:
    """templates/ or static/: beside manage.py in a checkout; inside this package (gtm/site/)
    in an installation made with `pip install .`, where pyproject.toml puts them."""
    installed = Path(__file__).resolve().parent / "site" / name
    return installed if installed.is_dir() else BASE_DIR / name


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)

# A fixed key is convenient in development (sessions survive restarts) and harmless there; the
# "django-insecure-" prefix makes `check --deploy` flag it if it ever reached production.
_DEVELOPMENT_SECRET_KEY = "django-insecure-relay-development-only"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

# What a cache key says of the code (assessments.cache_keys): a deploy's own name when set, so
# every server of one release agrees without reading its files; otherwise a hash of them.
RELEASE = env_str("RELEASE")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Relay's own apps, each building only on those before it (tests/test_architecture.py).
RELAY_APPS = ["accounts", "bank", "clients", "funnel", "assessments", "workshops", "devtools"]
INSTALLED_APPS = [
    *RELAY_APPS,
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise: static files need no policy; every page and fragment gets one.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (the CSRF check reads the form), after the user is known
    # (the 413 page has the usual header).
    "lib.request_size.limit_request_size",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # After every middleware with a process_view (the CSRF check): it calls the view itself.
    # Axes has none, so it still wraps every request from outside.
    "lib.transactions.AtomicWritesMiddleware",
]

ROOT_URLCONF = "gtm.urls"
WSGI_APPLICATION = "gtm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [site_dir("templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.workspaces",
            ],
            "libraries": {"charts": "lib.charts.tags"},
        },
    },
]

# Forms render with our templates/django/forms/ overrides (labels without a trailing colon).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A request that fails half-way leaves nothing half-written: lib.transactions runs each
# writing request (a POST) in one transaction, and reads in none (ATOMIC_REQUESTS would
# wrap reads too, and on SQLite make every page wait for the write lock).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several app processes writing one SQLite file: each transaction takes the write lock
    # when it begins and waits for it (up to the timeout), instead of failing with "database
    # is locked" when a read turns into a write after another process wrote; WAL lets reads
    # go on while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# The results pages, throttle counts and other things every app process must agree on live in
# this cache: unset, Django's per-process memory (fine for one process); several workers or
# servers share a Redis server, e.g. CACHE_URL=redis://127.0.0.1:6379/0 (lib/cache.py).
CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}
# How many gunicorn workers run here (gunicorn reads it too): `check --deploy` warns when more
# than one runs without a shared cache.
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [site_dir("static")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files in production; plain files in development and tests, where
    # nothing has been collected.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development static files come from the app folders; whitenoise need not warn that
# nothing has been collected yet.
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    warnings.filterwarnings("ignore", message="No directory at")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
MEDIA_URL = "media/"

# Email: printed to the console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Relay <relay@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (rendering large PDF reports). In production, the database backend and a
# worker process beside the app servers (`manage.py db_worker`); in development and tests, the
# immediate backend runs each task inside the request.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be immediate or database, not {TASKS_BACKEND!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

# Where Relay is reached, for links in emails sent without a request (scheduled reminders):
# `check --deploy` warns when it is unset in production.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")

# Scheduled reminders go out at this hour (in TIME_ZONE), three days before the deadline and on
# the day.
REMINDER_HOUR = env_int("REMINDER_HOUR", 9)
# A PDF report expected to take at least this many seconds to render goes to the background
# worker, and the page shows its progress; a quicker one is rendered inside the request.
REPORT_BACKGROUND_SECONDS = env_int("REPORT_BACKGROUND_SECONDS", 2)

# How long a workspace invitation link, and a respondent's questionnaire link, stay valid.
WORKSPACE_INVITATION_DAYS = env_int("WORKSPACE_INVITATION_DAYS", 7)
SIGNUP_CONFIRMATION_DAYS = env_int("SIGNUP_CONFIRMATION_DAYS", 3)
RESPONDENT_LINK_DAYS = env_int("RESPONDENT_LINK_DAYS", 30)

# Request bodies. Anything over MAX_REQUEST_MB is refused with a 413 before it is read
# (lib.request_size). Relay's uploads are at most 2 MB (a CSV or bank import; a logo is
# 512 KB), so 10 MB leaves room for a form's other fields. The URLs of LARGE_REQUEST_URLS take
# up to LARGE_REQUEST_MB: a CRM import's two exports of up to 50 MB each (funnel.forms).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_MB", 10) * 1024 * 1024
LARGE_REQUEST_BYTES = env_int("LARGE_REQUEST_MB", 110) * 1024 * 1024
LARGE_REQUEST_URLS = frozenset({"funnel:crm_upload"})
if min(MAX_REQUEST_BYTES, LARGE_REQUEST_BYTES) < 1:
    raise ImproperlyConfigured("MAX_REQUEST_MB and LARGE_REQUEST_MB must be 1 or more.")
# Below the limit, Django's own two: the form fields of one request (not its files) stay under
# Django's 2.5 MB, as no text field takes more than a few thousand characters; and an upload
# up to 2.5 MB, each legitimate one, is held in memory rather than written to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Security. Safe for plain http in development; strict by default in production.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): only our own scripts, styles and images. No inline
# script at all; the one inline <style> (the workspace's accent colour in base.html) carries
# the per-request nonce, which django-csp adds to the header only on pages that use it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The proxies in front of Relay (addresses or networks, e.g. 10.0.0.0/8): behind them the
# client's address is read from X-Forwarded-For (lib.client_ip), by throttles and django-axes
# alike. Empty, REMOTE_ADDR is the client, and a forwarded header is ignored as forgeable.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES must list IP addresses or networks, not {_proxy!r}."
        ) from None

# Emails a stranger can make Relay send, and accounts they can create, per hour (lib.throttle):
# password resets for one email, and from one address; sign-ups for one email (each sends
# it a confirmation), and from one address. Counted in the cache: with the default
# per-process cache, each app process counts on its own (CACHE_URL shares the counts).
PASSWORD_RESETS_PER_EMAIL = env_int("PASSWORD_RESETS_PER_EMAIL", 3)
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", 10)
SIGNUPS_PER_EMAIL = env_int("SIGNUPS_PER_EMAIL", 3)
SIGNUPS_PER_ADDRESS = env_int("SIGNUPS_PER_ADDRESS", 5)
# Failed logins from one address, whatever the emails, before it may not try again that hour
# (higher than LOGIN_FAILURE_LIMIT: an office behind one address shares it).
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 50)
# Attempts to join a live workshop from one address (a join, or a code that does not exist):
# a whole room behind one office address joins well within it; guessing codes does not.
WORKSHOP_JOINS_PER_ADDRESS = env_int("WORKSHOP_JOINS_PER_ADDRESS", 200)
_THROTTLES = {
    "LOGIN_FAILURES_PER_ADDRESS": LOGIN_FAILURES_PER_ADDRESS,
    "PASSWORD_RESETS_PER_EMAIL": PASSWORD_RESETS_PER_EMAIL,
    "PASSWORD_RESETS_PER_ADDRESS": PASSWORD_RESETS_PER_ADDRESS,
    "SIGNUPS_PER_EMAIL": SIGNUPS_PER_EMAIL,
    "SIGNUPS_PER_ADDRESS": SIGNUPS_PER_ADDRESS,
    "WORKSHOP_JOINS_PER_ADDRESS": WORKSHOP_JOINS_PER_ADDRESS,
}
for _name, _limit in _THROTTLES.items():
    if _limit < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more, not {_limit}.")

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one email from
# one IP address, that pair is locked out for LOGIN_LOCKOUT_MINUTES. Locking the pair, not
# the email alone, keeps a stranger from locking a colleague out by guessing at their email
# (the address as lib.client_ip reads it, through TRUSTED_PROXIES).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or _LOCKOUT_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES must be 1 or more.")
AXES_COOLOFF_TIME = timedelta(minutes=_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HTTP_RESPONSE_CODE = 429  # Too Many Requests
# The login form's field is "username" (it holds the email), not the model's USERNAME_FIELD.
AXES_USERNAME_FORM_FIELD = "username"
# Emails log in in any case, so "Ann@x.com" and "ann@x.com" must count as one username.
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_CLIENT_IP_CALLABLE = "lib.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 400) is one line with its path and reason, not a traceback
    # anyone could make Relay write by the dozen (lib.log).
    "filters": {"one_line_refusals": {"()": "lib.log.OneLineRefusals"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every render at INFO, django-axes every login attempt
    # and start-up; their warnings (axes: each failed login and lockout) still show.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
