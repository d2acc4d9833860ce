"""The dashboard at 50, 500 and 10,000 clients, for `make bench`'s growth figure.

Ten thousand clients of full scale data (devtools.scale: eight quarters of five respondents
answering every question; 24 s for 500) would take the bench some eight minutes to build, and
the dashboard reads none of the answers: it reads each client's standing. So each of these
workspaces holds only what the dashboard reads: per client, two closed quarters with their
results snapshots written in directly, an open quarter (deadline or not) with three
respondents, some submitted, whose snapshot stays empty (there are no answers to score), and
three plan items; then the standings are computed, as every write path computes them. All
three sizes take about 10 s on SQLite.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User, Workspace
from accounts.services import create_workspace
from assessments.models import (
    Assessment,
    PlanItem,
    PlanStatus,
    Respondent,
    refresh_standings,
)
from bank.models import BankVersion
from bank.services import load_default_bank
from clients.models import Client
from lib.quarters import Quarter

GROWTH_SIZES = (50, 500, 10_000)
GROWTH_OWNER = "growth@example.com"
BATCH = 500
DROPS = ["", "strategy_to_demand", "demand_to_leads", "leads_to_sales"]


@dataclass(frozen=True)
class GrowthWorkspace:
    workspace: Workspace
    owner: User
    clients: int


def seed_growth(
    *, sizes=GROWTH_SIZES, password: str, today: date, seed: int = 18
) -> list[GrowthWorkspace]:
    """A workspace per size, named "Dashboard growth N" (replaced when it exists)."""
    load_default_bank()
    version = BankVersion.objects.current()
    owner = User.objects.filter(email=GROWTH_OWNER).first() or User.objects.create_user(
        email=GROWTH_OWNER, password=password, name="Gus Growth"
    )
    current = Quarter.of(today)
    quarters = [current.shifted(-2), current.shifted(-1), current]
    rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible on purpose
    built = []
    for size in sizes:
        name = f"Dashboard growth {size}"
        Workspace.objects.filter(name=name, memberships__user=owner).delete()
        workspace = create_workspace(name=name, owner=owner)
        for start in range(0, size, BATCH):
            with transaction.atomic():
                _batch(
                    workspace, owner, version, quarters, range(start, min(start + BATCH, size)), rng
                )
        refresh_standings(workspace.clients.values_list("pk", flat=True))
        built.append(GrowthWorkspace(workspace, owner, size))
    return built


def _batch(workspace, owner, version, quarters, numbers, rng) -> None:
    clients = Client.objects.bulk_create(
        Client(workspace=workspace, name=f"Growth Client {n + 1:05d}", industry="Software")
        for n in numbers
    )
    assessments = []
    for client in clients:
        for index, quarter in enumerate(quarters):
            is_open = index == len(quarters) - 1
            index_value = round(rng.uniform(10, 90), 1)
            opened = timezone.make_aware(datetime.combine(quarter.first_day, time(9)))
            assessments.append(
                Assessment(
                    client=client,
                    year=quarter.year,
                    quarter=quarter.number,
                    bank_version=version,
                    status=Assessment.Status.OPEN if is_open else Assessment.Status.CLOSED,
                    created_by=owner,
                    opened_at=opened,
                    deadline=quarter.first_day + timedelta(days=rng.randint(20, 80))
                    if is_open and rng.random() < 0.7
                    else None,
                    submitted_count=0 if is_open else 5,
                    overall_index=None if is_open else index_value,
                    baton_drop="" if is_open else rng.choice(DROPS),
                    index_summary={} if is_open else {"partial": rng.random() < 0.1},
                )
            )
    assessments = Assessment.objects.bulk_create(assessments)
    respondents = []
    for assessment in assessments:
        if assessment.status != Assessment.Status.OPEN:
            continue
        submitted_share = rng.random()
        for number in range(3):
            submitted = assessment.opened_at + timedelta(days=number + 1)
            respondents.append(
                Respondent(
                    assessment=assessment,
                    name=f"Respondent {number + 1}",
                    role="sales",
                    submitted_at=submitted if rng.random() < submitted_share else None,
                )
            )
    Respondent.objects.bulk_create(respondents)
    PlanItem.objects.bulk_create(
        PlanItem(
            client=client,
            title=f"Item {number + 1}",
            target_year=quarters[-1].year,
            target_quarter=quarters[-1].number,
            status=rng.choice(PlanStatus.values),
        )
        for client in clients
        for number in range(3)
    )
