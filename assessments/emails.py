"""The emails Relay sends about an assessment: links to respondents (the invitation and its
reminders) and word to the consultant when answers come in."""

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from assessments.models import Respondent, RespondentLink


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """A full URL for an email: from the request when there is one, else from SITE_URL (a
    scheduled reminder is sent by the worker, outside any request)."""
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.SITE_URL}{path}"


def respondent_link(request: HttpRequest | None, token: str) -> str:
    return absolute_url(reverse("assessments:respondent_start", args=[token]), request)


def _link_context(
    respondent: Respondent, token: str, link: RespondentLink, request, sender: User | None
) -> dict:
    assessment = respondent.assessment
    return {
        "respondent": respondent,
        "assessment": assessment,
        "link": respondent_link(request, token),
        "link_works_until": link.expires_at,
        "sender_name": sender.name if sender else f"The {assessment.client.workspace.name} team",
        "question_count": assessment.bank_version.questions.count(),
    }


def send_respondent_invitation(
    request: HttpRequest, *, respondent: Respondent, token: str, link: RespondentLink
) -> None:
    assessment = respondent.assessment
    send_mail(
        subject=f"Your go-to-market assessment for {assessment.client.name} ({assessment.period})",
        message=render_to_string(
            "assessments/email/respondent_invitation.txt",
            _link_context(respondent, token, link, request, request.user),
        ),
        from_email=None,
        recipient_list=[respondent.email],
    )


def send_respondent_reminder(
    *,
    respondent: Respondent,
    token: str,
    link: RespondentLink,
    request: HttpRequest | None,
    sender: User | None,
) -> None:
    assessment = respondent.assessment
    context = _link_context(respondent, token, link, request, sender)
    context["answered"] = respondent.answers.count()
    send_mail(
        subject=f"Reminder: {assessment.client.name}'s go-to-market assessment",
        message=render_to_string("assessments/email/respondent_reminder.txt", context),
        from_email=None,
        recipient_list=[respondent.email],
    )


def send_submission_notice(*, respondent: Respondent, submitted: int, total: int) -> None:
    """Tell whoever opened the assessment that someone submitted (and when all have)."""
    assessment = respondent.assessment
    consultant = assessment.created_by
    if consultant is None or not consultant.email or not consultant.is_active:
        return
    everyone = submitted == total
    context = {
        "consultant": consultant,
        "respondent": respondent,
        "assessment": assessment,
        "submitted": submitted,
        "total": total,
        "everyone": everyone,
        "names_shown": assessment.names_in_results,
        "assessment_url": absolute_url(assessment.get_absolute_url()),
    }
    subject = (
        f"Everyone has answered: {assessment}"
        if everyone
        else f"{submitted} of {total} answered: {assessment}"
    )
    send_mail(
        subject=subject,
        message=render_to_string("assessments/email/submission_notice.txt", context),
        from_email=None,
        recipient_list=[consultant.email],
    )
