import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from tests.factories import make_client, make_invitation, make_user, make_workspace


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    workspace = make_workspace()
    make_client(workspace)
    make_invitation(workspace)
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_each_model_has_a_working_admin_list_search_and_form(staff_client, model):
    info = (model._meta.app_label, model._meta.model_name)
    changelist = reverse("admin:{}_{}_changelist".format(*info))
    assert staff_client.get(changelist).status_code == 200
    assert staff_client.get(changelist, {"q": "example"}).status_code == 200
    first = model._default_manager.first()
    if first is not None:
        change = reverse("admin:{}_{}_change".format(*info), args=[first.pk])
        assert staff_client.get(change).status_code == 200


def test_staff_create_a_user_in_the_admin(staff_client):
    staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New@Example.com",
            "name": "New Person",
            "usable_password": "true",
            "password1": "a-long-admin-pass",
            "password2": "a-long-admin-pass",
            "memberships-TOTAL_FORMS": "0",  # the memberships inline's management form
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert User.objects.get(email="new@example.com").check_password("a-long-admin-pass")


def test_the_admin_is_for_staff_only(client, db):
    client.force_login(make_user())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
