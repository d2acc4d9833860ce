"""Scale data: a consultancy with hundreds of clients and two years of quarterly assessments.

`manage.py seed_demo --scale N` builds it for `make bench` and for anyone who wants to see
Relay under load: one workspace, N clients × 8 quarters × 5 submitted respondents answering
the whole default bank, plus each quarter's funnel figures and a few plan items per client.

Everything is written with bulk inserts, a few hundred clients at a time, and the results
snapshots are computed at the end, so 500 clients (a million answers) take well under a
minute on SQLite. The answers are random but reproducible (a seeded generator): each client
has its own maturity per dimension that grows a little each quarter, and each respondent
sees it slightly differently.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User, Workspace
from accounts.services import create_workspace
from assessments.models import (
    Answer,
    AnswerSource,
    Assessment,
    PlanItem,
    PlanStatus,
    Respondent,
    RespondentRole,
)
from assessments.summaries import refresh_in_bulk
from bank.models import BankVersion, Question
from bank.services import load_default_bank
from clients.models import Client, CompanySize
from funnel.models import FunnelFigures
from lib.quarters import Quarter

SCALE_WORKSPACE = "Scale Test Consulting"
SCALE_OWNER = "scale@example.com"
QUARTERS = 8
RESPONDENTS = 5
MAX_CLIENTS = 5000
CLIENTS_PER_BATCH = 100  # bounds memory: ~26 000 answers in flight at a time

INDUSTRIES = ["Logistics", "Healthcare", "Manufacturing", "Software", "Finance", "Retail"]
ROLES = [
    RespondentRole.MARKETING,
    RespondentRole.SALES,
    RespondentRole.LEADERSHIP,
    RespondentRole.CUSTOMER_SUCCESS,
    RespondentRole.MARKETING,
]
COMMENTS = [
    "We do this in some regions only.",
    "Depends on who is on the account.",
    "Agreed last quarter, not yet practised.",
    "",
    "",
    "",
]


@dataclass(frozen=True)
class ScaleSummary:
    workspace: Workspace
    clients: int
    assessments: int
    respondents: int
    answers: int


def check_scale(clients: int) -> None:
    """Refuse a number of clients the scale data cannot be built with (ValueError)."""
    if not 1 <= clients <= MAX_CLIENTS:
        raise ValueError(f"--scale takes a number of clients from 1 to {MAX_CLIENTS}.")


def seed_scale(
    *, clients: int, password: str, today: date | None = None, seed: int = 2026
) -> ScaleSummary:
    """Replace the scale workspace's clients with `clients` new ones and their history."""
    load_default_bank()
    version = BankVersion.objects.current()
    questions = list(Question.objects.filter(version=version).order_by("pk"))
    workspace, owner = _workspace(password)
    _clear(workspace)
    quarters = _quarters(today or timezone.localdate())
    rng = random.Random(seed)  # noqa: S311 - made-up data, reproducible on purpose
    counts = [0, 0, 0]
    for start in range(0, clients, CLIENTS_PER_BATCH):
        numbers = range(start, min(start + CLIENTS_PER_BATCH, clients))
        with transaction.atomic():
            added = _seed_batch(workspace, owner, version, questions, quarters, numbers, rng)
        counts = [total + new for total, new in zip(counts, added, strict=True)]
    assessments = Assessment.objects.filter(client__workspace=workspace)
    refresh_in_bulk(assessments.select_related("bank_version"))
    return ScaleSummary(workspace, clients, *counts)


def _workspace(password: str) -> tuple[Workspace, User]:
    owner = User.objects.filter(email=SCALE_OWNER).first()
    if owner is None:
        owner = User.objects.create_user(email=SCALE_OWNER, password=password, name="Sasha Scale")
    workspace = Workspace.objects.filter(
        memberships__user=owner, memberships__role=Role.OWNER, name=SCALE_WORKSPACE
    ).first()
    if workspace is None:
        workspace = create_workspace(name=SCALE_WORKSPACE, owner=owner)
    return workspace, owner


def _clear(workspace: Workspace) -> None:
    """Delete the previous scale clients, children first. Each filter is on the table's own
    column (`respondent_id IN (subquery)`), so each is one plain DELETE: filtering through a
    join makes Django delete `WHERE id IN (a join of the same table)`, which PostgreSQL can
    plan as a nested loop over every answer."""
    clients = Client.objects.filter(workspace=workspace).values("pk")
    assessments = Assessment.objects.filter(client__in=clients).values("pk")
    respondents = Respondent.objects.filter(assessment__in=assessments).values("pk")
    Answer.objects.filter(respondent__in=respondents).delete()
    Respondent.objects.filter(assessment__in=assessments).delete()
    PlanItem.objects.filter(client__in=clients).delete()
    FunnelFigures.objects.filter(client__in=clients).delete()
    Assessment.objects.filter(client__in=clients).delete()
    Client.objects.filter(workspace=workspace).delete()


def _quarters(today: date) -> list[Quarter]:
    """The eight quarters up to and including today's, oldest first."""
    current = Quarter.of(today)
    return [current.shifted(offset) for offset in range(1 - QUARTERS, 1)]


