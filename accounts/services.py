"""Workflows that write several account models at once, each in one transaction."""

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import (
    Invitation,
    Membership,
    Role,
    SignupRequest,
    User,
    Workspace,
    WorkspaceKind,
    hash_token,
    new_workspace_slug,
    normalize_email,
)


class MembershipError(Exception):
    """A membership change that would break a rule of the workspace; the message says which."""


class SignupError(Exception):
    """A sign-up that can no longer be confirmed; the message says why."""


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


def request_sign_up(
    *,
    email: str,
    name: str,
    password: str,
    workspace_name: str,
    workspace_kind: str = WorkspaceKind.CONSULTANCY,
) -> str | None:
    """Keep a sign-up until its owner confirms the email; return the link's token.

    None when the address already has an account: there is nothing to confirm, and the
    caller tells the address's owner instead. The password is hashed either way, so the two
    answers also take the same time.
    """
    email = normalize_email(email)
    hashed = make_password(password)
    forget_expired_sign_ups()  # keeps the table to the sign-ups still waiting
    if User.objects.filter(email=email).exists():
        return None
    signup = SignupRequest(
        email=email,
        name=name,
        password=hashed,
        workspace_name=workspace_name,
        workspace_kind=workspace_kind,
    )
    token = signup.issue_token()
    signup.save()
    return token


def find_sign_up(token: str) -> SignupRequest | None:
    """The unexpired sign-up a confirmation link stands for."""
    signup = SignupRequest.objects.filter(token_hash=hash_token(token)).first()
    return None if signup is None or signup.is_expired else signup


@transaction.atomic
def confirm_sign_up(signup: SignupRequest) -> User:
    """Create the account and its workspace from a confirmed sign-up.

    The address's other sign-ups go with it: whoever reads the mailbox chose this one.
    """
    user = User(email=signup.email, name=signup.name, password=signup.password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # an account came another way meanwhile, or the link ran twice at once
        raise SignupError(
            "This email already has an account: log in, or reset its password."
        ) from None
    create_workspace(name=signup.workspace_name, owner=user, kind=signup.workspace_kind)
    SignupRequest.objects.filter(email=signup.email).delete()
    return user


def forget_expired_sign_ups() -> int:
    """Delete the sign-ups nobody confirmed in time; return how many."""
    deleted, _ = SignupRequest.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


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
