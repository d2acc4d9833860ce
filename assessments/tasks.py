"""Background tasks (django-tasks): run by `manage.py db_worker` in production, and what queues
them."""

from django.db import transaction
from django_tasks import task

from assessments import reminders
from assessments.models import Assessment, ReportRender
from assessments.pdf import claim_render, render_and_store


@task()
def render_report(assessment_id: int) -> None:
    """Render an assessment's PDF report and keep it for download."""
    assessment = (
        Assessment.objects.select_related("client__workspace", "bank_version")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is not None:  # deleted since it was queued: nothing to do
        render_and_store(assessment)


@task()
def send_scheduled_reminders(assessment_id: int) -> int:
    """Send the scheduled reminder due now for one assessment (queued for its time)."""
    assessment = (
        Assessment.objects.select_related("client__workspace", "bank_version")
        .filter(pk=assessment_id)
        .first()
    )
    return reminders.send_scheduled(assessment) if assessment is not None else 0


def request_background_render(assessment: Assessment, digest: str) -> ReportRender:
    """Queue one render for this state (a second request for it finds the first one)."""
    render, claimed = claim_render(assessment, digest)
    if claimed:
        transaction.on_commit(lambda: render_report.enqueue(assessment.pk))
    return render