def _seed_batch(workspace, owner, version, questions, quarters, numbers, rng) -> tuple[int, ...]:
    new_clients = Client.objects.bulk_create(
        Client(
            workspace=workspace,
            name=f"Scale Client {number + 1:04d}",
            industry=INDUSTRIES[number % len(INDUSTRIES)],
            company_size=CompanySize.values[number % len(CompanySize.values)],
        )
        for number in numbers
    )
    # Each client's starting maturity per dimension, and how fast it grows per quarter.
    profiles = {
        client.pk: (
            {key: rng.uniform(1.4, 3.6) for key in ("people", "process", "content", "technology")},
            rng.uniform(0.0, 0.25),
        )
        for client in new_clients
    }
    assessments = Assessment.objects.bulk_create(
        _assessment(client, version, owner, quarter, is_last=index == len(quarters) - 1)
        for client in new_clients
        for index, quarter in enumerate(quarters)
    )
    respondents = Respondent.objects.bulk_create(
        _respondent(assessment, number)
        for assessment in assessments
        for number in range(RESPONDENTS)
    )
    answers = _insert_answers(
        answer
        for respondent in respondents
        for answer in _answers(respondent, questions, profiles, quarters, rng)
    )
    FunnelFigures.objects.bulk_create(
        _funnel(client, quarter, step, rng)
        for client in new_clients
        for step, quarter in enumerate(quarters[:-1])
    )
    PlanItem.objects.bulk_create(_plan_items(new_clients, quarters, rng))
    return len(assessments), len(respondents), answers


def _assessment(client, version, owner, quarter: Quarter, *, is_last: bool) -> Assessment:
    opened = timezone.make_aware(datetime.combine(quarter.first_day, time(9)))
    return Assessment(
        client=client,
        year=quarter.year,
        quarter=quarter.number,
        bank_version=version,
        status=Assessment.Status.OPEN if is_last else Assessment.Status.CLOSED,
        created_by=owner,
        opened_at=opened,
        closed_at=None if is_last else opened + timezone.timedelta(days=60),
    )


def _respondent(assessment: Assessment, number: int) -> Respondent:
    submitted = assessment.opened_at + timezone.timedelta(days=7 + number)
    return Respondent(
        assessment=assessment,
        name=f"Respondent {number + 1}",
        email=f"respondent{number + 1}.{assessment.client_id}@example.com",
        role=ROLES[number],
        started_at=submitted - timezone.timedelta(hours=1),
        submitted_at=submitted,
    )


def _answers(respondent, questions, profiles, quarters, rng):
    assessment = respondent.assessment
    base, growth = profiles[assessment.client_id]
    step = [q.index for q in quarters].index(assessment.period.index)
    bias = rng.uniform(-0.6, 0.6)  # how rosy this respondent's view is
    for question in questions:
        roll = rng.random()
        if roll < 0.03:
            choice = "NA"
        elif roll < 0.06:
            choice = "DK"
        else:
            level = base[question.dimension] + growth * step + bias + rng.gauss(0, 0.7)
            choice = str(min(5, max(1, round(level))))
        yield (respondent.pk, question.pk, choice, rng.choice(COMMENTS))


def _insert_answers(rows) -> int:
    """Insert (respondent, question, choice, comment) rows with one prepared statement: a
    million model instances would cost more than the database's own work."""
    table = Answer._meta.db_table
    # The table name is our own model's; the values are parameters.
    columns = "respondent_id, question_id, choice, comment, source, updated_at"
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608
    # The constant columns adapted for the database once, not once per row.
    source = str(AnswerSource.RESPONDENT)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(*row, source, now) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def _funnel(client, quarter: Quarter, step: int, rng) -> FunnelFigures:
    inquiries = rng.randint(200, 2000) + 40 * step
    mqls = int(inquiries * rng.uniform(0.2, 0.5))
    sals = int(mqls * rng.uniform(0.3, 0.8))
    sqls = int(sals * rng.uniform(0.3, 0.7))
    won = int(sqls * rng.uniform(0.15, 0.35))
    deal = Decimal(rng.randrange(8_000, 60_000, 500))
    return FunnelFigures(
        client=client,
        year=quarter.year,
        quarter=quarter.number,
        impressions=inquiries * rng.randint(20, 60),
        engaged_leads=inquiries * rng.randint(2, 5),
        inquiries=inquiries,
        mqls=mqls,
        sals=sals,
        sqls=sqls,
        won_deals=won,
        average_deal_size=deal,
        pipeline_value=deal * sqls,
        closed_revenue=deal * won,
        days_inquiry_to_mql=rng.randint(1, 10),
        days_mql_to_sal=rng.randint(1, 12),
        days_sal_to_sql=rng.randint(5, 30),
        days_sql_to_won=rng.randint(30, 120),
    )


def _plan_items(clients, quarters, rng):
    titles = ["Write the ideal customer profile", "Agree an MQL definition", "Set a follow-up SLA"]
    for client in clients:
        for title in titles:
            quarter = rng.choice(quarters[-3:])
            yield PlanItem(
                client=client,
                title=title,
                target_year=quarter.year,
                target_quarter=quarter.number,
                status=rng.choice(PlanStatus.values),
            )
