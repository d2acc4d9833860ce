"""Workspace isolation: nobody outside a workspace sees its data or changes it, by any URL.

Workspace A is full of recognisable markers (its name, a member, a client and its notes,
respondents, a comment, plan items, funnel figures); workspace B is someone else's. Every URL of
the catalogue (tests/url_catalogue.py) is asked for with every method it accepts, with and
without htmx, by B's owner, by an anonymous visitor and by a respondent of A holding a personal
link: no answer carries a marker, and the database is unchanged afterwards. A viewer of A is
refused every change. Objects mixed across clients, assessments and workspaces are not found.
A URL added to the URLconf but not to the catalogue, or to this suite's pages outside the
workspaces, fails here too.
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Role
from assessments.models import Answer, PlanItem, Respondent
from bank.services import publish
from funnel.models import FunnelFigures
from tests.factories import (
    add_member,
    add_question,
    answer_all,
    join_workshop,
    make_assessment,
    make_bank_version,
    make_client,
    make_crm_import,
    make_invitation,
    make_respondent,
    make_user,
    make_workshop,
    make_workspace,
)
from tests.url_catalogue import (
    OTHER_ROUTES,
    READ,
    WORKSPACE_ROUTES,
    route_url,
    send,
    snapshot,
    urlconf_names,
)
from workshops import services as workshops

HTMX = {"HTTP_HX_REQUEST": "true"}

# Workspace A's data, each spelled so that it appears nowhere else. Client P is A's main client;
# client Q is another client of A, for mix-ups inside the workspace.
WORKSPACE_MARKERS = ("Quokka Harbour", "Xavier Plumtree", "quince.invitee@")
P_MARKERS = (
    "Zephyrine",  # the client's name
    "Tamarind",  # its notes
    "Larkspur",  # a respondent holding a link
    "Marigold",  # a respondent who submitted
    "Kumquat",  # a comment of hers
    "Persimmon",  # a plan item
    "48613",  # inquiries in 2026-Q3, as the form and the exports write them
    "48,613",  # and as the pages do
)
Q_MARKERS = ("Bramblewood", "Juniper", "Saffron", "77123", "77,123")
A_MARKERS = WORKSPACE_MARKERS + P_MARKERS + Q_MARKERS
B_MARKERS = ("Otterburn", "Bea Bystander", "Otter plan")

# A body that would change something if it were ever accepted.
CHANGE_BODY = urlencode(
    {
        "name": "Changed",
        "email": "new@example.com",
        "role": "owner",
        "title": "Changed",
        "status": "done",
        "quarter": "2026-Q4",
        "target": "2026-Q4",
        "question": "people.q1",
        "choice-people.q1": "5",
        "inquiries": "1",
        "target_people": "5",
    }
)


def _a_bank():
    return make_bank_version(label="bank of A", publish=True)


def _b_bank():
    """A newer bank with a question A's bank does not have."""
    version = make_bank_version(label="bank of B")
    add_question(version, "people.otter", order=7)
    return publish(version=version)


def _client_objects(workspace, *, client_name, notes, version, respondent, plan, inquiries):
    client = make_client(workspace, name=client_name, notes=notes)
    assessment = make_assessment(client, version=version, status="open")
    workshop = make_workshop(assessment)
    return {
        "client": client,
        "assessment": assessment,
        "respondent": make_respondent(assessment, name=respondent),
        "plan_item": PlanItem.objects.create(
            client=client, title=plan, target_year=2026, target_quarter=4
        ),
        "figures": FunnelFigures.objects.create(
            client=client, year=2026, quarter=3, inquiries=inquiries, mqls=9000
        ),
        "crm_import": make_crm_import(client, lead_file_name=f"{client_name}-contacts.csv"),
        "workshop": workshop,
        "participant": join_workshop(workshop, f"{respondent} on a phone")[0],
    }


def _linked(assessment, name: str) -> tuple[Respondent, str]:
    respondent = make_respondent(assessment, name=name)
    return respondent, respondent.issue_link()


