import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User, hash_token
from tests.factories import PASSWORD, add_member, make_invitation, make_user


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _link_token(text: str) -> str:
    return re.search(r"/invitations/([\w-]+)/", text).group(1)


# ---- Inviting ------------------------------------------------------------------------------


def test_an_owner_invites_by_email_and_sees_the_link_once(client, owner, workspace):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:member_invite", args=[workspace.slug]),
        {"email": "New.Person@Example.com", "role": "viewer"},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("new.person@example.com", Role.VIEWER)

    [email] = mail.outbox
    assert email.to == ["new.person@example.com"]
    assert "Northwind" in email.subject
    token = _link_token(email.body)
    assert invitation.token_hash == hash_token(token)  # only the digest is stored
    assert token not in str(list(Invitation.objects.values()))
    assert any(token in message for message in _messages(response))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not an email", "role": "viewer"}, "email"),
        ({"email": "x@example.com", "role": "admin"}, "role"),
        ({"email": "", "role": "viewer"}, "email"),
    ],
)
def test_a_bad_invitation_is_refused_and_nothing_is_sent(client, owner, workspace, data, field):
    client.force_login(owner)
    response = client.post(reverse("accounts:member_invite", args=[workspace.slug]), data)
    assert field in response.context["invite_form"].errors
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_inviting_an_existing_member_is_refused(client, owner, workspace, consultant):
    client.force_login(owner)
    response = client.post(
        reverse("accounts:member_invite", args=[workspace.slug]),
        {"email": consultant.email.upper(), "role": "owner"},
    )
    assert "already a member" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_inviting_the_same_email_again_replaces_the_old_link(client, owner, workspace):
    first, old_token = make_invitation(workspace, email="twice@example.com")
    client.force_login(owner)
    client.post(
        reverse("accounts:member_invite", args=[workspace.slug]),
        {"email": "twice@example.com", "role": "owner"},
    )
    invitation = Invitation.objects.get()
    assert invitation.pk == first.pk and invitation.role == Role.OWNER
    assert client.get(reverse("accounts:invitation", args=[old_token])).status_code == 404


def test_a_new_link_replaces_the_old_one_and_is_emailed(client, owner, workspace):
    invitation, old_token = make_invitation(workspace)
    client.force_login(owner)
    client.post(reverse("accounts:invitation_renew", args=[workspace.slug, invitation.pk]))
    new_token = _link_token(mail.outbox[-1].body)
    assert new_token != old_token
    client.logout()
    assert client.get(reverse("accounts:invitation", args=[old_token])).status_code == 404
    assert client.get(reverse("accounts:invitation", args=[new_token])).status_code == 200


def test_a_revoked_invitation_stops_working(client, owner, workspace):
    invitation, token = make_invitation(workspace)
    client.force_login(owner)
    client.post(reverse("accounts:invitation_revoke", args=[workspace.slug, invitation.pk]))
    assert not Invitation.objects.exists()
    response = client.get(reverse("accounts:invitation", args=[token]))
    assert response.status_code == 404
    assert "doesn’t work" in response.content.decode()


def test_owners_see_pending_invitations_and_others_do_not(client, owner, viewer, workspace):
    make_invitation(workspace, email="waiting@example.com")
    client.force_login(owner)
    assert (
        "waiting@example.com"
        in client.get(reverse("accounts:member_list", args=[workspace.slug])).content.decode()
    )
    client.force_login(viewer)
    html = client.get(reverse("accounts:member_list", args=[workspace.slug])).content.decode()
    assert "waiting@example.com" not in html
    assert "Invite someone" not in html
    assert "Olivia Owner" in html


def test_the_member_list_takes_few_queries_however_many_members(
    client, owner, workspace, django_assert_max_num_queries
):
    for _ in range(30):
        add_member(workspace, role=Role.VIEWER)
        make_invitation(workspace)
    client.force_login(owner)
    # 30 members and 30 invitations: one query per row would blow far past this.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:member_list", args=[workspace.slug]))
    assert response.content.decode().count("Remove</button>") == 30


# ---- Accepting -----------------------------------------------------------------------------


def test_the_invited_person_logged_in_joins_with_the_invited_role(client, workspace):
    invited = make_user(email="joiner@example.com")
    _, token = make_invitation(workspace, email="joiner@example.com", role=Role.VIEWER)
    client.force_login(invited)
    assert (
        "Join Northwind"
        in client.get(reverse("accounts:invitation", args=[token])).content.decode()
    )

    response = client.post(reverse("accounts:invitation_accept", args=[token]))
    assert response["Location"] == workspace.get_absolute_url()
    assert Membership.objects.get(user=invited, workspace=workspace).role == Role.VIEWER
    assert Invitation.objects.get().accepted_by == invited


