from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from assessments.models import Respondent


def respondent_link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("assessments:respondent_start", args=[token]))


def send_respondent_invitation(request: HttpRequest, *, respondent: Respondent, token: str) -> None:
    assessment = respondent.assessment
    context = {
        "respondent": respondent,
        "assessment": assessment,
        "link": respondent_link(request, token),
        "sender": request.user,
        "question_count": assessment.bank_version.questions.count(),
    }
    send_mail(
        subject=f"Your go-to-market assessment for {assessment.client.name} ({assessment.period})",
        message=render_to_string("assessments/email/respondent_invitation.txt", context),
        from_email=None,
        recipient_list=[respondent.email],
    )
