"""Download names come from user data (a client's name): they must always make a valid header."""

import pytest
from django.urls import reverse

from lib.http import content_disposition
from tests.factories import answer_all, make_assessment, make_client, make_respondent


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Acme Analytics-2026-Q3.csv", 'attachment; filename="Acme-Analytics-2026-Q3.csv"'),
        ('Say "hi".csv', 'attachment; filename="Say-\\"hi\\".csv"'),
        ("Bell\x07 Co\r\n.csv", 'attachment; filename="Bell-Co.csv"'),
        ("Zürich AG.csv", "attachment; filename*=utf-8''Z%C3%BCrich-AG.csv"),
    ],
    ids=["plain", "quotes", "control-characters", "beyond-ascii"],
)
def test_the_header_is_valid_whatever_the_name(name, expected):
    assert content_disposition(name, attachment=True) == expected


@pytest.mark.parametrize("route", ["results_csv", "answers_csv", "results_json"])
def test_a_client_name_stored_with_control_characters_still_downloads(
    client, owner, workspace, route
):
    # Names typed in the app's forms refuse control characters; older rows or the admin
    # may still hold them, and the download must not fail on them.
    assessment = make_assessment(make_client(workspace, name="Bell\x07 Co"), status="open")
    answer_all(make_respondent(assessment), "3", submit=True)
    client.force_login(owner)
    response = client.get(reverse(f"assessments:{route}", args=[workspace.slug, assessment.pk]))
    assert response.status_code == 200
    assert "\x07" not in response["Content-Disposition"]
    assert "Bell-Co-2026-Q3" in response["Content-Disposition"]
