"""Benchmark among peers: where a client stands per dimension among the workspace's others."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.peers import MIN_CLIENTS, peer_standings, percentile
from assessments.results import compute_results
from tests.factories import (
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
)


@pytest.mark.parametrize(
    ("value", "others", "expected"),
    [
        (55.0, [10.0, 20.0, 60.0, 70.0], 50),  # two of four below
        (80.0, [10.0, 20.0, 60.0, 70.0], 100),  # above all
        (5.0, [10.0, 20.0, 60.0, 70.0], 0),  # below all
        (60.0, [10.0, 60.0, 60.0, 70.0], 50),  # one below, two tied: (1 + 2/2) / 4
        (50.0, [50.0], 50),  # all tied: the middle
    ],
)
def test_the_percentile_is_the_share_below_with_ties_counting_half(value, others, expected):
    assert percentile(value, others) == expected


@pytest.fixture
def version(db):
    return make_bank_version(label="2026.1", per_dimension=6, publish=True)


def _client_with_results(workspace, version, name, level, *, year=2026, quarter=3):
    assessment = make_assessment(
        make_client(workspace, name=name), version=version, year=year, quarter=quarter
    )
    answer_all(make_respondent(assessment), level, submit=True)
    return assessment


def _peers(workspace, version, levels, prefix="Peer", **quarter):
    return [
        _client_with_results(workspace, version, f"{prefix} {n}", level, **quarter)
        for n, level in enumerate(levels)
    ]


def _standings(assessment):
    return peer_standings(assessment, compute_results(assessment).results)


def test_with_four_others_on_the_same_quarter_and_bank_the_client_is_placed(workspace, version):
    ours = _client_with_results(workspace, version, "Ours", "4")
    _peers(workspace, version, ["2", "3", "5", "4"])
    standings = _standings(ours)
    assert [s.key for s in standings] == ["people", "process", "content", "technology"]
    for standing in standings:
        assert standing.index == 75.0  # level 4
        assert standing.peers == MIN_CLIENTS - 1
        assert standing.percentile == 62  # 2 below, 1 tied of 4: (2 + 0.5) / 4


def test_with_fewer_than_five_clients_there_is_no_comparison(workspace, version):
    ours = _client_with_results(workspace, version, "Ours", "4")
    _peers(workspace, version, ["2", "3", "5"])
    assert _standings(ours) == []


def test_only_the_same_quarter_the_same_bank_active_clients_and_results_count(
    workspace, version, outsider
):
    ours = _client_with_results(workspace, version, "Ours", "4")
    _peers(workspace, version, ["2", "3", "5"])
    _peers(workspace, version, ["1"], "Earlier", quarter=2)  # another quarter
    other_bank = make_bank_version(label="2027.1", per_dimension=6, publish=True)
    _peers(workspace, other_bank, ["1"], "Other bank")  # another bank version
    archived = _client_with_results(workspace, version, "Archived", "1").client
    archived.archived_at = timezone.now()
    archived.save()
    make_assessment(make_client(workspace, name="No results yet"), version=version)
    _peers(outsider.memberships.get().workspace, version, ["1"])  # another workspace
    assert _standings(ours) == []


def test_the_results_page_shows_the_standing_without_naming_the_others(
    client, owner, workspace, version
):
    ours = _client_with_results(workspace, version, "Ours", "4")
    _peers(workspace, version, ["2", "3", "5", "4"])
    client.force_login(owner)
    html = client.get(reverse("assessments:results", args=[workspace.slug, ours.pk])).content
    html = html.decode()
    assert "Among your clients" in html
    assert "Higher than 62% of 4 other clients" in html
    assert "Peer 0" not in html and "Peer 3" not in html


def test_the_results_page_says_nothing_of_peers_below_five_clients(
    client, owner, workspace, version
):
    ours = _client_with_results(workspace, version, "Ours", "4")
    client.force_login(owner)
    html = client.get(reverse("assessments:results", args=[workspace.slug, ours.pk])).content
    assert b"Among your clients" not in html
