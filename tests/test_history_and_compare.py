"""A client over the quarters: the timeline with its deltas, the trend with its gaps, and any
two quarters compared question by question."""

import pytest
from django.urls import reverse

from assessments.models import Answer
from bank.services import clone_to_draft, publish
from tests.factories import (
    add_question,
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
)


def _quarter(client, year, quarter, level, *, version=None, status="closed"):
    assessment = make_assessment(client, version=version, year=year, quarter=quarter, status=status)
    answer_all(make_respondent(assessment), level, submit=True)
    return assessment


@pytest.fixture
def history(workspace):
    make_bank_version(label="2026.1", publish=True)
    company = make_client(workspace, name="Brightline")
    quarters = [
        _quarter(company, 2025, 3, "2"),
        _quarter(company, 2025, 4, "3"),
        # 2026-Q1 skipped: a gap, not a zero
        _quarter(company, 2026, 2, "3"),
        _quarter(company, 2026, 3, "5"),
    ]
    return company, quarters


def test_the_client_page_shows_each_quarter_with_its_change(
    client, viewer, history, django_assert_max_num_queries
):
    company, _ = history
    client.force_login(viewer)
    client.get(company.get_absolute_url())
    with django_assert_max_num_queries(14):
        response = client.get(company.get_absolute_url())
    rows = response.context["quarters"]
    assert [str(r.assessment.period) for r in rows] == ["2026-Q3", "2026-Q2", "2025-Q4", "2025-Q3"]
    assert [r.direction for r in rows] == ["up", "flat", "up", ""]
    assert rows[0].delta == 50 and str(rows[0].previous.period) == "2026-Q2"
    html = response.content.decode()
    assert "▲ +50" in html and "since 2026-Q2" in html


def test_the_trend_has_a_gap_for_a_quarter_without_an_assessment(client, viewer, history):
    company, _ = history
    client.force_login(viewer)
    _, overall_and_handoffs = client.get(company.get_absolute_url()).context["trends"]
    html = client.get(company.get_absolute_url()).content.decode()
    assert "2026-Q1" in html  # the skipped quarter is on the axis...
    overall = overall_and_handoffs.table.rows[0]
    assert [cell.text for cell in overall] == [
        "Overall",
        "25",
        "50",
        "—",
        "50",
        "100",
    ]  # ...as a gap


def test_the_trend_is_two_charts_of_at_most_four_lines(client, viewer, history):
    company, _ = history
    client.force_login(viewer)
    charts = client.get(company.get_absolute_url()).context["trends"]
    assert [len(chart.series) for chart in charts] == [4, 4]
    assert "Overall" in [line.name for line in charts[1].series]


def test_one_quarter_has_no_trend_yet(client, viewer, workspace):
    make_bank_version(publish=True)
    company = make_client(workspace)
    _quarter(company, 2026, 3, "3")
    client.force_login(viewer)
    assert client.get(company.get_absolute_url()).context["trends"] == []


def test_comparing_two_quarters(client, viewer, history):
    company, quarters = history
    first, last = quarters[0], quarters[-1]
    client.force_login(viewer)
    url = reverse("assessments:compare", args=[company.workspace.slug, company.pk])
    comparison = client.get(url, {"first": last.pk, "second": first.pk}).context["comparison"]
    assert comparison.first.assessment == first  # put in order, earlier first
    assert (comparison.overall.before, comparison.overall.after, comparison.overall.direction) == (
        25,
        100,
        "up",
    )
    assert all(d.delta == 75 for d in comparison.dimensions)
    assert len(comparison.resolved) == 24 and comparison.new == [] and comparison.still_open == []


def test_questions_are_matched_by_key_across_bank_versions(client, viewer, workspace):
    old = make_bank_version(label="2026.1", publish=True)
    company = make_client(workspace)
    before = _quarter(company, 2026, 2, "2", version=old)
    draft = clone_to_draft(version=old)
    draft.questions.get(key="people.q1").delete()
    add_question(draft, "people.brand_new", order=9)
    new = publish(version=draft)
    after = _quarter(company, 2026, 3, "4", version=new)
    client.force_login(viewer)
    url = reverse("assessments:compare", args=[company.workspace.slug, company.pk])
    comparison = client.get(url, {"first": before.pk, "second": after.pk}).context["comparison"]
    by_key = {q.key: q for q in comparison.questions}
    assert by_key["people.q2"].delta == 2 and by_key["people.q2"].only_in == ""
    assert by_key["people.q1"].only_in == "first" and by_key["people.q1"].after is None
    assert (
        by_key["people.brand_new"].only_in == "second" and by_key["people.brand_new"].before is None
    )
    html = client.get(url, {"first": before.pk, "second": after.pk}).content.decode()
    assert html.count("not asked") == 2


