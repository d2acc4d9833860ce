"""Background tasks (django-tasks): run by `manage.py db_worker` in production."""

from django_tasks import task

from assessments.models import Assessment


@task()
def render_report(assessment_id: int) -> None:
    """Render an assessment's PDF report and keep it for download."""
    from assessments.pdf import render_and_store

    assessment = (
        Assessment.objects.select_related("client__workspace", "bank_version")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is not None:  # deleted since it was queued: nothing to do
        render_and_store(assessment)
