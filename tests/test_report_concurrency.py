"""Simultaneous first downloads of a report on PostgreSQL: one render, whoever asks.

SQLite serialises the requests' writes, so the race exists only on PostgreSQL; `.ci/run` runs
the suite a second time on a real PostgreSQL server, where this test runs.
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from assessments import pdf as pdf_module
from assessments.models import ReportRender
from tests.factories import answer_all, make_assessment, make_respondent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the race needs PostgreSQL (CI's second run)"
    ),
]

DOWNLOADS = 8


def test_eight_simultaneous_first_downloads_render_the_report_once(
    gtm_client, owner, monkeypatch, settings
):
    assessment = make_assessment(gtm_client, status="open")
    answer_all(make_respondent(assessment), submit=True)
    settings.REPORT_BACKGROUND_SECONDS = float("inf")  # render inline
    renders = []

    def slow_render(html):  # long enough for every request to arrive while it runs
        renders.append(1)
        time.sleep(1.0)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(pdf_module, "html_to_pdf", slow_render)
    url = reverse("assessments:report_pdf", args=[gtm_client.workspace.slug, assessment.pk])
    start = threading.Barrier(DOWNLOADS)
    statuses, errors = [], []

    def download() -> None:
        try:
            browser = Client()
            browser.force_login(owner)
            start.wait()
            statuses.append(browser.get(url).status_code)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=download) for _ in range(DOWNLOADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(renders) == 1
    # One renders and serves it; the others wait on the progress page (or, arriving after,
    # get the stored render).
    assert len(statuses) == DOWNLOADS and set(statuses) <= {200, 302} and 200 in statuses
    assert ReportRender.objects.get().status == "ready"
