import pytest

from accounts.models import Membership, Role
from accounts.services import (
    MembershipError,
    accept_invitation,
    change_role,
    remove_member,
    sign_up,
)
from tests.factories import add_member, make_invitation, make_user, make_workspace

pytestmark = pytest.mark.django_db


def test_sign_up_makes_the_user_owner_of_a_new_workspace():
    user = sign_up(email="a@example.com", name="A", password="pw-12345678", workspace_name="A Co")
    membership = user.memberships.get()
    assert (membership.workspace.name, membership.role) == ("A Co", Role.OWNER)


def test_a_workspace_always_keeps_an_owner():
    workspace = make_workspace()
    owner = workspace.memberships.get()
    with pytest.raises(MembershipError):
        change_role(membership=owner, role=Role.VIEWER)
    with pytest.raises(MembershipError):
        remove_member(membership=owner)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_non_owners_can_be_removed_freely():
    workspace = make_workspace()
    member = add_member(workspace, role=Role.CONSULTANT)
    remove_member(membership=member)
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_an_invitation_is_accepted_once():
    workspace = make_workspace()
    invitation, _ = make_invitation(workspace, email="x@example.com", role=Role.VIEWER)
    user = make_user(email="x@example.com")
    accept_invitation(invitation=invitation, user=user)
    with pytest.raises(MembershipError, match="already been used"):
        accept_invitation(invitation=invitation, user=user)
    assert user.memberships.get().role == Role.VIEWER


def test_an_invitation_never_downgrades_an_existing_member():
    workspace = make_workspace()
    member = add_member(workspace, role=Role.CONSULTANT, user=make_user(email="m@example.com"))
    invitation, _ = make_invitation(workspace, email="m@example.com", role=Role.VIEWER)
    accept_invitation(invitation=invitation, user=member.user)
    member.refresh_from_db()
    assert member.role == Role.CONSULTANT
