"""The demo world that `manage.py seed_demo` builds: two workspaces a newcomer can log in to."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User, Workspace
from accounts.services import create_workspace
from assessments.demo_funnel import seed_demo_funnel
from assessments.demo_story import seed_demo_assessments
from assessments.models import Assessment, Client, CompanySize
from assessments.summaries import refresh_stale
from bank.services import load_default_bank

DEMO_PASSWORD = "relay-demo"  # noqa: S105 - printed for the newcomer; seed_demo refuses in production


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role


@dataclass(frozen=True)
class DemoClient:
    name: str
    industry: str
    company_size: CompanySize
    notes: str


@dataclass(frozen=True)
class DemoWorkspace:
    name: str
    description: str
    people: tuple[DemoPerson, ...]  # the first is the owner who creates it
    clients: tuple[DemoClient, ...]


NORTHWIND = DemoWorkspace(
    name="Northwind Advisory",
    description="a consultancy assessing its clients",
    people=(
        DemoPerson("consultant@example.com", "Nadia Okafor", Role.OWNER),
        DemoPerson("sam.reyes@example.com", "Sam Reyes", Role.CONSULTANT),
        DemoPerson("viewer@example.com", "Priya Shah", Role.VIEWER),
    ),
    clients=(
        DemoClient(
            "Brightline Logistics",
            "Logistics",
            CompanySize.MIDSIZE,
            "Freight-visibility platform selling to shippers and 3PLs. The CRO asked for the "
            "assessment after two quarters of missed pipeline targets; marketing reports record "
            "lead volume while sales says the leads are not ready.",
        ),
        DemoClient(
            "Cobalt Health Systems",
            "Healthcare technology",
            CompanySize.MEDIUM,
            "Clinical scheduling software for hospital groups. Long buying cycles with committees "
            "of six to ten people; a new VP Marketing started this year and wants a baseline.",
        ),
        DemoClient(
            "Meridian Industrial Controls",
            "Industrial manufacturing",
            CompanySize.LARGE,
            "Control systems for process plants, sold through a direct team and distributors. "
            "Strong field sales culture; marketing is mostly events and product literature.",
        ),
    ),
)

ACME = DemoWorkspace(
    name="Acme Analytics",
    description="a company assessing itself",
    people=(DemoPerson("leader@example.com", "Leo Martins", Role.OWNER),),
    clients=(
        DemoClient(
            "Acme Analytics",
            "Software (SaaS)",
            CompanySize.MEDIUM,
            "Our own self-assessment: the leadership team (CEO, CMO, VP Sales, Head of Customer "
            "Success) answers each quarter to track the marketing-to-sales handoffs.",
        ),
    ),
)

DEMO_WORKSPACES = (NORTHWIND, ACME)

METHODOLOGY_ADMIN = DemoPerson("admin@example.com", "Morgan Methodology", Role.OWNER)
METHODOLOGY_GROUP = "Methodology admins"


def _person(person: DemoPerson) -> User:
    user, _ = User.objects.get_or_create(email=person.email, defaults={"name": person.name})
    user.name = person.name
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _workspace(spec: DemoWorkspace) -> Workspace:
    owner = _person(spec.people[0])
    workspace = Workspace.objects.filter(
        name=spec.name, memberships__user=owner, memberships__role=Role.OWNER
    ).first() or create_workspace(name=spec.name, owner=owner)
    for person in spec.people[1:]:
        Membership.objects.update_or_create(
            workspace=workspace, user=_person(person), defaults={"role": person.role}
        )
    for client in spec.clients:
        Client.objects.update_or_create(
            workspace=workspace,
            name=client.name,
            defaults={
                "industry": client.industry,
                "company_size": client.company_size,
                "notes": client.notes,
                "archived_at": None,
            },
        )
    return workspace


def _methodology_admin() -> User:
    """A staff user who may edit the question bank in the admin, and nothing else there."""
    group, _ = Group.objects.get_or_create(name=METHODOLOGY_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="bank"))
    user = _person(METHODOLOGY_ADMIN)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(group)
    return user


@transaction.atomic
def seed_demo(*, today: date | None = None) -> list[Workspace]:
    """Create or refresh the demo workspaces, and give their clients a year of assessments
    (the four quarters before `today`, closed, and the current one, open). Running it again
    changes nothing."""
    load_default_bank()
    _methodology_admin()
    workspaces = [_workspace(spec) for spec in DEMO_WORKSPACES]
    seed_demo_assessments(today=today or timezone.localdate())
    seed_demo_funnel(today=today or timezone.localdate())
    refresh_stale(Assessment.objects.filter(client__workspace__in=workspaces))
    return workspaces
