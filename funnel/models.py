"""A client's real funnel: its figures per quarter, and each workspace's own thresholds for
judging them. The vocabulary of the figures (their fields and labels) is funnel.kpis's."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import Workspace
from clients.models import Client
from funnel.crm.fields import CRM_NAMES
from funnel.health import Threshold, thresholds_with
from funnel.kpis import (
    DAYS_FIELDS,
    DEFAULT_DISCOUNT_RATE,
    FIGURE_FIELDS,
    FIGURE_LABELS,
    IMPOSSIBLE_ABOVE,
    MAX_DISCOUNT_RATE,
    MONEY_FIELDS,
    SHARE_FIELDS,
    YEARS_FIELDS,
    Figures,
)
from lib.quarters import Quarter


def _count(name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(FIGURE_LABELS[name], null=True, blank=True)


def _money(name: str) -> models.DecimalField:
    return models.DecimalField(
        FIGURE_LABELS[name], max_digits=14, decimal_places=2, null=True, blank=True
    )


def _days(name: str) -> models.DecimalField:
    return models.DecimalField(
        FIGURE_LABELS[name], max_digits=6, decimal_places=1, null=True, blank=True
    )


def _share(name: str) -> models.DecimalField:
    # A percentage to a tenth: 62.5 is 62.5%.
    return models.DecimalField(
        FIGURE_LABELS[name], max_digits=4, decimal_places=1, null=True, blank=True
    )


def _years(name: str) -> models.DecimalField:
    return models.DecimalField(
        FIGURE_LABELS[name], max_digits=4, decimal_places=1, null=True, blank=True
    )


class FunnelFigures(models.Model):
    """A client's real funnel numbers for one quarter. Every figure is optional: the KPIs that
    need a missing one show "n/a"."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="funnel_figures")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    impressions = _count("impressions")
    engaged_leads = _count("engaged_leads")
    content_downloads = _count("content_downloads")
    emails_sent = _count("emails_sent")
    emails_opened = _count("emails_opened")
    emails_clicked = _count("emails_clicked")
    hard_bounces = _count("hard_bounces")
    soft_bounces = _count("soft_bounces")
    inquiries = _count("inquiries")
    mqls = _count("mqls")
    sals = _count("sals")
    sqls = _count("sqls")
    won_deals = _count("won_deals")
    pipeline_value = _money("pipeline_value")
    closed_revenue = _money("closed_revenue")
    average_deal_size = _money("average_deal_size")
    days_inquiry_to_mql = _days("days_inquiry_to_mql")
    days_mql_to_sal = _days("days_mql_to_sal")
    days_sal_to_sql = _days("days_sal_to_sql")
    days_sql_to_won = _days("days_sql_to_won")
    marketing_spend = _money("marketing_spend")
    engage_spend = _money("engage_spend")
    content_cost = _money("content_cost")
    customer_margin_per_year = _money("customer_margin_per_year")
    customer_lifetime_years = _years("customer_lifetime_years")
    icp_fit_share = _share("icp_fit_share")
    opt_out_share = _share("opt_out_share")
    stalled_mqls = _count("stalled_mqls")
    follow_up_48h_share = _share("follow_up_48h_share")
    # Provenance: the CRM import that derived the figures, and the derived figures changed
    # by hand since (field names), which the next import keeps.
    crm_import = models.ForeignKey(
        "CrmImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="figures"
    )
    corrected_fields = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The tables keep the names they had before the models moved here from `assessments`.
        db_table = "assessments_funnelfigures"
        ordering = ["client", "year", "quarter"]
        verbose_name_plural = "funnel figures"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "year", "quarter"], name="one_funnel_per_client_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__range=(1, 4)), name="funnel_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(year__range=(2000, 2100)), name="funnel_plausible_year"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
                    name=f"funnel_{field}_not_negative",
                )
                for field in MONEY_FIELDS + DAYS_FIELDS + YEARS_FIELDS + SHARE_FIELDS
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": 100}),
                    name=f"funnel_{field}_at_most_100",
                )
                for field in SHARE_FIELDS
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{part}__isnull": True})
                    | Q(**{f"{whole}__isnull": True})
                    | Q(**{f"{part}__lte": F(whole)}),
                    name=f"funnel_{part}_within_{whole}",
                )
                for part, whole in IMPOSSIBLE_ABOVE
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.period} funnel"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def figures(self) -> Figures:
        """The row as the plain values the KPIs are computed from."""
        return Figures.from_mapping(
            self.year, self.quarter, {name: getattr(self, name) for name in FIGURE_FIELDS}
        )


class FunnelThresholdsQuerySet(models.QuerySet):
    def thresholds_for(self, workspace_id: int) -> dict[str, Threshold]:
        """The thresholds a workspace judges handoffs with: the defaults and its own changes.
        One query."""
        return self.judging_for(workspace_id)[0]

    def judging_for(self, workspace_id: int) -> tuple[dict[str, Threshold], float]:
        """The workspace's thresholds and its discount rate (a fraction), in one query."""
        stored = self.filter(workspace_id=workspace_id).values_list("values", "discount_rate")
        values, rate = stored.first() or (None, DEFAULT_DISCOUNT_RATE)
        return thresholds_with(values), float(rate)


