from django.conf import settings
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


def send_sign_up_confirmation(request: HttpRequest, *, email: str, name: str, token: str) -> None:
    link = request.build_absolute_uri(reverse("accounts:signup_confirm", args=[token]))
    context = {"name": name, "link": link, "days": settings.SIGNUP_CONFIRMATION_DAYS}
    send_mail(
        subject="Confirm your email to finish signing up to Relay",
        message=render_to_string("accounts/email/signup_confirm.txt", context),
        from_email=None,
        recipient_list=[email],
    )


def send_sign_up_of_known_email(request: HttpRequest, *, email: str) -> None:
    """What a sign-up with an address that has an account sends: the page said only "check
    your inbox", so this email is where its owner learns they already have one."""
    context = {
        "login": request.build_absolute_uri(reverse("login")),
        "reset": request.build_absolute_uri(reverse("password_reset")),
    }
    send_mail(
        subject="You already have a Relay account",
        message=render_to_string("accounts/email/signup_known.txt", context),
        from_email=None,
        recipient_list=[email],
    )
