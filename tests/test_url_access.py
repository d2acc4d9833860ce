"""Who may reach which URL, checked for every URL of the app.

Every workspace URL answers: 405 to a wrong method, a login redirect to an anonymous visitor,
404 to a member of another workspace (whatever the method, and without changing anything), and
403 to a member whose role is too low. A URL added to the URLconf but not to the catalogue
(tests/url_catalogue.py) fails the completeness test, so none can slip through unchecked.
"""

import pytest
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import Role, Workspace
from assessments.models import PlanItem
from funnel.models import FunnelFigures
from tests.factories import (
    PASSWORD,
    add_member,
    join_workshop,
    make_assessment,
    make_bank_version,
    make_client,
    make_crm_import,
    make_invitation,
    make_respondent,
    make_workshop,
    make_workspace,
)
from tests.url_catalogue import (
    CHANGE,
    OTHER_ROUTES,
    OWN,
    READ,
    WORKSPACE_ROUTES,
    Route,
    route_url,
    send,
    snapshot,
    urlconf_names,
)


def test_every_url_is_in_the_access_catalogue():
    catalogued = {route.name for route in WORKSPACE_ROUTES} | set(OTHER_ROUTES)
    in_urlconf = set(urlconf_names())
    assert in_urlconf - catalogued == set(), "add these URLs to the access catalogue"
    assert catalogued - in_urlconf == set(), "these catalogued URLs no longer exist"


@pytest.fixture
def world(workspace, owner, consultant, viewer, outsider):
    """Workspace A with one of everything, and an outsider with workspace B."""
    # A logo, so its URL answers 200 to members like every other page (without one it is 404).
    workspace.set_logo(
        data=b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"
    )
    workspace.save()
    member = add_member(workspace, role=Role.CONSULTANT)
    invitation, _ = make_invitation(workspace, email="pending@example.com")
    client = make_client(workspace, name="Client of A")
    make_bank_version(publish=True)
    assessment = make_assessment(client, status="open")
    workshop = make_workshop(assessment)
    return {
        "workspace": workspace,
        "client": client,
        "assessment": assessment,
        "respondent": make_respondent(assessment, name="Rita Respondent"),
        "plan_item": PlanItem.objects.create(
            client=client, title="Write the ICP", target_year=2026, target_quarter=4
        ),
        "figures": FunnelFigures.objects.create(
            client=client, year=2026, quarter=3, inquiries=400, mqls=100
        ),
        "crm_import": make_crm_import(client),
        "workshop": workshop,
        "participant": join_workshop(workshop, "Paula Participant")[0],
        "membership": member,
        "invitation": invitation,
        "users": {"owner": owner, "consultant": consultant, "viewer": viewer},
        "outsider": outsider,
        "outsider_workspace": outsider.memberships.get().workspace,
    }


def _url(route: Route, world: dict, workspace: Workspace | None = None) -> str:
    return route_url(route, world, workspace or world["workspace"])


ROUTE_IDS = [route.name for route in WORKSPACE_ROUTES]


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_a_wrong_method_answers_405(client, world, route):
    client.force_login(world["users"]["owner"])
    for method in {"GET", "POST", "PUT", "DELETE"} - route.methods:
        assert send(client, method, _url(route, world)).status_code == 405, method


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_an_anonymous_visitor_is_sent_to_log_in(client, world, route):
    url = _url(route, world)
    for method in route.methods:
        response = send(client, method, url)
        assert response.status_code == 302, method
        assert response["Location"].startswith(reverse("login") + "?next="), method


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_a_member_of_another_workspace_gets_404_and_changes_nothing(client, world, route):
    client.force_login(world["outsider"])
    before = snapshot()
    urls = [_url(route, world)]
    if route.objects:  # A's objects must not be reachable through B's workspace either
        urls.append(_url(route, world, workspace=world["outsider_workspace"]))
    for url in urls:
        for method in route.methods:
            assert send(client, method, url).status_code == 404, (method, url)
    assert snapshot() == before


LOWER_ROLES = {CHANGE: ["viewer"], OWN: ["viewer", "consultant"], READ: []}


@pytest.mark.parametrize(
    "route", [r for r in WORKSPACE_ROUTES if r.min_role != READ], ids=lambda r: r.name
)
def test_a_role_below_the_minimum_gets_403_and_changes_nothing(client, world, route):
    before = snapshot()
    for role in LOWER_ROLES[route.min_role]:
        client.force_login(world["users"][role])
        for method in route.methods:
            assert send(client, method, _url(route, world)).status_code == 403, (role, method)
    assert snapshot() == before


@pytest.mark.parametrize(
    "route", [r for r in WORKSPACE_ROUTES if "GET" in r.methods], ids=lambda r: r.name
)
def test_every_role_allowed_can_open_the_page(client, world, route):
    allowed = {READ: ["viewer", "consultant", "owner"], CHANGE: ["consultant", "owner"]}
    for role in allowed.get(route.min_role, ["owner"]):
        client.force_login(world["users"][role])
        response = client.get(_url(route, world), follow=True)
        assert response.status_code == 200, role


@pytest.mark.parametrize(
    "route", [r for r in WORKSPACE_ROUTES if "GET" in r.methods], ids=lambda r: r.name
)
def test_every_page_that_answers_get_answers_head_alike_for_uptime_monitors(client, world, route):
    client.force_login(world["users"]["owner"])
    url = _url(route, world)
    head = send(client, "HEAD", url)
    assert head.status_code == client.get(url).status_code != 405
    assert head.content == b""


@pytest.mark.parametrize(
    "name", ["login", "accounts:signup", "password_reset", "assessments:methodology"]
)
def test_the_public_pages_answer_head(client, db, name):
    response = send(client, "HEAD", reverse(name))
    assert response.status_code == 200 and response.content == b""


def test_a_respondents_link_answers_head_without_counting_a_visit(client, world):
    respondent = world["respondent"]
    token = respondent.issue_link()
    response = send(client, "HEAD", reverse("assessments:respondent_start", args=[token]))
    assert response.status_code in (200, 302)
    respondent.refresh_from_db()
    assert respondent.opened_at is None


def test_the_outsider_can_still_use_their_own_workspace(client, world):
    client.force_login(world["outsider"])
    own = world["outsider_workspace"]
    response = client.get(reverse("clients:list", args=[own.slug]))
    assert response.status_code == 200


def test_a_logged_in_user_cannot_reach_a_workspace_by_guessing_its_slug(client, db):
    user = make_workspace().memberships.get().user
    other = make_workspace()
    client.force_login(user)
    assert client.get(f"/w/{other.slug}/clients/").status_code == 404
    assert client.get("/w/no-such-workspace/clients/").status_code == 404


def test_login_with_password_works_for_the_fixture_users(client, owner):
    # Guards the catalogue tests above: force_login must stand for a real login.
    # django-axes checks every login against its lockouts, and needs the request for that.
    assert client.login(request=HttpRequest(), username=owner.email, password=PASSWORD)
