"""Reminders: emails that bring a respondent back to an open assessment before its deadline.

The rules, each tested:

- no reminder to someone who has submitted, none while the assessment is a draft or once it is
  closed, none to someone without an email address;
- at most one email a day per person (the invitation counts), so pressing "Remind everyone"
  twice, or a consultant's reminder an hour before the scheduled one, sends one email;
- every send is recorded (LinkEmail) and shown on the assessment page;
- each reminder carries a fresh personal link and leaves the earlier ones working: a token
  is stored only as its digest, so the link sent before cannot be sent again, and revoking it
  would strand someone halfway through (see RespondentLink).

The schedule: three days before the deadline and on the day, at settings.REMINDER_HOUR. The
background worker runs `send_scheduled_reminders` at each of those times (queued when the
deadline is set, see `schedule_reminders`); `manage.py send_reminders` runs the same sweep for
every open assessment, for a cron job or a backend without deferred tasks.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince

from accounts.models import User
from assessments.emails import send_respondent_reminder
from assessments.models import Assessment, LinkEmail, Respondent, RespondentLink

logger = logging.getLogger(__name__)

# At most one email a day per person.
EMAIL_GAP = timedelta(days=1)
# The scheduled reminders, and how many days before the deadline each goes out.
SCHEDULE = {
    LinkEmail.Schedule.THREE_DAYS_BEFORE: 3,
    LinkEmail.Schedule.DEADLINE_DAY: 0,
}
# A scheduled reminder whose time passed longer ago than this (the worker was down) is not
# sent late: a "three days left" email two days late would say the wrong thing.
SCHEDULE_GRACE = timedelta(hours=12)


class ReminderRefused(Exception):
    """No reminder may go to this person now; the message says why, in words for the page."""


@dataclass
class RemindOutcome:
    sent: list[Respondent] = field(default_factory=list)
    refused: list[tuple[Respondent, str]] = field(default_factory=list)


def refusal(respondent: Respondent, now: datetime) -> str | None:
    """Why no reminder may go to this respondent now, or None when one may."""
    assessment = respondent.assessment
    if assessment.status == Assessment.Status.DRAFT:
        return "The assessment is not open yet: open it to send the links."
    if assessment.status == Assessment.Status.CLOSED:
        return "The assessment is closed: no more reminders go out."
    if respondent.is_submitted:
        return f"{respondent.name} has already submitted."
    if not respondent.email:
        return f"{respondent.name} has no email address: share a link with them instead."
    last = respondent.emails.order_by("-sent_at").values_list("sent_at", flat=True).first()
    if last is not None and now - last < EMAIL_GAP:
        return (
            f"{respondent.name} was emailed {timesince(last, now)} ago; "
            "Relay sends at most one email a day to each person."
        )
    return None


def remind(
    respondent: Respondent,
    *,
    sent_by: User | None,
    request: HttpRequest | None = None,
    schedule: str = LinkEmail.Schedule.MANUAL,
) -> LinkEmail:
    """Email the respondent a reminder with a fresh link, and record it; or refuse, saying why.

    The respondent's row is locked while deciding, so two reminders pressed at once send one
    email. A failed send (OSError) leaves nothing recorded: the transaction rolls back."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Respondent.objects.select_for_update()
            .select_related("assessment__client__workspace", "assessment__bank_version")
            .get(pk=respondent.pk)
        )
        reason = refusal(locked, now)
        if reason:
            raise ReminderRefused(reason)
        link, token = locked.new_link(purpose=RespondentLink.Purpose.REMINDER)
        email = LinkEmail.objects.create(
            respondent=locked,
            link=link,
            kind=LinkEmail.Kind.REMINDER,
            schedule=schedule,
            sent_by=sent_by,
            sent_at=now,
        )
        send_respondent_reminder(
            respondent=locked, token=token, link=link, request=request, sender=sent_by
        )
    return email


def remind_everyone(
    assessment: Assessment, *, sent_by: User | None, request: HttpRequest | None = None
) -> RemindOutcome:
    """A reminder to everyone who has not submitted and may be reminded now. One failed send
    (the mail server refused it) is reported with the others and stops nothing."""
    outcome = RemindOutcome()
    for respondent in assessment.respondents.filter(submitted_at__isnull=True):
        respondent.assessment = assessment
        try:
            remind(respondent, sent_by=sent_by, request=request)
        except ReminderRefused as refused:
            outcome.refused.append((respondent, str(refused)))
        except OSError:
            message = f"The reminder to {respondent.name} could not be sent; try again later."
            outcome.refused.append((respondent, message))
        else:
            outcome.sent.append(respondent)
    return outcome


# ---- The schedule --------------------------------------------------------------------------


def slot_times(assessment: Assessment) -> dict[str, datetime]:
    """When each scheduled reminder of the assessment goes out (none without a deadline)."""
    if assessment.deadline is None:
        return {}
    at = time(settings.REMINDER_HOUR)
    return {
        slot: timezone.make_aware(datetime.combine(assessment.deadline - timedelta(days), at))
        for slot, days in SCHEDULE.items()
    }


def due_slot(assessment: Assessment, now: datetime) -> tuple[str, datetime] | None:
    """The scheduled reminder due at `now`: its time has come, less than the grace ago."""
    due = [
        (slot, at) for slot, at in slot_times(assessment).items() if at <= now < at + SCHEDULE_GRACE
    ]
    return max(due, key=lambda item: item[1]) if due else None


def send_scheduled(assessment: Assessment, now: datetime | None = None) -> int:
    """Send the reminder due now to each respondent who has not had it; return how many went.
    Safe to run any number of times: a respondent reminded for this slot (since its time) or
    emailed in the last day is skipped."""
    now = now or timezone.now()
    if assessment.status != Assessment.Status.OPEN:
        return 0
    due = due_slot(assessment, now)
    if due is None:
        return 0
    slot, at = due
    # A subquery: excluding on two conditions across the emails relation could also drop
    # someone whose one email is of this slot and another (an earlier one) recent enough.
    reminded = LinkEmail.objects.filter(schedule=slot, sent_at__gte=at).values("respondent")
    waiting = (
        assessment.respondents.filter(submitted_at__isnull=True)
        .exclude(email="")
        .exclude(pk__in=reminded)
    )
    sent = 0
    for respondent in waiting:
        respondent.assessment = assessment
        try:
            remind(respondent, sent_by=None, schedule=slot)
        except ReminderRefused:
            continue
        except OSError:  # the mail server refused: the next run (within the grace) tries again
            logger.warning("A scheduled reminder to respondent %s was not sent", respondent.pk)
            continue
        sent += 1
    return sent


def sweep(now: datetime | None = None) -> int:
    """Send every scheduled reminder due now, across all open assessments with a deadline."""
    now = now or timezone.now()
    latest_due = (now + timedelta(days=max(SCHEDULE.values()) + 1)).date()
    assessments = Assessment.objects.filter(
        status=Assessment.Status.OPEN,
        deadline__gte=(now - timedelta(days=1)).date(),
        deadline__lte=latest_due,
    ).select_related("client__workspace", "bank_version")
    return sum(send_scheduled(assessment, now) for assessment in assessments)
