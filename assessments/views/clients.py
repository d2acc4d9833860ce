from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import get_membership_for
from assessments.compare import compare
from assessments.forms import CompareForm
from assessments.history import client_quarters, trend_charts
from assessments.plan import plan_summary
from assessments.results import compute_many
from clients.access import get_client_for
from lib.http import HtmxHttpRequest


@require_safe
@login_required
def client_detail(request: HtmxHttpRequest, workspace_slug: str, client_id: int) -> HttpResponse:
    membership = get_membership_for(request, workspace_slug)
    client = get_client_for(membership, client_id)
    quarters = client_quarters(client)
    scored = [row.assessment for row in quarters if row.has_results]
    context = {
        "client": client,
        "quarters": list(reversed(quarters)),  # newest first
        "trends": trend_charts(quarters, name=client.name),
        "compare": CompareForm(
            # The latest quarter with results against its previous quarter (the quarter before
            # it with results), as the results page and the report compare them.
            initial={"first": scored[-2].pk, "second": scored[-1].pk} if len(scored) >= 2 else {},
            client=client,
        ),
        "can_compare": len(scored) >= 2,
        "plan": plan_summary(client, timezone.localdate()),
    }
    return render(request, "assessments/client_detail.html", context)


@require_safe
@login_required
def compare_assessments(request: HtmxHttpRequest, workspace_slug: str, client_id: int):
    """Any two assessments of a client side by side (earlier first)."""
    membership = get_membership_for(request, workspace_slug)
    client = get_client_for(membership, client_id)
    form = CompareForm(request.GET or None, client=client)
    comparison = None
    if form.is_valid():
        first, second = form.cleaned_data["first"], form.cleaned_data["second"]
        computed = compute_many([first, second])
        comparison = compare(computed[first.pk], computed[second.pk])
    context = {"client": client, "form": form, "comparison": comparison}
    return render(request, "assessments/compare.html", context)
