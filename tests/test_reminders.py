"""Deadlines, reminders and response tracking: who is reminded, when, and what is recorded."""

import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django_tasks import default_task_backend

from assessments import reminders, services
from assessments.models import LinkEmail, RespondentLink
from assessments.tasks import send_scheduled_reminders
from tests.factories import answer_all, make_assessment, make_respondent

UTC = ZoneInfo("UTC")
# The deadline of the assessments below, and the clock the tests start from.
DEADLINE = date(2026, 12, 11)
MONDAY_MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def assessment(gtm_client, consultant, clock):
    return make_assessment(gtm_client, status="open", deadline=DEADLINE, created_by=consultant)


@pytest.fixture
def waiting(assessment):
    """Three respondents: two who have not submitted, one who has."""
    ana = make_respondent(assessment, name="Ana Amber")
    ben = make_respondent(assessment, name="Ben Birch")
    done = make_respondent(assessment, name="Dee Done")
    answer_all(done, submit=True)
    mail.outbox.clear()
    return ana, ben, done


def _url(name, assessment, *args):
    return reverse(
        f"assessments:{name}", args=[assessment.client.workspace.slug, assessment.pk, *args]
    )


def _submit(respondent) -> None:
    answer_all(respondent)
    services.submit(respondent=respondent)


def _recipients() -> list[str]:
    return sorted(address for email in mail.outbox for address in email.to)


def _link_in(body: str) -> str:
    return re.search(r"http://\S+/r/[\w-]+/", body).group(0)


# ---- Reminding by hand ----------------------------------------------------------------------


def test_remind_everyone_twice_in_a_row_sends_one_email_per_person(
    client, consultant, assessment, waiting
):
    ana, ben, _ = waiting
    client.force_login(consultant)
    client.post(_url("assessment_remind_all", assessment))
    client.post(_url("assessment_remind_all", assessment))
    assert _recipients() == sorted([ana.email, ben.email])
    assert LinkEmail.objects.filter(kind="reminder").count() == 2
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Reminder to Ana Amber" in page and "by Cara Consultant" in page  # recorded, shown


def test_a_reminder_carries_a_new_link_and_the_old_one_keeps_working(
    client, consultant, assessment, waiting
):
    ana, _, _ = waiting
    old = ana.issue_link()
    client.force_login(consultant)
    client.post(_url("respondent_remind", assessment, ana.pk))
    [email] = mail.outbox
    new = _link_in(email.body)
    client.logout()
    assert client.get(f"/r/{old}/").status_code in (200, 302)
    assert client.get(new.removeprefix("http://testserver")).status_code in (200, 302)
    assert ana.links.live().count() == 2
    assert "answers are due by Friday 11 December" in email.body


def test_no_reminder_to_someone_who_has_submitted_or_has_no_email(
    client, consultant, assessment, waiting
):
    _, _, done = waiting
    silent = make_respondent(assessment, name="Sol Silent", email="")
    client.force_login(consultant)
    response = client.post(_url("respondent_remind", assessment, done.pk), follow=True)
    assert "Dee Done has already submitted." in response.content.decode()
    response = client.post(_url("respondent_remind", assessment, silent.pk), follow=True)
    assert "has no email address" in response.content.decode()
    assert mail.outbox == [] and not LinkEmail.objects.exists()


def test_no_reminder_once_the_assessment_is_closed(client, consultant, assessment, waiting):
    ana, _, _ = waiting
    assessment.close()
    client.force_login(consultant)
    response = client.post(_url("respondent_remind", assessment, ana.pk), follow=True)
    assert "The assessment is closed" in response.content.decode()
    client.post(_url("assessment_remind_all", assessment))
    assert mail.outbox == [] and not LinkEmail.objects.exists()


def test_at_most_one_email_a_day_counting_the_invitation(
    client, consultant, assessment, waiting, clock
):
    ana, _, _ = waiting
    LinkEmail.objects.create(respondent=ana, kind="invitation")
    client.force_login(consultant)
    response = client.post(_url("respondent_remind", assessment, ana.pk), follow=True)
    assert "at most one email a day" in response.content.decode()
    clock.shift(timedelta(hours=23))
    client.post(_url("respondent_remind", assessment, ana.pk))
    assert mail.outbox == []
    clock.shift(timedelta(hours=1, minutes=1))
    client.post(_url("respondent_remind", assessment, ana.pk))
    assert _recipients() == [ana.email]


def test_a_failed_send_records_nothing(assessment, waiting, monkeypatch):
    ana, _, _ = waiting

    def fail(**kwargs):
        raise OSError("the mail server is down")

    monkeypatch.setattr(reminders, "send_respondent_reminder", fail)
    with pytest.raises(OSError):
        reminders.remind(ana, sent_by=None)
    assert not LinkEmail.objects.exists() and not RespondentLink.objects.exists()