def _build_world() -> dict:
    owner = make_user(name="Olivia Owner")
    workspace = make_workspace(owner=owner, name="Quokka Harbour Partners")
    workspace.set_logo(
        data=b"<svg xmlns='http://www.w3.org/2000/svg'><title>Quokka Harbour</title></svg>",
        content_type="image/svg+xml",
    )
    workspace.save()
    viewer = add_member(workspace, role=Role.VIEWER, user=make_user(name="Victor Viewer")).user
    member = add_member(workspace, role=Role.CONSULTANT, user=make_user(name="Xavier Plumtree"))
    invitation, invitation_link = make_invitation(workspace, email="quince.invitee@example.com")
    version = _a_bank()

    a = _client_objects(
        workspace,
        client_name="Zephyrine Freight",
        notes="Tamarind renewal in May",
        version=version,
        respondent="Priya Larkspur",
        plan="Write the Persimmon ICP",
        inquiries=48613,
    )
    a.update(membership=member, invitation=invitation)
    assessment = a["assessment"]
    make_assessment(a["client"], version=version, quarter=2, status="closed")
    link = a["respondent"].issue_link()
    submitted, submitted_link = _linked(assessment, "Rita Marigold")
    answer_all(submitted, submit=True)
    Answer.objects.filter(respondent=submitted, question__key="people.q1").update(
        comment="Kumquat pipeline review is weekly"
    )
    ended = make_workshop(assessment)
    workshops.end(workshop=ended)
    other, other_link = _linked(assessment, "Omar Thistle")
    answer_all(other, "2")
    revoked, revoked_link = _linked(assessment, "Rex Revoked")
    revoked.revoke_links()
    expired, expired_link = _linked(assessment, "Eve Expired")
    expired.links.update(expires_at=timezone.now() - timedelta(1))

    q = _client_objects(
        workspace,
        client_name="Bramblewood Dairy",
        notes="",
        version=version,
        respondent="Juniper Okafor",
        plan="Launch the Saffron webinar",
        inquiries=77123,
    )
    q.update(membership=member, invitation=invitation)

    outsider = make_user(name="Otto Outsider")
    elsewhere = make_workspace(owner=outsider, name="Elsewhere Ltd")
    b = _client_objects(
        elsewhere,
        client_name="Otterburn Mills",
        notes="",
        version=_b_bank(),
        respondent="Bea Bystander",
        plan="Otter plan",
        inquiries=5150,
    )
    b_invitation, b_invitation_link = make_invitation(elsewhere, email="b.invitee@example.com")
    b.update(membership=add_member(elsewhere, role=Role.CONSULTANT), invitation=b_invitation)
    used_invitation, used_link = make_invitation(workspace, email="used.invitee@example.com")
    Invitation.objects.filter(pk=used_invitation.pk).update(accepted_at=timezone.now())
    late_invitation, late_link = make_invitation(workspace, email="late.invitee@example.com")
    Invitation.objects.filter(pk=late_invitation.pk).update(
        expires_at=timezone.now() - timedelta(1)
    )

    both = make_user(name="Dana Double")  # an owner of both workspaces
    add_member(workspace, role=Role.OWNER, user=both)
    add_member(elsewhere, role=Role.OWNER, user=both)
    return {
        "workspace": workspace,
        "elsewhere": elsewhere,
        "a": a,
        "q": q,
        "b": b,
        "users": {"owner": owner, "viewer": viewer, "outsider": outsider, "both": both},
        "respondents": {"linked": a["respondent"], "submitted": submitted, "other": other},
        "links": {
            "linked": link,
            "submitted": submitted_link,
            "other": other_link,
            "revoked": revoked_link,
            "expired": expired_link,
            "of B": b["respondent"].issue_link(),
        },
        "workshop_codes": {
            "ended": ended.code,
            "unknown": "QQQQQQ",
            "of B": b["workshop"].code,
        },
        "invitation_links": {
            "pending": invitation_link,
            "of B": b_invitation_link,
            "used": used_link,
            "expired": late_link,
        },
    }


