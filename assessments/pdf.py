"""The PDF maturity report: a standalone print template handed to WeasyPrint.

`render_report_pdf` renders; `report_for_download` serves a cached render when nothing the
report shows has changed, renders small reports at once, and hands large ones to a background
task (assessments.tasks) while the page shows progress.
"""

import time
from functools import lru_cache
from pathlib import Path
from statistics import median

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.cache_keys import report_key
from assessments.models import Answer, Assessment, ReportOptions, ReportRender, ReportSections
from assessments.report import report_context

# Above this estimated render time the report renders in the background (the issue's "about
# two seconds"). The estimate is this assessment's last render time; failing that, its number
# of answers times the seconds per answer of the latest renders on this installation (as busy
# as it is now); failing that, the figures below, measured on the demo reports.
SECONDS_PER_ANSWER = 0.0004  # measured on the demo reports, on a quiet machine
MINIMUM_SECONDS = 0.5  # the fixed cost of any render: templates, fonts, layout
RECENT_RENDERS = 20  # how many of the latest renders give the seconds per answer
# How many ready renders to keep per assessment: older states of the data are never served
# again, but each choice of sections is a render of its own, and switching back to an earlier
# choice should find it.
KEEP_RENDERS = len(ReportSections) + 1


@lru_cache(maxsize=1)
def report_stylesheet() -> str:
    return Path(finders.find("css/report.css")).read_text(encoding="utf-8")


def report_html(*, assessment: Assessment, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions.of(assessment)
    context = {**report_context(assessment, options=options), "stylesheet": report_stylesheet()}
    return render_to_string("assessments/report/report.html", context)


def html_to_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint takes ~0.4 s to import, which no other page should pay.
    from weasyprint import HTML

    # The report embeds what it shows (styles, logo, charts); relative URLs, if any, would be
    # static files.
    return HTML(string=html, base_url=str(settings.STATICFILES_DIRS[0])).write_pdf()


def render_report_pdf(*, assessment: Assessment, options: ReportOptions | None = None) -> bytes:
    """The report of one assessment as PDF bytes, with its saved options unless given others."""
    return html_to_pdf(report_html(assessment=assessment, options=options))


def estimated_seconds(assessment: Assessment) -> float:
    last = (
        ReportRender.objects.filter(assessment=assessment, render_seconds__isnull=False)
        .order_by("-finished_at")
        .values_list("render_seconds", flat=True)
        .first()
    )
    if last is not None:
        return last
    return max(MINIMUM_SECONDS, report_answers(assessment) * seconds_per_answer())


def report_answers(assessment: Assessment) -> int:
    """The answers a report rests on: the client's, over the quarters its trend shows."""
    return Answer.objects.filter(respondent__assessment__client=assessment.client).count()


def seconds_per_answer() -> float:
    """The median time per answer of the latest renders: what rendering costs on this
    installation now, load included (a fixed figure measured on a quiet machine
    underestimated renders under load tenfold)."""
    recent = (
        ReportRender.objects.filter(render_seconds__isnull=False, answer_count__gt=0)
        .order_by("-finished_at")
        .values_list("render_seconds", "answer_count")[:RECENT_RENDERS]
    )
    rates = [seconds / answers for seconds, answers in recent]
    return median(rates) if rates else SECONDS_PER_ANSWER


def renders_in_background(assessment: Assessment) -> bool:
    return estimated_seconds(assessment) >= settings.REPORT_BACKGROUND_SECONDS


def render_and_store(assessment: Assessment) -> ReportRender:
    """Render the report as the data and its options stand now, and keep it under that
    state's digest. The options are read once, so the render is the one its digest names."""
    options = ReportOptions.of(assessment)
    digest = report_key(assessment, options)
    answers = report_answers(assessment)
    started = time.perf_counter()
    try:
        pdf = render_report_pdf(assessment=assessment, options=options)
    except Exception as error:  # reported on the progress page; the traceback goes to the log
        _store(assessment, digest, status=ReportRender.Status.FAILED, error=repr(error))
        raise
    seconds = time.perf_counter() - started
    render = _store(
        assessment,
        digest,
        status=ReportRender.Status.READY,
        pdf=pdf,
        render_seconds=seconds,
        answer_count=answers,
    )
    _forget_old_renders(render)
    return render


def _store(assessment: Assessment, digest: str, **fields) -> ReportRender:
    render, _ = ReportRender.objects.update_or_create(
        assessment=assessment,
        digest=digest,
        defaults={**fields, "finished_at": timezone.now()},
    )
    return render


def _forget_old_renders(latest: ReportRender) -> None:
    """Older states are never served again: keep the newest few, drop the rest (including
    requests for states that changed before they were rendered)."""
    renders = ReportRender.objects.filter(assessment_id=latest.assessment_id)
    keep = list(
        renders.filter(status=ReportRender.Status.READY)
        .order_by("-finished_at")
        .values_list("pk", flat=True)[:KEEP_RENDERS]
    )
    renders.exclude(pk__in=[*keep, latest.pk]).delete()


def claim_render(assessment: Assessment, digest: str) -> tuple[ReportRender, bool]:
    """Claim the render of this state of the report: the first to ask gets a pending row and
    renders it (at once or in the background); anyone asking meanwhile gets that row and
    waits for it (the status page shows its progress), so a report is never rendered twice
    for one state. Returns the row and whether this caller claimed it. The unique
    (assessment, digest) constraint decides between simultaneous askers; called outside the
    request's transaction (views.report), the claim is visible to them at once."""
    try:
        with transaction.atomic():
            return ReportRender.objects.create(assessment=assessment, digest=digest), True
    except IntegrityError:  # someone claimed it a moment ago
        return ReportRender.objects.get(assessment=assessment, digest=digest), False


def current_render(assessment: Assessment) -> tuple[str, ReportRender | None]:
    """The digest of the data and the report's options as they stand, and the render made
    from them if there is one."""
    digest = report_key(assessment)
    return digest, ReportRender.objects.filter(assessment=assessment, digest=digest).first()
