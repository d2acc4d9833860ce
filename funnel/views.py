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
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import get_membership_for
from accounts.models import Membership, Role
from clients.access import get_client_for
from clients.models import Client
from funnel.crm.fields import DEALS, LEADS
from funnel.crm.reader import CrmFileError
from funnel.crm_imports import (
    confirm_mapping,
    derive_crm_import,
    leave_out_problem_rows,
    propose,
    runs_in_background,
    saved_date_format,
    saved_stall_days,
    start_crm_import,
)
from funnel.forms import (
    CrmMappingForm,
    CrmUploadForm,
    FunnelFiguresForm,
    FunnelImportForm,
    FunnelThresholdsForm,
    WaterfallForm,
    figure_text,
    percent_text,
)
from funnel.health import DEFAULT_THRESHOLDS
from funnel.imports import FunnelImportError, import_funnel_csv
from funnel.kpis import DEFAULT_DISCOUNT_RATE, FIGURE_FIELDS, flags
from funnel.models import CrmImport, FunnelFigures, FunnelThresholds
from funnel.tables import (
    crm_measure_rows,
    crm_summary,
    figure_rows,
    kpi_rows,
    latest_signs,
    observed_text,
    quarter_cards,
    quarter_columns,
    rate_chart,
    spend_lines,
    stage_lines,
)
from funnel.tasks import derive_crm_import_in_background
from funnel.waterfall import observed_rates, spend_estimates, waterfall
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
    thresholds, rate = FunnelThresholds.objects.judging_for(membership.workspace.pk)
    rows = client.funnel_figures.select_related("crm_import").order_by("year", "quarter")
    columns = quarter_columns(list(rows), thresholds, discount_rate=rate)
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
        "crm_measures": crm_measure_rows(columns),
        "signs": latest_signs(columns),
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


# ---- Importing CRM exports -----------------------------------------------------------------


def _crm_import_for(membership: Membership, client_id: int, import_id: int) -> CrmImport:
    """An import of a client of the membership's workspace; anything else is a 404."""
    client = get_client_for(membership, client_id)
    crm_import = get_object_or_404(client.crm_imports, pk=import_id)
    crm_import.client = client  # spare a query: it was checked above
    return crm_import


def _crm_url(name: str, crm_import: CrmImport) -> str:
    client = crm_import.client
    return reverse(f"funnel:{name}", args=[client.workspace.slug, client.pk, crm_import.pk])


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def crm_upload(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    client = get_client_for(membership, client_id)
    form = CrmUploadForm(**submitted(request), can_keep_raw=membership.role == Role.OWNER)
    if form.is_valid():
        crm_import = start_crm_import(
            client=client,
            user=request.user,
            lead_upload=form.cleaned_data["lead_file"],
            deal_upload=form.cleaned_data["deal_file"],
            keep_raw=form.cleaned_data.get("keep_raw", False),
        )
        return redirect(_crm_url("crm_mapping", crm_import))
    recent = client.crm_imports.order_by("-created_at")[:5]
    return render(
        request, "funnel/crm_upload.html", {"client": client, "form": form, "recent": recent}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def crm_mapping(request: HtmxHttpRequest, workspace_slug: str, client_id: int, import_id: int):
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    crm_import = _crm_import_for(membership, client_id, import_id)
    if crm_import.status != CrmImport.Status.PENDING:
        return redirect(_crm_url("crm_status", crm_import))
    try:
        proposals = [p for p in (propose(crm_import, LEADS), propose(crm_import, DEALS)) if p]
    except (CrmFileError, OSError):  # the kept file is gone or spoiled: start again
        messages.error(request, "The uploaded files can no longer be read; upload them again.")
        return redirect("funnel:crm_upload", workspace_slug, client_id)
    client = crm_import.client
    form = CrmMappingForm(
        **submitted(request),
        proposals=proposals,
        date_format=saved_date_format(client),
        stall_days=saved_stall_days(client),
    )
    if form.is_valid():
        lead = next(p for p in proposals if p.kind == LEADS)
        claimed = confirm_mapping(
            crm_import=crm_import,
            lead_mapping=form.mappings[LEADS],
            deal_mapping=form.mappings.get(DEALS),
            date_format=form.cleaned_data["date_format"],
            stall_days=form.cleaned_data["stall_days"],
            layout=lead.layout.crm if lead.layout else "",
        )
        if claimed:
            _derive(crm_import)
        return redirect(_crm_url("crm_status", crm_import))
    context = {"client": client, "crm_import": crm_import, "form": form}
    return render(request, "funnel/crm_mapping.html", context)


def _derive(crm_import: CrmImport) -> None:
    """Derive a claimed import now, or in the background when it is large."""
    if runs_in_background(crm_import):
        pk = crm_import.pk
        transaction.on_commit(lambda: derive_crm_import_in_background.enqueue(pk))
    else:
        derive_crm_import(crm_import=crm_import)


@require_POST
@login_required
def crm_leave_out(request: HtmxHttpRequest, workspace_slug: str, client_id: int, import_id: int):
    """Import the rows without problems of an import in review, leaving the others out."""
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    crm_import = _crm_import_for(membership, client_id, import_id)
    if leave_out_problem_rows(crm_import=crm_import):
        _derive(crm_import)
    return redirect(_crm_url("crm_status", crm_import))


@require_safe
@login_required
@vary_on_headers("HX-Request")
def crm_status(request: HtmxHttpRequest, workspace_slug: str, client_id: int, import_id: int):
    """Progress while the rows are derived (polled by htmx), then what the import did."""
    membership = get_membership_for(request, workspace_slug, min_role=Role.CONSULTANT)
    crm_import = _crm_import_for(membership, client_id, import_id)
    running = crm_import.status == CrmImport.Status.RUNNING
    if request.htmx and not running:
        return HttpResponseClientRedirect(_crm_url("crm_status", crm_import))
    context = {
        "client": crm_import.client,
        "crm_import": crm_import,
        "running": running,
        "quarters": crm_summary(crm_import, list(crm_import.figures.all()))
        if crm_import.status == CrmImport.Status.DONE
        else [],
    }
    template = "funnel/crm_status.html" + ("#status" if request.htmx else "")
    return render(request, template, context)


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
        "spend": spend_lines(spend_estimates(plan, basis.figures if basis else None), basis)
        if plan
        else [],
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
    current, rate = FunnelThresholds.objects.judging_for(workspace.pk)
    form = FunnelThresholdsForm(**submitted(request), current=current, discount_rate=rate)
    if form.is_valid():
        FunnelThresholds.objects.update_or_create(
            workspace=workspace,
            defaults={"values": form.overrides(), "discount_rate": form.discount_rate},
        )
        messages.success(request, "Funnel settings saved; every funnel page now uses them.")
        return redirect("funnel:settings", workspace_slug=workspace_slug)
    changed = sum(current[metric] != default for metric, default in DEFAULT_THRESHOLDS.items())
    context = {"form": form, "changed": changed, "rate_changed": rate != DEFAULT_DISCOUNT_RATE}
    return render(request, "funnel/settings.html", context)


@require_POST
@login_required
def funnel_settings_reset(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    FunnelThresholds.objects.filter(workspace=membership.workspace).delete()
    messages.success(request, "Funnel thresholds and discount rate reset to the defaults.")
    return redirect("funnel:settings", workspace_slug=workspace_slug)