@pytest.fixture(scope="module")
def _world_once(django_db_setup, django_db_blocker):
    """The world, built once for the module (it takes a quarter of a second) inside a
    transaction rolled back at the end. Each test runs in a savepoint within it, as with
    Django's TestCase.setUpTestData, so whatever a test changes is undone after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world_once, db):
    return _world_once


# ---- Helpers -------------------------------------------------------------------------------


def _text(response) -> str:
    """The body and headers of a response: a file name in Content-Disposition counts too."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return body.decode(errors="replace") + "\n" + headers


def _assert_shows_none(response, markers, what) -> None:
    text = _text(response)
    shown = [marker for marker in markers if marker in text]
    assert shown == [], f"{what} shows {shown}"


def _logged_in(user) -> Browser:
    client = Browser()
    client.force_login(user)
    return client


def _respondent_client(world) -> Browser:
    """An anonymous browser that has just used respondent Priya Larkspur's personal link."""
    client = Browser()
    link = world["links"]["linked"]
    assert client.get(f"/r/{link}/s/people/").status_code == 200
    saved = client.post(f"/r/{link}/answer/", {"question": "people.q1", "choice-people.q1": "4"})
    assert saved.status_code == 302
    assert "_auth_user_id" not in client.session  # the link grants no account
    return client


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("login") + "?next="
    )


ROUTE_IDS = [route.name for route in WORKSPACE_ROUTES]


# ---- Every URL is walked -------------------------------------------------------------------


def _questionnaire_methods(name: str) -> frozenset[str]:
    """The respondent's pages accept what their facilitated twins do."""
    twin = name.replace("assessments:respondent_", "assessments:facilitate_")
    return next(route.methods for route in WORKSPACE_ROUTES if route.name == twin)


def _outside_requests(world: dict, name: str) -> list[tuple[str, str]]:
    """(method, URL) pairs asking for a page outside the workspaces with every wrong key:
    tokens of A that no longer work, an unknown one, and tokens of workspace B."""
    if name.startswith("assessments:respondent_"):
        links = world["links"]
        kwargs = {"section": "people"} if name.endswith("_section") else {}
        return [
            (method, reverse(name, kwargs={"token": token, **kwargs}))
            for token in (links["revoked"], links["expired"], "no-such-link", links["of B"])
            for method in sorted(_questionnaire_methods(name))
        ]
    if name.startswith("workshops:"):
        methods = ["POST"] if name == "workshops:vote" else ["GET", "POST"]
        if name != "workshops:join" and name != "workshops:vote":
            methods = ["GET"]
        return [
            (method, reverse(name, args=[code]))
            for code in world["workshop_codes"].values()
            for method in methods
        ]
    if name.startswith("accounts:invitation"):
        tokens = world["invitation_links"]
        method = "GET" if name == "accounts:invitation" else "POST"
        return [
            (method, reverse(name, args=[token]))
            for token in (tokens["used"], tokens["expired"], "no-such-invitation", tokens["of B"])
        ]
    if name == "accounts:signup_confirm":
        return [(method, reverse(name, args=["no-such-sign-up"])) for method in ("GET", "POST")]
    if name == "password_reset_confirm":
        return [("GET", reverse(name, args=["MQ", "set-password"]))]
    methods = {"logout": ["POST"], "password_change": ["GET", "POST"], "login": ["GET", "POST"]}
    methods |= {"accounts:signup": ["GET", "POST"], "password_reset": ["GET", "POST"]}
    methods |= {"accounts:workspace_create": ["GET"]}  # a POST makes a workspace of one's own
    return [(method, reverse(name)) for method in methods.get(name, ["GET"])]


OUTSIDE_ROUTES = sorted(OTHER_ROUTES)


def test_every_url_is_walked_by_this_suite():
    walked = {route.name for route in WORKSPACE_ROUTES} | set(OUTSIDE_ROUTES)
    assert set(urlconf_names()) == walked


