from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Invitation


def invitation_link(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("accounts:invitation", args=[token]))


def send_invitation_email(request: HttpRequest, *, invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "link": invitation_link(request, token),
        "inviter": request.user,
    }
    send_mail(
        subject=f"{request.user.name} invited you to {invitation.workspace.name} on Relay",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
