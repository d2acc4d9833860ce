import os

import pytest

from accounts.models import Role
from tests.factories import add_member, make_client, make_user, make_workspace

# Playwright's sync API runs an event loop in the main thread, which trips Django's
# async-safety check while pytest-django sets up the test database.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _scratch_media_root(settings, tmp_path_factory):
    """Uploads go to a scratch folder, never the project's media/: seeding the demo imports
    Acme's CRM export, whose files pass through MEDIA_ROOT/crm-imports/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the results page caches its body)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_kept_bank_structures():
    """Each test reads the bank versions afresh: its database starts anew, and reuses ids."""
    from bank import structure

    structure.forget()


@pytest.fixture
def owner(db):
    return make_user(name="Olivia Owner", email="owner@example.com")


@pytest.fixture
def workspace(owner):
    return make_workspace(owner=owner, name="Northwind")


@pytest.fixture
def consultant(workspace):
    return add_member(workspace, role=Role.CONSULTANT, user=make_user(name="Cara Consultant")).user


@pytest.fixture
def viewer(workspace):
    return add_member(workspace, role=Role.VIEWER, user=make_user(name="Victor Viewer")).user


@pytest.fixture
def outsider(db):
    """A user with a workspace of their own, and no access to `workspace`."""
    user = make_user(name="Otto Outsider")
    make_workspace(owner=user, name="Elsewhere")
    return user


@pytest.fixture
def gtm_client(workspace):
    return make_client(workspace, name="Brightline Logistics", industry="Logistics")


def pytest_report_header(config) -> str:
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
