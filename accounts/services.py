"""Workflows that write several account models at once, each in one transaction."""

from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Invitation,
    Membership,
    Role,
    User,
    Workspace,
    WorkspaceKind,
    new_workspace_slug,
    normalize_email,
)


class MembershipError(Exception):
    """A membership change that would break a rule of the workspace; the message says which."""


@transaction.atomic
def create_workspace(*, name: str, owner: User, kind: str = WorkspaceKind.CONSULTANCY) -> Workspace:
    workspace = Workspace.objects.create(name=name, slug=new_workspace_slug(name), kind=kind)
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    return workspace


@transaction.atomic
def sign_up(
    *,
    email: str,
    name: str,
    password: str,
    workspace_name: str,
    workspace_kind: str = WorkspaceKind.CONSULTANCY,
) -> User:
    """Create an account and the workspace its owner starts in."""
    user = User.objects.create_user(email=email, password=password, name=name)
    create_workspace(name=workspace_name, owner=user, kind=workspace_kind)
    return user


@transaction.atomic
def invite_member(
    *, workspace: Workspace, email: str, role: str, invited_by: User
) -> tuple[Invitation, str]:
    """Invite an email address, or refresh its pending invitation.

    Returns the invitation and its token: only the token's hash is stored, so this is the one
    moment the link can be built.
    """
    email = normalize_email(email)
    invitation = (
        Invitation.objects.pending()
        .select_for_update()
        .filter(workspace=workspace, email=email)
        .first()
    ) or Invitation(workspace=workspace, email=email)
    invitation.role = role
    invitation.invited_by = invited_by
    token = invitation.issue_token()
    invitation.save()
    return invitation, token


@transaction.atomic
def renew_invitation(*, invitation: Invitation) -> str:
    """Issue a new link (the old one stops working) with a fresh expiry; return the token."""
    token = invitation.issue_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    return token


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    # Lock the row so a double click (or two tabs) accepts once.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise MembershipError("This invitation has already been used.")
    if invitation.is_expired:
        raise MembershipError("This invitation has expired. Ask the workspace owner for a new one.")
    if user.email != invitation.email:
        raise MembershipError(f"This invitation is for {invitation.email}, not {user.email}.")
    membership, _ = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def sign_up_by_invitation(*, invitation: Invitation, name: str, password: str) -> User:
    """Create the invited person's account and let them in, without a workspace of their own."""
    user = User.objects.create_user(email=invitation.email, password=password, name=name)
    accept_invitation(invitation=invitation, user=user)
    return user


def _lock_owners(workspace: Workspace) -> list[Membership]:
    # Locking every owner row serializes concurrent demotions, so two owners demoting each
    # other at the same moment cannot leave the workspace without an owner.
    return list(Membership.objects.select_for_update().filter(workspace=workspace, role=Role.OWNER))


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    owners = _lock_owners(membership.workspace)
    if membership.role == Role.OWNER and role != Role.OWNER and len(owners) == 1:
        raise MembershipError(
            "A workspace needs at least one owner: make someone else an owner first."
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    owners = _lock_owners(membership.workspace)
    if membership.role == Role.OWNER and len(owners) == 1:
        raise MembershipError(
            "A workspace needs at least one owner: make someone else an owner first."
        )
    membership.delete()