# ---- Outsiders: another workspace's owner, an anonymous visitor, a respondent's link --------


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_a_member_of_another_workspace_sees_nothing_and_changes_nothing(world, route):
    client = _logged_in(world["users"]["outsider"])
    before = snapshot()
    urls = [route_url(route, world["a"], world["workspace"])]
    if route.objects:  # A's objects through B's own workspace
        urls.append(route_url(route, world["a"], world["elsewhere"]))
    for url in urls:
        for method in route.methods:
            for headers in ({}, HTMX):
                response = send(client, method, url, CHANGE_BODY, **headers)
                assert response.status_code == 404, (method, url, headers)
                _assert_shows_none(response, A_MARKERS, f"{method} {url} {headers}")
    assert snapshot() == before


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_an_anonymous_visitor_sees_nothing_and_changes_nothing(world, route):
    client = Browser()
    before = snapshot()
    url = route_url(route, world["a"], world["workspace"])
    for method in route.methods:
        for headers in ({}, HTMX):
            response = send(client, method, url, CHANGE_BODY, **headers)
            assert _is_login_redirect(response), (method, headers, response.status_code)
            _assert_shows_none(response, A_MARKERS, f"{method} {url} {headers}")
    assert snapshot() == before


@pytest.mark.parametrize("route", WORKSPACE_ROUTES, ids=ROUTE_IDS)
def test_a_respondent_link_opens_no_workspace_page(world, route):
    """Not even the facilitated twin of the respondent's own questionnaire."""
    client = _respondent_client(world)
    before = snapshot()
    url = route_url(route, world["a"], world["workspace"])
    for method in route.methods:
        for headers in ({}, HTMX):
            response = send(client, method, url, CHANGE_BODY, **headers)
            assert _is_login_redirect(response), (method, headers, response.status_code)
            _assert_shows_none(response, A_MARKERS, f"{method} {url} {headers}")
    assert snapshot() == before


@pytest.mark.parametrize("name", OUTSIDE_ROUTES)
def test_pages_outside_the_workspaces_show_none_of_its_data(world, name):
    """Home, methodology, signup, login, password pages, invitations with a wrong or another
    workspace's token, questionnaires with a revoked, expired, unknown or B's link."""
    actors = {
        "outsider": _logged_in(world["users"]["outsider"]),
        "anonymous": Browser(),
        "respondent link": _respondent_client(world),
    }
    before = snapshot()
    for actor, client in actors.items():
        for method, url in _outside_requests(world, name):
            for headers in ({}, HTMX):
                response = send(client, method, url, "", **headers)
                assert response.status_code < 500, (actor, method, url)
                _assert_shows_none(response, A_MARKERS, f"{method} {url} to {actor}")
    assert snapshot() == before


def test_the_markers_are_on_the_workspace_pages_for_its_members(world):
    """Guards the tests above: the markers are what A's pages show, so their absence means
    something."""
    client = _logged_in(world["users"]["owner"])
    shown = ""
    for route in WORKSPACE_ROUTES:
        if "GET" in route.methods and route.name != "assessments:report_pdf":
            for objects in (world["a"], world["q"]):
                response = client.get(route_url(route, objects, world["workspace"]))
                assert response.status_code in (200, 302), route.name
                shown += _text(response)
    assert [marker for marker in A_MARKERS if marker not in shown] == []


def test_someone_else_holding_an_invitation_link_cannot_join_with_it(world):
    client = _logged_in(world["users"]["outsider"])
    before = snapshot()
    client.post(reverse("accounts:invitation_accept", args=[world["invitation_links"]["pending"]]))
    assert snapshot() == before
    url = reverse("clients:list", args=[world["workspace"].slug])
    assert client.get(url).status_code == 404


def test_a_member_removed_from_the_workspace_loses_every_page_at_once(world):
    viewer = world["users"]["viewer"]
    client = _logged_in(viewer)
    workspace = world["workspace"]
    url = reverse("clients:list", args=[workspace.slug])
    assert client.get(url).status_code == 200
    viewer.memberships.filter(workspace=workspace).delete()
    for route in WORKSPACE_ROUTES:
        if "GET" in route.methods:
            response = client.get(route_url(route, world["a"], workspace))
            assert response.status_code == 404, route.name
            _assert_shows_none(response, A_MARKERS, route.name)


# ---- A viewer reads and changes nothing ----------------------------------------------------


CHANGING_ROUTES = [route for route in WORKSPACE_ROUTES if route.methods - {"GET"}]


