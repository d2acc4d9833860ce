"""The workspace dashboard: every client's latest results at a glance, in a fixed number of
queries whatever the number of clients and quarters, and in the same time: a page reads 25
clients' standings (assessments.models.ClientStanding, kept where the figures change) in the
order of one of its indexes."""

import html
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
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
    three times a row (reversing was most of what a row of the template cost), and the days
    they show."""

    SENTINEL = "2147483647"  # an id reversed in place of each row's: its last occurrence

    def __init__(self, workspace_slug: str):
        self.patterns = {
            name: reverse(f"assessments:{name}", args=[workspace_slug, self.SENTINEL]).rsplit(
                self.SENTINEL, 1
            )
            for name in ("client_detail", "results", "assessment_detail")
        }
        self.months: dict[int, str] = {}

    def __call__(self, name: str, pk: int) -> str:
        before, after = self.patterns[name]
        return f"{before}{pk}{after}"

    def day(self, day) -> str:
        """`day|date:"j M"`, each month's name translated once a page."""
        if day.month not in self.months:
            self.months[day.month] = date_format(day, "M")
        return f"{day.day} {self.months[day.month]}"


def _whole(number: float) -> str:
    """`number|floatformat:0` (rounded half away from zero, never "-0"), without the
    localisation a number under a thousand does not need."""
    return str(int(Decimal(repr(number)).quantize(Decimal(1), ROUND_HALF_UP)))


def _decorate(client: ClientStanding, links: _Links) -> None:
    """Plain attributes for the row: the links, the figures as shown, the trend and a quarter
    in progress."""
    client.url = links("client_detail", client.pk)
    if client.latest_id:
        client.results_url = links("results", client.latest_id)
        client.latest_period = f"{client.latest_year}-Q{client.latest_quarter}"
        client.respondents = (
            f"{client.latest_respondents} respondent{pluralize(client.latest_respondents)}"
        )
    if client.open_id:
        client.open_url = links("assessment_detail", client.open_id)
        client.due = links.day(client.open_deadline) if client.open_deadline else ""
    client.index_shown = ""
    if client.latest_index is not None:
        client.index_shown = _whole(client.latest_index)
        client.stage = stage_name(client.latest_index)
    client.drop = handoff_short_or_blank(client.latest_drop) or "—"
    delta = None
    if client.latest_index is not None and client.previous_index is not None:
        delta = client.latest_index - client.previous_index
    client.delta = delta
    client.delta_shown = "" if delta is None else _whole(delta)
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


TREND = {
    "up": '<span class="trend up" title="Up since {period}">▲ +{delta}</span>',
    "down": '<span class="trend down" title="Down since {period}">▼ {delta}</span>',
    "flat": '<span class="trend flat" title="No change since {period}">▬ 0</span>',
    "": '<span class="muted small">first quarter</span>',
}
PRELIMINARY = (
    ' <span class="badge archived" title="The assessment is still open">preliminary</span>'
)
PARTIAL = (
    ' <span class="badge warning" title="A dimension has no index this quarter">partial</span>'
)
NEW_ANSWERS = (
    '<br><span class="badge status-open" title="Answers came in since a consultant last looked '
    'at the assessment">{}</span>'
)


def _e(value) -> str:
    """Escaped for HTML, as Django's `escape` does (which is html.escape, behind a check for
    lazy strings that costs more than the escaping)."""
    return html.escape(str(value))


def row_html(client: ClientStanding) -> SafeString:
    """A client's row of the table, from the attributes `_decorate` set. Written here rather
    than in the template: 25 rows of a dozen conditions and twenty values each were most of
    the template's time, and Django's `format_html` most of what was left. Every value that
    is not a constant of this module goes through `_e`."""
    name = f'<a href="{_e(client.url)}">{_e(client.name)}</a>'
    if client.industry:
        name += f'<br><span class="muted small">{_e(client.industry)}</span>'
    if client.latest_id:
        latest = (
            f'<a href="{_e(client.results_url)}">{_e(client.latest_period)}</a> '
            f'<span class="muted small">· {_e(client.respondents)}</span>'
        )
        if client.preliminary:
            latest += PRELIMINARY
    else:
        latest = '<span class="muted">No results yet</span>'
    if client.in_progress:
        latest += (
            f'<br><span class="badge status-open">{_e(client.in_progress)} open, preliminary</span>'
        )
    if client.open_id:
        responses = (
            f'<a href="{_e(client.open_url)}">{_e(client.open_submitted)} of '
            f"{_e(client.open_total)} submitted</a>"
        )
        if client.due:
            responses += f' <span class="muted small">· due {_e(client.due)}</span>'
        if client.new_submissions:
            everyone = client.open_total and client.open_submitted == client.open_total
            responses += NEW_ANSWERS.format("everyone has answered" if everyone else "new answers")
    else:
        responses = '<span class="muted small">nothing open</span>'
    if client.index_shown:
        overall = (
            f"<strong>{_e(client.index_shown)}</strong> "
            f'<span class="muted small">{_e(client.stage)}</span>'
        )
        if client.partial:
            overall += PARTIAL
    else:
        overall = "—"
    trend = TREND[client.trend].format(
        period=_e(client.previous_period), delta=_e(client.delta_shown)
    )
    if client.previous_period:
        trend += f'<br><span class="muted small">since {_e(client.previous_period)}</span>'
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<tr><td class="primary">{name}</td><td data-label="Latest results">{latest}</td>'
        f'<td data-label="Responses">{responses}</td>'
        f'<td data-label="Overall" class="num">{overall}</td>'
        f'<td data-label="Trend">{trend}</td><td data-label="Baton drop">{_e(client.drop)}</td>'
        f'<td data-label="Open plan items" class="num">{_e(client.open_items)}</td></tr>'
    )


def _columns(words, sort: str, search: str) -> list[dict]:
    """The table's headers; those that order it link to that order, keeping the search."""
    query = f"?q={quote(search)}&" if search else "?"
    columns = []
    for key, label, numeric in [
        ("name", words.Client, False),
        ("latest", "Latest results", False),
        ("responses", "Responses", False),
        ("index", "Overall", True),
        ("", "Trend", False),
        ("", "Baton drop", False),
        ("open_items", "Open plan items", True),
    ]:
        by_name = key == "name"
        columns.append(
            {
                "label": label,
                "numeric": numeric,
                "href": f"{query}sort={key}" if key else "",
                "current": key == sort,
                "aria_sort": "ascending" if by_name else "descending",
                "arrow": "▴" if by_name else "▾",
            }
        )
    return columns


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
    words = words_for(membership.workspace)
    filters = DashboardForm(request.GET, words=words)
    search, sort = filters.cleaned()
    clients = (
        ClientStanding.objects.for_workspace(membership.workspace)
        .active()
        .search(search)
        .in_dashboard_order(sort)
    )
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    links = _Links(membership.workspace.slug)
    for client in page.object_list:
        _decorate(client, links)
        client.row = row_html(client)
    context = {
        "columns": _columns(words, sort, search),
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
