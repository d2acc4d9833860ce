"""Results snapshots: each assessment's headline figures, stored on it so that pages listing
many clients and quarters (the dashboard, a client's trend) read them in one query.

A snapshot is recomputed from the scoring, never edited, and only where the results change:
every workflow that changes what they rest on (a submission, a reopening, an import, a
removal) calls `results_changed()` in its transaction, which also recomputes the client's
standing (the dashboard's row, assessments.models.refresh_standings), as `refresh` does.
Pages only read snapshots. Bulk loads (demo and scale data) call `refresh`;
`manage.py refresh_results` computes the snapshots an older release left stale.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments.models import Assessment, refresh_standings
from assessments.results import AssessmentResults, BankCache, compute_many

SNAPSHOT_FIELDS = [
    "results_stale",
    "submitted_count",
    "overall_index",
    "baton_drop",
    "index_summary",
]
BATCH = 200  # assessments scored per answers query while refreshing


def snapshot(computed: AssessmentResults) -> dict:
    results = computed.results
    return {
        "results_stale": False,
        "submitted_count": results.respondent_count,
        "overall_index": results.overall_index,
        "baton_drop": results.baton_drop.key if results.baton_drop else "",
        "index_summary": {
            "dimensions": {d.key: d.index for d in results.dimensions},
            "handoffs": {h.key: h.index for h in results.handoffs},
            "partial": results.overall_partial,
        },
    }


def _scored_batches(assessments: list[Assessment]):
    """The assessments in batches, each with its headline results (one answers query each)."""
    cache = BankCache()
    for start in range(0, len(assessments), BATCH):
        batch = assessments[start : start + BATCH]
        yield batch, compute_many(batch, cache, headline_only=True)


def refresh(assessments: Iterable[Assessment]) -> int:
    """Recompute and store the snapshots of these assessments; return how many."""
    assessments = list(assessments)
    for batch, computed in _scored_batches(assessments):
        for assessment in batch:
            for name, value in snapshot(computed[assessment.pk]).items():
                setattr(assessment, name, value)
        # bulk_update leaves updated_at alone: a snapshot is not a change of the assessment.
        Assessment.objects.bulk_update(batch, SNAPSHOT_FIELDS)
    refresh_standings(a.client_id for a in assessments)
    return len(assessments)


def refresh_in_bulk(assessments: Iterable[Assessment]) -> int:
    """`refresh` for thousands of assessments at once (a bulk load): one UPDATE per row, which
    SQLite runs several times faster than bulk_update's CASE expressions over many rows."""
    assessments = list(assessments)
    for batch, computed in _scored_batches(assessments):
        with transaction.atomic():
            for assessment in batch:
                values = snapshot(computed[assessment.pk])
                Assessment.objects.filter(pk=assessment.pk).update(**values)
    refresh_standings(a.client_id for a in assessments)
    return len(assessments)


def refresh_stale(assessments: QuerySet) -> int:
    """Refresh the stale snapshots among `assessments` (usually none: one query)."""
    return refresh(assessments.filter(results_stale=True).select_related("bank_version"))


def results_changed(assessment_id: int) -> None:
    """What the assessment's results rest on has changed: recompute its snapshot now, in the
    caller's transaction, and touch the assessment so that the cached pages and reports
    keyed on it (assessments.cache_keys) are made anew; and the client's standing (the
    dashboard's row), which also counts the respondents and submissions."""
    assessment = Assessment.objects.select_related("bank_version").get(pk=assessment_id)
    computed = compute_many([assessment], headline_only=True)[assessment.pk]
    Assessment.objects.filter(pk=assessment_id).update(
        **snapshot(computed), updated_at=timezone.now()
    )
    refresh_standings([assessment.client_id])
