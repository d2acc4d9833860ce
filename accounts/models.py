"""People and workspaces: who may see and change what.

Every product object (clients, assessments, ...) belongs to exactly one Workspace. A User reaches
a workspace only through a Membership, whose role decides what they may change.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify


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
    Role.CONSULTANT: "Creates and edits clients, assessments, reports and action plans.",
    Role.VIEWER: "Reads clients, results, reports and plans; changes nothing.",
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


class Workspace(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:workspace_home", kwargs={"workspace_slug": self.slug})


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
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.expires_at = timezone.now() + timedelta(days=settings.WORKSPACE_INVITATION_DAYS)
        return token
