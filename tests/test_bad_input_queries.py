"""Hostile query strings (issue 9): every search, sort, page number and filter the app reads
from a URL, and every page of the app given a query string it never asked for.

The rules: never a 500 (a NUL byte reaching PostgreSQL in a query is the classic one); a value
that is not understood is said so where the page has a form to say it in (compare, the planner,
the plan's filters), and ignored where it only orders or narrows a list; what is echoed back
is escaped.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.bad_input import (
    ESCAPED_SCRIPT,
    LONG,
    SCRIPT,
    SQL,
    TEMPLATE,
    UNICODE,
    World,
    assert_escaped,
    make_world,
    shows_an_error,
    text,
)
from tests.factories import make_assessment, make_client
from tests.url_catalogue import OTHER_ROUTES, WORKSPACE_ROUTES, route_url

OK, ERROR, IGNORED = "ok", "error", "ignored"
INVALID_UTF8 = object()  # sent as the raw bytes of a lone surrogate and a byte no UTF-8 has

VALUES = {
    "empty": "",
    "nul_byte": "a\x00b",
    "100k_chars": LONG,
    "control_chars": "a\x07\x1b[31m",
    "unicode": UNICODE,
    "script": SCRIPT,
    "sql": SQL,
    "template": TEMPLATE,
    "letters": "abc",
    "decimal": "1.5",
    "10**30": str(10**30),
    "negative": "-1",
    "nan": "NaN",
    "1e309": "1e309",
    "two_values": ["abc", "def"],
    "invalid_utf8": INVALID_UTF8,
}


@dataclass(frozen=True)
class Parameter:
    id: str
    url: object  # World -> the page's URL
    name: str
    expected: dict[str, str]  # value kind -> OK, ERROR or IGNORED
    others: object = None  # World -> the rest of the query string, valid
    echoes: bool = False  # the page shows the value back (in its form)


def _all(outcome: str, **exceptions: str) -> dict[str, str]:
    return {kind: exceptions.get(kind, outcome) for kind in VALUES}


def _compare_url(w: World) -> str:
    return w.w("assessments:compare", w.gtm_client.pk)


def _two_assessments(w: World) -> dict:
    """A valid choice of two quarters to compare (the test replaces one with its value)."""
    period = w.assessment.period.previous()
    earlier = make_assessment(
        w.gtm_client, version=w.assessment.bank_version, year=period.year, quarter=period.number
    )
    return {"first": earlier.pk, "second": w.assessment.pk}


def _planner_url(w: World) -> str:
    return w.w("funnel:planner", w.gtm_client.pk)


def _planner_others(w: World) -> dict:
    return {"target_revenue": "500000", "quarter": str(w.quarter.next())}


def _plan_url(w: World) -> str:
    w.plan_item  # noqa: B018 - the filters show once the plan has an item
    return w.w("assessments:client_plan", w.gtm_client.pk)


def _clients(name: str):
    def url(w: World) -> str:
        make_client(w.workspace, name="Acme Analytics")
        return w.w(name)

    return url


# A number the planner takes: "1.5" and "two values" whose last is a number are fine.
PLANNER_NUMBER = _all(ERROR, empty=OK, decimal=OK)
PARAMETERS = [
    *(
        Parameter(f"dashboard-{name}", _clients("assessments:workspace_home"), name, _all(OK))
        for name in ("sort", "page")
    ),
    Parameter("dashboard-q", _clients("assessments:workspace_home"), "q", _all(OK), echoes=True),
    *(
        Parameter(f"client_list-{name}", _clients("clients:list"), name, _all(OK))
        for name in ("status", "page")
    ),
    Parameter("client_list-q", _clients("clients:list"), "q", _all(OK), echoes=True),
    *(
        Parameter(f"plan-{name}", _plan_url, name, _all(IGNORED, empty=OK), echoes=True)
        for name in ("status", "quarter", "owner")
    ),
    *(
        Parameter(f"compare-{name}", _compare_url, name, _all(ERROR), _two_assessments)
        for name in ("first", "second")
    ),
    Parameter(
        "planner-target_revenue",
        _planner_url,
        "target_revenue",
        _all(ERROR, decimal=OK),
        lambda w: {"quarter": str(w.quarter.next())},
        echoes=True,
    ),
    Parameter("planner-quarter", _planner_url, "quarter", _all(ERROR), _planner_others),
    *(
        Parameter(f"planner-{name}", _planner_url, name, PLANNER_NUMBER, _planner_others)
        for name in ("inquiry_to_mql", "deal_size")
    ),
    Parameter(
        "login-next",
        lambda w: reverse("login"),
        "next",
        _all(OK),
        echoes=True,
    ),
]


def _query(params: dict, name: str, value) -> str:
    params = {key: item for key, item in params.items() if key != name}
    query = urlencode(params, doseq=True)
    raw = value is INVALID_UTF8
    sent = f"{name}=%ED%A0%80%FF" if raw else urlencode({name: value}, doseq=True)
    return "&".join(part for part in (query, sent) if part)


@pytest.fixture
def world(client, db, settings) -> World:
    return make_world(client, settings)


@pytest.mark.parametrize(
    ("parameter", "kind"),
    [
        pytest.param(parameter, kind, id=f"{parameter.id}-{kind}")
        for parameter in PARAMETERS
        for kind in VALUES
    ],
)
def test_a_hostile_query_parameter_is_ignored_or_said_not_understood(world, parameter, kind):
    world.client.force_login(world.owner)
    url = parameter.url(world)
    others = parameter.others(world) if parameter.others else {}
    response = world.client.get(f"{url}?{_query(others, parameter.name, VALUES[kind])}")

    assert response.status_code == 200
    assert_escaped(response)
    expected = parameter.expected[kind]
    if expected == ERROR:
        assert shows_an_error(response)
    else:
        assert not shows_an_error(response)
    if expected == IGNORED:
        assert "were not understood and are ignored" in text(response)
    if kind == "script" and parameter.echoes:
        assert ESCAPED_SCRIPT in text(response)


def test_a_search_finds_a_client_by_a_script_shaped_name_and_shows_it_escaped(world):
    world.client.force_login(world.owner)
    make_client(world.workspace, name=f"Acme {SCRIPT}")
    make_client(world.workspace, name="Brightline Logistics")
    for name in ("clients:list", "assessments:workspace_home"):
        page = text(world.client.get(world.w(name), {"q": SCRIPT}))
        assert f"Acme {ESCAPED_SCRIPT}" in page
        assert "Brightline" not in page
        assert SCRIPT not in page


def test_a_planner_target_with_the_smallest_rates_still_plans(world):
    # The smallest rates the form takes (0.01 %) and the largest target: a funnel of 10**30
    # inquiries, which must still be worked out and shown, not overflow.
    world.client.force_login(world.owner)
    query = {
        "target_revenue": "999999999999",
        "quarter": str(world.quarter.next()),
        "inquiry_to_mql": "0.01",
        "mql_to_sal": "0.01",
        "sal_to_sql": "0.01",
        "win_rate": "0.01",
        "deal_size": "0.01",
    }
    response = world.client.get(_planner_url(world), query)
    assert response.status_code == 200
    assert not shows_an_error(response)


# ---- Every page, with a query string it never asked for ------------------------------------

# Every parameter any page reads, each with a different hostile value, plus ones nobody reads.
HOSTILE_PARAMETERS = {
    "q": "a\x00b",
    "sort": SCRIPT,
    "page": "1e309",
    "status": LONG,
    "quarter": "2026-Q5\x00",
    "owner": "member-99999999999999999999",
    "first": str(10**30),
    "second": "-1",
    "target_revenue": "NaN",
    "inquiry_to_mql": "Infinity",
    "deal_size": SQL,
    "next": "javascript:alert(1)",
    "token": "../../etc/passwd",
    "unknown\x00": TEMPLATE,
}
HOSTILE_QUERY = urlencode(HOSTILE_PARAMETERS)
SCRIPT_QUERY = urlencode(dict.fromkeys(HOSTILE_PARAMETERS, SCRIPT))

GET_ROUTES = [route for route in WORKSPACE_ROUTES if "GET" in route.methods]
# Pages outside the workspaces that answer a GET (the rest only take a POST).
OTHER_GET_ROUTES = sorted(
    set(OTHER_ROUTES)
    - {"accounts:invitation_accept", "accounts:invitation_signup", "logout"}
    - {"assessments:respondent_answer", "assessments:respondent_submit", "workshops:vote"}
)


def _other_url(w: World, name: str) -> str:
    kwargs = {
        "accounts:invitation": {"token": w.invitation_token},
        "accounts:signup_confirm": {"token": w.signup_token},
        "assessments:respondent_start": {"token": w.token},
        "assessments:respondent_section": {"token": w.token, "section": "people"},
        "assessments:respondent_review": {"token": w.token},
        "assessments:respondent_done": {"token": w.token},
        "assessments:respondent_answers_csv": {"token": w.token},
        "password_reset_confirm": {"uidb64": "x", "token": "y"},
    }
    if name.startswith("workshops:"):
        return reverse(name, kwargs={"code": w.workshop.code})
    return reverse(name, kwargs=kwargs.get(name, {}))


@pytest.mark.parametrize("query", [HOSTILE_QUERY, SCRIPT_QUERY], ids=["hostile", "script"])
@pytest.mark.parametrize("name", [route.name for route in GET_ROUTES] + OTHER_GET_ROUTES)
def test_every_page_survives_a_query_string_it_never_asked_for(world, name, query):
    world.client.force_login(world.owner)
    route = next((route for route in GET_ROUTES if route.name == name), None)
    if route is not None:
        url = route_url(route, world.objects(), world.workspace)
    else:
        url = _other_url(world, name)
    response = world.client.get(f"{url}?{query}")
    assert response.status_code in (200, 302, 404), response.status_code
    assert_escaped(response)
