"""People and workspaces: who may see and change what.

Every product object (clients, assessments, ...) belongs to exactly one Workspace. A User reaches
a workspace only through a Membership, whose role decides what they may change.
"""

import base64
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.branding import LOGO_CONTENT_TYPES, text_color_on


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively, so they are stored lower-cased."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> "User":
        # The login form's "username" is the email, typed in whatever case.
        return self.get(email=normalize_email(email))

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email", unique=True)
    name = models.CharField("name", max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Staff may log in to the admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # A renamed member changes what reports show (plan owners): part of their cache key.
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_is_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    CONSULTANT = "consultant", "Consultant"
    VIEWER = "viewer", "Viewer"


ROLE_DESCRIPTIONS = {
    Role.OWNER: "Everything a consultant can do, plus members, invitations and workspace settings.",
    Role.CONSULTANT: "Creates and edits what is assessed, the assessments, reports and action "
    "plans.",
    Role.VIEWER: "Reads results, reports and plans; changes nothing.",
}


def new_workspace_slug(name: str) -> str:
    """A readable, unguessable slug: the name plus a random suffix.

    The suffix keeps slugs unique without revealing whether another workspace of the same
    name exists, and the slug never changes when the workspace is renamed.
    """
    base = slugify(name)[:40].strip("-") or "workspace"
    return f"{base}-{secrets.token_hex(3)}"


class WorkspaceQuerySet(models.QuerySet):
    def for_user(self, user) -> "WorkspaceQuerySet":
        return self.filter(memberships__user=user)


class PaperSize(models.TextChoices):
    A4 = "A4", "A4 (210 × 297 mm)"
    LETTER = "Letter", "US Letter (8.5 × 11 in)"


DEFAULT_ACCENT_COLOR = "#1f5fa8"  # the app's own accent


class WorkspaceKind(models.TextChoices):
    """Who the workspace assesses: a consultancy its clients, a company itself (its business
    units, if it keeps several). The words of every page follow (accounts.vocabulary)."""

    CONSULTANCY = "consultancy", "A consultancy, assessing the companies it advises"
    COMPANY = "company", "A company, assessing itself"


class Workspace(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    kind = models.CharField(
        "what the workspace is",
        max_length=12,
        choices=WorkspaceKind.choices,
        default=WorkspaceKind.CONSULTANCY,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Branding, for the PDF report and the app header. The logo lives in the database on
    # purpose: several app servers share one PostgreSQL and there is no media server. Only
    # bytes checked by accounts.branding.read_logo are stored (at most 512 KB).
    logo = models.BinaryField(blank=True, default=b"")
    logo_content_type = models.CharField(max_length=20, blank=True)
    accent_color = models.CharField(
        max_length=7,
        default=DEFAULT_ACCENT_COLOR,
        validators=[RegexValidator(r"^#[0-9a-f]{6}\Z", "Enter a colour like #1f5fa8.")],
    )
    paper_size = models.CharField(max_length=6, choices=PaperSize.choices, default=PaperSize.A4)
    updated_at = models.DateTimeField(auto_now=True)  # the logo's ETag and the report's cache key

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # \Z, unlike $, also refuses a trailing newline (SQLite does not enforce max_length).
            models.CheckConstraint(
                condition=models.Q(accent_color__regex=r"^#[0-9a-f]{6}\Z"),
                name="workspace_accent_color_is_lowercase_hex",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=WorkspaceKind.values), name="workspace_kind_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(paper_size__in=PaperSize.values),
                name="workspace_paper_size_is_known",
            ),
            models.CheckConstraint(
                condition=models.Q(logo_content_type__in=["", *LOGO_CONTENT_TYPES]),
                name="workspace_logo_type_is_known",
            ),
            # A logo has a type and a type has a logo: has_logo can trust either column.
            models.CheckConstraint(
                condition=(
                    (models.Q(logo=b"") & models.Q(logo_content_type=""))
                    | (~models.Q(logo=b"") & ~models.Q(logo_content_type=""))
                ),
                name="workspace_logo_and_type_agree",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:workspace_home", kwargs={"workspace_slug": self.slug})

    @property
    def is_company(self) -> bool:
        return self.kind == WorkspaceKind.COMPANY

    @property
    def has_logo(self) -> bool:
        # The type, not the bytes: pages that only need to know load the workspace without them.
        return bool(self.logo_content_type)

    @property
    def logo_data_uri(self) -> str | None:
        """The logo inline, for documents that cannot fetch it (the PDF report)."""
        if not self.has_logo:
            return None
        encoded = base64.b64encode(bytes(self.logo)).decode("ascii")  # memoryview on PostgreSQL
        return f"data:{self.logo_content_type};base64,{encoded}"

    @property
    def accent_text_color(self) -> str:
        """White or ink, whichever has the higher WCAG contrast on the accent colour."""
        return text_color_on(self.accent_color)

    def set_logo(self, *, data: bytes, content_type: str) -> None:
        self.logo, self.logo_content_type = data, content_type

    def remove_logo(self) -> None:
        self.logo, self.logo_content_type = b"", ""


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__name", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} ({self.get_role_display()})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def can_change(self) -> bool:
        """Owners and consultants change the workspace's content; viewers only read."""
        return self.role in (Role.OWNER, Role.CONSULTANT)


def hash_token(token: str) -> str:
    """Invitation tokens are stored as SHA-256 digests: a leaked table opens no door."""
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_token(holder: "Invitation | SignupRequest", *, days: int) -> str:
    """A fresh link token for an emailed link: its hash and expiry go on `holder`."""
    token = secrets.token_urlsafe(32)
    holder.token_hash = hash_token(token)
    holder.expires_at = timezone.now() + timedelta(days=days)
    return token


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True)


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invitation_role_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="invitation_email_is_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and not self.is_expired

    def issue_token(self) -> str:
        """Give the invitation a fresh token and expiry; return the token (shown only once)."""
        return _issue_token(self, days=settings.WORKSPACE_INVITATION_DAYS)


class SignupRequest(models.Model):
    """A sign-up waiting for its owner to confirm the email address.

    The account exists only once the link in the email is opened, so a sign-up answers the
    same whether or not the address already has an account (the owner of a known address is
    told by email instead), and nobody can claim an address they cannot read.
    """

    email = models.EmailField()
    name = models.CharField(max_length=150)
    password = models.CharField(max_length=128)  # hashed, as on the user it becomes
    workspace_name = models.CharField(max_length=100)
    workspace_kind = models.CharField(
        max_length=20, choices=WorkspaceKind.choices, default=WorkspaceKind.CONSULTANCY
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="signup_email_is_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"sign-up of {self.email}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def issue_token(self) -> str:
        """Give the request its token and expiry; return the token (shown only in the email)."""
        return _issue_token(self, days=settings.SIGNUP_CONFIRMATION_DAYS)
