"""Plain functions that build test data; each returns what it made."""

import itertools

from accounts.models import Invitation, Membership, Role, User, Workspace
from accounts.services import create_workspace, invite_member
from assessments.models import Client

PASSWORD = "a-long-test-password"
_sequence = itertools.count(1)


def make_user(*, email: str | None = None, name: str | None = None, **fields) -> User:
    number = next(_sequence)
    return User.objects.create_user(
        email=email or f"person{number}@example.com",
        name=name or f"Person {number}",
        password=PASSWORD,
        **fields,
    )


def make_workspace(*, owner: User | None = None, name: str | None = None) -> Workspace:
    return create_workspace(name=name or f"Workspace {next(_sequence)}", owner=owner or make_user())


def add_member(workspace: Workspace, *, role: Role, user: User | None = None) -> Membership:
    return Membership.objects.create(workspace=workspace, user=user or make_user(), role=role)


def make_client(workspace: Workspace, *, name: str | None = None, **fields) -> Client:
    return Client.objects.create(
        workspace=workspace, name=name or f"Client {next(_sequence)}", **fields
    )


def make_invitation(
    workspace: Workspace, *, email: str | None = None, role: Role = Role.CONSULTANT
) -> tuple[Invitation, str]:
    owner = workspace.memberships.filter(role=Role.OWNER).first().user
    return invite_member(
        workspace=workspace,
        email=email or f"invitee{next(_sequence)}@example.com",
        role=role,
        invited_by=owner,
    )
