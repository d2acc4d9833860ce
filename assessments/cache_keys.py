"""The one way Relay keys what it keeps rendered: the results page's body (in the cache) and the
PDF reports (stored in the database). A key is the code version plus the assessment's data stamp.

- `code_version()` says which code drew it: the `RELEASE` setting when a deploy sets one,
  otherwise a hash of every file of Relay's packages, templates and static files, computed
  once per process (a deploy starts new processes). Under DEBUG it is recomputed whenever a
  file changes, so a template edited under runserver shows at the next reload. No list of
  files is kept by hand: whatever a page or a report is drawn with is in there.
- `data_stamp(assessment)` says which data it shows, in one query that reads the database as
  it is now: for each set of rows the page or the report rests on, how many there are and
  when the latest changed (a deletion changes the count, an edit the time). The sets: the
  assessment, its client and workspace (name and branding), the client's assessments (status,
  targets, submissions and snapshots all touch `updated_at`), this assessment's respondents
  and answers, the client's plan and its owners' names, its funnel figures, the workspace's
  thresholds, the report's options (by what they say, not when they were saved) and the peers
  the client is compared with, and the question bank versions published since the
  assessment's (the results page says so). Timestamps come from the app
  servers' clocks: keep them in sync (NTP), as a change within the skew of an earlier one
  could hide.
"""

import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection

from accounts.models import User, Workspace
from assessments.models import Answer, Assessment, PlanItem, ReportOptions, Respondent
from bank.models import BankVersion
from clients.models import Client
from funnel.models import FunnelFigures, FunnelThresholds

# The files a rendering can depend on; compiled files and editor droppings are left out.
CODE_SUFFIXES = frozenset({".py", ".html", ".txt", ".css", ".js", ".svg", ".json", ".md"})


# ---- The code ------------------------------------------------------------------------------


def _code_roots() -> list[Path]:
    """Relay's packages (the project's wiring, lib and the apps), then the template and static
    directories the settings name."""
    roots = []
    for package in ("gtm", "lib", *settings.RELAY_APPS):
        spec = importlib.util.find_spec(package)
        roots.extend(Path(location) for location in spec.submodule_search_locations)
    for template in settings.TEMPLATES:
        roots.extend(Path(directory) for directory in template.get("DIRS", ()))
    roots.extend(Path(directory) for directory in settings.STATICFILES_DIRS)
    return roots


def _code_files() -> list[tuple[str, Path]]:
    """(name, path) of every code file, named relative to its root: two servers that install
    the same release in different places agree on the version."""
    files = []
    for number, root in enumerate(_code_roots()):
        for path in sorted(root.rglob("*")):
            if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                files.append((f"{number}/{path.relative_to(root).as_posix()}", path))
    return files


def _hash_files(files: list[tuple[str, Path]]) -> str:
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _deployed_version() -> str:
    return _hash_files(_code_files())


@lru_cache(maxsize=4)
def _version_of(signature: tuple) -> str:
    return _hash_files([(name, Path(path)) for name, path, _, _ in signature])


def _development_version() -> str:
    # Stat the files (cheap) and hash them again only when one changed.
    signature = tuple(
        (name, str(path), stat.st_mtime_ns, stat.st_size)
        for name, path in _code_files()
        for stat in (path.stat(),)
    )
    return _version_of(signature)


def code_version() -> str:
    """Which code renders: the RELEASE setting, or a hash of Relay's files."""
    if settings.RELEASE:
        return settings.RELEASE
    if settings.DEBUG:
        return _development_version()
    return _deployed_version()


# ---- The data ------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {
        "assessment": Assessment._meta.db_table,
        "client": Client._meta.db_table,
        "workspace": Workspace._meta.db_table,
        "respondent": Respondent._meta.db_table,
        "answer": Answer._meta.db_table,
        "plan": PlanItem._meta.db_table,
        "user": User._meta.db_table,
        "funnel": FunnelFigures._meta.db_table,
        "thresholds": FunnelThresholds._meta.db_table,
        "options": ReportOptions._meta.db_table,
        "bank": BankVersion._meta.db_table,
    }


