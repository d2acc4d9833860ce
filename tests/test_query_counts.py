"""Every page in a constant number of queries, whatever the size of the data behind it.

Each page (and download, and answer save) is requested in two workspaces built by
devtools.scale: a small one and a large one, where the page's own content grows too (more
clients than the dashboard's page holds, more quarters for the client, more respondents on the
assessment, more plan items, members and invitations). A page that needs more queries in the
large workspace runs one per row somewhere: an N+1. The catalogue of URLs
(tests/url_catalogue.py) is the list of pages, so a new page that is not measured here fails
the completeness test.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role, User, Workspace
from assessments.cache_keys import report_key
from assessments.models import (
    Answer,
    Assessment,
    PlanItem,
    PlanStatus,
    ReportRender,
    RespondentRole,
)
from assessments.summaries import refresh
from devtools.scale import SCALE_OWNER, seed_scale
from funnel.models import FunnelFigures
from tests.factories import (
    PASSWORD,
    add_member,
    answer_all,
    join_workshop,
    make_crm_import,
    make_invitation,
    make_respondent,
    make_workshop,
)
from tests.url_catalogue import OTHER_ROUTES, WORKSPACE_ROUTES, route_url
from workshops import services as workshops


@dataclass(frozen=True)
class Size:
    clients: int  # in the workspace (the dashboard shows 25 a page)
    quarters: int  # of the client the client's pages show (the newest one open)
    extra: int  # more respondents, plan items, members and invitations


SIZES = {
    # Four quarters at least: the results page of the closed quarter before the open one then
    # measures a done item planned from the first quarter against it, not against the quarter
    # just before, and scores that baseline of its own in both workspaces.
    "small": Size(clients=3, quarters=4, extra=1),
    "large": Size(clients=30, quarters=8, extra=10),
}


@dataclass
class World:
    workspace: Workspace
    owner: User
    objects: dict  # what the URLs name, by the names of tests/url_catalogue.py and a few more
    tokens: dict[str, str]  # respondents' links: "in_progress" and "submitted"
    section_keys: list[str]  # the questions of the section the saves post to


# ---- The two workspaces ----------------------------------------------------------------------


def _keep_newest_quarters(client, quarters: int) -> list[Assessment]:
    """Drop the client's older quarters (and their funnel figures); return the rest."""
    assessments = list(client.assessments.order_by("year", "quarter"))
    dropped, kept = assessments[:-quarters], assessments[-quarters:]
    Assessment.objects.filter(pk__in=[a.pk for a in dropped]).delete()
    first = kept[0].period
    FunnelFigures.objects.filter(client=client, year__lt=first.year).delete()
    FunnelFigures.objects.filter(client=client, year=first.year, quarter__lt=first.number).delete()
    return kept


