import copy

from axes.utils import reset as reset_login_failures
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import branding, services, throttling
from accounts.access import SESSION_WORKSPACE_KEY, get_membership_for
from accounts.emails import (
    invitation_link,
    send_invitation_email,
    send_sign_up_confirmation,
    send_sign_up_of_known_email,
)
from accounts.forms import (
    InvitationSignupForm,
    InviteForm,
    RoleForm,
    SignupForm,
    WorkspaceForm,
    WorkspaceSettingsForm,
)
from accounts.models import Invitation, Membership, Role, User, hash_token, normalize_email
from accounts.vocabulary import words_for
from lib import throttle
from lib.client_ip import client_ip
from lib.forms import submitted


def _workspace_home(slug: str) -> str:
    return reverse("assessments:workspace_home", kwargs={"workspace_slug": slug})


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the workspace they last worked in (or their first one)."""
    slugs = list(
        Membership.objects.filter(user=request.user)
        .order_by("workspace__name")
        .values_list("workspace__slug", flat=True)
    )
    if not slugs:
        return redirect("accounts:workspace_create")
    remembered = request.session.get(SESSION_WORKSPACE_KEY)
    return redirect(_workspace_home(remembered if remembered in slugs else slugs[0]))


def _too_many(request: HttpRequest, what: str, *, logins: bool = False) -> HttpResponse:
    context = {"what": what, "logins": logins}
    return render(request, "registration/too_many_requests.html", context, status=429)


SESSION_SIGNUP_SENT_TO = "signup_sent_to"


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Sign-up asks the address to confirm itself, and answers the same for any address.

    An address with an account gets an email saying so (with the login and password-reset
    links) instead of a confirmation, so the page never tells a stranger who has an account.
    """
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(**submitted(request))
    if form.is_valid():
        email = form.cleaned_data["email"]
        per_address = throttle.allow(
            "signup", client_ip(request), limit=settings.SIGNUPS_PER_ADDRESS
        )
        per_email = throttle.allow("signup-to", email, limit=settings.SIGNUPS_PER_EMAIL)
        if not (per_address and per_email):
            return _too_many(request, "Too many sign-ups were")
        token = services.request_sign_up(
            email=email,
            name=form.cleaned_data["name"],
            password=form.cleaned_data["password1"],
            workspace_name=form.cleaned_data["workspace_name"],
            workspace_kind=form.cleaned_data["workspace_kind"],
        )
        if token is None:
            send_sign_up_of_known_email(request, email=email)
        else:
            name = form.cleaned_data["name"]
            send_sign_up_confirmation(request, email=email, name=name, token=token)
        request.session[SESSION_SIGNUP_SENT_TO] = {
            "email": email,
            "name": form.cleaned_data["name"],
            "workspace_name": form.cleaned_data["workspace_name"],
        }
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_safe
def signup_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(SESSION_SIGNUP_SENT_TO)
    if sent is None:
        return redirect("accounts:signup")
    context = {**sent, "days": settings.SIGNUP_CONFIRMATION_DAYS}
    return render(request, "accounts/signup_sent.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email. Opening it shows a button: the account is created
    by the POST, so a mail scanner that follows links creates nothing."""
    pending = services.find_sign_up(token)
    if pending is None:
        return render(request, "accounts/signup_confirm.html", {"pending": None}, status=404)
    if request.method != "POST":
        context = {"pending": pending, "token": token}
        return render(request, "accounts/signup_confirm.html", context)
    try:
        user = services.confirm_sign_up(pending)
    except services.SignupError as error:
        messages.error(request, str(error))
        return redirect("login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(SESSION_SIGNUP_SENT_TO, None)
    first = words_for(user.memberships.get().workspace).client
    messages.success(request, f"Welcome to Relay. Start by adding your first {first}.")
    return redirect("home")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(**submitted(request))
    if form.is_valid():
        workspace = services.create_workspace(
            name=form.cleaned_data["name"], owner=request.user, kind=form.cleaned_data["kind"]
        )
        messages.success(request, f"Workspace “{workspace.name}” created. You are its owner.")
        return redirect(workspace)
    return render(request, "accounts/workspace_create.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def workspace_settings(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    # The form edits a copy: a refused submission must not show its unsaved name or accent
    # colour in the header, which renders the membership's workspace.
    form = WorkspaceSettingsForm(**submitted(request), instance=copy.copy(membership.workspace))
    if form.is_valid():
        form.save()
        messages.success(request, "Workspace settings saved.")
        return redirect("accounts:workspace_settings", workspace_slug=workspace_slug)
    return render(request, "accounts/workspace_settings.html", {"form": form})


SVG_LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_safe
@login_required
def workspace_logo(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    """The workspace's logo, for any member; 404 when it has none."""
    workspace = get_membership_for(request, workspace_slug).workspace
    if not workspace.has_logo:
        raise Http404("This workspace has no logo.")
    headers = {
        "Cache-Control": "private, max-age=3600",
        # updated_at changes with every save of the workspace, so a new logo gets a new ETag.
        "ETag": f'"logo-{workspace.updated_at:%Y%m%d%H%M%S%f}"',
        "X-Content-Type-Options": "nosniff",
    }
    if workspace.logo_content_type == branding.SVG:
        # Opened on its own, a sanitized SVG still gets no scripts, no fetches, no forms.
        headers["Content-Security-Policy"] = SVG_LOGO_POLICY
    # A matching If-None-Match gets a 304 before the bytes are loaded (the field is deferred).
    response = get_conditional_response(request, etag=headers["ETag"]) or HttpResponse(
        bytes(workspace.logo), content_type=workspace.logo_content_type
    )
    for name, value in headers.items():
        response[name] = value
    return response


def _render_members(
    request: HttpRequest, membership: Membership, invite_form: InviteForm | None = None
) -> HttpResponse:
    workspace = membership.workspace
    members = workspace.memberships.select_related("user").order_by("user__name", "user__email")
    context = {"members": members, "role_choices": Role.choices}
    if membership.is_owner:
        context["invitations"] = workspace.invitations.pending().select_related("invited_by")
        context["invite_form"] = invite_form or InviteForm(workspace=workspace)
    return render(request, "accounts/member_list.html", context)


@require_safe
@login_required
def member_list(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    return _render_members(request, get_membership_for(request, workspace_slug))


@require_POST
@login_required
def member_invite(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    form = InviteForm(request.POST, workspace=membership.workspace)
    if not form.is_valid():
        return _render_members(request, membership, invite_form=form)
    invitation, token = services.invite_member(
        workspace=membership.workspace,
        email=form.cleaned_data["email"],
        role=form.cleaned_data["role"],
        invited_by=request.user,
    )
    _send_and_report(request, invitation, token)
    return redirect("accounts:member_list", workspace_slug=workspace_slug)


def _send_and_report(request: HttpRequest, invitation: Invitation, token: str) -> None:
    """Email the link, and show it once to the owner so it can be shared another way too."""
    link = invitation_link(request, token)
    try:
        send_invitation_email(request, invitation=invitation, token=token)
    except OSError:  # SMTP down or refusing: the owner still has the link to pass on.
        messages.warning(
            request, f"The email to {invitation.email} could not be sent. Share this link: {link}"
        )
        return
    messages.success(
        request,
        f"Invitation emailed to {invitation.email}. You can also share this link "
        f"(valid until {invitation.expires_at:%d %b %Y}): {link}",
    )


def _get_member(membership: Membership, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"),
        pk=membership_id,
        workspace=membership.workspace,
    )


@require_POST
@login_required
def member_change_role(request: HttpRequest, workspace_slug: str, membership_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    member = _get_member(membership, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed roles.")
    else:
        try:
            services.change_role(membership=member, role=form.cleaned_data["role"])
            messages.success(request, f"{member.user.name} is now {member.get_role_display()}.")
        except services.MembershipError as error:
            messages.error(request, str(error))
    return redirect("accounts:member_list", workspace_slug=workspace_slug)


@require_POST
@login_required
def member_remove(request: HttpRequest, workspace_slug: str, membership_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    member = _get_member(membership, membership_id)
    try:
        services.remove_member(membership=member)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("accounts:member_list", workspace_slug=workspace_slug)
    messages.success(request, f"{member.user.name} no longer has access to this workspace.")
    if member.user_id == request.user.id:
        return redirect("home")
    return redirect("accounts:member_list", workspace_slug=workspace_slug)


def _get_pending_invitation(membership: Membership, invitation_id: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.pending(), pk=invitation_id, workspace=membership.workspace
    )


@require_POST
@login_required
def invitation_renew(request: HttpRequest, workspace_slug: str, invitation_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    invitation = _get_pending_invitation(membership, invitation_id)
    token = services.renew_invitation(invitation=invitation)
    _send_and_report(request, invitation, token)
    return redirect("accounts:member_list", workspace_slug=workspace_slug)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, workspace_slug: str, invitation_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    invitation = _get_pending_invitation(membership, invitation_id)
    invitation.delete()
    messages.success(request, f"The invitation to {invitation.email} no longer works.")
    return redirect("accounts:member_list", workspace_slug=workspace_slug)


def _find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _invitation_state(request: HttpRequest, invitation: Invitation | None) -> str:
    """What the person holding this link can do now, named for the template."""
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "used"
    if invitation.is_expired:
        return "expired"
    if request.user.is_authenticated:
        return "accept" if request.user.email == invitation.email else "wrong_user"
    if User.objects.filter(email=invitation.email).exists():
        return "log_in"
    return "sign_up"


_STATE_STATUS = {"unknown": 404, "used": 410, "expired": 410}


def _render_invitation(request, token, invitation, state, signup_form=None) -> HttpResponse:
    if state == "sign_up" and signup_form is None:
        signup_form = InvitationSignupForm(email=invitation.email)
    context = {"invitation": invitation, "state": state, "token": token, "form": signup_form}
    status = _STATE_STATUS.get(state, 200)
    return render(request, "accounts/invitation.html", context, status=status)


@require_safe
def invitation_detail(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _find_invitation(token)
    return _render_invitation(request, token, invitation, _invitation_state(request, invitation))


@require_POST
@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _find_invitation(token)
    if invitation is None:
        return _render_invitation(request, token, None, "unknown")
    try:
        membership = services.accept_invitation(invitation=invitation, user=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("accounts:invitation", token=token)
    messages.success(request, f"You joined {membership.workspace.name}.")
    return HttpResponseRedirect(membership.workspace.get_absolute_url())


@require_POST
def invitation_signup(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _find_invitation(token)
    state = _invitation_state(request, invitation)
    if state != "sign_up":
        return _render_invitation(request, token, invitation, state)
    form = InvitationSignupForm(request.POST, email=invitation.email)
    if not form.is_valid():
        return _render_invitation(request, token, invitation, state, signup_form=form)
    try:
        user = services.sign_up_by_invitation(
            invitation=invitation,
            name=form.cleaned_data["name"],
            password=form.cleaned_data["password1"],
        )
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect("accounts:invitation", token=token)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome to Relay. You joined {invitation.workspace.name}.")
    return HttpResponseRedirect(invitation.workspace.get_absolute_url())


class LoginView(auth_views.LoginView):
    """Django's login page, refusing an address after LOGIN_FAILURES_PER_ADDRESS failed logins
    in an hour, whichever emails they tried (django-axes locks an email and address pair)."""

    def post(self, request, *args, **kwargs):
        if throttling.too_many_failures_from(request):
            return _too_many(request, "Too many failed logins were", logins=True)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgot your password" page, throttled: each request may email someone, so a
    stranger could otherwise flood an inbox. Counted per email whether or not an account uses
    it, so the refusal tells nothing about who has one."""

    def form_valid(self, form):
        email = normalize_email(form.cleaned_data["email"])
        per_address = throttle.allow(
            "reset-from", client_ip(self.request), limit=settings.PASSWORD_RESETS_PER_ADDRESS
        )
        per_email = throttle.allow("reset-to", email, limit=settings.PASSWORD_RESETS_PER_EMAIL)
        if not (per_address and per_email):
            return _too_many(self.request, "Too many password resets were")
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "set a new password" page, which also ends a login lockout of the account.

    Whoever sets a password through the emailed link controls the account's email, so the
    failed logins before it (their own or a guesser's) no longer count against it; the
    lockout page says as much.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_login_failures(username=form.user.get_username())
        return response