def test_accepting_twice_makes_one_membership(client, workspace):
    invited = make_user(email="joiner@example.com")
    _, token = make_invitation(workspace, email="joiner@example.com")
    client.force_login(invited)
    client.post(reverse("accounts:invitation_accept", args=[token]))
    client.post(reverse("accounts:invitation_accept", args=[token]))
    assert Membership.objects.filter(user=invited).count() == 1
    assert client.get(reverse("accounts:invitation", args=[token])).status_code == 410


def test_someone_else_cannot_use_the_link(client, workspace, outsider):
    _, token = make_invitation(workspace, email="intended@example.com")
    client.force_login(outsider)
    page = client.get(reverse("accounts:invitation", args=[token])).content.decode()
    assert "This invitation is for intended@example.com" in page
    client.post(reverse("accounts:invitation_accept", args=[token]))
    assert not Membership.objects.filter(user=outsider, workspace=workspace).exists()


def test_an_expired_invitation_gets_a_friendly_page(client, workspace):
    invitation, token = make_invitation(workspace, email="late@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    response = client.get(reverse("accounts:invitation", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    late = make_user(email="late@example.com")
    client.force_login(late)
    client.post(reverse("accounts:invitation_accept", args=[token]))
    assert not Membership.objects.filter(user=late).exists()


def test_an_unknown_link_gets_a_friendly_page(client, db):
    response = client.get(reverse("accounts:invitation", args=["made-up-token"]))
    assert response.status_code == 404
    assert "doesn’t work" in response.content.decode()


def test_a_newcomer_creates_an_account_from_the_invitation(client, workspace):
    _, token = make_invitation(workspace, email="newbie@example.com", role=Role.CONSULTANT)
    page = client.get(reverse("accounts:invitation", args=[token])).content.decode()
    assert "Create account and join" in page

    response = client.post(
        reverse("accounts:invitation_signup", args=[token]),
        {"name": "New Bie", "password1": "a-good-long-one", "password2": "a-good-long-one"},
        follow=True,
    )
    user = User.objects.get(email="newbie@example.com")
    assert response.context["user"] == user
    assert [m.workspace for m in user.memberships.all()] == [workspace]  # no workspace of their own
    assert user.memberships.get().role == Role.CONSULTANT


def test_a_bad_password_on_the_invitation_sign_up_creates_nothing(client, workspace):
    _, token = make_invitation(workspace, email="newbie@example.com")
    response = client.post(
        reverse("accounts:invitation_signup", args=[token]),
        {"name": "New Bie", "password1": "newbie", "password2": "newbie"},
    )
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_someone_with_an_account_is_asked_to_log_in(client, workspace):
    make_user(email="known@example.com")
    _, token = make_invitation(workspace, email="known@example.com")
    page = client.get(reverse("accounts:invitation", args=[token])).content.decode()
    assert "Log in to accept" in page
    response = client.post(
        reverse("accounts:invitation_signup", args=[token]),
        {"name": "Sneaky", "password1": "a-good-long-one", "password2": "a-good-long-one"},
    )
    assert User.objects.get(email="known@example.com").check_password(PASSWORD)
    assert "Log in to accept" in response.content.decode()


# ---- Roles and removal ---------------------------------------------------------------------


def test_an_owner_changes_a_members_role(client, owner, workspace, consultant):
    membership = consultant.memberships.get()
    client.force_login(owner)
    client.post(
        reverse("accounts:member_change_role", args=[workspace.slug, membership.pk]),
        {"role": "viewer"},
    )
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_an_unknown_role_changes_nothing(client, owner, workspace, consultant):
    membership = consultant.memberships.get()
    client.force_login(owner)
    response = client.post(
        reverse("accounts:member_change_role", args=[workspace.slug, membership.pk]),
        {"role": "emperor"},
    )
    membership.refresh_from_db()
    assert membership.role == Role.CONSULTANT
    assert "Choose one of the listed roles." in _messages(response)


def test_the_last_owner_cannot_step_down_or_leave(client, owner, workspace):
    membership = owner.memberships.get()
    client.force_login(owner)
    client.post(
        reverse("accounts:member_change_role", args=[workspace.slug, membership.pk]),
        {"role": "viewer"},
    )
    response = client.post(reverse("accounts:member_remove", args=[workspace.slug, membership.pk]))
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    assert any("at least one owner" in message for message in _messages(response))


def test_an_owner_can_step_down_once_there_is_another_owner(client, owner, workspace, consultant):
    consultant.memberships.update(role=Role.OWNER)
    client.force_login(owner)
    mine = owner.memberships.get()
    client.post(
        reverse("accounts:member_change_role", args=[workspace.slug, mine.pk]), {"role": "viewer"}
    )
    mine.refresh_from_db()
    assert mine.role == Role.VIEWER


def test_a_removed_member_loses_access(client, owner, workspace, consultant):
    client.force_login(owner)
    client.post(
        reverse("accounts:member_remove", args=[workspace.slug, consultant.memberships.get().pk])
    )
    client.force_login(consultant)
    assert client.get(workspace.get_absolute_url()).status_code == 404
