"""A workspace's clients: the list, adding and editing one, archiving and restoring it.
A client's own page (its quarters, trend and plan) is the assessments app's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.models import Role
from accounts.vocabulary import words_for
from clients.access import get_client_for
from clients.forms import COMMON_INDUSTRIES, ClientFilterForm, ClientForm
from lib.forms import submitted
from lib.http import HtmxHttpRequest

CLIENTS_PER_PAGE = 25


@require_safe
@login_required
@vary_on_headers("HX-Request")
def client_list(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    filters = ClientFilterForm(request.GET, words=words_for(membership.workspace))
    clients = filters.filter(membership.workspace.clients.all())
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "page": page,
        "has_any_client": page.paginator.count > 0 or membership.workspace.clients.exists(),
    }
    template = "clients/client_list.html"
    if request.htmx and request.htmx.target == "client-results":
        template += "#results"
    return render(request, template, context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def client_create(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    form = ClientForm(**submitted(request), workspace=membership.workspace)
    if form.is_valid() and _saved(form):
        messages.success(request, f"{form.instance.name} added.")
        return redirect(form.instance)
    return _render_client_form(request, form, client=None)


def _saved(form: ClientForm) -> bool:
    """Save a valid form; False (the form given an error) if the name was taken meanwhile."""
    try:
        with transaction.atomic():  # a savepoint: the form is shown again after a refusal
            form.save()
    except IntegrityError:  # the same name saved from another tab a moment ago
        form.add_error("name", "A client of this name was just added to the workspace.")
        return False
    return True


def _render_client_form(request, form: ClientForm, *, client) -> HttpResponse:
    context = {"form": form, "client": client, "industries": COMMON_INDUSTRIES}
    return render(request, "clients/client_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def client_edit(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    client = get_client_for(membership, client_id)
    form = ClientForm(**submitted(request), instance=client, workspace=membership.workspace)
    if form.is_valid() and _saved(form):
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