@pytest.mark.parametrize("route", CHANGING_ROUTES, ids=[r.name for r in CHANGING_ROUTES])
def test_a_viewer_is_refused_every_change(world, route):
    client = _logged_in(world["users"]["viewer"])
    before = snapshot()
    url = route_url(route, world["a"], world["workspace"])
    for method in route.methods - {"GET"}:
        for headers in ({}, HTMX):
            response = send(client, method, url, CHANGE_BODY, **headers)
            if route.min_role == READ:  # a report render asked for again: not a change of data
                assert response.status_code == 302, (method, headers)
            else:
                assert response.status_code == 403, (method, headers)
    assert snapshot() == before


# ---- Downloads -----------------------------------------------------------------------------


DOWNLOADS = [
    "assessments:results_json",
    "assessments:results_csv",
    "assessments:answers_csv",
    "assessments:results_xlsx",
    "assessments:report_pdf",
    "assessments:report_pptx",
    "accounts:workspace_logo",
]
DOWNLOAD_ROUTES = [route for route in WORKSPACE_ROUTES if route.name in DOWNLOADS]


@pytest.mark.parametrize("route", DOWNLOAD_ROUTES, ids=DOWNLOADS)
def test_downloads_are_served_to_members_only(world, route):
    url = route_url(route, world["a"], world["workspace"])
    for client in (_logged_in(world["users"]["outsider"]), Browser()):
        response = client.get(url)
        assert response.status_code in (302, 404)
        assert "Content-Disposition" not in response.headers
        assert response["Content-Type"].startswith("text/html")
    if route.name != "assessments:report_pdf":  # rendering a PDF takes a second or two
        served = _logged_in(world["users"]["viewer"]).get(url)
        assert served.status_code == 200
        assert not served["Content-Type"].startswith("text/html")


def test_the_exports_carry_the_markers_they_must_not_leak(world):
    client = _logged_in(world["users"]["viewer"])
    routes = [r for r in DOWNLOAD_ROUTES if r.name.endswith(("json", "csv"))]
    text = "".join(_text(client.get(route_url(r, world["a"], world["workspace"]))) for r in routes)
    assert "Zephyrine" in text and "Marigold" in text and "Kumquat" in text


# ---- Objects mixed up across clients, assessments and workspaces ---------------------------


OBJECT_ROUTES = [route for route in WORKSPACE_ROUTES if route.objects]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=[r.name for r in OBJECT_ROUTES])
def test_another_workspace_s_objects_are_not_found_even_by_an_owner_of_both(world, route):
    """B's assessment, client, respondent, plan item, figures, membership or invitation under
    A's slug, and A's under B's: 404 to someone who owns both workspaces, and no change."""
    client = _logged_in(world["users"]["both"])
    before = snapshot()
    mixed = [(world["b"], world["workspace"]), (world["a"], world["elsewhere"])]
    for objects, workspace in mixed:
        url = route_url(route, objects, workspace)
        for method in route.methods:
            for headers in ({}, HTMX):
                response = send(client, method, url, CHANGE_BODY, **headers)
                assert response.status_code == 404, (method, url, headers)
    assert snapshot() == before


NESTED_ROUTES = [route for route in WORKSPACE_ROUTES if len(route.objects) == 2]


@pytest.mark.parametrize("route", NESTED_ROUTES, ids=[r.name for r in NESTED_ROUTES])
def test_an_object_under_another_client_or_assessment_is_not_found(world, route):
    """Client P's plan item or figures under client Q's URL, a respondent of one assessment
    under another's (including the facilitated questionnaire): 404 and no change."""
    client = _logged_in(world["users"]["owner"])
    parent = route.objects[0]
    mixed = {**world["a"], parent: world["q"][parent]}
    url = route_url(route, mixed, world["workspace"])
    before = snapshot()
    for method in route.methods:
        for headers in ({}, HTMX):
            response = send(client, method, url, CHANGE_BODY, **headers)
            assert response.status_code == 404, (method, headers)
    assert snapshot() == before


READ_PAGES = [
    route
    for route in WORKSPACE_ROUTES
    if "GET" in route.methods
    and route.min_role == READ
    and route.objects
    and route.name != "assessments:report_pdf"
]


