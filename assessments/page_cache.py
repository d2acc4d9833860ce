"""The results page's body, rendered once per change of what it shows.

Scoring an assessment and rendering its page (charts, every recommendation, every answer of
every respondent) costs tens of milliseconds; reading a cached copy costs one query for a
fingerprint of what the body rests on, and a cache lookup. The fingerprint (`results_stamp`)
changes whenever anything the body shows changes:

- the assessment itself (status, targets, submissions: `results_changed` touches it), its
  client's other quarters (the previous quarter, the plan's baselines), how many respondents
  are still answering;
- the client's action plan and funnel figures, the workspace's funnel thresholds;
- the peers the client is compared with (their results snapshots);
- the templates and code that draw the body (a deploy never serves an old layout).

What differs per visitor stays out of the body or in its key: the header and menus are the
page around it, rendered fresh; whether the visitor may change the plan is part of the key;
the CSRF token of the "Add to plan" forms is put in after the cache, as the token is the
visitor's own.
"""

import hashlib
import secrets
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import get_token

from assessments.models import (
    Answer,
    Assessment,
    Client,
    FunnelFigures,
    FunnelThresholds,
    PlanItem,
    Respondent,
)

TIMEOUT = 24 * 60 * 60  # entries of changed pages are never read again; let them go in a day
BODY_SOURCES = (
    "templates/assessments/results.html",
    "templates/assessments/_recommendation.html",
    "templates/assessments/charts/_radar.svg.html",
    "templates/assessments/charts/_relay.svg.html",
    "templates/assessments/charts/_parts.html",
    "assessments/views/results.py",
    "assessments/scoring.py",
    "assessments/results.py",
    "assessments/charts.py",
    "assessments/funnel.py",
    "assessments/funnel_results.py",
    "assessments/peers.py",
    "assessments/plan.py",
)


def _read_sources_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in BODY_SOURCES:
        digest.update(Path(settings.BASE_DIR, name).read_bytes())
    return digest.hexdigest()[:16]


_deployed_sources_fingerprint = lru_cache(maxsize=1)(_read_sources_fingerprint)


def _sources_fingerprint() -> str:
    # Read once per process in production (a deploy starts new processes); read every time
    # in development, where a template edited under runserver must show at the next reload.
    if settings.DEBUG:
        return _read_sources_fingerprint()
    return _deployed_sources_fingerprint()


def _tables() -> dict[str, str]:
    return {
        "assessment": Assessment._meta.db_table,
        "client": Client._meta.db_table,
        "plan": PlanItem._meta.db_table,
        "funnel": FunnelFigures._meta.db_table,
        "thresholds": FunnelThresholds._meta.db_table,
        "respondent": Respondent._meta.db_table,
        "answer": Answer._meta.db_table,
    }


# Plain SQL: the ORM spends longer composing this many subqueries than the database spends
# answering them, and this runs on every visit. Each MAX(updated_at) comes with a COUNT, so
# that a deletion is a change too. The table names are our own models'.
_STAMP_SQL = """
SELECT
  (SELECT MAX(updated_at) FROM {assessment} WHERE client_id = %s),
  (SELECT COUNT(*) FROM {assessment} WHERE client_id = %s),
  (SELECT MAX(updated_at) FROM {plan} WHERE client_id = %s),
  (SELECT COUNT(*) FROM {plan} WHERE client_id = %s),
  (SELECT MAX(updated_at) FROM {funnel} WHERE client_id = %s),
  (SELECT COUNT(*) FROM {funnel} WHERE client_id = %s),
  (SELECT MAX(updated_at) FROM {thresholds} WHERE workspace_id = %s),
  (SELECT COUNT(DISTINCT r.id) FROM {respondent} r JOIN {answer} a ON a.respondent_id = r.id
     WHERE r.assessment_id = %s AND r.submitted_at IS NULL),
  -- the peers, as in assessments.peers.peer_assessments
  (SELECT MAX(p.updated_at) FROM {assessment} p JOIN {client} c ON c.id = p.client_id
     WHERE c.workspace_id = %s AND c.archived_at IS NULL AND p.year = %s AND p.quarter = %s
       AND p.bank_version_id = %s AND p.client_id <> %s),
  (SELECT COUNT(*) FROM {assessment} p JOIN {client} c ON c.id = p.client_id
     WHERE c.workspace_id = %s AND c.archived_at IS NULL AND p.year = %s AND p.quarter = %s
       AND p.bank_version_id = %s AND p.client_id <> %s)
"""


def results_stamp(assessment: Assessment) -> str:
    """A fingerprint of everything the results body shows. One query."""
    client_id, workspace_id = assessment.client_id, assessment.client.workspace_id
    peers = [
        workspace_id,
        assessment.year,
        assessment.quarter,
        assessment.bank_version_id,
        client_id,
    ]
    params = [*[client_id] * 6, workspace_id, assessment.pk, *peers, *peers]
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL.format(**_tables()), params)
        aggregates = cursor.fetchone()
    own = (
        assessment.updated_at,
        assessment.status,
        assessment.results_stale,
        assessment.client.updated_at,
    )
    return hashlib.sha256(f"{own}|{aggregates}|{_sources_fingerprint()}".encode()).hexdigest()


def cached_body(request, *, key: str, render: Callable[[str], str]) -> str:
    """The body cached under `key`, rendered by `render(csrf_placeholder)` when missing,
    with the visitor's own CSRF token put in place of the placeholder."""
    entry = cache.get(key)
    if entry is None:
        # A fresh random placeholder per rendering: no text in the page (a respondent's
        # comment, say) can contain it by design.
        placeholder = f"csrf-{secrets.token_hex(16)}"
        entry = (placeholder, render(placeholder))
        cache.set(key, entry, TIMEOUT)
    placeholder, body = entry
    return body.replace(placeholder, get_token(request))
