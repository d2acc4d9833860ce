"""Invariants the database itself enforces, whatever code writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Invitation, Membership, Role, User
from clients.models import Client
from tests.factories import make_client, make_invitation, make_user, make_workspace

pytestmark = pytest.mark.django_db


def _refused(write) -> bool:
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_users_are_stored_with_lower_case_emails():
    user = User.objects.create_user(email=" Mixed.Case@Example.COM ", name="M", password="x")
    assert user.email == "mixed.case@example.com"
    assert _refused(lambda: User.objects.filter(pk=user.pk).update(email="Mixed@Example.com"))


def test_one_account_per_email():
    make_user(email="one@example.com")
    assert _refused(lambda: make_user(email="ONE@example.com"))


def test_one_membership_per_user_and_workspace():
    workspace = make_workspace()
    owner = workspace.memberships.get().user
    assert _refused(lambda: Membership.objects.create(workspace=workspace, user=owner))


def test_a_membership_role_must_be_known():
    workspace = make_workspace()
    assert _refused(lambda: workspace.memberships.update(role="emperor"))


def test_one_pending_invitation_per_email_and_workspace():
    workspace = make_workspace()
    invitation, _ = make_invitation(workspace, email="twice@example.com")
    duplicate = Invitation(
        workspace=workspace, email="twice@example.com", expires_at=invitation.expires_at
    )
    duplicate.issue_token()
    assert _refused(duplicate.save)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=invitation.created_at)
    duplicate.save()  # an accepted invitation no longer blocks a new one


def test_client_names_are_unique_per_workspace_ignoring_case():
    workspace = make_workspace()
    make_client(workspace, name="Acme")
    assert _refused(lambda: make_client(workspace, name="ACME"))
    make_client(make_workspace(), name="Acme")  # another workspace may use it


def test_a_client_company_size_must_be_known():
    client = make_client(make_workspace())
    assert _refused(lambda: Client.objects.filter(pk=client.pk).update(company_size="huge"))


def test_workspace_slugs_are_unique_and_unrevealing():
    first = make_workspace(name="Same Name")
    second = make_workspace(name="Same Name")
    assert first.slug != second.slug
    assert first.slug.startswith("same-name-") and second.slug.startswith("same-name-")


def test_roles_decide_who_changes_what():
    workspace = make_workspace()
    owner = workspace.memberships.get()
    viewer = Membership(workspace=workspace, role=Role.VIEWER)
    consultant = Membership(workspace=workspace, role=Role.CONSULTANT)
    assert owner.is_owner and owner.can_change
    assert consultant.can_change and not consultant.is_owner
    assert not viewer.can_change and not viewer.is_owner
