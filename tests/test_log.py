"""lib.log: a refused request is logged as one line with its path and reason; an error keeps
its traceback."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from lib.log import OneLineRefusals


@pytest.fixture
def log():
    """What the configured console handler (settings.LOGGING) writes during the test."""
    [handler] = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(each, OneLineRefusals) for each in handler.filters)
    ]
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


def _lines(log: io.StringIO) -> list[str]:
    return log.getvalue().splitlines()


def test_a_403_is_one_line_with_its_path_and_reason(client, viewer, workspace, log):
    client.force_login(viewer)
    url = reverse("accounts:workspace_settings", args=[workspace.slug])
    assert client.get(url).status_code == 403
    [line] = _lines(log)
    assert line.startswith(f"Forbidden (Permission denied): {url} (")
    assert "owner" in line  # the reason: what the page needs
    assert "Traceback" not in log.getvalue()


def test_a_csrf_failure_is_one_line_with_its_reason(db, log):
    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x"})
    assert response.status_code == 403
    [line] = _lines(log)
    assert line == f"Forbidden (CSRF cookie not set.): {reverse('login')}"


def test_a_bad_host_header_is_one_line(client, db, log):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    [line] = _lines(log)
    assert "evil.example" in line and "Traceback" not in line


def test_a_path_cannot_forge_a_second_log_line(client, viewer, workspace, log):
    client.force_login(viewer)
    url = reverse("accounts:workspace_settings", args=[workspace.slug]) + "%0Afake"
    client.get(url)
    assert len(_lines(log)) == 1


def test_an_error_keeps_its_traceback(log):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("django.request").exception("Oops", extra={"status_code": 500})
    assert "Traceback" in log.getvalue() and "ValueError: broken" in log.getvalue()


def test_the_filter_turns_a_refusals_record_into_one_line():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Forbidden: %s",
        ("/x\n",),
        (PermissionError, PermissionError("no"), None),
    )
    record.status_code = 403
    assert OneLineRefusals().filter(record)
    assert (record.getMessage(), record.exc_info) == ("Forbidden: /x\\n (no)", None)
