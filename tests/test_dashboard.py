"""The workspace dashboard: every client's latest results, sortable, searchable, paginated,
in a fixed number of queries."""

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Assessment, PlanItem, Respondent
from assessments.summaries import refresh
from assessments.views.dashboard import _whole
from tests.factories import (
    answer_all,
    make_assessment,
    make_bank_version,
    make_client,
    make_respondent,
)


def _url(workspace):
    return reverse("assessments:workspace_home", args=[workspace.slug])


def _names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def _quarter(client, year, quarter, level, *, status="closed", respondents=1):
    assessment = make_assessment(client, year=year, quarter=quarter, status=status)
    for _ in range(respondents):
        answer_all(make_respondent(assessment), level, submit=True)
    return assessment


@pytest.fixture
def clients(workspace):
    make_bank_version(label="2026.1", publish=True)
    rising = make_client(workspace, name="Rising")
    _quarter(rising, 2026, 2, "2")
    _quarter(rising, 2026, 3, "4")
    _quarter(rising, 2026, 4, "5", status="open")  # newer, but open: preliminary, not "latest"
    falling = make_client(workspace, name="Falling")
    _quarter(falling, 2026, 2, "3")
    _quarter(falling, 2026, 3, "2")
    fresh = make_client(workspace, name="Fresh")
    _quarter(fresh, 2026, 4, "3", status="open")  # nothing closed yet: shown as preliminary
    make_client(workspace, name="Empty")
    PlanItem.objects.create(client=falling, title="Fix", target_year=2026, target_quarter=4)
    PlanItem.objects.create(
        client=falling, title="Done", target_year=2026, target_quarter=3, status="done"
    )
    return {"rising": rising, "falling": falling, "fresh": fresh}


def test_each_client_shows_its_latest_closed_results_and_the_trend(
    client, viewer, workspace, clients
):
    client.force_login(viewer)
    response = client.get(_url(workspace))
    rows = {c.name: c for c in response.context["page"].object_list}
    rising, falling, fresh, empty = rows["Rising"], rows["Falling"], rows["Fresh"], rows["Empty"]
    assert (rising.latest_year, rising.latest_quarter, rising.latest_index) == (2026, 3, 75)
    assert (rising.trend, rising.delta, rising.in_progress) == ("up", 50, "2026-Q4")
    assert (falling.latest_index, falling.trend, falling.open_items) == (25, "down", 1)
    assert fresh.preliminary and fresh.latest_index == 50 and fresh.trend == ""
    assert empty.latest_id is None
    html = response.content.decode()
    assert (
        "▲ +50" in html and "▼ -25" in html and "preliminary" in html and "No results yet" in html
    )


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("name", ["Empty", "Falling", "Fresh", "Rising"]),
        ("index", ["Rising", "Fresh", "Falling", "Empty"]),
        ("index_low", ["Falling", "Fresh", "Rising", "Empty"]),
        ("open_items", ["Falling", "Empty", "Fresh", "Rising"]),
        ("latest", ["Fresh", "Falling", "Rising", "Empty"]),
        ("<script>", ["Empty", "Falling", "Fresh", "Rising"]),
    ],
)
def test_the_dashboard_sorts(client, viewer, workspace, clients, sort, order):
    client.force_login(viewer)
    assert _names(client.get(_url(workspace), {"sort": sort})) == order


def test_the_dashboard_searches_and_answers_htmx_with_the_table_alone(
    client, viewer, workspace, clients
):
    client.force_login(viewer)
    response = client.get(
        _url(workspace),
        {"q": "fall"},
        headers={"HX-Request": "true", "HX-Target": "dashboard-results"},
    )
    assert _names(response) == ["Falling"]
    assert response.content.decode().lstrip().startswith('<div id="dashboard-results"')


def test_an_empty_workspace_says_what_to_do(client, owner, workspace):
    client.force_login(owner)
    html = client.get(_url(workspace)).content.decode()
    assert "Welcome to Northwind" in html and "Add your first client" in html


