"""A consultant's validated level: where evidence contradicts the answers to a question, the
level it shows, with the reason, which the scoring then uses (assessments.scoring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import get_membership_for
from accounts.models import Role
from assessments.access import get_assessment_for
from assessments.forms import ValidatedLevelForm
from assessments.funnel_results import compute_with_funnel
from assessments.models import Assessment
from assessments.services import clear_validated_level, validate_level
from lib.forms import submitted
from lib.maturity import LEVEL_NAMES


def _evidence_url(assessment: Assessment) -> str:
    url = reverse("assessments:results", args=[assessment.client.workspace.slug, assessment.pk])
    return f"{url}#evidence-heading"


def _scored(assessment: Assessment, question_key: str):
    """The question as scored, and what the funnel shows of it, for the form's page (a save
    scores through the snapshot instead, services.validate_level)."""
    checked = compute_with_funnel(assessment, anonymous=not assessment.names_in_results)
    question = next(q for q in checked.computed.results.questions if q.key == question_key)
    check = next((c for c in checked.evidence if c.question.key == question_key), None)
    return question, check


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def validated_level(
    request: HttpRequest, workspace_slug: str, assessment_id: int, question_key: str
) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    assessment = get_assessment_for(membership, assessment_id)
    question = assessment.bank_version.questions.filter(key=question_key).first()
    if question is None:
        raise Http404("No such question in this assessment.")
    current = (assessment.validated_levels or {}).get(question_key)
    initial = {"level": current["level"], "reason": current["reason"]} if current else {}
    form = ValidatedLevelForm(**submitted(request), initial=initial)
    if form.is_valid():
        level = form.cleaned_data["level"]
        validate_level(
            assessment=assessment,
            question_key=question_key,
            level=level,
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(
            request,
            f"“{question.text}” is now scored at level {level}, {LEVEL_NAMES[level]}: "
            "the respondents’ answers stay visible beside it.",
        )
        return redirect(_evidence_url(assessment))
    scored, check = _scored(assessment, question_key)
    context = {
        "assessment": assessment,
        "question": scored,
        "check": check,
        "current": current,
        "form": form,
    }
    return render(request, "assessments/validated_level.html", context)


@require_POST
@login_required
def clear_level(
    request: HttpRequest, workspace_slug: str, assessment_id: int, question_key: str
) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    assessment = get_assessment_for(membership, assessment_id)
    if clear_validated_level(assessment=assessment, question_key=question_key):
        messages.success(request, "The question is scored from the respondents’ answers again.")
    else:
        messages.info(request, "That question had no validated level.")
    return redirect(_evidence_url(assessment))
