"""Client moved to the `clients` app and the funnel's models to `funnel`: the state only, as
their tables stay where they are (clients/migrations/0001, funnel/migrations/0001)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_funnel_figures"),
        ("clients", "0001_initial"),
        ("funnel", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assessment",
                    name="client",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assessments",
                        to="clients.client",
                    ),
                ),
                migrations.AlterField(
                    model_name="planitem",
                    name="client",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plan_items",
                        to="clients.client",
                    ),
                ),
                migrations.DeleteModel(name="FunnelFigures"),
                migrations.DeleteModel(name="FunnelThresholds"),
                migrations.DeleteModel(name="Client"),
            ],
            database_operations=[],
        ),
    ]