@pytest.mark.parametrize("clients_count", [5, 50])
def test_at_most_10_queries_whatever_the_clients_and_quarters(
    client, viewer, workspace, clients_count, django_assert_max_num_queries
):
    """50 clients x 8 quarters (and 5 clients x 8) read in the same number of queries."""
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    assessments = []
    for n in range(clients_count):
        company = make_client(workspace, name=f"Client {n:02}")
        for q in range(8):
            assessment = make_assessment(
                company, version=version, year=2025 + q // 4, quarter=q % 4 + 1, status="closed"
            )
            assessments.append(assessment)
            Respondent.objects.create(
                assessment=assessment,
                name=f"R{n}-{q}",
                role="sales",
                submitted_at="2026-01-01T00:00Z",
            )
    refresh(assessments)
    client.force_login(viewer)
    client.get(_url(workspace))
    with django_assert_max_num_queries(10):
        response = client.get(
            _url(workspace), {"sort": "index", "page": 2 if clients_count > 25 else 1}
        )
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(25, clients_count)
    assert Assessment.objects.count() == clients_count * 8


@given(st.floats(min_value=-100, max_value=100).map(lambda x: round(x, 9)))
def test_the_rows_round_figures_as_floatformat_does(number):
    """Indexes and their changes (floatformat itself writes 1e-245 as it comes)."""
    assert _whole(number) == floatformat(number, 0)
    assert _whole(round(number * 2) / 2) == floatformat(round(number * 2) / 2, 0)  # halves


def test_the_rows_escape_what_people_typed(client, viewer, workspace, clients):
    make_client(workspace, name='<b>"Bold" & Co</b>', industry="<i>Tools</i>")
    client.force_login(viewer)
    html = client.get(_url(workspace)).content.decode()
    assert "&lt;b&gt;&quot;Bold&quot; &amp; Co&lt;/b&gt;" in html and "<b>" not in html
    assert "&lt;i&gt;Tools&lt;/i&gt;" in html and "<i>Tools" not in html


def test_the_headers_keep_the_search_and_mark_the_order(client, viewer, workspace, clients):
    make_client(workspace, name="Salt & Pepper")
    client.force_login(viewer)
    html = client.get(_url(workspace), {"q": "t & p", "sort": "index"}).content.decode()
    assert 'href="?q=t%20%26%20p&amp;sort=latest"' in html
    assert 'aria-sort="descending"' in html and "▾" in html


def test_each_row_links_to_its_own_pages(client, viewer, workspace, clients):
    workspace.slug = "firm-2147483647"  # the placeholder id the links are made from
    workspace.save()
    client.force_login(viewer)
    html = client.get(_url(workspace)).content.decode()
    rising = clients["rising"]
    latest = rising.assessments.get(year=2026, quarter=3)
    current = rising.assessments.get(year=2026, quarter=4)
    assert f'href="/w/firm-2147483647/clients/{rising.pk}/"' in html
    assert f'href="/w/firm-2147483647/assessments/{latest.pk}/results/"' in html
    assert f'href="/w/firm-2147483647/assessments/{current.pk}/"' in html


def test_the_responses_order_puts_who_needs_chasing_first(client, viewer, workspace):
    """Open assessments by the share submitted, then the nearest deadline (none last), then
    the name; clients with nothing open last."""
    make_bank_version(label="2026.1", publish=True)

    def open_quarter(name, *, submitted, total, deadline=None):
        company = make_client(workspace, name=name)
        assessment = make_assessment(company, status="open", deadline=deadline)
        for number in range(total):
            respondent = make_respondent(assessment)
            if number < submitted:
                answer_all(respondent, "3", submit=True)

    open_quarter("Half, due late", submitted=1, total=2, deadline="2026-12-20")
    open_quarter("Half, due soon", submitted=2, total=4, deadline="2026-12-01")
    open_quarter("Half, no deadline", submitted=1, total=2)
    open_quarter("None yet", submitted=0, total=3, deadline="2026-12-30")
    open_quarter("Nobody asked", submitted=0, total=0)
    open_quarter("All in", submitted=2, total=2, deadline="2026-11-01")
    make_client(workspace, name="Closed only")
    _quarter(make_client(workspace, name="A closed one"), 2026, 2, "3")
    client.force_login(viewer)
    assert _names(client.get(_url(workspace), {"sort": "responses"})) == [
        "None yet",
        "Nobody asked",
        "Half, due soon",
        "Half, due late",
        "Half, no deadline",
        "All in",
        "A closed one",
        "Closed only",
    ]
