"""A client's real funnel: its figures per quarter with the KPIs and each handoff's observed
health, entering and importing figures, the revenue waterfall planner, and the workspace's
thresholds. Everyone reads; consultants and owners change figures; owners set thresholds."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.access import get_membership_for
from accounts.forms import submitted
from accounts.models import Membership, Role, Workspace
from assessments.access import get_client_for
from assessments.charts import TrendSeries, trend_chart
from assessments.forms import (
    FIGURE_GROUPS,
    FIGURE_LABELS,
    FunnelFiguresForm,
    FunnelImportForm,
    FunnelThresholdsForm,
    WaterfallForm,
    figure_kind,
    figure_text,
    percent_text,
)
from assessments.funnel import (
    DAYS,
    DEFAULT_THRESHOLDS,
    GROWTH,
    KPI_LABELS,
    KPI_UNITS,
    Figures,
    HandoffHealth,
    Kpi,
    Threshold,
    Waterfall,
    flags,
    handoff_health,
    kpis,
    observed_rates,
    thresholds_with,
    waterfall,
)
from assessments.funnel_import import FunnelImportError, import_funnel_csv
from assessments.http import HtmxHttpRequest
from assessments.models import FIGURE_FIELDS, Client, FunnelFigures, FunnelThresholds
from assessments.quarters import Quarter
from assessments.scoring import HANDOFF_ORDER

FUNNEL = "assessments/funnel/funnel.html"
PLANNER = "assessments/funnel/planner.html"

# The KPIs in the rows of the funnel page, grouped as the funnel runs.
KPI_GROUPS = (
    ("Engagement", ("prospect_to_engaged", "submit_rate", "engaged_to_inquiry")),
    ("Email", ("open_rate", "click_rate", "hard_bounce_rate", "soft_bounce_rate")),
    ("Conversion", ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "win_rate", "inquiry_to_won")),
    (
        "Velocity",
        (
            "days_inquiry_to_mql",
            "days_mql_to_sal",
            "days_sal_to_sql",
            "days_sql_to_won",
            "cycle_days",
        ),
    ),
    ("Revenue", ("deal_size",)),
    (
        "Growth since the quarter before",
        (
            "inquiry_growth",
            "mql_growth",
            "sal_growth",
            "sql_growth",
            "pipeline_growth",
            "revenue_growth",
        ),
    ),
)
# Figures and KPIs where a fall is the good news; for the rest, a rise is.
LOWER_IS_BETTER = frozenset(
    {"hard_bounces", "soft_bounces", "hard_bounce_rate", "soft_bounce_rate", "cycle_days"}
    | {key for key, unit in KPI_UNITS.items() if unit == DAYS}
)
# The rates the trend chart follows, down the funnel.
CHART_RATES = ("inquiry_to_mql", "mql_to_sal", "sal_to_sql", "win_rate")


def _client(request, workspace_slug: str, client_id: int, *, min_role=Role.VIEWER) -> Client:
    return get_client_for(get_membership_for(request, workspace_slug, min_role=min_role), client_id)


def _figures_for(membership: Membership, client_id: int, figures_id: int) -> FunnelFigures:
    """A quarter's figures of a client of the membership's workspace; anything else is a 404."""
    client = get_client_for(membership, client_id)
    figures = get_object_or_404(client.funnel_figures, pk=figures_id)
    figures.client = client  # spare a query: it was checked above
    return figures


def _funnel_url(client: Client) -> str:
    return reverse("assessments:client_funnel", args=[client.workspace.slug, client.pk])


def workspace_thresholds(workspace: Workspace) -> dict[str, Threshold]:
    """The thresholds a workspace judges handoffs with: the defaults and its own changes."""
    stored = FunnelThresholds.objects.filter(workspace=workspace).values_list("values", flat=True)
    return thresholds_with(stored.first())


def _figures(row: FunnelFigures) -> Figures:
    return Figures.from_mapping(row.year, row.quarter, {n: getattr(row, n) for n in FIGURE_FIELDS})


# ---- The funnel page -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    arrow: str = ""  # "up", "down", "flat" or "" (no quarter just before to compare with)
    tone: str = ""  # "better", "worse" or ""
    change: str = ""  # for screen readers and the tooltip: "up from 12.5% in 2026-Q2"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]  # one per quarter column


@dataclass(frozen=True)
class Column:
    row: FunnelFigures
    period: Quarter
    figures: Figures
    kpis: dict[str, Kpi]
    flags: list[str]
    health: dict[str, HandoffHealth]
    previous: "Column | None"  # the quarter just before, when it has figures


def _columns(rows: list[FunnelFigures], thresholds: dict[str, Threshold]) -> list[Column]:
    columns: list[Column] = []
    by_period: dict[Quarter, Column] = {}
    for row in rows:  # oldest first
        figures = _figures(row)
        previous = by_period.get(row.period.previous())
        quarter_kpis = kpis(figures, previous.figures if previous else None)
        column = Column(
            row=row,
            period=row.period,
            figures=figures,
            kpis=quarter_kpis,
            flags=flags(figures),
            health=handoff_health(quarter_kpis, thresholds),
            previous=previous,
        )
        columns.append(column)
        by_period[row.period] = column
    return columns


def _figure_text(name: str, value) -> str:
    if value is None:
        return "—"
    kind = figure_kind(name)
    if kind == "count":
        return f"{value:,}"
    if kind == "money":
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return f"{value:.1f} days"  # as the KPIs show days


def _cell(key: str, value, previous, text: str, previous_text: str, before: Quarter) -> Cell:
    if value is None or previous is None:
        return Cell(text)
    arrow = "up" if value > previous else "down" if value < previous else "flat"
    tone = ""
    if arrow != "flat":
        tone = "better" if (arrow == "up") != (key in LOWER_IS_BETTER) else "worse"
    words = {"up": "up from", "down": "down from", "flat": "the same as"}[arrow]
    return Cell(text, arrow, tone, f"{words} {previous_text} in {before}")


def _figure_rows(columns: list[Column]) -> list[tuple[str, list[Row]]]:
    groups = []
    for legend, names in FIGURE_GROUPS:
        rows = []
        for name in names:
            cells = []
            for column in columns:
                value = getattr(column.figures, name)
                before = getattr(column.previous.figures, name) if column.previous else None
                cells.append(
                    _cell(
                        name,
                        value,
                        before,
                        _figure_text(name, value),
                        _figure_text(name, before),
                        column.period.previous(),
                    )
                )
            rows.append(Row(name, FIGURE_LABELS[name], tuple(cells)))
        groups.append((f"Figures: {legend.lower()}", rows))
    return groups


def _kpi_rows(columns: list[Column]) -> list[tuple[str, list[Row]]]:
    groups = []
    for legend, keys in KPI_GROUPS:
        rows = []
        for key in keys:
            cells = []
            for column in columns:
                kpi = column.kpis[key]
                before = column.previous.kpis[key] if column.previous else None
                if KPI_UNITS[key] == GROWTH or before is None:  # growth is a change already
                    cells.append(Cell(kpi.display))
                    continue
                cells.append(
                    _cell(
                        key,
                        kpi.value,
                        before.value,
                        kpi.display,
                        before.display,
                        column.period.previous(),
                    )
                )
            rows.append(Row(key, KPI_LABELS[key], tuple(cells)))
        groups.append((legend, rows))
    return groups


def _rate_chart(client: Client, columns: list[Column]):
    """The conversion rates over the quarters, as percentages; a quarter without figures is a
    gap. None with fewer than two quarters."""
    if len(columns) < 2:
        return None
    first, last = columns[0].period, columns[-1].period
    quarters = [first.shifted(n) for n in range(last.index - first.index + 1)]
    by_period = {column.period: column for column in columns}

    def percent(quarter: Quarter, key: str) -> float | None:
        column = by_period.get(quarter)
        value = column.kpis[key].value if column else None
        return None if value is None else value * 100

    series = [
        TrendSeries(KPI_LABELS[key], tuple(percent(q, key) for q in quarters))
        for key in CHART_RATES
    ]
    return trend_chart(
        [str(q) for q in quarters],
        series,
        title=f"{client.name}: conversion rates over the quarters, in percent",
        id_prefix="funnel-rates",
        unit="percent",
    )


@require_GET
@login_required
def client_funnel(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    client = get_client_for(membership, client_id)
    thresholds = workspace_thresholds(membership.workspace)
    columns = _columns(list(client.funnel_figures.order_by("year", "quarter")), thresholds)
    groups = _kpi_rows(columns) + _figure_rows(columns)
    context = {
        "client": client,
        "columns": columns,
        "groups": groups,
        "handoffs": [[column.health[key] for column in columns] for key in HANDOFF_ORDER],
        "chart": _rate_chart(client, columns),
        "cards": _cards(columns, groups),
        "any_flags": any(column.flags for column in columns),
        "custom_thresholds": thresholds != DEFAULT_THRESHOLDS,
    }
    return render(request, FUNNEL, context)


def _cards(columns: list[Column], groups: list[tuple[str, list[Row]]]) -> list[dict]:
    """The table turned round for phones: one card per quarter, newest first, with its
    (group, [(label, cell)]) values."""
    return [
        {
            "column": column,
            "groups": [
                (legend, [(row.label, row.cells[position]) for row in rows])
                for legend, rows in groups
            ],
        }
        for position, column in reversed(list(enumerate(columns)))
    ]


# ---- Entering, editing, deleting and importing figures -------------------------------------


def _saved(request, figures: FunnelFigures) -> HttpResponse:
    """Back to the funnel, saying so, with what is worth a second look as warnings."""
    messages.success(request, f"The {figures.period} figures of {figures.client.name} are saved.")
    for flag in flags(_figures(figures)):
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
    return render(request, "assessments/funnel/figures_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def funnel_figures_create(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    client = _client(request, workspace_slug, client_id, min_role=Role.CONSULTANT)
    form = FunnelFiguresForm(**submitted(request), client=client, today=timezone.localdate())
    if form.is_valid() and (response := _save_figures(request, form)):
        return response
    return _render_form(request, form, client)


@require_http_methods(["GET", "POST"])
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


@require_http_methods(["GET", "POST"])
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
    return render(request, "assessments/funnel/import.html", context)


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


@dataclass(frozen=True)
class StageLine:
    """A stage of the waterfall as the planner shows it."""

    label: str
    needed: str  # "1,240", or "unknown"
    actual: str  # "1,180", or "—"
    gap: int | None  # positive: a shortfall
    gap_text: str  # "60 short", "40 ahead", "on target", or "—"
    converts: str  # "22.0% become MQLs", "" for won deals


def _count_text(value: int | None, missing: str) -> str:
    return missing if value is None else f"{value:,}"


def _stage_lines(plan: Waterfall) -> list[StageLine]:
    lines = []
    for stage, below in zip(plan.stages, (*plan.stages[1:], None), strict=True):
        gap = stage.gap
        if gap is None:
            gap_text = "—"
        elif gap:
            gap_text = f"{abs(gap):,} {'short' if gap > 0 else 'ahead'}"
        else:
            gap_text = "on target"
        converts = ""
        if below is not None:
            rate = "?" if stage.rate is None else f"{stage.rate * 100:.1f}%"
            converts = f"{rate} become {_in_a_sentence(below.label)}"
        lines.append(
            StageLine(
                stage.label,
                _count_text(stage.needed, "unknown"),
                _count_text(stage.actual, "—"),
                gap,
                gap_text,
                converts,
            )
        )
    return lines


def _in_a_sentence(label: str) -> str:
    """A stage's label inside a sentence: "Won deals" becomes "won deals"; "MQLs" stays."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _observed_text(key: str, value: float | None, basis: FunnelFigures | None) -> str:
    if basis is None:
        return ""
    if value is None:
        return f"Not known from {basis.period}’s figures."
    shown = f"{value:,.0f}" if key == "deal_size" else f"{value * 100:.1f}%"
    return f"{shown} in {basis.period}."


