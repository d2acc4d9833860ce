"""Who may reach which URL, checked for every URL of the app.

Every workspace URL answers: 405 to a wrong method, a login redirect to an anonymous visitor,
404 to a member of another workspace (whatever the method, and without changing anything), and
403 to a member whose role is too low. A URL added to the URLconf but not to this catalogue
fails the completeness test, so none can slip through unchecked.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Invitation, Membership, Role, User, Workspace
from assessments.models import (
    Answer,
    Assessment,
    Client,
    FunnelFigures,
    FunnelThresholds,
    PlanItem,
    Respondent,
)
from tests.factories import (
    PASSWORD,
    add_member,
    make_assessment,
    make_bank_version,
    make_client,
    make_invitation,
    make_respondent,
    make_workspace,
)


@dataclass(frozen=True)
class Route:
    name: str
    methods: frozenset[str]
    min_role: Role
    objects: tuple[str, ...] = field(default=())  # which of the world's objects the URL names


def _route(name, methods, min_role, *objects):
    return Route(name, frozenset(methods), min_role, objects)


READ, CHANGE, OWN = Role.VIEWER, Role.CONSULTANT, Role.OWNER

WORKSPACE_ROUTES = [
    _route("assessments:workspace_home", {"GET"}, READ),
    _route("assessments:client_list", {"GET"}, READ),
    _route("assessments:client_create", {"GET", "POST"}, CHANGE),
    _route("assessments:client_detail", {"GET"}, READ, "client"),
    _route("assessments:client_edit", {"GET", "POST"}, CHANGE, "client"),
    _route("assessments:client_archive", {"POST"}, CHANGE, "client"),
    _route("assessments:client_restore", {"POST"}, CHANGE, "client"),
    _route("assessments:compare", {"GET"}, READ, "client"),
    _route("assessments:assessment_create", {"GET", "POST"}, CHANGE, "client"),
    _route("assessments:assessment_detail", {"GET"}, READ, "assessment"),
    _route("assessments:assessment_targets", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_open", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_close", {"POST"}, CHANGE, "assessment"),
    _route("assessments:assessment_next_quarter", {"POST"}, CHANGE, "assessment"),
    _route("assessments:answers_import", {"GET", "POST"}, CHANGE, "assessment"),
    _route("assessments:results", {"GET"}, READ, "assessment"),
    _route("assessments:results_json", {"GET"}, READ, "assessment"),
    _route("assessments:results_csv", {"GET"}, READ, "assessment"),
    _route("assessments:answers_csv", {"GET"}, READ, "assessment"),
    _route("assessments:report_pdf", {"GET"}, READ, "assessment"),
    _route("assessments:report_status", {"GET"}, READ, "assessment"),
    # Anyone who may read the report may ask for it to be rendered again: it changes no data.
    _route("assessments:report_retry", {"POST"}, READ, "assessment"),
    _route("assessments:respondent_add", {"POST"}, CHANGE, "assessment"),
    _route("assessments:respondent_new_link", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:respondent_revoke", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:respondent_reopen", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:respondent_remove", {"POST"}, CHANGE, "assessment", "respondent"),
    # A consultant answering for a respondent in a workshop: the questionnaire's pages.
    _route("assessments:facilitate_start", {"GET"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_section", {"GET", "POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_answer", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_review", {"GET"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_submit", {"POST"}, CHANGE, "assessment", "respondent"),
    _route("assessments:facilitate_done", {"GET"}, CHANGE, "assessment", "respondent"),
    _route("accounts:workspace_settings", {"GET", "POST"}, OWN),
    _route("accounts:workspace_logo", {"GET"}, READ),
    _route("accounts:member_list", {"GET"}, READ),
    _route("accounts:member_invite", {"POST"}, OWN),
    _route("accounts:member_change_role", {"POST"}, OWN, "membership"),
    _route("accounts:member_remove", {"POST"}, OWN, "membership"),
    _route("accounts:invitation_renew", {"POST"}, OWN, "invitation"),
    _route("accounts:invitation_revoke", {"POST"}, OWN, "invitation"),
    # The action plan: everyone reads it, consultants and owners change it.
    _route("assessments:client_plan", {"GET"}, READ, "client"),
    _route("assessments:plan_item_create", {"GET", "POST"}, CHANGE, "client"),
    _route("assessments:plan_item_edit", {"GET", "POST"}, CHANGE, "client", "plan_item"),
    _route("assessments:plan_item_status", {"POST"}, CHANGE, "client", "plan_item"),
    _route("assessments:plan_item_delete", {"POST"}, CHANGE, "client", "plan_item"),
    _route("assessments:plan_add_recommendation", {"POST"}, CHANGE, "assessment"),
    # The funnel: everyone reads it and plans with it; consultants and owners change the
    # figures; owners set the workspace's thresholds.
    _route("assessments:client_funnel", {"GET"}, READ, "client"),
    _route("assessments:funnel_planner", {"GET"}, READ, "client"),
    _route("assessments:funnel_figures_create", {"GET", "POST"}, CHANGE, "client"),
    _route("assessments:funnel_figures_edit", {"GET", "POST"}, CHANGE, "client", "figures"),
    _route("assessments:funnel_figures_delete", {"POST"}, CHANGE, "client", "figures"),
    _route("assessments:funnel_import", {"GET", "POST"}, CHANGE, "client"),
    _route("assessments:funnel_settings", {"GET", "POST"}, OWN),
    _route("assessments:funnel_settings_reset", {"POST"}, OWN),
]

# URLs outside any workspace, each covered by the tests named beside it.
OTHER_ROUTES = {
    "home": "test_views_accounts.py: home",
    "accounts:signup": "test_views_accounts.py: signup",
    "accounts:workspace_create": "test_views_accounts.py: workspace creation",
    "accounts:invitation": "test_views_members.py: invitations",
    "accounts:invitation_accept": "test_views_members.py: invitations",
    "accounts:invitation_signup": "test_views_members.py: invitations",
    "assessments:methodology": "test_views_results.py: public, it shows no data",
    # A respondent's personal link: test_views_questionnaire.py (no account; the token is the key).
    "assessments:respondent_start": "test_views_questionnaire.py",
    "assessments:respondent_section": "test_views_questionnaire.py",
    "assessments:respondent_answer": "test_views_questionnaire.py",
    "assessments:respondent_review": "test_views_questionnaire.py",
    "assessments:respondent_submit": "test_views_questionnaire.py",
    "assessments:respondent_done": "test_views_questionnaire.py",
    # Django's own auth views, configured by us and exercised in test_views_accounts.py.
    "login": "",
    "logout": "",
    "password_change": "",
    "password_change_done": "",
    "password_reset": "",
    "password_reset_done": "",
    "password_reset_confirm": "",
    "password_reset_complete": "",
}

OBJECT_KWARGS = {
    "client": "client_id",
    "membership": "membership_id",
    "invitation": "invitation_id",
    "assessment": "assessment_id",
    "respondent": "respondent_id",
    "plan_item": "item_id",
    "figures": "figures_id",
}
# Route parameters that name no object.
FIXED_KWARGS = {"assessments:facilitate_section": {"section": "people"}}


def _named_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":  # Django's admin has its own staff checks
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} needs a name"
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_access_catalogue():
    catalogued = {route.name for route in WORKSPACE_ROUTES} | set(OTHER_ROUTES)
    in_urlconf = set(_named_patterns(get_resolver().url_patterns))
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
        "membership": member,
        "invitation": invitation,
        "users": {"owner": owner, "consultant": consultant, "viewer": viewer},
        "outsider": outsider,
        "outsider_workspace": outsider.memberships.get().workspace,
    }


def _url(route: Route, world: dict, workspace: Workspace | None = None) -> str:
    kwargs = {"workspace_slug": (workspace or world["workspace"]).slug}
    kwargs.update(FIXED_KWARGS.get(route.name, {}))
    for name in route.objects:
        kwargs[OBJECT_KWARGS[name]] = world[name].pk
    return reverse(route.name, kwargs=kwargs)


def _snapshot() -> list:
    """Every row the workspace URLs could change."""
    return [
        list(Workspace.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
        list(Invitation.objects.order_by("pk").values()),
        list(Client.objects.order_by("pk").values()),
        list(Assessment.objects.order_by("pk").values()),
        list(Respondent.objects.order_by("pk").values()),
        list(Answer.objects.order_by("pk").values()),
        list(PlanItem.objects.order_by("pk").values()),
        list(FunnelFigures.objects.order_by("pk").values()),
        list(FunnelThresholds.objects.order_by("pk").values()),
        list(User.objects.order_by("pk").values("pk", "email", "name")),
    ]


# A plausible body, so a refusal cannot be blamed on an empty form.
_FORM_BODY = urlencode({"name": "Changed", "email": "new@example.com", "role": "viewer"})


def _send(client, method: str, url: str):
    body = _FORM_BODY if method == "POST" else ""
    return client.generic(method, url, body, content_type="application/x-www-form-urlencoded")


ROUTE_IDS = [route.name for route in WORKSPACE_ROUTES]


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_a_wrong_method_answers_405(client, world, route):
    client.force_login(world["users"]["owner"])
    for method in {"GET", "POST", "PUT", "DELETE"} - route.methods:
        assert _send(client, method, _url(route, world)).status_code == 405, method


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_an_anonymous_visitor_is_sent_to_log_in(client, world, route):
    url = _url(route, world)
    for method in route.methods:
        response = _send(client, method, url)
        assert response.status_code == 302, method
        assert response["Location"].startswith(reverse("login") + "?next="), method


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_a_member_of_another_workspace_gets_404_and_changes_nothing(client, world, route):
    client.force_login(world["outsider"])
    before = _snapshot()
    urls = [_url(route, world)]
    if route.objects:  # A's objects must not be reachable through B's workspace either
        urls.append(_url(route, world, workspace=world["outsider_workspace"]))
    for url in urls:
        for method in route.methods:
            assert _send(client, method, url).status_code == 404, (method, url)
    assert _snapshot() == before


LOWER_ROLES = {CHANGE: ["viewer"], OWN: ["viewer", "consultant"], READ: []}


@pytest.mark.parametrize(
    "route", [r for r in WORKSPACE_ROUTES if r.min_role != READ], ids=lambda r: r.name
)
def test_a_role_below_the_minimum_gets_403_and_changes_nothing(client, world, route):
    before = _snapshot()
    for role in LOWER_ROLES[route.min_role]:
        client.force_login(world["users"][role])
        for method in route.methods:
            assert _send(client, method, _url(route, world)).status_code == 403, (role, method)
    assert _snapshot() == before


@pytest.mark.parametrize(
    "route", [r for r in WORKSPACE_ROUTES if "GET" in r.methods], ids=lambda r: r.name
)
def test_every_role_allowed_can_open_the_page(client, world, route):
    allowed = {READ: ["viewer", "consultant", "owner"], CHANGE: ["consultant", "owner"]}
    for role in allowed.get(route.min_role, ["owner"]):
        client.force_login(world["users"][role])
        response = client.get(_url(route, world), follow=True)
        assert response.status_code == 200, role


def test_the_outsider_can_still_use_their_own_workspace(client, world):
    client.force_login(world["outsider"])
    own = world["outsider_workspace"]
    response = client.get(reverse("assessments:client_list", args=[own.slug]))
    assert response.status_code == 200


def test_a_logged_in_user_cannot_reach_a_workspace_by_guessing_its_slug(client, db):
    user = make_workspace().memberships.get().user
    other = make_workspace()
    client.force_login(user)
    assert client.get(f"/w/{other.slug}/clients/").status_code == 404
    assert client.get("/w/no-such-workspace/clients/").status_code == 404


def test_login_with_password_works_for_the_fixture_users(client, owner):
    # Guards the catalogue tests above: force_login must stand for a real login.
    assert client.login(username=owner.email, password=PASSWORD)