def test_a_split_question_is_compared_with_the_one_it_replaces(client, viewer, workspace):
    old = make_bank_version(label="2026.1", publish=True)
    company = make_client(workspace)
    before = _quarter(company, 2026, 2, "2", version=old)
    draft = clone_to_draft(version=old)
    draft.questions.get(key="people.q1").delete()
    for order, key in enumerate(("people.q1_first_half", "people.q1_second_half"), start=10):
        add_question(draft, key, order=order, replaces=["people.q1"])
    new = publish(version=draft)
    after = _quarter(company, 2026, 3, "4", version=new)
    client.force_login(viewer)
    url = reverse("assessments:compare", args=[company.workspace.slug, company.pk])
    response = client.get(url, {"first": before.pk, "second": after.pk})
    by_key = {q.key: q for q in response.context["comparison"].questions}
    for key in ("people.q1_first_half", "people.q1_second_half"):
        assert (by_key[key].before, by_key[key].after, by_key[key].only_in) == (2, 4, "")
        assert by_key[key].follows == ("How mature is people.q1?",)
    assert "people.q1" not in by_key  # followed by its successors, not listed as dropped
    assert "which it replaces" in response.content.decode()


def test_new_and_still_open_recommendations(client, viewer, workspace):
    make_bank_version(publish=True)
    company = make_client(workspace)
    before = _quarter(company, 2026, 2, "4")
    after = _quarter(company, 2026, 3, "4")
    Answer.objects.filter(respondent__assessment=after, question__key="process.q2").update(
        choice="2"
    )
    Answer.objects.filter(respondent__assessment=before, question__key="content.q1").update(
        choice="1"
    )
    Answer.objects.filter(respondent__assessment=after, question__key="content.q1").update(
        choice="2"
    )
    client.force_login(viewer)
    url = reverse("assessments:compare", args=[company.workspace.slug, company.pk])
    comparison = client.get(url, {"first": before.pk, "second": after.pk}).context["comparison"]
    assert [r.question.key for r in comparison.new] == ["process.q2"]
    assert [r.question.key for r in comparison.still_open] == ["content.q1"]


@pytest.mark.parametrize(
    "query", [{"first": "999999", "second": "1"}, {"first": "abc"}, "the same quarter twice"]
)
def test_a_bad_comparison_request_shows_the_form_again(client, viewer, history, query):
    company, quarters = history
    if query == "the same quarter twice":
        query = {"first": quarters[0].pk, "second": quarters[0].pk}
    client.force_login(viewer)
    url = reverse("assessments:compare", args=[company.workspace.slug, company.pk])
    response = client.get(url, query)
    assert response.status_code == 200 and response.context["comparison"] is None
    assert response.context["form"].errors


def test_another_workspaces_assessment_cannot_be_compared(client, viewer, history, outsider):
    company, quarters = history
    elsewhere = make_client(outsider.memberships.get().workspace)
    theirs = _quarter(elsewhere, 2026, 1, "3")
    client.force_login(viewer)
    url = reverse("assessments:compare", args=[company.workspace.slug, company.pk])
    response = client.get(url, {"first": quarters[0].pk, "second": theirs.pk})
    assert response.context["comparison"] is None


def test_a_comparison_is_scored_once_per_change_of_either_quarter(
    client, viewer, history, monkeypatch, django_assert_max_num_queries
):
    from assessments.views import clients as client_views

    company, quarters = history
    first, last = quarters[0], quarters[-1]
    scorings = []
    original = client_views.compute_many
    monkeypatch.setattr(
        client_views, "compute_many", lambda pair: scorings.append(pair) or original(pair)
    )
    client.force_login(viewer)
    url = reverse("assessments:compare", args=[company.workspace.slug, company.pk])
    query = {"first": first.pk, "second": last.pk}
    before = client.get(url, query).content.decode()
    # The session, the user, the memberships, the client, the client's assessments (the form's
    # choices, read once) and the two data stamps: no scoring.
    with django_assert_max_num_queries(7):
        again = client.get(url, query).content.decode()
    assert len(scorings) == 1 and 'id="summary-heading"' in again
    assert again.count("2025-Q3 → 2026-Q3") == before.count("2025-Q3 → 2026-Q3") == 1

    answer_all(make_respondent(last, name="Late Larry"), "1", submit=True)
    changed = client.get(url, query).content.decode()
    assert len(scorings) == 2 and changed != before
