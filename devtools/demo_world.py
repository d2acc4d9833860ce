"""Who is in the demo: its two workspaces, their people and their clients. Plain data, read by
the seeding (devtools.demo) and the stories of each client's quarters (devtools.demo_story)."""

from dataclasses import dataclass

from accounts.models import Role, WorkspaceKind
from clients.models import CompanySize

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
    clients: tuple[DemoClient, ...]  # a company's are its own business units
    kind: str = WorkspaceKind.CONSULTANCY


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
    kind=WorkspaceKind.COMPANY,
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
