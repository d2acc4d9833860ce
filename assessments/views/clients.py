from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.models import Role
from assessments.access import get_client_for
from assessments.forms import COMMON_INDUSTRIES, ClientFilterForm, ClientForm
from assessments.http import HtmxHttpRequest

CLIENTS_PER_PAGE = 25


@require_GET
@login_required
def workspace_home(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    get_membership_for(request, workspace_slug)
    return redirect("assessments:client_list", workspace_slug=workspace_slug)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def client_list(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    filters = ClientFilterForm(request.GET)
    clients = filters.filter(membership.workspace.clients.all())
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "has_any_client": page.paginator.count > 0 or membership.workspace.clients.exists(),
    }
    template = "assessments/client_list.html"
    if request.htmx and request.htmx.target == "client-results":
        template += "#results"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@login_required
def client_create(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    form = ClientForm(request.POST or None, workspace=membership.workspace)
    if form.is_valid():
        client = form.save()
        messages.success(request, f"{client.name} added.")
        return redirect(client)
    return _render_client_form(request, form, client=None)


def _render_client_form(request, form: ClientForm, *, client) -> HttpResponse:
    context = {"form": form, "client": client, "industries": COMMON_INDUSTRIES}
    return render(request, "assessments/client_form.html", context)


@require_GET
@login_required
def client_detail(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    client = get_client_for(membership, client_id)
    assessments = client.assessments.select_related("bank_version").annotate(
        respondent_count=Count("respondents"),
        submitted_count=Count("respondents", filter=Q(respondents__submitted_at__isnull=False)),
    )
    context = {"client": client, "assessments": assessments}
    return render(request, "assessments/client_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def client_edit(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    client = get_client_for(membership, client_id)
    form = ClientForm(request.POST or None, instance=client, workspace=membership.workspace)
    if form.is_valid():
        form.save()
        messages.success(request, "Changes saved.")
        return redirect(client)
    return _render_client_form(request, form, client=client)


@require_POST
@login_required
def client_archive(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    client = get_client_for(membership, client_id)
    client.archive()
    messages.success(request, f"{client.name} archived. It stays readable and can be restored.")
    return redirect(client)


@require_POST
@login_required
def client_restore(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    client = get_client_for(membership, client_id)
    client.restore()
    messages.success(request, f"{client.name} restored.")
    return redirect(client)
