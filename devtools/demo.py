"""The demo world that `manage.py seed_demo` builds: two workspaces a newcomer can log in to."""

from datetime import date

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User, Workspace
from accounts.services import create_workspace
from assessments.models import Assessment
from assessments.summaries import refresh
from bank.services import load_default_bank
from clients.models import Client
from devtools.demo_funnel import seed_demo_funnel
from devtools.demo_story import seed_demo_assessments
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
    # The seeding writes answers and submissions in bulk: their snapshots in one go.
    refresh(
        Assessment.objects.filter(client__workspace__in=workspaces).select_related("bank_version")
    )
    return workspaces
