"""FunnelFigures and FunnelThresholds moved here from `assessments` (tables unchanged)."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_types(app_label: str, models: tuple[str, ...]):
    """Give the moved models' content types to their new app, so permissions granted on them
    and the admin's history of their rows stay attached. A fresh database has none yet."""

    def forward(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label="assessments", model__in=models).update(
            app_label=app_label
        )

    def backward(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label=app_label, model__in=models).update(
            app_label="assessments"
        )

    return migrations.RunPython(forward, backward)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("assessments", "0005_funnel_figures"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_workspace_branding"),
        ("clients", "0001_initial"),
    ]

    operations = [
        # The tables stay as they are (db_table keeps their names): only Django's idea of
        # which app owns the models changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FunnelThresholds",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("values", models.JSONField(blank=True, default=dict)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "workspace",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="funnel_thresholds",
                                to="accounts.workspace",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "assessments_funnelthresholds",
                    },
                ),
                migrations.CreateModel(
                    name="FunnelFigures",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("year", models.PositiveSmallIntegerField()),
                        ("quarter", models.PositiveSmallIntegerField()),
                        (
                            "impressions",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Prospect impressions"
                            ),
                        ),
                        (
                            "engaged_leads",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Engaged leads"
                            ),
                        ),
                        (
                            "content_downloads",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Content downloads"
                            ),
                        ),
                        (
                            "emails_sent",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Emails sent"
                            ),
                        ),
                        (
                            "emails_opened",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Emails opened"
                            ),
                        ),
                        (
                            "emails_clicked",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Emails clicked"
                            ),
                        ),
                        (
                            "hard_bounces",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Hard bounces"
                            ),
                        ),
                        (
                            "soft_bounces",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Soft bounces"
                            ),
                        ),
                        (
                            "inquiries",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Inquiries"
                            ),
                        ),
                        (
                            "mqls",
                            models.PositiveIntegerField(
                                blank=True,
                                null=True,
                                verbose_name="MQLs (marketing-qualified leads)",
                            ),
                        ),
                        (
                            "sals",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="SALs (sales-accepted leads)"
                            ),
                        ),
                        (
                            "sqls",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="SQLs (opportunities)"
                            ),
                        ),
                        (
                            "won_deals",
                            models.PositiveIntegerField(
                                blank=True, null=True, verbose_name="Won deals"
                            ),
                        ),
                        (
                            "pipeline_value",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="Pipeline value",
                            ),
                        ),
                        (
                            "closed_revenue",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="Closed revenue",
                            ),
                        ),
                        (
                            "average_deal_size",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                verbose_name="Average deal size",
                            ),
                        ),
                        (
                            "days_inquiry_to_mql",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                max_digits=6,
                                null=True,
                                verbose_name="Days from inquiry to MQL",
                            ),
                        ),
                        (
                            "days_mql_to_sal",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                max_digits=6,
                                null=True,
                                verbose_name="Days from MQL to SAL",
                            ),
                        ),
                        (
                            "days_sal_to_sql",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                max_digits=6,
                                null=True,
                                verbose_name="Days from SAL to SQL",
                            ),
                        ),
                        (
                            "days_sql_to_won",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                max_digits=6,
                                null=True,
                                verbose_name="Days from SQL to won",
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "client",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="funnel_figures",
                                to="clients.client",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "funnel figures",
                        "db_table": "assessments_funnelfigures",
                        "ordering": ["client", "year", "quarter"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("client", "year", "quarter"),
                                name="one_funnel_per_client_quarter",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("quarter__range", (1, 4))),
                                name="funnel_quarter_1_to_4",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("year__range", (2000, 2100))),
                                name="funnel_plausible_year",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("pipeline_value__isnull", True),
                                    ("pipeline_value__gte", 0),
                                    _connector="OR",
                                ),
                                name="funnel_pipeline_value_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("closed_revenue__isnull", True),
                                    ("closed_revenue__gte", 0),
                                    _connector="OR",
                                ),
                                name="funnel_closed_revenue_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("average_deal_size__isnull", True),
                                    ("average_deal_size__gte", 0),
                                    _connector="OR",
                                ),
                                name="funnel_average_deal_size_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("days_inquiry_to_mql__isnull", True),
                                    ("days_inquiry_to_mql__gte", 0),
                                    _connector="OR",
                                ),
                                name="funnel_days_inquiry_to_mql_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("days_mql_to_sal__isnull", True),
                                    ("days_mql_to_sal__gte", 0),
                                    _connector="OR",
                                ),
                                name="funnel_days_mql_to_sal_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("days_sal_to_sql__isnull", True),
                                    ("days_sal_to_sql__gte", 0),
                                    _connector="OR",
                                ),
                                name="funnel_days_sal_to_sql_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("days_sql_to_won__isnull", True),
                                    ("days_sql_to_won__gte", 0),
                                    _connector="OR",
                                ),
                                name="funnel_days_sql_to_won_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("emails_opened__isnull", True),
                                    ("emails_sent__isnull", True),
                                    ("emails_opened__lte", models.F("emails_sent")),
                                    _connector="OR",
                                ),
                                name="funnel_emails_opened_within_emails_sent",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("emails_clicked__isnull", True),
                                    ("emails_sent__isnull", True),
                                    ("emails_clicked__lte", models.F("emails_sent")),
                                    _connector="OR",
                                ),
                                name="funnel_emails_clicked_within_emails_sent",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("hard_bounces__isnull", True),
                                    ("emails_sent__isnull", True),
                                    ("hard_bounces__lte", models.F("emails_sent")),
                                    _connector="OR",
                                ),
                                name="funnel_hard_bounces_within_emails_sent",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("soft_bounces__isnull", True),
                                    ("emails_sent__isnull", True),
                                    ("soft_bounces__lte", models.F("emails_sent")),
                                    _connector="OR",
                                ),
                                name="funnel_soft_bounces_within_emails_sent",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        move_content_types("funnel", ("funnelfigures", "funnelthresholds")),
    ]
