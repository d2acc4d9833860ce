"""Client moved here from `assessments` (its table, assessments_client, is unchanged)."""

import django.db.models.deletion
import django.db.models.functions.text
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
    ]

    operations = [
        # The tables stay as they are (db_table keeps their names): only Django's idea of
        # which app owns the models changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Client",
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
                        ("name", models.CharField(max_length=120)),
                        ("industry", models.CharField(blank=True, max_length=100)),
                        (
                            "company_size",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("1-10", "1–10 employees"),
                                    ("11-50", "11–50 employees"),
                                    ("51-200", "51–200 employees"),
                                    ("201-1000", "201–1,000 employees"),
                                    ("1001-5000", "1,001–5,000 employees"),
                                    ("5001+", "More than 5,000 employees"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("notes", models.TextField(blank=True, max_length=5000)),
                        ("archived_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="clients",
                                to="accounts.workspace",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "assessments_client",
                        "ordering": [django.db.models.functions.text.Lower("name")],
                        "indexes": [
                            models.Index(
                                fields=["workspace", "archived_at"],
                                name="assessments_workspa_2005bb_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                models.F("workspace"),
                                django.db.models.functions.text.Lower("name"),
                                name="unique_client_name_per_workspace",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "company_size__in",
                                        [
                                            "",
                                            "1-10",
                                            "11-50",
                                            "51-200",
                                            "201-1000",
                                            "1001-5000",
                                            "5001+",
                                        ],
                                    )
                                ),
                                name="client_company_size_is_known",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        move_content_types("clients", ("client",)),
    ]
