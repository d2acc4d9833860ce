"""The single recommendation's fields go, now that every question has its ladder (0002). A
migration of its own: on PostgreSQL, altering a table in the transaction that just wrote rows
pointing at it fails ("pending trigger events")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bank", "0002_recommendation_ladder"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="question",
            name="question_impact_1_to_3",
        ),
        migrations.RemoveConstraint(
            model_name="question",
            name="question_effort_1_to_3",
        ),
        migrations.RemoveField(
            model_name="question",
            name="effort",
        ),
        migrations.RemoveField(
            model_name="question",
            name="impact",
        ),
        migrations.RemoveField(
            model_name="question",
            name="recommendation_next_steps",
        ),
        migrations.RemoveField(
            model_name="question",
            name="recommendation_title",
        ),
    ]