# Plain SQL: the ORM spends longer composing this many subqueries than the database spends
# answering them, and this runs on every visit. The table names are our own models'.
_STAMP_SQL = """
SELECT
  (SELECT updated_at FROM {assessment} WHERE id = %(assessment)s),
  (SELECT status FROM {assessment} WHERE id = %(assessment)s),
  (SELECT results_stale FROM {assessment} WHERE id = %(assessment)s),
  (SELECT updated_at FROM {client} WHERE id = %(client)s),
  -- the workspace: its name, logo, accent colour and paper size
  (SELECT updated_at FROM {workspace} WHERE id = %(workspace)s),
  (SELECT MAX(updated_at) FROM {assessment} WHERE client_id = %(client)s),
  (SELECT COUNT(*) FROM {assessment} WHERE client_id = %(client)s),
  (SELECT COUNT(*) FROM {respondent} WHERE assessment_id = %(assessment)s),
  (SELECT MAX(submitted_at) FROM {respondent} WHERE assessment_id = %(assessment)s),
  (SELECT COUNT(DISTINCT r.id) FROM {respondent} r JOIN {answer} a ON a.respondent_id = r.id
     WHERE r.assessment_id = %(assessment)s AND r.submitted_at IS NULL),
  (SELECT MAX(a.updated_at) FROM {answer} a JOIN {respondent} r ON r.id = a.respondent_id
     WHERE r.assessment_id = %(assessment)s),
  (SELECT COUNT(*) FROM {answer} a JOIN {respondent} r ON r.id = a.respondent_id
     WHERE r.assessment_id = %(assessment)s),
  (SELECT MAX(updated_at) FROM {plan} WHERE client_id = %(client)s),
  (SELECT COUNT(*) FROM {plan} WHERE client_id = %(client)s),
  (SELECT MAX(u.updated_at) FROM {plan} p JOIN {user} u ON u.id = p.owner_user_id
     WHERE p.client_id = %(client)s),
  (SELECT MAX(updated_at) FROM {funnel} WHERE client_id = %(client)s),
  (SELECT COUNT(*) FROM {funnel} WHERE client_id = %(client)s),
  (SELECT MAX(updated_at) FROM {thresholds} WHERE workspace_id = %(workspace)s),
  -- the report's options by what they say, not when they were saved: choosing an earlier
  -- combination again finds the stored render (and the cached page) made from it
  (SELECT sections FROM {options} WHERE assessment_id = %(assessment)s),
  (SELECT currency FROM {options} WHERE assessment_id = %(assessment)s),
  (SELECT number_format FROM {options} WHERE assessment_id = %(assessment)s),
  (SELECT executive_note FROM {options} WHERE assessment_id = %(assessment)s),
  (SELECT note_people FROM {options} WHERE assessment_id = %(assessment)s),
  (SELECT note_process FROM {options} WHERE assessment_id = %(assessment)s),
  (SELECT note_content FROM {options} WHERE assessment_id = %(assessment)s),
  (SELECT note_technology FROM {options} WHERE assessment_id = %(assessment)s),
  -- the peers, as in assessments.peers.peer_assessments
  (SELECT MAX(p.updated_at) FROM {assessment} p JOIN {client} c ON c.id = p.client_id
     WHERE c.workspace_id = %(workspace)s AND c.archived_at IS NULL AND p.year = %(year)s
       AND p.quarter = %(quarter)s AND p.bank_version_id = %(bank)s
       AND p.client_id <> %(client)s),
  (SELECT COUNT(*) FROM {assessment} p JOIN {client} c ON c.id = p.client_id
     WHERE c.workspace_id = %(workspace)s AND c.archived_at IS NULL AND p.year = %(year)s
       AND p.quarter = %(quarter)s AND p.bank_version_id = %(bank)s
       AND p.client_id <> %(client)s),
  -- the question bank versions published since this one's (the results page's notice;
  -- a published version never changes, so how many and the newest say it all)
  (SELECT COUNT(*) FROM {bank} WHERE status = %(published)s
     AND published_at > (SELECT published_at FROM {bank} WHERE id = %(bank)s)),
  (SELECT MAX(id) FROM {bank} WHERE status = %(published)s
     AND published_at > (SELECT published_at FROM {bank} WHERE id = %(bank)s))
"""


def data_stamp(assessment: Assessment) -> str:
    """A fingerprint of everything the assessment's results page and report show, as the
    database holds it now (whatever the instance remembers). One query."""
    params = {
        "client": assessment.client_id,
        "assessment": assessment.pk,
        "workspace": assessment.client.workspace_id,
        "year": assessment.year,
        "quarter": assessment.quarter,
        "bank": assessment.bank_version_id,
        "published": BankVersion.Status.PUBLISHED,
    }
    with connection.cursor() as cursor:
        cursor.execute(_STAMP_SQL.format(**_tables()), params)
        row = cursor.fetchone()
    return hashlib.sha256(repr((assessment.pk, row)).encode()).hexdigest()


# ---- The keys ------------------------------------------------------------------------------


def results_body_key(assessment: Assessment, *, can_change: bool) -> str:
    """The cache key of the results page's body; whether the visitor may change the plan
    changes what the body offers, so it is part of the key. (The report's notes, which the
    body shows, are in the data stamp.)"""
    return f"results-body:{assessment.pk}:{can_change}:{code_version()}:{data_stamp(assessment)}"


def compare_body_key(first: Assessment, second: Assessment) -> str:
    """The cache key of the compare page's comparison of two assessments: the same for every
    visitor, as it offers nothing to change."""
    stamps = f"{data_stamp(first)}:{data_stamp(second)}"
    return f"compare-body:{first.pk}:{second.pk}:{code_version()}:{stamps}"


def report_key(assessment: Assessment, options: ReportOptions | None = None) -> str:
    """The key a rendered PDF report is stored under (ReportRender.digest): 64 characters.
    The report's options (the saved ones unless given) are part of it, so each combination of
    sections and notes is a render of its own, and choosing one again serves the earlier one."""
    options = options or ReportOptions.of(assessment)
    parts = f"report:{code_version()}:{data_stamp(assessment)}:{options.render_key()}"
    return hashlib.sha256(parts.encode()).hexdigest()