class FunnelThresholds(models.Model):
    """A workspace's own thresholds for judging a handoff's observed health (defaults in
    funnel.health.DEFAULT_THRESHOLDS). Only the metrics it changes are stored."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="funnel_thresholds"
    )
    values = models.JSONField(default=dict, blank=True)  # metric -> {"poor": x, "healthy": y}
    # The yearly rate the return on marketing spend discounts a customer's future margin at.
    discount_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal(str(DEFAULT_DISCOUNT_RATE))
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = FunnelThresholdsQuerySet.as_manager()

    class Meta:
        db_table = "assessments_funnelthresholds"
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_rate__range=(0, Decimal(str(MAX_DISCOUNT_RATE)))),
                name="funnel_discount_rate_0_to_50_percent",
            )
        ]

    def __str__(self) -> str:
        return f"Funnel thresholds of {self.workspace}"


# ---- Imports of CRM exports ------------------------------------------------------------------


class CrmMapping(models.Model):
    """A client's column mapping of its CRM exports, proposed again at its next import.
    The mappings are funnel.crm.mapping.Mapping.to_json()'s, as JSON objects."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="crm_mapping")
    lead_mapping = models.JSONField(default=dict, blank=True)
    deal_mapping = models.JSONField(default=dict, blank=True)
    date_format = models.CharField(max_length=20, blank=True)  # a dates.FORMATS key; "": detect
    stall_days = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"CRM mapping of {self.client}"


def crm_upload_path(instance: "CrmImport", filename: str) -> str:
    """Under MEDIA_ROOT/crm-imports/<workspace>/, behind a random prefix: never served."""
    return f"crm-imports/{instance.client.workspace_id}/{secrets.token_hex(8)}-{filename}"


class CrmImport(models.Model):
    """One import of a client's lead export (and deal export): its files until the figures
    are derived (kept afterwards only if the owner chose so), its progress and its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the mapping"
        RUNNING = "running", "Deriving the figures"
        # Some rows cannot be used: the consultant fixes the export, or imports the rest.
        REVIEW = "review", "Waiting for a decision on rows with problems"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="crm_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    lead_file_name = models.CharField(max_length=255)
    deal_file_name = models.CharField(max_length=255, blank=True)
    lead_file = models.FileField(upload_to=crm_upload_path, max_length=400, blank=True)
    deal_file = models.FileField(upload_to=crm_upload_path, max_length=400, blank=True)
    keep_raw = models.BooleanField(default=False)
    layout = models.CharField(max_length=20, blank=True)  # the CRM the lead header looks like
    date_format = models.CharField(max_length=20, blank=True)  # the format the dates were read in
    lead_mapping = models.JSONField(default=dict, blank=True)
    deal_mapping = models.JSONField(default=dict, blank=True)
    stall_days = models.PositiveSmallIntegerField(default=30)
    rows_total = models.PositiveIntegerField(default=0)  # lines of the files, for the progress
    rows_read = models.PositiveIntegerField(default=0)
    lead_rows = models.PositiveIntegerField(null=True, blank=True)
    deal_rows = models.PositiveIntegerField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)
    # The consultant chose to import the rows without problems, leaving the others out.
    leave_out_problems = models.BooleanField(default=False)
    # Quarter ("2026-Q3") -> the measures a FunnelFigures row has no field for.
    measures = models.JSONField(default=dict, blank=True)
    kept_corrections = models.JSONField(default=list, blank=True)  # "2026-Q3: MQLs" texts

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "review", "done", "failed"]),
                name="crm_import_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"CRM import of {self.client}: {self.lead_file_name}"

    @property
    def rows(self) -> int:
        return (self.lead_rows or 0) + (self.deal_rows or 0)

    @property
    def layout_name(self) -> str:
        return CRM_NAMES.get(self.layout, "")

    @property
    def provenance(self) -> str:
        """ "derived from hubspot-contacts.csv, 412 rows, 3 Dec 2026" """
        names = " and ".join(n for n in (self.lead_file_name, self.deal_file_name) if n)
        day = timezone.localtime(self.finished_at or self.created_at)
        return f"derived from {names}, {self.rows:,} rows, {day.day} {day:%b %Y}"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_read / self.rows_total))

    def discard_files(self) -> None:
        """Delete the uploaded files from storage (the names stay, for the provenance)."""
        for stored in (self.lead_file, self.deal_file):
            if stored:
                stored.delete(save=False)


@receiver(post_delete, sender=CrmImport)
def _delete_crm_files(sender, instance: CrmImport, **kwargs) -> None:
    # A signal, not a delete() override: deleting a client cascades to its imports without
    # calling their delete(), and a kept raw file must not outlive its import.
    instance.discard_files()