def _build(label: str, size: Size) -> World:
    workspace = seed_scale(clients=size.clients, password=PASSWORD).workspace
    # seed_scale rebuilds the workspace it finds by this name: the next size gets its own.
    workspace.name = f"Scale {label}"
    workspace.set_logo(
        data=b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"
    )
    workspace.save()
    members = [add_member(workspace, role=Role.CONSULTANT).user for _ in range(size.extra)]
    for _ in range(size.extra):
        make_invitation(workspace)

    client = workspace.clients.order_by("name").first()
    quarters = _keep_newest_quarters(client, size.quarters)
    first, closed, current = quarters[0], quarters[-2], quarters[-1]
    roles = RespondentRole.values
    for assessment in (closed, current):
        for number in range(size.extra):
            respondent = make_respondent(
                assessment, name=f"Added respondent {number + 1}", role=roles[number % len(roles)]
            )
            answer_all(respondent, str(number % 5 + 1), submit=True)
    questions = list(current.bank_version.questions.order_by("order", "key"))
    in_progress = make_respondent(current, name="Ines Progress", role="sales")
    Answer.objects.bulk_create(
        Answer(respondent=in_progress, question=question, choice="3")
        for question in questions[: 4 * size.extra]
    )
    submitted = current.respondents.filter(submitted_at__isnull=False).order_by("pk").first()
    tokens = {"in_progress": in_progress.issue_link(), "submitted": submitted.issue_link()}

    statuses = [PlanStatus.DONE, PlanStatus.PLANNED, PlanStatus.IN_PROGRESS]
    for number in range(3 * size.extra):
        source = quarters[number % (len(quarters) - 1)]  # planned from a closed quarter
        PlanItem.objects.create(
            client=client,
            title=f"Plan item {number + 1}",
            question_keys=[questions[number].key],
            owner_user=members[number % len(members)],
            target_year=source.period.next().year,
            target_quarter=source.period.next().number,
            status=statuses[number % len(statuses)],
            source_assessment=source,
        )
    # The client's quarters derived from a CRM import, one figure corrected by hand: the funnel
    # page shows each quarter's provenance and the import's measures.
    crm_import = make_crm_import(
        client,
        measures={str(q.period): {"gate_pass_share": 0.5, "stalled_sals": 3} for q in quarters},
    )
    client.funnel_figures.update(crm_import=crm_import, corrected_fields=["mqls"])
    # A workshop of the open quarter, before the report's render below is keyed on the data.
    workshop = _workshop(current, people=size.extra + 2)
    refresh([first, closed, current])  # their respondents changed: fresh snapshots
    # The report of the closed quarter rendered already: report.pdf serves it from the cache.
    # Were the digest stale, the slow render on record would send report.pdf to the background
    # (a redirect, not the 200 expected), rather than render it here.
    ReportRender.objects.create(
        assessment=closed,
        digest=report_key(closed),
        status=ReportRender.Status.READY,
        pdf=b"%PDF-1.7 rendered earlier",
        render_seconds=60.0,
    )
    people = [q.key for q in questions if q.dimension == "people"]
    return World(
        workspace=workspace,
        owner=User.objects.get(email=SCALE_OWNER),
        objects={
            "client": client,
            "assessment": closed,
            "first": first,
            "open": current,
            "respondent": in_progress,
            "submitted": submitted,
            "plan_item": client.plan_items.order_by("pk").first(),
            "figures": client.funnel_figures.order_by("-year", "-quarter").first(),
            "crm_import": crm_import,
            "workshop": workshop,
        },
        tokens=tokens,
        section_keys=people,
    )


def _workshop(assessment: Assessment, *, people: int):
    """A workshop on its second question, revealed, with `people` on their phones who voted
    on both, and a consensus on the first."""
    workshop = make_workshop(assessment)
    workshops.start(workshop=workshop)
    joined = [join_workshop(workshop, f"Workshop person {n + 1}")[0] for n in range(people)]
    for step in (0, 1):
        for number, participant in enumerate(joined):
            workshops.vote(participant=participant, choice=str(number % 5 + 1))
        workshops.reveal(workshop=workshop)
        if step == 0:
            workshops.record_consensus(workshop=workshop, level=3, note="Agreed.", by=None)
            workshops.move(workshop=workshop, step=1)
    workshop.refresh_from_db()
    return workshop


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Both workspaces, built once for the module inside a transaction rolled back at its end;
    each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            built = {label: _build(label, size) for label, size in SIZES.items()}
        # Check the foreign keys now, once: PostgreSQL would otherwise check every deferred one
        # of these rows again at the end of each test, as a savepoint's rollback forgets it did.
        connection.check_constraints()
        if connection.vendor == "postgresql":
            # The tables' statistics date from before this transaction filled them (earlier
            # tests roll back everything they write), and the planner, taking them for nearly
            # empty, picks nested loops that take minutes. ANALYZE sees our own rows.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield built
        transaction.set_rollback(True)


# ---- The pages ---------------------------------------------------------------------------


def _answer_body(world: World) -> dict:
    key = world.section_keys[0]
    return {"question": key, f"choice-{key}": "4", f"comment-{key}": "Mostly."}


def _section_body(world: World) -> dict:
    return {f"choice-{key}": "2" for key in world.section_keys}


