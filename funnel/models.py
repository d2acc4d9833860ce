"""A client's real funnel: its figures per quarter, and each workspace's own thresholds for
judging them. The vocabulary of the figures (their fields and labels) is funnel.kpis's."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from accounts.models import Workspace
from clients.models import Client
from funnel.health import Threshold, thresholds_with
from funnel.kpis import (
    DAYS_FIELDS,
    DEFAULT_DISCOUNT_RATE,
    FIGURE_FIELDS,
    FIGURE_LABELS,
    IMPOSSIBLE_ABOVE,
    MAX_DISCOUNT_RATE,
    MONEY_FIELDS,
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
                for field in MONEY_FIELDS + DAYS_FIELDS + YEARS_FIELDS
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
