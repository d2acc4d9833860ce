"""The PDF report: served from the cache, rendered at once, or rendered in the background."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import get_membership_for
from accounts.models import Role
from assessments.access import get_assessment_for
from assessments.deck import PPTX_CONTENT_TYPE, render_report_pptx
from assessments.forms import ReportOptionsForm
from assessments.models import Assessment, ReportOptions, ReportRender
from assessments.pdf import (
    claim_render,
    current_render,
    render_and_store,
    renders_in_background,
)
from assessments.tasks import request_background_render
from lib.forms import submitted
from lib.http import HtmxHttpRequest, content_disposition

logger = logging.getLogger(__name__)

# Past this, the progress page says the background worker may not be running.
SLOW_AFTER_SECONDS = 90


def _assessment(request, workspace_slug, assessment_id, *, min_role=Role.VIEWER) -> Assessment:
    membership = get_membership_for(request, workspace_slug, min_role=min_role)
    return get_assessment_for(membership, assessment_id)


def _url(name: str, assessment: Assessment) -> str:
    return reverse(f"assessments:{name}", args=[assessment.client.workspace.slug, assessment.pk])


def _pdf_response(assessment: Assessment, pdf: bytes) -> HttpResponse:
    response = HttpResponse(bytes(pdf), content_type="application/pdf")
    name = f"{assessment.client.name}-{assessment.period}-report.pdf"
    response["Content-Disposition"] = content_disposition(name, attachment=False)
    response["Cache-Control"] = "private, no-cache"
    return response


# A GET, so outside any transaction (lib.transactions): the claim of a render is visible to
# other requests while it renders (so they wait for it instead of rendering it again), and a
# render of several seconds holds no transaction (on SQLite, the write lock) meanwhile.
@require_safe
@login_required
def report_pdf(request: HttpRequest, workspace_slug: str, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, workspace_slug, assessment_id)
    if not assessment.has_results:
        messages.info(request, "The report is available once a respondent has submitted.")
        return redirect(_url("results", assessment))
    digest, render_ = current_render(assessment)
    if render_ is not None and render_.status == ReportRender.Status.READY:
        return _pdf_response(assessment, render_.pdf)
    if render_ is not None:  # rendering for someone else, or failed: the status page says
        return redirect(_url("report_status", assessment))
    if renders_in_background(assessment):
        request_background_render(assessment, digest)
        return redirect(_url("report_status", assessment))
    _, claimed = claim_render(assessment, digest)
    if not claimed:  # another request claimed it a moment ago: wait for theirs
        return redirect(_url("report_status", assessment))
    try:
        return _pdf_response(assessment, render_and_store(assessment).pdf)
    except Exception:  # stored as failed; the status page explains and offers a retry
        logger.exception("Rendering the report of %s failed", assessment)
        return redirect(_url("report_status", assessment))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def report_options(request: HttpRequest, workspace_slug: str, assessment_id: int):
    """The report's options: which sections, and the consultant's notes. Saved per assessment;
    every download (a viewer's too) uses them. A plain form post, no JavaScript needed."""
    assessment = _assessment(request, workspace_slug, assessment_id, min_role=Role.CONSULTANT)
    options = ReportOptions.of(assessment)
    form = ReportOptionsForm(**submitted(request), instance=options)
    if form.is_valid():
        form.save()
        messages.success(request, "Report options saved: the next download uses them.")
        return redirect(_url("report_options", assessment))
    context = {"assessment": assessment, "form": form}
    return render(request, "assessments/report/options.html", context)


@require_safe
@login_required
def report_pptx(request: HttpRequest, workspace_slug: str, assessment_id: int) -> HttpResponse:
    """The report as an editable slide deck: the PDF's content, drawn at once (it takes a
    fraction of a second, so it is neither stored nor sent to the background)."""
    assessment = _assessment(request, workspace_slug, assessment_id)
    if not assessment.has_results:
        messages.info(request, "The slide deck is available once a respondent has submitted.")
        return redirect(_url("results", assessment))
    response = HttpResponse(
        render_report_pptx(assessment=assessment), content_type=PPTX_CONTENT_TYPE
    )
    name = f"{assessment.client.name}-{assessment.period}-report.pptx"
    response["Content-Disposition"] = content_disposition(name, attachment=True)
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
@login_required
@vary_on_headers("HX-Request")
def report_status(request: HtmxHttpRequest, workspace_slug: str, assessment_id: int):
    """Progress while the report renders in the background; polled by htmx every second."""
    assessment = _assessment(request, workspace_slug, assessment_id)
    digest, render_ = current_render(assessment)
    if render_ is None and assessment.has_results:  # the data changed meanwhile
        render_ = request_background_render(assessment, digest)
    ready = render_ is not None and render_.status == ReportRender.Status.READY
    if ready and request.htmx:
        return HttpResponseClientRedirect(_url("report_pdf", assessment))
    context = {
        "assessment": assessment,
        "render": render_,
        "ready": ready,
        "slow": render_ is not None
        and render_.status == ReportRender.Status.PENDING
        and (request_age(render_) > SLOW_AFTER_SECONDS),
    }
    template = "assessments/report/status.html"
    if request.htmx:
        template += "#status"
    return render(request, template, context)


def request_age(render_: ReportRender) -> float:
    return (timezone.now() - render_.requested_at).total_seconds()


@require_POST
@login_required
def report_retry(request: HttpRequest, workspace_slug: str, assessment_id: int) -> HttpResponse:
    """Ask again after a failure, or when no worker picked the render up."""
    assessment = _assessment(request, workspace_slug, assessment_id, min_role=Role.VIEWER)
    digest, render_ = current_render(assessment)
    if render_ is not None and render_.status != ReportRender.Status.READY:
        render_.delete()
    if assessment.has_results:
        request_background_render(assessment, digest)
    return redirect(_url("report_status", assessment))
