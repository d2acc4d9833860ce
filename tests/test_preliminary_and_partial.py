"""Results that may still change say "preliminary", and an overall index that leaves out a
dimension says "partial", wherever they appear: results page, results.json, the client's
quarters and trend, the dashboard, compare."""

import pytest
from django.urls import reverse

from assessments.models import Answer, Assessment
from assessments.summaries import results_changed
from tests.factories import answer_all, make_assessment, make_bank_version, make_respondent

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarters(gtm_client):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    closed = make_assessment(gtm_client, version=version, quarter=2, status="closed")
    answer_all(make_respondent(closed, name="Early Bird"), "2", submit=True)
    current = make_assessment(gtm_client, version=version, quarter=3, status="open")
    answer_all(make_respondent(current, name="Mia Marketing"), "4", submit=True)
    # Nobody could rate technology this quarter: the overall index leaves it out.
    Answer.objects.filter(respondent__assessment=current, question__dimension="technology").update(
        choice="NA"
    )
    results_changed(current.pk)
    return closed, Assessment.objects.get(pk=current.pk)


def _get(client, name, *args, **query) -> str:
    return client.get(reverse(name, args=args), query).content.decode()


def test_the_results_page_and_json_say_preliminary_and_partial(client, owner, quarters):
    _, current = quarters
    slug = current.client.workspace.slug
    client.force_login(owner)
    page = _get(client, "assessments:results", slug, current.pk)
    assert "Preliminary" in page and "Partial" in page
    assert "Leaves out Technology systems &amp; data" in page
    data = client.get(reverse("assessments:results_json", args=[slug, current.pk])).json()
    assert data["overall"]["partial"] is True and data["overall"]["preliminary"] is True


def test_the_client_page_timeline_and_trend_say_so(client, owner, quarters):
    current = quarters[-1]
    client.force_login(owner)
    response = client.get(
        reverse(
            "assessments:client_detail", args=[current.client.workspace.slug, current.client_id]
        )
    )
    page = response.content.decode()
    assert page.count("Preliminary") >= 1 and "Partial" in page
    for chart in response.context["trends"]:
        hollow = [marker for line in chart.series for marker in line.markers if marker.hollow]
        assert hollow and all(marker.x == hollow[0].x for marker in hollow)  # the open quarter
        assert "preliminary" in chart.description and "partial" in chart.description


def test_the_dashboard_and_compare_say_so(client, owner, quarters):
    closed, current = quarters
    slug = current.client.workspace.slug
    client.force_login(owner)
    dashboard = _get(client, "assessments:workspace_home", slug)
    # The latest closed results lead; the open quarter beside them says it is preliminary.
    assert "2026-Q3 open, preliminary" in dashboard
    compare = _get(
        client,
        "assessments:compare",
        slug,
        current.client_id,
        first=closed.pk,
        second=current.pk,
    )
    assert "Preliminary:" in compare and "2026-Q3 is still open" in compare


def test_a_client_whose_only_results_are_open_shows_them_preliminary_and_partial(
    client, owner, quarters
):
    closed, current = quarters
    closed.delete()
    client.force_login(owner)
    dashboard = _get(client, "assessments:workspace_home", current.client.workspace.slug)
    assert "preliminary" in dashboard and "partial" in dashboard
