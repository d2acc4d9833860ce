"""A client's real funnel: its figures per quarter with the KPIs and each handoff's observed
health, entering and importing figures, the revenue waterfall planner, and the workspace's
thresholds. Everyone reads; consultants and owners change figures; owners set thresholds."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.models import Membership, Role
from clients.access import get_client_for
from clients.models import Client
from funnel.forms import (
    FunnelFiguresForm,
    FunnelImportForm,
    FunnelThresholdsForm,
    WaterfallForm,
    figure_text,
    percent_text,
)
from funnel.health import DEFAULT_THRESHOLDS
from funnel.imports import FunnelImportError, import_funnel_csv
from funnel.kpis import FIGURE_FIELDS, flags
from funnel.models import FunnelFigures, FunnelThresholds
from funnel.tables import (
    figure_rows,
    kpi_rows,
    observed_text,
    quarter_cards,
    quarter_columns,
    rate_chart,
    stage_lines,
)
from funnel.waterfall import observed_rates, waterfall
from lib.forms import submitted
from lib.http import HtmxHttpRequest
from lib.maturity import HANDOFF_ORDER
from lib.quarters import Quarter

FUNNEL = "funnel/funnel.html"
PLANNER = "funnel/planner.html"


def _client(request, workspace_slug: str, client_id: int, *, min_role=Role.VIEWER) -> Client:
    return get_client_for(get_membership_for(request, workspace_slug, min_role=min_role), client_id)


def _figures_for(membership: Membership, client_id: int, figures_id: int) -> FunnelFigures:
    """A quarter's figures of a client of the membership's workspace; anything else is a 404."""
    client = get_client_for(membership, client_id)
    figures = get_object_or_404(client.funnel_figures, pk=figures_id)
    figures.client = client  # spare a query: it was checked above
    return figures


def _funnel_url(client: Client) -> str:
    return reverse("funnel:funnel", args=[client.workspace.slug, client.pk])


# ---- The funnel page -----------------------------------------------------------------------


@require_safe
@login_required
def client_funnel(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    client = get_client_for(membership, client_id)
    thresholds = FunnelThresholds.objects.thresholds_for(membership.workspace.pk)
    columns = quarter_columns(list(client.funnel_figures.order_by("year", "quarter")), thresholds)
    groups = kpi_rows(columns) + figure_rows(columns)
    context = {
        "client": client,
        "columns": columns,
        "groups": groups,
        "handoffs": [[column.health[key] for column in columns] for key in HANDOFF_ORDER],
        "chart": rate_chart(client, columns),
        "cards": quarter_cards(columns, groups),
        "any_flags": any(column.flags for column in columns),
        "custom_thresholds": thresholds != DEFAULT_THRESHOLDS,
    }
    return render(request, FUNNEL, context)


# ---- Entering, editing, deleting and importing figures -------------------------------------


def _saved(request, figures: FunnelFigures) -> HttpResponse:
    """Back to the funnel, saying so, with what is worth a second look as warnings."""
    messages.success(request, f"The {figures.period} figures of {figures.client.name} are saved.")
    for flag in flags(figures.figures):
        messages.warning(request, f"{figures.period}: {flag}")
    return redirect(f"{_funnel_url(figures.client)}#quarter-{figures.period}")


def _save_figures(request, form: FunnelFiguresForm) -> HttpResponse | None:
    """Save a valid form; None (the form given an error) if the quarter was taken meanwhile."""
    try:
        with transaction.atomic():
            figures = form.save()
    except IntegrityError:  # the one-per-quarter constraint: entered by someone else just now
        form.add_error("quarter", "Someone has just entered figures for this quarter.")
        return None
    return _saved(request, figures)


def _render_form(request, form: FunnelFiguresForm, client: Client, figures=None):
    context = {"form": form, "client": client, "figures": figures}
    return render(request, "funnel/figures_form.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def funnel_figures_create(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    client = _client(request, workspace_slug, client_id, min_role=Role.CONSULTANT)
    form = FunnelFiguresForm(**submitted(request), client=client, today=timezone.localdate())
    if form.is_valid() and (response := _save_figures(request, form)):
        return response
    return _render_form(request, form, client)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def funnel_figures_edit(
    request: HtmxHttpRequest, workspace_slug: str, client_id: int, figures_id: int
):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    figures = _figures_for(membership, client_id, figures_id)
    form = FunnelFiguresForm(
        **submitted(request),
        client=figures.client,
        today=timezone.localdate(),
        instance=figures,
    )
    if form.is_valid() and (response := _save_figures(request, form)):
        return response
    return _render_form(request, form, figures.client, figures)


@require_POST
@login_required
def funnel_figures_delete(
    request: HtmxHttpRequest, workspace_slug: str, client_id: int, figures_id: int
):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    figures = _figures_for(membership, client_id, figures_id)
    figures.delete()
    messages.success(request, f"The {figures.period} figures of {figures.client.name} deleted.")
    return redirect(_funnel_url(figures.client))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def funnel_import(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    client = _client(request, workspace_slug, client_id, min_role=Role.CONSULTANT)
    form = FunnelImportForm(**submitted(request))
    errors: list[str] = []
    if form.is_valid():
        try:
            summary = import_funnel_csv(client=client, data=form.cleaned_data["file"].read())
        except FunnelImportError as error:
            errors = error.errors
        else:
            _report_import(request, summary)
            return redirect(_funnel_url(client))
    context = {"client": client, "form": form, "errors": errors, "figure_fields": FIGURE_FIELDS}
    return render(request, "funnel/import.html", context)


def _report_import(request, summary) -> None:
    parts = []
    if summary.created:
        parts.append(f"{', '.join(summary.created)} added")
    if summary.updated:
        parts.append(
            f"{', '.join(summary.updated)} updated (the file’s columns replaced "
            "the figures entered before; the other figures were kept)"
        )
    quarters = f"{summary.quarters} quarter{'s' if summary.quarters != 1 else ''}"
    messages.success(request, f"Imported {quarters}: {'; '.join(parts)}.")
    for quarter, flag in summary.flags:
        messages.warning(request, f"{quarter}: {flag}")


# ---- The revenue waterfall planner ---------------------------------------------------------


def _basis(rows: list[FunnelFigures], quarter: Quarter) -> FunnelFigures | None:
    """The figures to plan from: the latest quarter before the planned one, else the latest."""
    before = [row for row in rows if row.period < quarter]
    return (before or rows or [None])[-1]


@require_safe
@login_required
@vary_on_headers("HX-Request")
def funnel_planner(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    client = _client(request, workspace_slug, client_id)
    today = timezone.localdate()
    rows = list(client.funnel_figures.order_by("year", "quarter"))
    basis = _basis(rows, _planned_quarter(request, today))
    observed = observed_rates(basis.figures if basis else None)
    data = _planner_data(request, observed)
    form = WaterfallForm(data, today=today, initial=_observed_initial(observed))
    plan = None
    if form.is_bound and form.is_valid():
        plan = waterfall(
            target_revenue=float(form.cleaned_data["target_revenue"]),
            deal_size=form.cleaned_data["deal_size"],
            rates=form.rates(),
            actual=basis.figures if basis else None,
        )
    context = {
        "client": client,
        "form": form,
        "plan": plan,
        "stages": stage_lines(plan) if plan else [],
        "basis": basis,
        "inputs": [(form[key], observed_text(key, observed[key], basis)) for key in observed],
    }
    template = PLANNER + "#result" if request.htmx else PLANNER
    return render(request, template, context)


def _planned_quarter(request, today) -> Quarter:
    """The quarter asked for, when it is one the form offers; the next quarter otherwise."""
    asked = WaterfallForm(request.GET, today=today)
    asked.is_valid()  # the quarter is cleaned whatever the other fields hold
    return asked.cleaned_data.get("quarter") or Quarter.of(today).next()


def _observed_initial(observed: dict) -> dict:
    return {key: _typed(key, value) for key, value in observed.items() if value is not None}


def _typed(key: str, value: float) -> str:
    """An observed rate or deal size as it is typed in the form."""
    if key == "deal_size":
        return figure_text(Decimal(str(round(value, 2))))
    return percent_text(value)


def _planner_data(request, observed: dict):
    """The query string with every empty rate and deal size filled with the observed one, so
    the form shows (and a shared URL keeps) the figures the plan used. None: nothing asked."""
    if "target_revenue" not in request.GET:
        return None
    data = request.GET.copy()
    for key, value in observed.items():
        if not data.get(key, "").strip() and value is not None:
            data[key] = _typed(key, value)
    return data


# ---- The workspace's thresholds ------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def funnel_settings(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    workspace = membership.workspace
    current = FunnelThresholds.objects.thresholds_for(workspace.pk)
    form = FunnelThresholdsForm(**submitted(request), current=current)
    if form.is_valid():
        FunnelThresholds.objects.update_or_create(
            workspace=workspace, defaults={"values": form.overrides()}
        )
        messages.success(request, "Funnel thresholds saved; every funnel page now uses them.")
        return redirect("funnel:settings", workspace_slug=workspace_slug)
    changed = sum(current[metric] != default for metric, default in DEFAULT_THRESHOLDS.items())
    return render(request, "funnel/settings.html", {"form": form, "changed": changed})


@require_POST
@login_required
def funnel_settings_reset(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    FunnelThresholds.objects.filter(workspace=membership.workspace).delete()
    messages.success(request, "Funnel thresholds reset to the defaults.")
    return redirect("funnel:settings", workspace_slug=workspace_slug)
