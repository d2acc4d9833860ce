"""Each client's standing (the dashboard's row) is what the figures it rests on say, after any
mix of the writes that change them: the services, the pages and the model methods the app
writes through. The expected values are `computed_standings`, the annotations the refresh
itself stores (one definition, not a copy)."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test import Client as Browser
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import services
from assessments.models import (
    STANDING_COPIED,
    STANDING_FIGURES,
    STANDING_SORT_KEYS,
    Assessment,
    ClientStanding,
    PlanItem,
    PlanStatus,
    computed_standings,
    refresh_standings,
)
from clients.models import Client
from lib.quarters import Quarter
from tests.factories import answer_all, make_bank_version, make_client

FIELDS = [*STANDING_COPIED, *STANDING_FIGURES, *STANDING_SORT_KEYS]
PERIODS = [Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4)]
TARGETS = {"people": 4, "process": 4, "content": 4, "technology": 4}


def _stored() -> dict[int, dict]:
    return {
        row["client_id"]: {field: row[field] for field in FIELDS}
        for row in ClientStanding.objects.values("client_id", *FIELDS)
    }


def assert_standings_are_current() -> None:
    computed = computed_standings(Client.objects.values_list("pk", flat=True))
    assert _stored() == computed


class World:
    """A workspace's pages, driven as a consultant, with a handful of clients."""

    def __init__(self, workspace, consultant):
        self.workspace = workspace
        self.browser = Browser()
        self.browser.force_login(consultant)
        self.clients = [make_client(workspace, name=f"Client {n}") for n in range(2)]
        self.names = 0

    def url(self, name: str, *args) -> str:
        return reverse(name, args=[self.workspace.slug, *args])

    def post(self, name: str, *args, data=None) -> None:
        response = self.browser.post(self.url(name, *args), data or {})
        assert response.status_code in (200, 302), (name, response.status_code)

    def assessments(self, client, *statuses: str) -> list[Assessment]:
        found = Assessment.objects.filter(client=client).order_by("year", "quarter")
        return list(found.filter(status__in=statuses) if statuses else found)

    def pick(self, items: list, n: int):
        return items[n % len(items)] if items else None

    # ---- the operations, each a write the app makes -------------------------------------

    def create(self, client, n: int) -> None:
        period = PERIODS[n % len(PERIODS)]
        if not client.assessments.filter(year=period.year, quarter=period.number).exists():
            services.create_assessment(
                client=client, period=period, targets=TARGETS, created_by=None
            )

    def open(self, client, n: int) -> None:
        """Open (or reopen) an assessment, made first when the client has none to open."""
        if not self.assessments(client, "draft", "closed"):
            self.create(client, n)
        if assessment := self.pick(self.assessments(client, "draft", "closed"), n):
            services.open_assessment(assessment=assessment)

    def close(self, client, n: int) -> None:
        if assessment := self.pick(self.assessments(client, "open"), n):
            self.post("assessments:assessment_close", assessment.pk)

    def add_respondent(self, client, n: int) -> None:
        if assessment := self.pick_open(client) or self.pick(self.assessments(client, "draft"), n):
            self.names += 1
            data = {"name": f"Person {self.names}", "email": "p@example.com", "role": "sales"}
            self.post("assessments:respondent_add", assessment.pk, data=data)

    def _respondents(self, client, **filters):
        return list(
            self.pick_open(client).respondents.filter(**filters).order_by("pk")
            if self.pick_open(client)
            else []
        )

    def pick_open(self, client):
        return client.assessments.filter(status=Assessment.Status.OPEN).first()

    def submit(self, client, n: int) -> None:
        """Someone of the open assessment submits (added first when everyone has)."""
        if self.pick_open(client) and not self._respondents(client, submitted_at__isnull=True):
            self.add_respondent(client, n)
        if respondent := self.pick(self._respondents(client, submitted_at__isnull=True), n):
            if not respondent.answers.exists():
                answer_all(respondent, str(n % 5 + 1))
            assert services.submit(respondent=respondent) == []

    def reopen(self, client, n: int) -> None:
        if respondent := self.pick(self._respondents(client, submitted_at__isnull=False), n):
            services.reopen_respondent(respondent=respondent)

    def remove(self, client, n: int) -> None:
        if respondent := self.pick(self._respondents(client), n):
            services.remove_respondent(respondent=respondent)

    def deadline(self, client, n: int) -> None:
        if assessment := self.pick(self.assessments(client, "open", "draft"), n):
            deadline = None if n % 3 == 0 else date.today() + timedelta(days=n % 40)
            services.set_deadline(assessment=assessment, deadline=deadline)

    def look(self, client, n: int) -> None:
        """A consultant opens the assessment's page: its submissions are seen."""
        if assessment := self.pick(self.assessments(client, "open"), n):
            response = self.browser.get(self.url("assessments:assessment_detail", assessment.pk))
            assert response.status_code == 200

    def plan(self, client, n: int) -> None:
        PlanItem.objects.create(
            client=client,
            title=f"Item {n}",
            target_year=2026,
            target_quarter=4,
            status=PlanStatus.values[n % len(PlanStatus.values)],
        )

    def plan_status(self, client, n: int) -> None:
        if item := self.pick(list(client.plan_items.order_by("pk")), n):
            item.change_status(PlanStatus.values[n % len(PlanStatus.values)])

    def plan_delete(self, client, n: int) -> None:
        if item := self.pick(list(client.plan_items.order_by("pk")), n):
            self.post("assessments:plan_item_delete", client.pk, item.pk)

    def archive(self, client, n: int) -> None:
        self.post(
            "clients:restore" if client.archived_at and n % 2 else "clients:archive", client.pk
        )
        client.refresh_from_db()