@pytest.mark.parametrize("route", READ_PAGES, ids=[r.name for r in READ_PAGES])
def test_a_client_s_pages_show_nothing_of_another_client(world, route):
    """Client Q's pages (its funnel, plan, results, exports...) show none of client P's
    figures, plan items, respondents or comments."""
    client = _logged_in(world["users"]["owner"])
    response = client.get(route_url(route, world["q"], world["workspace"]))
    assert response.status_code in (200, 302)
    _assert_shows_none(response, P_MARKERS, route.name)


@pytest.mark.parametrize(
    "other", ["q", "b"], ids=["an assessment of another client", "an assessment of workspace B"]
)
def test_compare_refuses_an_assessment_of_another_client_or_workspace(world, other):
    client = _logged_in(world["users"]["both"])
    a_client, assessment = world["a"]["client"], world["a"]["assessment"]
    url = reverse("assessments:compare", args=[world["workspace"].slug, a_client.pk])
    earlier = a_client.assessments.exclude(pk=assessment.pk).get()
    assert client.get(url, {"first": earlier.pk, "second": assessment.pk}).context["comparison"]

    foreign = world[other]["assessment"]
    response = client.get(url, {"first": assessment.pk, "second": foreign.pk})
    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert response.context["form"].errors["second"]
    _assert_shows_none(response, Q_MARKERS + B_MARKERS, "compare")


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_add_to_plan_refuses_a_question_of_another_workspace_s_bank(world, headers):
    client = _logged_in(world["users"]["both"])
    assessment = world["a"]["assessment"]
    url = reverse(
        "assessments:plan_add_recommendation", args=[world["workspace"].slug, assessment.pk]
    )
    before = snapshot()
    foreign = {"question": "people.otter", "assessment": world["b"]["assessment"].pk}
    response = client.post(url, foreign, **headers)
    assert response.status_code in (200, 302)
    assert snapshot() == before
    # The same form with a question of A's bank plans it: the refusal above is the key's.
    client.post(url, {"question": "people.q2"}, **headers)
    assert assessment.client.plan_items.filter(question_keys=["people.q2"]).exists()


def test_a_plan_item_names_no_member_or_question_of_another_workspace(world):
    client = _logged_in(world["users"]["both"])
    a_client = world["a"]["client"]
    url = reverse("assessments:plan_item_create", args=[world["workspace"].slug, a_client.pk])
    target = client.get(url).context["form"].fields["target"].initial
    item = {"title": "Changed", "target": target, "status": "planned"}
    before = snapshot()
    foreign = {**item, "owner_member": world["users"]["outsider"].pk, "questions": "people.otter"}
    response = client.post(url, foreign)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"owner_member", "questions"}
    assert snapshot() == before
    # A member and a question of A's own are accepted: the refusal above is about B's.
    own = {**item, "owner_member": world["users"]["viewer"].pk, "questions": "people.q1"}
    assert client.post(url, own).status_code == 302


# ---- A respondent's link -------------------------------------------------------------------


def test_a_respondent_link_opens_its_own_questionnaire(world):
    client = Browser()
    link = world["links"]["linked"]
    welcome = client.get(f"/r/{link}/").content.decode()
    assert "Zephyrine" in welcome and f'href="/r/{link}/s/people/' in welcome
    page = client.get(f"/r/{link}/s/people/")
    assert page.status_code == 200
    assert "Zephyrine" in page.content.decode()  # its own client's name, and only there
    saved = client.post(
        f"/r/{link}/answer/", {"question": "people.q1", "choice-people.q1": "5"}, **HTMX
    )
    assert saved.status_code == 200
    assert client.get(f"/r/{link}/review/").status_code == 200
    assert world["respondents"]["linked"].answers.get(question__key="people.q1").choice == "5"


