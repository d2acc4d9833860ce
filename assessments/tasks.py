"""Background tasks (django-tasks): run by `manage.py db_worker` in production, and what queues
them."""

from django.db import IntegrityError, transaction
from django_tasks import task

from assessments import reminders
from assessments.models import Assessment, ReportRender
from assessments.pdf import render_and_store


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
    try:
        with transaction.atomic():
            render = ReportRender.objects.create(assessment=assessment, digest=digest)
    except IntegrityError:  # someone asked a moment ago: wait for theirs
        return ReportRender.objects.get(assessment=assessment, digest=digest)
    transaction.on_commit(lambda: render_report.enqueue(assessment.pk))
    return render