@dataclass(frozen=True)
class Page:
    name: str  # the URL's name
    use: dict = field(default_factory=dict)  # the URL's objects, when not the world's defaults
    token: str = ""  # a respondent's link: which one
    query: dict = field(default_factory=dict)
    query_objects: dict = field(default_factory=dict)  # parameters naming the world's objects
    htmx: str = ""  # HX-Target of an htmx request ("" for a plain one)
    body: Callable[[World], dict] | None = None  # a POST's form
    status: int = 200
    variant: str = ""
    # Measured with what the warm-up left in the cache; otherwise from an empty cache, the cost
    # of the first request after a change (the results page caches its body).
    cached: bool = False
    fixed: dict = field(default_factory=dict)  # URL parameters naming no object

    @property
    def id(self) -> str:
        return f"{self.name}:{self.variant}" if self.variant else self.name

    def url(self, world: World) -> str:
        if self.token:
            kwargs = {"token": world.tokens[self.token]}
            if self.name.endswith("_section"):
                kwargs["section"] = "people"
            return reverse(self.name, kwargs=kwargs)
        route = next((r for r in WORKSPACE_ROUTES if r.name == self.name), None)
        if route is None:
            return reverse(self.name)
        objects = {**world.objects, **{name: world.objects[use] for name, use in self.use.items()}}
        return route_url(route, objects, world.workspace, **self.fixed)


# The open quarter, with the world's "respondent": the one in progress.
OPEN = {"assessment": "open"}
SUBMITTED = {"assessment": "open", "respondent": "submitted"}


def _page(name: str, **options) -> Page:
    # A name without a namespace is the assessments app's.
    return Page(name if ":" in name else f"assessments:{name}", **options)


GET_PAGES = [
    _page("workspace_home"),
    _page("clients:list"),
    _page("clients:create"),
    _page("client_detail"),
    _page("clients:edit"),
    # The client's first quarter against its newest (open, with submitted answers).
    _page("compare", query_objects={"first": "first", "second": "open"}),
    _page("assessment_create"),
    _page("assessment_detail", use=OPEN),
    _page("answers_import", use=OPEN),
    # The closed quarter before the open one: it has a previous quarter to compare with.
    _page("results"),
    _page("results_json"),
    _page("results_detail", fixed={"dimension": "people"}),
    _page("results_detail", fixed={"dimension": "people"}, htmx="detail", variant="htmx"),
    _page("results_csv"),
    _page("answers_csv"),
    _page("results_xlsx"),
    _page("report_pdf"),  # rendered earlier: served from the cache
    _page("report_pptx"),  # drawn on each request
    _page("report_options"),
    # The form recording a level from evidence, for a question of the default bank.
    _page("validated_level", fixed={"question_key": "people.lead_follow_up_speed"}),
    # Asked for the first time: queued for the background worker, and then polled.
    _page("report_status", use={"assessment": "first"}),
    _page("facilitate_start", use=OPEN, status=302),
    _page("facilitate_section", use=OPEN),
    _page("facilitate_review", use=OPEN),
    _page("facilitate_done", use=SUBMITTED),
    _page("facilitate_answers_csv", use=SUBMITTED),
    Page("accounts:workspace_settings"),
    Page("accounts:workspace_logo"),
    Page("accounts:member_list"),
    _page("client_plan"),
    _page("plan_item_create"),
    _page("plan_item_edit"),
    _page("funnel:funnel"),
    _page("funnel:planner"),
    _page("funnel:figures_create"),
    _page("funnel:figures_edit"),
    _page("funnel:import"),
    _page("funnel:crm_upload"),
    _page("funnel:crm_status"),
    _page("funnel:crm_mapping", status=302),  # done already: to its summary
    _page("funnel:settings"),
    # A live workshop: starting one, the projector (revealed, with a consensus recorded
    # before), its poll without htmx (to the projector) and the summary.
    _page("workshops:workshop_create", use=OPEN),
    _page("workshops:workshop"),
    _page("workshops:workshop_live", status=302),
    _page("workshops:summary"),
    _page("respondent_start", token="in_progress"),  # the welcome
    _page("respondent_section", token="in_progress"),
    _page("respondent_review", token="in_progress"),
    _page("respondent_done", token="submitted"),
    _page("respondent_answers_csv", token="submitted"),
    _page("methodology"),
]

OTHER_REQUESTS = [
    _page("results", variant="cached", cached=True),
    _page("workspace_home", variant="htmx", query={"sort": "index"}, htmx="dashboard-results"),
    _page("clients:list", variant="htmx", query={"q": "Scale"}, htmx="client-results"),
    _page("report_status", variant="htmx", use={"assessment": "first"}, htmx="report-status"),
    _page(
        "respondent_answer", token="in_progress", body=_answer_body, variant="htmx", htmx="q-status"
    ),
    _page("respondent_answer", token="in_progress", body=_answer_body, variant="plain", status=302),
    _page(
        "respondent_section", token="in_progress", body=_section_body, variant="save", status=302
    ),
    _page("facilitate_answer", use=OPEN, body=_answer_body, variant="htmx", htmx="q-status"),
    _page("facilitate_section", use=OPEN, body=_section_body, variant="save", status=302),
]