def test_a_viewer_cannot_remind(client, viewer, assessment, waiting):
    ana, _, _ = waiting
    client.force_login(viewer)
    assert client.post(_url("respondent_remind", assessment, ana.pk)).status_code == 403
    assert client.post(_url("assessment_remind_all", assessment)).status_code == 403
    assert mail.outbox == []


# ---- The schedule, on a frozen clock ---------------------------------------------------------


def test_the_schedule_sends_three_days_before_and_on_the_day(assessment, waiting, clock):
    ana, ben, _ = waiting
    assert send_scheduled_reminders.call(assessment.pk) == 0  # Monday: nothing due yet

    clock.move_to(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))  # Tuesday 9:00, three days before
    assert send_scheduled_reminders.call(assessment.pk) == 2
    assert send_scheduled_reminders.call(assessment.pk) == 0  # run twice: nothing more
    assert _recipients() == sorted([ana.email, ben.email])
    assert set(LinkEmail.objects.values_list("schedule", flat=True)) == {"three_days_before"}

    answer_all(ben, submit=True)  # Ben submits in between
    mail.outbox.clear()
    clock.move_to(datetime(2026, 12, 11, 9, 30, tzinfo=UTC))  # Friday, the deadline
    assert send_scheduled_reminders.call(assessment.pk) == 1
    assert _recipients() == [ana.email]
    scheduled = LinkEmail.objects.filter(schedule="deadline_day")
    assert [e.respondent for e in scheduled] == [ana] and scheduled.get().sent_by is None


def test_a_reminder_missed_by_more_than_half_a_day_is_not_sent_late(assessment, waiting, clock):
    clock.move_to(datetime(2026, 12, 8, 21, 30, tzinfo=UTC))  # the worker was down all day
    assert send_scheduled_reminders.call(assessment.pk) == 0
    assert mail.outbox == []


