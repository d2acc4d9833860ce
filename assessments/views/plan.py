"""A client's action plan: its page, items added by hand or from a recommendation, and inline
status changes. Viewers read it; consultants and owners change it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.models import Membership, Role
from assessments.access import get_assessment_for
from assessments.forms import AddToPlanForm, PlanFilterForm, PlanItemForm, PlanStatusForm
from assessments.models import OPEN_PLAN_STATUSES, PlanItem, PlanStatus
from assessments.plan import (
    add_recommendation_to_plan,
    filter_choices,
    ordered,
    plan_questions,
)
from clients.access import get_client_for
from clients.models import Client
from lib.forms import submitted
from lib.http import HtmxHttpRequest
from lib.quarters import Quarter

PLAN = "assessments/plan/plan.html"


def _plan_url(client: Client, item: PlanItem | None = None) -> str:
    url = reverse("assessments:client_plan", args=[client.workspace.slug, client.pk])
    return f"{url}#item-{item.pk}" if item else url


def _item_for(membership: Membership, client_id: int, item_id: int) -> PlanItem:
    """A plan item of a client of the membership's workspace; anything else is a 404."""
    client = get_client_for(membership, client_id)
    item = get_object_or_404(client.plan_items.select_related("owner_user"), pk=item_id)
    item.client = client  # spare a query: it was checked above
    return item


def _counts(client: Client, today) -> dict:
    overdue = client.plan_items.overdue(today).values("pk")
    return client.plan_items.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_PLAN_STATUSES)),
        overdue=Count("pk", filter=Q(pk__in=overdue)),
        done=Count("pk", filter=Q(status=PlanStatus.DONE)),
    )


@require_safe
@login_required
@vary_on_headers("HX-Request")
def client_plan(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    client = get_client_for(membership, client_id)
    today = timezone.localdate()
    counts = _counts(client, today)
    quarters, owners = filter_choices(client) if counts["total"] else ([], [])
    filters = PlanFilterForm(
        request.GET,
        quarters=quarters,
        owners=[(PlanFilterForm.owner_value(uid, name), shown) for uid, name, shown in owners],
    )
    items = []
    if counts["total"]:
        items = list(filters.filter(ordered(client.plan_items.select_related("owner_user")), today))
    context = {
        "client": client,
        "filters": filters,
        "items": items,
        "counts": counts,
        "overdue_ids": {item.pk for item in items if item.is_overdue(today)},
        "current_quarter": Quarter.of(today),
        "statuses": PlanStatus.choices,
        "latest_results": None if counts["total"] else _latest_with_results(client),
        # People read a linked question by its text, not its key.
        "question_texts": {q.key: q.text for q in plan_questions(client)} if items else {},
    }
    template = PLAN
    if request.htmx and request.htmx.target == "plan-results":
        template += "#results"
    return render(request, template, context)


def _latest_with_results(client: Client):
    """For the empty plan's hint: the newest assessment that has results to plan from."""
    return client.assessments.with_results().order_by("-year", "-quarter").first()


def _render_form(request, form: PlanItemForm, client: Client, item: PlanItem | None):
    context = {"form": form, "client": client, "item": item}
    return render(request, "assessments/plan/item_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan_item_create(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    client = get_client_for(membership, client_id)
    form = PlanItemForm(
        **submitted(request),
        client=client,
        questions=plan_questions(client),
        today=timezone.localdate(),
    )
    if form.is_valid():
        form.instance.created_by = request.user
        item = form.save()
        messages.success(request, f"“{item.title}” added to the plan.")
        return redirect(_plan_url(client, item))
    return _render_form(request, form, client, None)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan_item_edit(request: HtmxHttpRequest, workspace_slug: str, client_id: int, item_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    item = _item_for(membership, client_id, item_id)
    form = PlanItemForm(
        **submitted(request),
        instance=item,
        client=item.client,
        questions=plan_questions(item.client),
        today=timezone.localdate(),
    )
    if form.is_valid():
        form.save()
        messages.success(request, f"“{item.title}” saved.")
        return redirect(_plan_url(item.client, item))
    return _render_form(request, form, item.client, item)


def _status_row(request: HtmxHttpRequest, item: PlanItem, error: str | None) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "item": item,
        "client": item.client,
        "overdue_ids": {item.pk} if item.is_overdue(today) else set(),
        "statuses": PlanStatus.choices,
        "saved": error is None,
        "status_error": error,
        # The counts above the table change too: swapped out of band.
        "counts": _counts(item.client, today),
        "current_quarter": Quarter.of(today),
        "oob": True,
    }
    return render(request, f"{PLAN}#row", context)


@require_POST
@login_required
@vary_on_headers("HX-Request")
def plan_item_status(request: HtmxHttpRequest, workspace_slug: str, client_id: int, item_id: int):
    """The inline status select: htmx swaps the row; without JavaScript, back to the plan."""
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    item = _item_for(membership, client_id, item_id)
    form = PlanStatusForm(request.POST)
    error = None if form.is_valid() else form.errors["status"][0]
    if error is None:
        item.change_status(form.cleaned_data["status"])
    if request.htmx:
        return _status_row(request, item, error)
    if error:
        messages.error(request, f"The status of “{item.title}” was not changed. {error}")
    else:
        messages.success(request, f"“{item.title}”: {item.get_status_display().lower()}.")
    return redirect(_plan_url(item.client, item))


@require_POST
@login_required
def plan_item_delete(request: HtmxHttpRequest, workspace_slug: str, client_id: int, item_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    item = _item_for(membership, client_id, item_id)
    item.delete()
    messages.success(request, f"“{item.title}” removed from the plan.")
    return redirect(_plan_url(item.client))


@require_POST
@login_required
@vary_on_headers("HX-Request")
def plan_add_recommendation(request: HtmxHttpRequest, workspace_slug: str, assessment_id: int):
    """A recommendation of the results page into the client's plan ("Add to plan")."""
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    assessment = get_assessment_for(membership, assessment_id)
    form = AddToPlanForm(request.POST, assessment=assessment)
    if not form.is_valid():
        error = form.errors["question"][0]
        if request.htmx:
            context = {"assessment": assessment, "key": form.data.get("question", "")}
            return _plan_control(request, {**context, "plan_error": error})
        messages.error(request, f"Nothing was added to the plan: {error}")
        return redirect("assessments:results", workspace_slug, assessment.pk)
    question = form.cleaned_data["question"]
    item, created = add_recommendation_to_plan(
        assessment=assessment, question=question, user=request.user
    )
    if request.htmx:
        context = {"assessment": assessment, "key": question.key, "planned_item": item}
        return _plan_control(request, {**context, "already": not created})
    if created:
        messages.success(request, f"“{item.title}” added to the plan, for {item.target_period}.")
    else:
        messages.info(request, f"“{item.title}” is already in the plan.")
    results_url = reverse("assessments:results", args=[workspace_slug, assessment.pk])
    return redirect(f"{results_url}#rec-{question.key}")


def _plan_control(request: HtmxHttpRequest, context: dict) -> HttpResponse:
    """The recommendation's plan control, swapped in place of its "Add to plan" form."""
    return render(request, "assessments/_recommendation.html#plan_control", context)
