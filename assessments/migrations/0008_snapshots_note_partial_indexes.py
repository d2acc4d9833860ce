"""Snapshots now note a partial overall index (a dimension without one): mark every snapshot
for `manage.py refresh_results`, which the deploy steps and `make run` run after migrating."""

from django.db import migrations


def mark_every_snapshot_stale(apps, schema_editor):
    apps.get_model("assessments", "Assessment").objects.update(results_stale=True)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_snapshots_refreshed_where_they_change"),
    ]

    operations = [migrations.RunPython(mark_every_snapshot_stale, migrations.RunPython.noop)]
