from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.access import get_membership_for
from assessments.cache_keys import compare_body_key
from assessments.compare import compare
from assessments.forms import CompareForm
from assessments.history import client_quarters, trend_charts
from assessments.models import Assessment
from assessments.page_cache import cached_body
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
        comparison = mark_safe(  # noqa: S308 - our own render
            _comparison_html(
                request, client, form.cleaned_data["first"], form.cleaned_data["second"]
            )
        )
    context = {"client": client, "form": form, "comparison": comparison}
    return render(request, "assessments/compare.html", context)


def _comparison_html(request, client, first: Assessment, second: Assessment) -> str:
    """The comparison, rendered once per change of either assessment's data (scoring both
    costs tens of milliseconds; the key's two stamps, one query each)."""
    first.client = second.client = client  # their data stamps read the client's workspace

    def render_comparison(_csrf_placeholder: str) -> str:
        computed = compute_many([first, second])
        context = {"comparison": compare(computed[first.pk], computed[second.pk])}
        return render_to_string("assessments/compare.html#comparison", context)

    return cached_body(request, key=compare_body_key(first, second), render=render_comparison)
