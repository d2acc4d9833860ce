"""The companies a workspace assesses: a consultancy's clients, or a company itself.

The assessments and the funnel both build on this app; it knows neither of them.
"""

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from accounts.models import Workspace


class CompanySize(models.TextChoices):
    MICRO = "1-10", "1–10 employees"
    SMALL = "11-50", "11–50 employees"
    MEDIUM = "51-200", "51–200 employees"
    MIDSIZE = "201-1000", "201–1,000 employees"
    LARGE = "1001-5000", "1,001–5,000 employees"
    ENTERPRISE = "5001+", "More than 5,000 employees"


class ClientQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace) -> "ClientQuerySet":
        return self.filter(workspace=workspace)

    def active(self) -> "ClientQuerySet":
        return self.filter(archived_at__isnull=True)

    def archived(self) -> "ClientQuerySet":
        return self.filter(archived_at__isnull=False)

    def search(self, text: str) -> "ClientQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(models.Q(name__icontains=text) | models.Q(industry__icontains=text))


class Client(models.Model):
    """A company whose go-to-market maturity a workspace assesses (possibly itself)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=120)
    industry = models.CharField(max_length=100, blank=True)
    company_size = models.CharField(max_length=20, choices=CompanySize.choices, blank=True)
    notes = models.TextField(blank=True, max_length=5000)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had before the model moved here from `assessments`:
        # renaming it would rewrite every foreign key to it for nothing.
        db_table = "assessments_client"
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("name"), name="unique_client_name_per_workspace"
            ),
            models.CheckConstraint(
                condition=models.Q(company_size__in=["", *CompanySize.values]),
                name="client_company_size_is_known",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "archived_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "assessments:client_detail",
            kwargs={"workspace_slug": self.workspace.slug, "client_id": self.pk},
        )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def archive(self) -> None:
        if self.archived_at is None:
            self.archived_at = timezone.now()
            self.save(update_fields=["archived_at", "updated_at"])

    def restore(self) -> None:
        if self.archived_at is not None:
            self.archived_at = None
            self.save(update_fields=["archived_at", "updated_at"])
