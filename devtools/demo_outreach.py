"""The open demo quarter as a consultant sees it mid-way: a deadline, the invitations and
reminders sent so far, and respondents at every stage (submitted, in progress, opened without
answering, invited and silent).

Drawn from its own seeded generator, after the answers: nothing here changes a score.
"""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment, LinkEmail, Respondent, RespondentLink

# The open quarter's deadline: this many days after the day the demo is seeded (or opened).
DEADLINE_DAYS = (6, 12)
# A reminder by hand goes to those still answering this many days after the invitation.
REMINDER_AFTER_DAYS = (4, 9)


def seed_outreach(assessment: Assessment, respondents: list[Respondent], owner: User) -> None:
    """The deadline, the emails and each respondent's activity for an open demo assessment."""
    rng = random.Random(f"{assessment} outreach")  # noqa: S311 - made-up demo data
    now = timezone.now()
    assessment.deadline = (
        max(now, assessment.opened_at) + timedelta(rng.randint(*DEADLINE_DAYS))
    ).date()
    assessment.save(update_fields=["deadline"])
    for respondent in respondents:
        _note_activity(respondent, rng, now, team_size=len(respondents))
        respondent.issue_link()  # as after "Open and send links"
        _invitation(respondent, owner)
        if respondent.submitted_at is None:
            _reminder(respondent, owner, rng, now)


def _note_activity(
    respondent: Respondent, rng: random.Random, now: datetime, *, team_size: int
) -> None:
    """When they opened their link and were last active. Of those who have not answered,
    those in a team of an even size opened the link and stopped at the welcome page."""
    if respondent.started_at is not None:
        respondent.opened_at = respondent.started_at - timedelta(minutes=rng.randint(1, 20))
        respondent.last_active_at = respondent.submitted_at or min(
            now, respondent.started_at + timedelta(minutes=rng.randint(10, 40))
        )
    elif team_size % 2 == 0:
        respondent.opened_at = min(now, respondent.invited_at + timedelta(hours=rng.randint(2, 30)))
        respondent.last_active_at = respondent.opened_at
    respondent.save(update_fields=["opened_at", "last_active_at"])


def _invitation(respondent: Respondent, owner: User) -> None:
    LinkEmail.objects.create(
        respondent=respondent,
        kind=LinkEmail.Kind.INVITATION,
        sent_by=owner,
        sent_at=respondent.invited_at,
    )


def _reminder(respondent: Respondent, owner: User, rng: random.Random, now: datetime) -> None:
    sent_at = respondent.invited_at + timedelta(days=rng.randint(*REMINDER_AFTER_DAYS), hours=1)
    if sent_at >= now:
        return
    link, _ = respondent.new_link(purpose=RespondentLink.Purpose.REMINDER)
    RespondentLink.objects.filter(pk=link.pk).update(created_at=sent_at)
    LinkEmail.objects.create(
        respondent=respondent,
        link=link,
        kind=LinkEmail.Kind.REMINDER,
        sent_by=owner,
        sent_at=sent_at,
    )
