import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from accounts.models import Membership, Role, User, Workspace
from assessments.demo import DEMO_PASSWORD
from assessments.models import Client

pytestmark = pytest.mark.django_db


def _state():
    return (
        sorted(User.objects.values_list("email", flat=True)),
        sorted(Workspace.objects.values_list("name", "slug")),
        sorted(Membership.objects.values_list("workspace__name", "user__email", "role")),
        sorted(Client.objects.values_list("workspace__name", "name", "industry")),
    )


def test_it_builds_the_two_demo_workspaces(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")

    northwind = Workspace.objects.get(name="Northwind Advisory")
    acme = Workspace.objects.get(name="Acme Analytics")
    assert northwind.memberships.get(role=Role.OWNER).user.email == "consultant@example.com"
    assert acme.memberships.get(role=Role.OWNER).user.email == "leader@example.com"
    assert northwind.clients.count() == 3
    assert list(acme.clients.values_list("name", flat=True)) == ["Acme Analytics"]
    printed = capsys.readouterr().out
    assert "consultant@example.com" in printed and "leader@example.com" in printed
    assert DEMO_PASSWORD in printed


def test_running_it_again_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = _state()
    call_command("seed_demo")
    assert _state() == first


def test_the_demo_logins_work(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    for email in ("consultant@example.com", "leader@example.com"):
        # django-axes checks every login against its lockouts, and needs the request for that.
        assert client.login(request=HttpRequest(), username=email, password=DEMO_PASSWORD), email


def test_it_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert User.objects.count() == 0


def test_the_methodology_admin_edits_the_bank_and_nothing_else(settings, client):
    settings.DEBUG = True
    call_command("load_default_bank")
    call_command("seed_demo")
    assert client.login(request=HttpRequest(), username="admin@example.com", password=DEMO_PASSWORD)
    assert client.get("/admin/bank/question/").status_code == 200
    assert client.get("/admin/bank/bankversion/").status_code == 200
    assert client.get("/admin/accounts/workspace/").status_code == 403