OPERATIONS = [
    "create",
    "open",
    "close",
    "add_respondent",
    "submit",
    "reopen",
    "remove",
    "deadline",
    "look",
    "plan",
    "plan_status",
    "plan_delete",
    "archive",
]
steps = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 1), st.integers(0, 11)),
    min_size=6,
    max_size=30,
)


@pytest.fixture
def bank(db):
    return make_bank_version(label="2026.1", per_dimension=6, publish=True)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_every_standing_is_what_its_figures_say_after_any_mix_of_writes(
    workspace, consultant, bank, steps
):
    with transaction.atomic():  # each example starts from the same empty workspace
        world = World(workspace, consultant)
        assert_standings_are_current()
        for operation, which, n in steps:
            getattr(world, operation)(world.clients[which], n)
            assert_standings_are_current()
        transaction.set_rollback(True)


def test_a_standing_is_refreshed_for_many_clients_in_a_fixed_number_of_queries(
    workspace, bank, django_assert_num_queries
):
    clients = [make_client(workspace, name=f"Client {n}") for n in range(30)]
    for client in clients:
        services.create_assessment(
            client=client, period=PERIODS[0], targets=TARGETS, created_by=None
        )
    ClientStanding.objects.all().delete()
    # Compute and upsert, the rows locked first where the database can, in a savepoint.
    expected = 2 + connection.features.has_select_for_update + 2
    for count in (3, 30):
        with django_assert_num_queries(expected):
            assert refresh_standings(c.pk for c in clients[:count]) == count
    assert_standings_are_current()


def test_the_demo_data_leaves_every_standing_current(db):
    from devtools.demo import seed_demo

    seed_demo(today=date(2026, 11, 22))
    assert ClientStanding.objects.count() == Client.objects.count() > 0
    assert_standings_are_current()


def test_the_benchs_dashboard_growth_data_has_current_standings(db):
    from devtools.dashboard_growth import seed_growth

    (built,) = seed_growth(sizes=(7,), password="x", today=date(2026, 11, 22))
    assert built.workspace.clients.count() == 7
    assert ClientStanding.objects.filter(workspace=built.workspace).count() == 7
    assert_standings_are_current()
    seed_growth(sizes=(7,), password="x", today=date(2026, 11, 22))  # replaced
    assert ClientStanding.objects.filter(workspace__name="Dashboard growth 7").count() == 7