@pytest.mark.parametrize("path", ["answer/", "s/people/"], ids=["autosave", "section"])
def test_a_respondent_link_cannot_save_answers_for_another_respondent(world, path):
    own, other = world["respondents"]["linked"], world["respondents"]["other"]
    others_answers = list(other.answers.order_by("pk").values())
    body = {
        "question": "people.q1",
        "choice-people.q1": "5",
        "comment-people.q1": "Mine",
        # Everything that could name another respondent, should a view ever read it.
        "respondent": other.pk,
        "respondent_id": other.pk,
        "token": world["links"]["other"],
        "assessment": world["q"]["assessment"].pk,
    }
    response = Browser().post(f"/r/{world['links']['linked']}/{path}", body)
    assert response.status_code == 302
    assert list(other.answers.order_by("pk").values()) == others_answers
    assert own.answers.get(question__key="people.q1").comment == "Mine"


def test_a_respondent_link_cannot_answer_a_question_of_another_bank(world):
    client = Browser()
    before = snapshot()
    response = client.post(
        f"/r/{world['links']['linked']}/answer/",
        {"question": "people.otter", "choice-people.otter": "5"},
    )
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("which", ["revoked", "expired"])
def test_a_link_that_no_longer_works_shows_none_of_the_workspace_s_data(world, which):
    client = Browser()
    link = world["links"][which]
    before = snapshot()
    response = client.get(f"/r/{link}/s/people/")
    assert response.status_code in (404, 410)
    assert "link" in response.content.decode()  # says what happened
    _assert_shows_none(response, A_MARKERS, f"the {which} link")
    answer = {"question": "people.q1", "choice-people.q1": "5"}
    for path in ("answer/", "s/people/", "submit/"):
        response = client.post(f"/r/{link}/{path}", answer)
        assert response.status_code in (404, 410), path
        _assert_shows_none(response, A_MARKERS, f"the {which} link")
    assert snapshot() == before


def test_after_submitting_a_link_can_no_longer_change_answers(world):
    client = Browser()
    link = world["links"]["submitted"]
    before = snapshot()
    answer = {"question": "people.q1", "choice-people.q1": "1", "comment-people.q1": "Changed"}
    assert client.post(f"/r/{link}/answer/", answer, **HTMX).status_code == 409
    assert client.post(f"/r/{link}/s/people/", answer)["Location"] == f"/r/{link}/done/"
    assert client.post(f"/r/{link}/submit/")["Location"] == f"/r/{link}/done/"
    assert snapshot() == before
    assert client.get(f"/r/{link}/done/").status_code == 200  # the read-only copy


# ---- The Django admin ----------------------------------------------------------------------


def _admin_urls(world) -> list[tuple[str, str]]:
    """(model, URL): every registered model's list, and the change page of one of A's rows
    where the model holds any."""
    a_rows = {
        "accounts.workspace": world["workspace"],
        "accounts.user": world["users"]["owner"],
        "accounts.invitation": world["a"]["invitation"],
        "assessments.client": world["a"]["client"],
    }
    urls = []
    for model in admin.site._registry:
        label, info = model._meta.label_lower, (model._meta.app_label, model._meta.model_name)
        urls.append((label, reverse("admin:{}_{}_changelist".format(*info))))
        if label in a_rows:
            urls.append(
                (label, reverse("admin:{}_{}_change".format(*info), args=[a_rows[label].pk]))
            )
    return urls


def test_a_workspace_owner_who_is_not_staff_gets_no_admin(world):
    client = _logged_in(world["users"]["owner"])
    for _, url in [("index", reverse("admin:index")), *_admin_urls(world)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
        _assert_shows_none(response, A_MARKERS, url)


def test_staff_who_are_not_superusers_see_only_the_question_bank(world):
    group = Group.objects.create(name="Methodology admins")
    group.permissions.set(Permission.objects.filter(content_type__app_label="bank"))
    staff = make_user(name="Stan Staff", is_staff=True)
    staff.groups.add(group)
    client = _logged_in(staff)

    index = client.get(reverse("admin:index"))
    assert [app["app_label"] for app in index.context["app_list"]] == ["bank"]
    _assert_shows_none(index, A_MARKERS, "the admin index")
    before = snapshot()
    for label, url in _admin_urls(world):
        response = client.get(url)
        if label.startswith("bank."):
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url
            _assert_shows_none(response, A_MARKERS, url)
            assert client.post(url, {"name": "Changed"}).status_code == 403, url
    assert snapshot() == before