@require_GET
@login_required
@vary_on_headers("HX-Request")
def funnel_planner(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    client = _client(request, workspace_slug, client_id)
    today = timezone.localdate()
    rows = list(client.funnel_figures.order_by("year", "quarter"))
    basis = _basis(rows, _planned_quarter(request, today))
    observed = observed_rates(_figures(basis) if basis else None)
    data = _planner_data(request, observed)
    form = WaterfallForm(data, today=today, initial=_observed_initial(observed))
    plan = None
    if form.is_bound and form.is_valid():
        plan = waterfall(
            target_revenue=float(form.cleaned_data["target_revenue"]),
            deal_size=form.cleaned_data["deal_size"],
            rates=form.rates(),
            actual=_figures(basis) if basis else None,
        )
    context = {
        "client": client,
        "form": form,
        "plan": plan,
        "stages": _stage_lines(plan) if plan else [],
        "basis": basis,
        "inputs": [(form[key], _observed_text(key, observed[key], basis)) for key in observed],
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


@require_http_methods(["GET", "POST"])
@login_required
def funnel_settings(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    workspace = membership.workspace
    current = workspace_thresholds(workspace)
    form = FunnelThresholdsForm(**submitted(request), current=current)
    if form.is_valid():
        FunnelThresholds.objects.update_or_create(
            workspace=workspace, defaults={"values": form.overrides()}
        )
        messages.success(request, "Funnel thresholds saved; every funnel page now uses them.")
        return redirect("assessments:funnel_settings", workspace_slug=workspace_slug)
    changed = sum(current[metric] != default for metric, default in DEFAULT_THRESHOLDS.items())
    return render(request, "assessments/funnel/settings.html", {"form": form, "changed": changed})


@require_POST
@login_required
def funnel_settings_reset(request: HtmxHttpRequest, workspace_slug: str) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug, min_role=Role.OWNER)
    FunnelThresholds.objects.filter(workspace=membership.workspace).delete()
    messages.success(request, "Funnel thresholds reset to the defaults.")
    return redirect("assessments:funnel_settings", workspace_slug=workspace_slug)
