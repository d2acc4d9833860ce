"""The workspace dashboard: every client's latest results at a glance, in a fixed number of
queries whatever the number of clients and quarters (the figures come from the results
snapshots, assessments.summaries)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.models import Workspace
from assessments.forms import DashboardForm
from assessments.history import direction
from assessments.models import OPEN_PLAN_STATUSES, Assessment, PlanItem
from assessments.summaries import refresh_stale
from lib.http import HtmxHttpRequest

CLIENTS_PER_PAGE = 25

ORDERINGS = {
    "name": ["name"],
    "latest": [
        F("latest_year").desc(nulls_last=True),
        F("latest_quarter").desc(nulls_last=True),
        "name",
    ],
    "index": [F("latest_index").desc(nulls_last=True), "name"],
    "index_low": [F("latest_index").asc(nulls_last=True), "name"],
    "open_items": [F("open_items").desc(), "name"],
}


def _latest_results(field: str) -> Subquery:
    """A field of the client's latest results: its latest closed assessment with submitted
    answers, or, before any has closed, its latest open one (shown as preliminary)."""
    scored = Assessment.objects.filter(client=OuterRef("pk"), submitted_count__gt=0).order_by(
        Case(When(status=Assessment.Status.CLOSED, then=0), default=1), "-year", "-quarter"
    )
    return Subquery(scored.values(field)[:1])


def _previous_results(field: str) -> Subquery:
    """The same field of the closed quarter with results just before the latest results."""
    earlier = (
        Assessment.objects.filter(
            client=OuterRef("pk"), submitted_count__gt=0, status=Assessment.Status.CLOSED
        )
        .filter(
            Q(year__lt=OuterRef("latest_year"))
            | Q(year=OuterRef("latest_year"), quarter__lt=OuterRef("latest_quarter"))
        )
        .order_by("-year", "-quarter")
    )
    return Subquery(earlier.values(field)[:1])


def dashboard_clients(workspace: Workspace, *, search: str, sort: str) -> QuerySet:
    """The workspace's active clients, each annotated with its latest results (one query)."""
    newest = Assessment.objects.filter(client=OuterRef("pk")).order_by("-year", "-quarter")
    open_items = (
        PlanItem.objects.filter(client=OuterRef("pk"), status__in=OPEN_PLAN_STATUSES)
        .values("client")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        workspace.clients.active()
        .search(search)
        .annotate(
            latest_id=_latest_results("pk"),
            latest_year=_latest_results("year"),
            latest_quarter=_latest_results("quarter"),
            latest_status=_latest_results("status"),
            latest_index=_latest_results("overall_index"),
            latest_drop=_latest_results("baton_drop"),
            latest_respondents=_latest_results("submitted_count"),
        )
        .annotate(
            previous_index=_previous_results("overall_index"),
            previous_year=_previous_results("year"),
            previous_quarter=_previous_results("quarter"),
            newest_status=Subquery(newest.values("status")[:1]),
            newest_year=Subquery(newest.values("year")[:1]),
            newest_quarter=Subquery(newest.values("quarter")[:1]),
            open_items=Coalesce(Subquery(open_items), Value(0), output_field=IntegerField()),
        )
        .order_by(*ORDERINGS.get(sort, ORDERINGS["name"]))
    )


def _decorate(client) -> None:
    """Plain attributes for the template: the trend and a quarter in progress."""
    delta = None
    if client.latest_index is not None and client.previous_index is not None:
        delta = client.latest_index - client.previous_index
    client.delta = delta
    client.trend = direction(delta)
    client.preliminary = client.latest_status == Assessment.Status.OPEN
    client.previous_period = (
        f"{client.previous_year}-Q{client.previous_quarter}" if client.previous_year else ""
    )
    newer = (client.newest_year, client.newest_quarter) != (
        client.latest_year,
        client.latest_quarter,
    )
    client.in_progress = (
        f"{client.newest_year}-Q{client.newest_quarter}"
        if client.newest_status == Assessment.Status.OPEN and newer
        else ""
    )


@require_GET
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    workspace = membership.workspace
    refresh_stale(Assessment.objects.for_workspace(workspace))
    filters = DashboardForm(request.GET)
    search, sort = filters.cleaned()
    page = Paginator(
        dashboard_clients(workspace, search=search, sort=sort), CLIENTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    for client in page.object_list:
        _decorate(client)
    context = {
        "filters": filters,
        "page": page,
        "sort": sort,
        "search": search,
        "has_any_client": bool(search) or page.paginator.count > 0,
    }
    template = "assessments/dashboard.html"
    if request.htmx and request.htmx.target == "dashboard-results":
        template += "#results"
    return render(request, template, context)
