import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from accounts.models import Membership, Role, User, Workspace
from assessments.models import Answer, Assessment, Respondent
from bank.models import BankVersion
from clients.models import Client
from devtools.demo_world import DEMO_PASSWORD
from devtools.scale import SCALE_WORKSPACE

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


def test_scale_builds_clients_with_eight_quarters_of_five_submitted_respondents(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "3")

    workspace = Workspace.objects.get(name=SCALE_WORKSPACE)
    questions = BankVersion.objects.current().questions.count()
    assessments = Assessment.objects.filter(client__workspace=workspace)
    assert workspace.clients.count() == 3
    assert assessments.count() == 3 * 8
    assert assessments.filter(status="open").count() == 3  # each client's current quarter
    respondents = Respondent.objects.filter(assessment__in=assessments)
    assert respondents.count() == 3 * 8 * 5
    assert respondents.filter(submitted_at__isnull=True).count() == 0
    assert Answer.objects.filter(respondent__in=respondents).count() == 3 * 8 * 5 * questions
    # The results snapshots are computed, so the dashboard reads them at once.
    assert not assessments.filter(results_stale=True).exists()
    assert not assessments.filter(overall_index__isnull=True).exists()
    assert "Built Scale Test Consulting: 3 clients, 24 assessments" in capsys.readouterr().out


def test_scale_again_replaces_the_scale_clients_and_leaves_the_rest(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    demo = _state()
    call_command("seed_demo", "--scale", "4")
    call_command("seed_demo", "--scale", "2")
    workspace = Workspace.objects.get(name=SCALE_WORKSPACE)
    assert workspace.clients.count() == 2
    assert Assessment.objects.filter(client__workspace=workspace).count() == 16
    assert Client.objects.exclude(workspace=workspace).count() == len(demo[3])


def test_scale_data_is_the_same_every_time(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "2")
    first = sorted(Answer.objects.values_list("question__key", "choice", "comment"))
    call_command("seed_demo", "--scale", "2")
    assert sorted(Answer.objects.values_list("question__key", "choice", "comment")) == first


@pytest.mark.parametrize("clients", ["0", "5001"])
def test_scale_refuses_a_number_out_of_range(settings, clients):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="from 1 to 5000"):
        call_command("seed_demo", "--scale", clients)


def test_one_demo_report_carries_the_consultants_narrative(db):
    from datetime import date

    from assessments.models import ReportOptions
    from devtools.demo import seed_demo

    seed_demo(today=date(2026, 11, 22))
    seed_demo(today=date(2026, 11, 22))  # again: still one, unchanged
    [options] = ReportOptions.objects.exclude(executive_note="")
    assert options.assessment.client.name == "Brightline Logistics"
    assert options.assessment.status == "closed" and options.note_process
