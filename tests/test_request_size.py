"""lib.request_size: a body over MAX_REQUEST_BYTES is refused with a 413 page before it is
read, whether it declares its length or not."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.branding import MAX_LOGO_BYTES
from assessments.models import Answer
from bank.admin import MAX_IMPORT_BYTES
from lib.csv import MAX_CSV_BYTES
from lib.request_size import limit_request_size
from tests.bad_input import make_world

MB = 1024 * 1024


@pytest.fixture
def world(client, db, settings):
    world = make_world(client, settings)
    client.force_login(world.owner)
    settings.MAX_REQUEST_BYTES = MB
    return world


def test_an_upload_over_the_limit_gets_the_413_page_and_is_never_read(world, monkeypatch):
    def parsed(*args, **kwargs):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", parsed)
    upload = SimpleUploadedFile("answers.csv", b"x" * MB, content_type="text/csv")
    url = world.w("assessments:answers_import", world.assessment.pk)

    response = world.client.post(url, {"file": upload})

    assert response.status_code == 413
    assert b"That is too much to send at once" in response.content
    assert b"at most 1 MB" in response.content
    assert not Answer.objects.exists()


def test_an_upload_under_the_limit_reaches_its_form(world):
    upload = SimpleUploadedFile("answers.csv", b"x" * 1000, content_type="text/csv")
    url = world.w("assessments:answers_import", world.assessment.pk)
    response = world.client.post(url, {"file": upload})
    assert response.status_code == 200  # the form, naming what is wrong with the file


def test_a_url_named_for_large_requests_takes_the_larger_limit(world, settings):
    settings.LARGE_REQUEST_BYTES = 4 * MB
    settings.LARGE_REQUEST_URLS = {"assessments:answers_import"}
    upload = SimpleUploadedFile("answers.csv", b"x" * (3 * MB), content_type="text/csv")
    url = world.w("assessments:answers_import", world.assessment.pk)
    response = world.client.post(url, {"file": upload})
    assert response.status_code == 200
    assert b"larger than 2 MB" in response.content  # the form's own limit, not the 413
    other = world.w("funnel:import", world.gtm_client.pk)
    upload = SimpleUploadedFile("figures.csv", b"x" * (3 * MB), content_type="text/csv")
    assert world.client.post(other, {"file": upload}).status_code == 413


def _read_body(request):
    return HttpResponse(f"{len(request.body)} bytes")


def _without_length(body: bytes):
    request = RequestFactory().post("/", data=body, content_type="application/octet-stream")
    del request.META["CONTENT_LENGTH"]  # sent chunked, as a streaming client may
    request._stream = io.BytesIO(body)
    return request


def test_a_body_without_a_length_is_stopped_once_reading_passes_the_limit(db, settings):
    settings.MAX_REQUEST_BYTES = MB
    middleware = limit_request_size(convert_exception_to_response(_read_body))
    assert middleware(_without_length(b"x" * MB)).content == f"{MB} bytes".encode()
    assert middleware(_without_length(b"x" * (MB + 1))).status_code == 413


def test_the_default_limit_leaves_room_for_every_upload_relay_takes():
    largest = max(MAX_CSV_BYTES, MAX_IMPORT_BYTES, MAX_LOGO_BYTES)
    assert 4 * largest <= settings.MAX_REQUEST_BYTES
    # and each of them is held in memory, never written to a temporary file
    assert largest <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE
