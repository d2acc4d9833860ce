"""The recommendation becomes a ladder of next steps, one per starting level (format 2)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def single_recommendation_to_ladder(apps, schema_editor):
    """A question's one recommendation becomes its rung from each level 1 to 4."""
    Question = apps.get_model("bank", "Question")
    Rung = apps.get_model("bank", "RecommendationRung")
    rungs = [
        Rung(
            question_id=question.pk,
            from_level=level,
            title=question.recommendation_title,
            next_steps=question.recommendation_next_steps,
            impact=question.impact,
            effort=question.effort,
        )
        for question in Question.objects.all()
        if question.recommendation_title.strip() and question.recommendation_next_steps.strip()
        for level in (1, 2, 3, 4)
    ]
    Rung.objects.bulk_create(rungs, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("bank", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="RecommendationRung",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "from_level",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "From 1 Ad hoc"),
                            (2, "From 2 Emerging"),
                            (3, "From 3 Defined"),
                            (4, "From 4 Managed"),
                        ],
                        verbose_name="from level",
                    ),
                ),
                ("title", models.CharField(max_length=160)),
                ("next_steps", models.TextField()),
                (
                    "impact",
                    models.PositiveSmallIntegerField(
                        default=2,
                        help_text="1 to 3.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(3),
                        ],
                    ),
                ),
                (
                    "effort",
                    models.PositiveSmallIntegerField(
                        default=2,
                        help_text="1 to 3.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(3),
                        ],
                    ),
                ),
            ],
            options={
                "verbose_name": "recommendation step",
                "ordering": ["question", "from_level"],
            },
        ),
        migrations.AddField(
            model_name="question",
            name="comment_prompt",
            field=models.CharField(
                blank=True,
                help_text="Shown above the comment box: a fact the level cannot hold, such as a share or a list.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="replaces",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="recommendationrung",
            name="question",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rungs",
                to="bank.question",
            ),
        ),
        migrations.AddConstraint(
            model_name="recommendationrung",
            constraint=models.UniqueConstraint(
                fields=("question", "from_level"), name="one_rung_per_level"
            ),
        ),
        migrations.AddConstraint(
            model_name="recommendationrung",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_level__range", (1, 4))), name="rung_from_level_1_to_4"
            ),
        ),
        migrations.AddConstraint(
            model_name="recommendationrung",
            constraint=models.CheckConstraint(
                condition=models.Q(("impact__range", (1, 3))), name="rung_impact_1_to_3"
            ),
        ),
        migrations.AddConstraint(
            model_name="recommendationrung",
            constraint=models.CheckConstraint(
                condition=models.Q(("effort__range", (1, 3))), name="rung_effort_1_to_3"
            ),
        ),
        # Every recommendation of every version (published ones too: the same advice, now
        # the same on each rung) before the single recommendation's fields go.
        migrations.RunPython(single_recommendation_to_ladder, migrations.RunPython.noop),
    ]