def _get_routes() -> set[str]:
    """Every URL a GET reaches: the workspace's pages, the respondent's link (the same pages as
    a facilitated session) and the methodology."""
    workspace = {route.name for route in WORKSPACE_ROUTES if "GET" in route.methods}
    by_link = {
        name.replace(":facilitate_", ":respondent_")
        for name in workspace
        if name.startswith("assessments:facilitate_")
    }
    assert by_link <= set(OTHER_ROUTES), "the respondent's link mirrors the facilitated pages"
    return workspace | by_link | {"assessments:methodology"}


def test_every_page_is_measured():
    measured = {page.name for page in GET_PAGES}
    assert _get_routes() - measured == set(), "measure these pages in GET_PAGES"
    assert measured - _get_routes() == set(), "these measured pages are no longer GET routes"


# ---- Counting ------------------------------------------------------------------------------


def _send(client, page: Page, world: World):
    headers = {"HX-Request": "true", "HX-Target": page.htmx} if page.htmx else {}
    query = {
        **page.query,
        **{key: world.objects[name].pk for key, name in page.query_objects.items()},
    }
    url = page.url(world)
    if page.body is not None:
        return client.post(url, page.body(world), headers=headers)
    return client.get(url, query, headers=headers)


def _queries(client, page: Page, world: World) -> list[str]:
    """The SQL of the page's request, after one request to warm up (the first may refresh
    results snapshots, or queue a report)."""
    warm_up = _send(client, page, world)
    assert warm_up.status_code == page.status, warm_up
    if not page.cached:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = _send(client, page, world)
    assert response.status_code == page.status, response
    return [query["sql"] for query in captured.captured_queries]


def _shape(sql: str) -> str:
    """A statement without its values, so that the same query for two rows reads the same."""
    return re.sub(r"\d+|'[^']*'", "?", sql)


def _extra_queries(small: list[str], large: list[str]) -> str:
    extra = Counter(map(_shape, large)) - Counter(map(_shape, small))
    return "\n".join(f"{count} x {sql[:400]}" for sql, count in extra.most_common(5))


@pytest.mark.parametrize("page", GET_PAGES + OTHER_REQUESTS, ids=lambda page: page.id)
def test_the_page_needs_as_many_queries_for_much_more_data(client, worlds, db, page):
    client.force_login(worlds["small"].owner)  # the owner of both workspaces
    small, large = (_queries(client, page, worlds[label]) for label in ("small", "large"))
    print(f"{page.id}: {len(small)} queries small, {len(large)} large")
    assert len(large) == len(small), (
        f"{page.id}: {len(small)} queries in the small workspace, {len(large)} in the large one;"
        f" queries the large one runs more often:\n{_extra_queries(small, large)}"
    )


def test_the_large_workspace_shows_more_of_everything(worlds, db):
    """Guards the test above: each page's content grows from the small workspace to the large."""

    def sizes(world: World) -> tuple:
        client, current = world.objects["client"], world.objects["open"]
        return (
            world.workspace.clients.count(),
            client.assessments.count(),
            current.respondents.count(),
            client.plan_items.count(),
            world.workspace.memberships.count(),
            world.workspace.invitations.count(),
        )

    small, large = sizes(worlds["small"]), sizes(worlds["large"])
    assert all(big > little for little, big in zip(small, large, strict=True)), (small, large)
    assert large[0] > 25  # more than a page of the dashboard and of the client list


@pytest.mark.parametrize("page", GET_PAGES, ids=lambda page: page.id)
def test_the_page_reads_the_memberships_once(client, worlds, db, page):
    """The page's workspace lookup and the header's workspace switcher share one read of the
    user's memberships (a page listing the workspace's members reads those apart)."""
    client.force_login(worlds["small"].owner)
    reads = [
        sql
        for sql in _queries(client, page, worlds["small"])
        if re.search(r'WHERE \(?"accounts_membership"\."user_id" =', sql)
    ]
    assert len(reads) <= 1, reads