def test_the_schedule_sends_nothing_after_closing_or_without_a_deadline(assessment, waiting, clock):
    clock.move_to(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    assessment.close()
    assert send_scheduled_reminders.call(assessment.pk) == 0
    assessment.open()
    assessment.deadline = None
    assessment.save()
    assert send_scheduled_reminders.call(assessment.pk) == 0
    assert mail.outbox == []


def test_a_manual_reminder_the_evening_before_means_none_on_the_schedule(
    assessment, waiting, clock
):
    ana, ben, _ = waiting
    clock.move_to(datetime(2026, 12, 7, 18, 0, tzinfo=UTC))
    reminders.remind(ana, sent_by=None)
    clock.move_to(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    assert send_scheduled_reminders.call(assessment.pk) == 1  # Ben only: Ana had one today
    assert _recipients() == sorted([ana.email, ben.email])


def test_send_reminders_sweeps_every_open_assessment(assessment, waiting, clock, gtm_client):
    other = make_assessment(gtm_client, quarter=4, status="open", deadline=date(2026, 12, 8))
    make_respondent(other, name="Oz Other")
    clock.move_to(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))  # both have a reminder due
    call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 3


def test_setting_a_deadline_queues_the_worker_for_each_reminder_time(
    client, consultant, assessment, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(consultant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("assessment_deadline", assessment), {"deadline": "2026-12-18"})
    queued = sorted(result.task.run_after for result in default_task_backend.results)
    assert queued == [
        datetime(2026, 12, 15, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 18, 9, 0, tzinfo=UTC),
    ]
    assert {result.args[0] for result in default_task_backend.results} == {assessment.pk}


# ---- The deadline form -----------------------------------------------------------------------


def test_a_deadline_in_the_past_is_refused_and_nothing_changes(client, consultant, assessment):
    client.force_login(consultant)
    response = client.post(_url("assessment_deadline", assessment), {"deadline": "2026-12-06"})
    assert response.status_code == 200 and "That date has passed" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.deadline == DEADLINE


def test_a_deadline_is_set_and_shown_to_respondents(client, consultant, assessment):
    client.force_login(consultant)
    client.post(_url("assessment_deadline", assessment), {"deadline": "2026-12-18"})
    assessment.refresh_from_db()
    assert assessment.deadline == date(2026, 12, 18)
    respondent = make_respondent(assessment)
    client.logout()
    page = client.get(f"/r/{respondent.issue_link()}/", follow=True).content.decode()
    assert "18 December" in page


def test_a_closed_assessments_deadline_stays(client, consultant, assessment):
    assessment.close()
    client.force_login(consultant)
    response = client.post(
        _url("assessment_deadline", assessment), {"deadline": "2026-12-18"}, follow=True
    )
    assert "closed" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.deadline == DEADLINE


# ---- Tracking and telling the consultant ------------------------------------------------------


def test_the_assessment_page_shows_each_respondents_status(
    client, consultant, assessment, waiting, clock
):
    ana, ben, _ = waiting
    never = make_respondent(assessment, name="Nia Never")
    client.get(f"/r/{ana.issue_link()}/")  # Ana opens her link
    ben.issue_link()
    clock.shift(timedelta(minutes=10))
    services.save_answers(
        respondent=ben,
        answers=[services.AnswerInput(q, "3") for q in assessment.bank_version.questions.all()[:5]],
    )
    client.force_login(consultant)
    page = client.get(assessment.get_absolute_url()).content.decode()
    rows = {r.name: r for r in assessment.respondents.with_tracking()}
    assert rows["Ana Amber"].opened_at is not None and rows["Ana Amber"].answer_count == 0
    assert rows["Ben Birch"].answer_count == 5 and rows["Ben Birch"].last_active_at is not None
    assert "Opened, no answer yet" in page
    assert f"In progress 5/{assessment.bank_version.questions.count()}" in page
    assert "Submitted" in page and "Not invited yet" in page
    assert never.name in page


def test_the_consultant_is_told_when_someone_submits_and_when_everyone_has(
    assessment, waiting, consultant, django_capture_on_commit_callbacks
):
    ana, ben, _ = waiting
    with django_capture_on_commit_callbacks(execute=True):
        _submit(ana)
    [first] = mail.outbox
    assert first.to == [consultant.email] and first.subject.startswith("2 of 3 answered")
    with django_capture_on_commit_callbacks(execute=True):
        _submit(ben)
    assert mail.outbox[-1].subject.startswith("Everyone has answered")


def test_an_anonymous_assessments_notice_names_no_one(
    assessment, waiting, django_capture_on_commit_callbacks
):
    ana, _, _ = waiting
    assessment.answer_visibility = "anonymous"
    assessment.save()
    with django_capture_on_commit_callbacks(execute=True):
        _submit(ana)
    assert "Ana Amber" not in mail.outbox[0].body and "Another respondent" in mail.outbox[0].body


# ---- The dashboard ---------------------------------------------------------------------------


def _dashboard(client, workspace, **query) -> str:
    url = reverse("assessments:workspace_home", args=[workspace.slug])
    return client.get(url, query).content.decode()


def test_the_dashboard_shows_responses_and_sorts_by_them(
    client, consultant, workspace, assessment, waiting
):
    from tests.factories import make_client

    behind = make_client(workspace, name="Aardvark Analytics")
    slow = make_assessment(behind, status="open", deadline=date(2026, 12, 9))
    for name in ("Al", "Bo", "Cy", "Di", "Ed"):
        make_respondent(slow, name=name)
    make_client(workspace, name="Zebra Zinc")  # nothing open
    client.force_login(consultant)
    page = _dashboard(client, workspace)
    assert "1 of 3 submitted" in page and "due 11 Dec" in page
    assert "0 of 5 submitted" in page and "due 9 Dec" in page

    ordered = _dashboard(client, workspace, sort="responses")
    positions = [ordered.index(name) for name in ("Aardvark", "Brightline", "Zebra Zinc")]
    assert positions == sorted(positions)  # 0 of 5, then 1 of 3, then nothing open


def test_the_dashboard_marks_new_answers_until_a_consultant_looks(
    client, consultant, workspace, assessment, waiting, clock
):
    client.force_login(consultant)
    assert "new answers" in _dashboard(client, workspace)  # Dee submitted; nobody looked yet
    client.get(assessment.get_absolute_url())
    assert "new answers" not in _dashboard(client, workspace)
    ana, ben, _ = waiting
    clock.shift(timedelta(hours=1))
    for respondent in (ana, ben):
        _submit(respondent)
    assert "everyone has answered" in _dashboard(client, workspace)


def test_one_failed_send_stops_no_other_reminder(
    client, consultant, assessment, waiting, monkeypatch
):
    ana, ben, _ = waiting
    real = reminders.send_respondent_reminder

    def fail_for_ana(*, respondent, **kwargs):
        if respondent.pk == ana.pk:
            raise OSError("mailbox unavailable")
        real(respondent=respondent, **kwargs)

    monkeypatch.setattr(reminders, "send_respondent_reminder", fail_for_ana)
    client.force_login(consultant)
    page = client.post(_url("assessment_remind_all", assessment), follow=True).content.decode()
    assert _recipients() == [ben.email]
    assert "The reminder to Ana Amber could not be sent" in page
    assert list(LinkEmail.objects.values_list("respondent__name", flat=True)) == ["Ben Birch"]
