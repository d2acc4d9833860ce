"""The demo world that `manage.py seed_demo` builds: two workspaces a newcomer can log in to."""

from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User, Workspace
from accounts.services import create_workspace
from assessments.models import Assessment, ReportOptions
from assessments.summaries import refresh
from bank.services import load_default_bank
from clients.models import Client
from devtools.demo_crm import seed_demo_crm_import
from devtools.demo_funnel import seed_demo_funnel
from devtools.demo_story import seed_demo_assessments
from devtools.demo_workshop import seed_demo_workshop
from devtools.demo_world import (
    DEMO_PASSWORD,
    DEMO_WORKSPACES,
    METHODOLOGY_ADMIN,
    DemoPerson,
    DemoWorkspace,
)

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
    ).first() or create_workspace(name=spec.name, owner=owner, kind=spec.kind)
    if workspace.kind != spec.kind:  # a demo seeded by an older release
        workspace.kind = spec.kind
        workspace.save(update_fields=["kind"])
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


# The consultant's own words on one demo report: Brightline's latest closed quarter.
NARRATIVE_CLIENT = "Brightline Logistics"
EXECUTIVE_NOTE = (
    "This quarter the lead definition finally held: sales accepted most of what marketing "
    "passed on, and the pipeline grew for the first time in a year.\n\n"
    "The baton now drops earlier, between demand and leads. Campaigns reach people who never "
    "become leads. The next quarter's work is the follow-up sequence and a scoring model both "
    "teams trust."
)
PROCESS_NOTE = (
    "The written stage criteria are in the CRM and used. What is missing is the review: nobody "
    "looks at why leads are turned back, so the same ones return."
)


def _consultants_narrative() -> None:
    """An executive note and a dimension note on one report, as a consultant writes them."""
    latest_closed = (
        Assessment.objects.filter(client__name=NARRATIVE_CLIENT, status=Assessment.Status.CLOSED)
        .order_by("-year", "-quarter")
        .first()
    )
    if latest_closed is not None:
        ReportOptions.objects.update_or_create(
            assessment=latest_closed,
            defaults={"executive_note": EXECUTIVE_NOTE, "note_process": PROCESS_NOTE},
        )
        _validated_follow_up(latest_closed)


# The respondents place their follow-up at the managed stage; the quarter's figures say 8 days.
VALIDATED_QUESTION = "people.lead_follow_up_speed"
VALIDATED_FOLLOW_UP = {
    "level": 2,
    "reason": "The CRM shows sales took a median of 8 days to accept an MQL this quarter; the "
    "48-hour promise of the agreement held only in the quarter it was signed.",
    "by": "Nadia Okafor",
    "on": "",  # the demo's day, set when seeded
}


def _validated_follow_up(assessment: Assessment) -> None:
    """The consultant's validated level on the demo's contradiction (kept if already there)."""
    if VALIDATED_QUESTION not in (assessment.validated_levels or {}):
        day = (assessment.closed_at or timezone.now()).date()
        entry = {**VALIDATED_FOLLOW_UP, "on": day.isoformat()}
        assessment.validated_levels = {**assessment.validated_levels, VALIDATED_QUESTION: entry}
        assessment.save(update_fields=["validated_levels", "updated_at"])


@transaction.atomic
def seed_demo(*, today: date | None = None) -> list[Workspace]:
    """Create or refresh the demo workspaces, and give their clients a year of assessments
    (the four quarters before `today`, closed, and the current one, open). Running it again
    changes nothing."""
    load_default_bank()
    _methodology_admin()
    workspaces = [_workspace(spec) for spec in DEMO_WORKSPACES]
    today = today or timezone.localdate()
    seed_demo_assessments(today=today)
    seed_demo_funnel(today=today)
    seed_demo_crm_import(today=today)  # over the typed-in figures, as a consultant would
    _consultants_narrative()
    seed_demo_workshop()
    # The seeding writes answers and submissions in bulk: their snapshots in one go.
    refresh(
        Assessment.objects.filter(client__workspace__in=workspaces).select_related("bank_version")
    )
    return workspaces
