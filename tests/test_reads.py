"""Reads stay reads: pages that show results read the snapshots the workflows keep fresh; they
never write them (nor anything else) as a side effect."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.history import client_quarters
from assessments.models import Assessment
from tests.factories import answer_all, make_assessment, make_client, make_respondent

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


@pytest.fixture
def quarters(gtm_client, workspace):
    made = []
    for quarter in (1, 2):
        assessment = make_assessment(gtm_client, quarter=quarter, status="closed")
        answer_all(make_respondent(assessment), str(quarter + 1), submit=True)
        made.append(assessment)
    for number in range(5):  # peers for the results page's benchmark
        peer = make_assessment(make_client(workspace, name=f"Peer {number}"), quarter=2)
        answer_all(make_respondent(peer), "3", submit=True)
    return made


def test_a_clients_quarters_are_read_without_writing_even_when_stale(gtm_client, quarters):
    Assessment.objects.filter(pk=quarters[0].pk).update(results_stale=True)
    with CaptureQueriesContext(connection) as queries:
        rows = client_quarters(gtm_client)
    assert len(rows) == 2 and _writes(queries) == []
    assert Assessment.objects.get(pk=quarters[0].pk).results_stale  # left to the explicit step


@pytest.mark.parametrize("page", ["dashboard", "client", "results", "compare", "plan"])
def test_pages_that_show_results_write_nothing(client, owner, gtm_client, quarters, page):
    slug = gtm_client.workspace.slug
    urls = {
        "dashboard": reverse("assessments:workspace_home", args=[slug]),
        "client": reverse("assessments:client_detail", args=[slug, gtm_client.pk]),
        "results": reverse("assessments:results", args=[slug, quarters[1].pk]),
        "compare": reverse("assessments:compare", args=[slug, gtm_client.pk])
        + f"?first={quarters[0].pk}&second={quarters[1].pk}",
        "plan": reverse("assessments:client_plan", args=[slug, gtm_client.pk]),
    }
    client.force_login(owner)
    client.get(urls[page])  # the session's first save, the caches' first fill
    with CaptureQueriesContext(connection) as queries:
        assert client.get(urls[page]).status_code == 200
    assert _writes(queries) == []
