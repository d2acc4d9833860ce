"""The workspace dashboard: every client's latest results at a glance, in a fixed number of
queries whatever the number of clients and quarters, and in the same time: a page reads 25
clients' standings (assessments.models.ClientStanding, kept where the figures change) in the
order of one of its indexes."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import floatformat, pluralize
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.vocabulary import words_for
from assessments.forms import DashboardForm
from assessments.history import direction
from assessments.models import Assessment, ClientStanding, TrackedClient
from assessments.templatetags.results import handoff_short_or_blank, stage_name
from lib.http import HtmxHttpRequest

CLIENTS_PER_PAGE = 25


class _Links:
    """The links of the dashboard's rows, each URL pattern reversed once a page rather than
    three times a row (reversing is most of what a row of the template costs)."""

    SENTINEL = 2_147_483_647  # an id no row has, replaced by each row's

    def __init__(self, workspace_slug: str):
        self.patterns = {
            name: reverse(f"assessments:{name}", args=[workspace_slug, self.SENTINEL])
            for name in ("client_detail", "results", "assessment_detail")
        }

    def __call__(self, name: str, pk: int) -> str:
        return self.patterns[name].replace(str(self.SENTINEL), str(pk))


def _decorate(client: ClientStanding, links: _Links) -> None:
    """Plain attributes for the template: the links, the figures as shown, the trend and a
    quarter in progress; worked out here so that a row of the template only prints them."""
    client.industry = client.client.industry
    client.url = links("client_detail", client.pk)
    if client.latest_id:
        client.results_url = links("results", client.latest_id)
        client.latest_period = f"{client.latest_year}-Q{client.latest_quarter}"
        client.respondents = (
            f"{client.latest_respondents} respondent{pluralize(client.latest_respondents)}"
        )
    if client.open_id:
        client.open_url = links("assessment_detail", client.open_id)
        client.due = date_format(client.open_deadline, "j M") if client.open_deadline else ""
    if client.latest_index is not None:
        client.index_shown = floatformat(client.latest_index, 0)
        client.stage = stage_name(client.latest_index)
    client.drop = handoff_short_or_blank(client.latest_drop) or "—"
    delta = None
    if client.latest_index is not None and client.previous_index is not None:
        delta = client.latest_index - client.previous_index
    client.delta = delta
    client.delta_shown = "" if delta is None else floatformat(delta, 0)
    client.trend = direction(delta)
    client.preliminary = client.latest_status == Assessment.Status.OPEN
    client.partial = client.latest_partial
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
        ClientStanding.objects.for_workspace(membership.workspace)
        .active()
        .search(search)
        .in_dashboard_order(sort)
        .select_related("client")
    )
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    links = _Links(membership.workspace.slug)
    for client in page.object_list:
        _decorate(client, links)
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
