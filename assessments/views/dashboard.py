"""The workspace dashboard: every client's latest results at a glance, in a fixed number of
queries whatever the number of clients and quarters (the figures come from the results
snapshots, assessments.summaries)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.vocabulary import words_for
from assessments.forms import DashboardForm
from assessments.history import direction
from assessments.models import Assessment, TrackedClient
from lib.http import HtmxHttpRequest

CLIENTS_PER_PAGE = 25


def _decorate(client) -> None:
    """Plain attributes for the template: the trend and a quarter in progress."""
    delta = None
    if client.latest_index is not None and client.previous_index is not None:
        delta = client.latest_index - client.previous_index
    client.delta = delta
    client.trend = direction(delta)
    client.preliminary = client.latest_status == Assessment.Status.OPEN
    client.partial = client.latest_partial in (True, 1, "true")  # as each database gives it
    client.previous_period = (
        f"{client.previous_year}-Q{client.previous_quarter}" if client.previous_year else ""
    )
    newer = (client.newest_year, client.newest_quarter) != (
        client.latest_year,
        client.latest_quarter,
    )
    client.new_submissions = client.open_last_submitted is not None and (
        client.open_seen_at is None or client.open_last_submitted > client.open_seen_at
    )
    client.in_progress = (
        f"{client.newest_year}-Q{client.newest_quarter}"
        if client.newest_status == Assessment.Status.OPEN and newer
        else ""
    )


def _a_companys_own_page(workspace) -> str | None:
    """A company assessing itself as one unit has no list to look at: its dashboard is its own
    quarters (the unit's page). With several business units it gets the dashboard."""
    if not workspace.is_company:
        return None
    units = list(TrackedClient.objects.for_workspace(workspace).active()[:2])
    return units[0].get_absolute_url() if len(units) == 1 else None


@require_safe
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    if own_quarters := _a_companys_own_page(membership.workspace):
        return redirect(own_quarters)
    filters = DashboardForm(request.GET, words=words_for(membership.workspace))
    search, sort = filters.cleaned()
    clients = (
        TrackedClient.objects.for_workspace(membership.workspace)
        .active()
        .search(search)
        .with_latest_results()
        .with_responses()
        .in_dashboard_order(sort)
    )
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
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
