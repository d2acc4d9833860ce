"""Several links per respondent (RespondentLink), every link email kept (LinkEmail), what a
respondent has done and when, and a deadline per assessment.

Each respondent's one link moves to a RespondentLink row (same digest, same expiry), so links
already in people's inboxes keep working; then the old columns go."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_links(apps, schema_editor):
    Respondent = apps.get_model("assessments", "Respondent")
    RespondentLink = apps.get_model("assessments", "RespondentLink")
    with_links = Respondent.objects.exclude(token_hash=None).exclude(token_hash="")
    RespondentLink.objects.bulk_create(
        RespondentLink(
            respondent_id=respondent.pk,
            token_hash=respondent.token_hash,
            purpose="invitation",
            created_at=respondent.invited_at or respondent.created_at,
            expires_at=respondent.link_expires_at or respondent.created_at,
        )
        for respondent in with_links.iterator()
    )
    # What a respondent did last: their latest answer, else when they started or submitted.
    for respondent in Respondent.objects.exclude(started_at=None).iterator():
        latest = respondent.answers.order_by("-updated_at").values_list("updated_at", flat=True)
        respondent.last_active_at = latest.first() or respondent.submitted_at
        respondent.opened_at = respondent.started_at
        respondent.save(update_fields=["last_active_at", "opened_at"])


def move_links_back(apps, schema_editor):
    Respondent = apps.get_model("assessments", "Respondent")
    RespondentLink = apps.get_model("assessments", "RespondentLink")
    for link in RespondentLink.objects.filter(revoked_at=None).order_by("created_at").iterator():
        Respondent.objects.filter(pk=link.respondent_id).update(
            token_hash=link.token_hash, link_expires_at=link.expires_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0009_answer_visibility"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="deadline",
            field=models.DateField(blank=True, null=True, verbose_name="answer by"),
        ),
        migrations.AddField(
            model_name="assessment",
            name="submissions_seen_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="respondent",
            name="last_active_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="respondent",
            name="opened_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="RespondentLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("invitation", "Invitation"),
                            ("reminder", "Reminder"),
                            ("replacement", "New link"),
                        ],
                        max_length=12,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "respondent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="assessments.respondent",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="LinkEmail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("invitation", "Invitation"), ("reminder", "Reminder")],
                        max_length=12,
                    ),
                ),
                (
                    "schedule",
                    models.CharField(
                        choices=[
                            ("manual", "Sent by hand"),
                            ("three_days_before", "Three days before the deadline"),
                            ("deadline_day", "On the deadline"),
                        ],
                        default="manual",
                        max_length=20,
                    ),
                ),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "respondent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="assessments.respondent",
                    ),
                ),
                (
                    "sent_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "link",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="assessments.respondentlink",
                    ),
                ),
            ],
            options={
                "ordering": ["-sent_at", "-pk"],
                "indexes": [
                    models.Index(
                        fields=["respondent", "-sent_at"], name="assessments_respond_be917c_idx"
                    )
                ],
            },
        ),
        migrations.RunPython(move_links, move_links_back),
        migrations.RemoveField(
            model_name="respondent",
            name="link_expires_at",
        ),
        migrations.RemoveField(
            model_name="respondent",
            name="token_hash",
        ),
    ]
