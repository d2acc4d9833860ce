"""An assessment's results: the page, its exports, and the methodology behind them."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.vocabulary import words_for
from assessments.access import get_assessment_for
from assessments.anonymity import FOLDED_ROLE, MIN_ROLE_SIZE
from assessments.cache_keys import results_body_key
from assessments.exports import answers_csv, results_csv, results_data
from assessments.funnel_results import compute_with_funnel, funnel_rows
from assessments.models import Assessment, ReportOptions
from assessments.page_cache import cached_body
from assessments.peers import peer_standings
from assessments.plan import PLANNED_STATUSES, plan_progress, planned_keys
from assessments.report import report_notes
from assessments.results import (
    AssessmentResults,
    BankCache,
    compute_results,
    previous_results,
    role_table,
)
from assessments.scoring import ALIGNMENT_GAP
from assessments.workbook import XLSX_CONTENT_TYPE, results_workbook
from bank.models import BankVersion
from lib.charts import RadarAxis, RelayHandoff, radar_chart, relay_chart
from lib.http import HtmxHttpRequest, content_disposition
from lib.maturity import level_index

TOP_RECOMMENDATIONS = 10


def _assessment(request: HttpRequest, workspace_slug: str, assessment_id: int) -> Assessment:
    membership = get_membership_for(request, workspace_slug)
    return get_assessment_for(membership, assessment_id)


def _radar(computed: AssessmentResults, previous: AssessmentResults | None):
    before = {d.key: d.index for d in previous.results.dimensions} if previous else {}
    axes = [
        RadarAxis(d.name, d.index, level_index(d.target), before.get(d.key))
        for d in computed.results.dimensions
    ]
    label = str(previous.assessment.period) if previous else None
    return radar_chart(axes, title="Maturity by dimension", previous_label=label)


def _relay(computed: AssessmentResults):
    handoffs = [
        RelayHandoff(h.key, h.name, h.index, h.at_risk, h.baton_drop)
        for h in computed.results.handoffs
    ]
    return relay_chart(handoffs, title="The relay: index of each handoff")


def _delta(now: float | None, previous: AssessmentResults | None) -> float | None:
    before = previous.results.overall_index if previous else None
    return None if now is None or before is None else now - before


# A read, so outside any transaction (lib.transactions); its snapshots and the peers' refresh
# write in transactions of their own.
@require_safe
@login_required
def results_page(request: HttpRequest, workspace_slug: str, assessment_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    assessment = get_assessment_for(membership, assessment_id)
    key = results_body_key(assessment, can_change=membership.can_change)

    def render_body(csrf_placeholder: str) -> str:
        context = {
            **results_context(assessment),
            "report_notes": report_notes(ReportOptions.of(assessment)),
            "current_membership": membership,
            # Rendered without the request (to be cached), so without the context processors.
            "words": words_for(membership.workspace),
            "csrf_token": csrf_placeholder,
            # A publication changes the body's key too (cache_keys.data_stamp).
            "newer_banks": list(BankVersion.objects.published_after(assessment.bank_version)),
        }
        return render_to_string("assessments/results.html#body", context)

    body = cached_body(request, key=key, render=render_body)
    context = {
        "assessment": assessment,
        "body": mark_safe(body),  # noqa: S308 - our own render
    }
    return render(request, "assessments/results.html", context)


def results_context(assessment: Assessment) -> dict:
    """Everything the results body shows: the scoring, the previous quarter, the funnel
    check, the plan and the peers."""
    cache = BankCache()
    anonymous = not assessment.names_in_results
    checked = compute_with_funnel(assessment, cache, anonymous=anonymous)
    computed = checked.computed
    previous = previous_results(assessment, cache)
    results = computed.results
    return {
        "assessment": assessment,
        "anonymous": anonymous,
        "folded_roles": anonymous
        and FOLDED_ROLE in (results.alignment.role_indexes if results.alignment else {}),
        "min_role_size": MIN_ROLE_SIZE,
        "results": results,
        "in_progress": computed.in_progress,
        "previous": previous,
        "radar": _radar(computed, previous),
        "relay": _relay(computed),
        "act_first": checked.act_first,
        "baton_drop_key": results.baton_drop.key if results.baton_drop else None,
        "top_recommendations": results.recommendations[:TOP_RECOMMENDATIONS],
        "more_recommendations": results.recommendations[TOP_RECOMMENDATIONS:],
        "role_table": role_table(results),
        "alignment_gap": ALIGNMENT_GAP,
        "overall_delta": _delta(results.overall_index, previous),
        "funnel": checked.funnel,
        "contradictions": checked.contradictions,
        "evidence": [
            (check, (assessment.validated_levels or {}).get(check.question.key))
            for check in checked.evidence
        ],
        "workshop_consensus": consensus_rows(assessment, results),
        "funnel_rows": funnel_rows(results, checked),
        "peer_standings": peer_standings(assessment, results),
        **_plan_context(computed, previous, cache),
    }


def consensus_rows(assessment: Assessment, results) -> list[tuple]:
    """(question result, its workshop consensus) for each question a workshop agreed on."""
    agreed = assessment.consensus_levels or {}
    return [(q, agreed[q.key]) for q in results.questions if isinstance(agreed.get(q.key), dict)]


def _plan_context(
    computed: AssessmentResults, previous: AssessmentResults | None, cache: BankCache
) -> dict:
    """Which recommendations are in the client's plan already, and how its done items moved:
    one query for the plan, one more for the quarters its done items came from."""
    client = computed.assessment.client
    items = list(
        client.plan_items.filter(status__in=PLANNED_STATUSES).select_related(
            "source_assessment__bank_version", "owner_user"
        )
    )
    return {
        "planned_keys": planned_keys(items),
        "plan_progress": plan_progress(
            computed, client, items=items, previous=previous, cache=cache
        ),
    }


def _download(content: str | bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, attachment=True)
    return response


def _file_stem(assessment: Assessment) -> str:
    return f"{assessment.client.name}-{assessment.period}"


@require_safe
@login_required
def results_json(request: HttpRequest, workspace_slug: str, assessment_id: int) -> HttpResponse:
    assessment = _assessment(request, workspace_slug, assessment_id)
    cache = BankCache()
    checked = compute_with_funnel(assessment, cache, anonymous=not assessment.names_in_results)
    data = results_data(checked, previous=previous_results(assessment, cache))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = content_disposition(
        f"{_file_stem(assessment)}-results.json", attachment=False
    )
    return response


@require_safe
@login_required
def results_csv_download(request: HttpRequest, workspace_slug: str, assessment_id: int):
    assessment = _assessment(request, workspace_slug, assessment_id)
    anonymous = not assessment.names_in_results
    content = results_csv(compute_with_funnel(assessment, anonymous=anonymous).computed)
    return _download(content, f"{_file_stem(assessment)}-results.csv", "text/csv; charset=utf-8")


@require_safe
@login_required
def answers_csv_download(request: HttpRequest, workspace_slug: str, assessment_id: int):
    assessment = _assessment(request, workspace_slug, assessment_id)
    content = answers_csv(assessment, anonymous=not assessment.names_in_results)
    return _download(content, f"{_file_stem(assessment)}-answers.csv", "text/csv; charset=utf-8")


@require_safe
@login_required
def results_xlsx_download(request: HttpRequest, workspace_slug: str, assessment_id: int):
    """results.csv and answers.csv as the sheets of one workbook, with the plan."""
    assessment = _assessment(request, workspace_slug, assessment_id)
    anonymous = not assessment.names_in_results
    computed = compute_with_funnel(assessment, anonymous=anonymous).computed
    content = results_workbook(computed, anonymous=anonymous)
    return _download(content, f"{_file_stem(assessment)}-results.xlsx", XLSX_CONTENT_TYPE)


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    """The scoring's rules, and what changed in each published version of the bank."""
    banks = list(BankVersion.objects.published().order_by("-published_at", "-pk"))
    return render(request, "assessments/methodology.html", {"banks": banks})


@require_safe
@login_required
@vary_on_headers("HX-Request")
def results_detail(
    request: HtmxHttpRequest, workspace_slug: str, assessment_id: int, dimension: str
) -> HttpResponse:
    """One dimension's questions with every answer: loaded into the results page when its
    section is opened (htmx), or a page of its own (a plain link). The results page leaves
    them out, so that it stays small whatever the number of respondents."""
    assessment = _assessment(request, workspace_slug, assessment_id)
    anonymous = not assessment.names_in_results
    results = compute_results(assessment, anonymous=anonymous).results
    d = results.dimension(dimension)
    if d is None:
        raise Http404("No such dimension.")
    context = {
        "assessment": assessment,
        "d": d,
        "questions": [q for q in results.questions if q.spec.dimension == d.key],
        "anonymous": anonymous,
        "consensus_levels": assessment.consensus_levels or {},
    }
    if request.htmx:
        return render(request, "assessments/_question_detail.html", context)
    return render(request, "assessments/results_detail.html", context)
