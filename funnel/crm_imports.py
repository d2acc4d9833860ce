"""Importing a client's CRM exports: the workflow around the pure funnel.crm package.

Three steps, one URL each: the upload keeps the files (a CrmImport with its FileFields under
MEDIA_ROOT/crm-imports/<workspace>/, which is never served); the mapping step reads their
headers and proposes a column per field (the client's saved mapping first); deriving reads
every row, then fills each derived quarter's FunnelFigures in one transaction, all or nothing.
A file with any problem changes no figure, and lists every problem by line and column.

Only the figures an export derives are written: a quarter's email or content figures entered
by hand stay, and a derived figure corrected by hand since (FunnelFigures.corrected_fields)
keeps its correction. The raw files are deleted once derived, unless the owner chose to keep
them. A large upload is derived by the background worker (django-tasks), which reports its
progress in rows read.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import islice

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from clients.models import Client
from funnel.crm.dates import FORMATS_BY_KEY, Detection, detect_format
from funnel.crm.derive import DEFAULT_STALL_DAYS, FIGURE_VALUES, QuarterFigures
from funnel.crm.fields import CRM_NAMES, DATE, LEADS, Field, fields_of
from funnel.crm.fields import FIELDS as CRM_FIELDS
from funnel.crm.mapping import Layout, Mapping, check_mapping, detect_layout, propose_mapping
from funnel.crm.pipeline import derive_from_csv
from funnel.crm.reader import CrmFileError, open_crm_csv
from funnel.kpis import FIGURE_LABELS
from funnel.models import CrmImport, CrmMapping, FunnelFigures
from lib.forms import CONTROL_CHARACTERS
from lib.quarters import Quarter

# Beyond either, the rows are derived in the background: a request should not wait for them.
BACKGROUND_ROWS = 20_000
BACKGROUND_BYTES = 5 * 1024 * 1024
PROGRESS_EVERY_ROWS = 5_000
SAMPLE_ROWS = 200  # rows read for the date format the mapping page shows

# The measures of a quarter that FunnelFigures has no field for, kept on the import. (The ICP
# and opt-out shares, the stalled MQLs and the follow-up within 48 hours are figures.)
SHARES = {
    "gate_pass_share": "Share of MQLs that sales went on to accept",
    "closed_win_rate": "Closed win rate (won of won and lost)",
}
COUNTS = {
    "stalled_sals": "Stalled SALs",
    "stalled_sqls": "Stalled SQLs",
}
MEASURE_LABELS = {**SHARES, **COUNTS}
RACED = "Someone else is importing or editing this quarter's figures; import the file again."


def measure_text(key: str, value) -> str:
    """A kept measure as the pages show it."""
    if value is None:
        return "n/a"
    if key in SHARES:
        return f"{value * 100:.0f}%"
    return f"{value:,}"


# ---- The upload --------------------------------------------------------------------------


def _lines(upload) -> int:
    upload.seek(0)
    count = sum(chunk.count(b"\n") for chunk in upload.chunks())
    upload.seek(0)
    return count


def _shown_name(upload) -> str:
    return CONTROL_CHARACTERS.sub("", upload.name or "export.csv")[:255]


def start_crm_import(
    *,
    client: Client,
    user: User,
    lead_upload: UploadedFile,
    deal_upload: UploadedFile | None,
    keep_raw: bool,
) -> CrmImport:
    """Keep the uploads for the mapping step (their headers were checked by the form)."""
    close_reviews(client)
    crm_import = CrmImport(
        client=client,
        created_by=user,
        lead_file_name=_shown_name(lead_upload),
        deal_file_name=_shown_name(deal_upload) if deal_upload else "",
        keep_raw=keep_raw,
        rows_total=_lines(lead_upload) + (_lines(deal_upload) if deal_upload else 0),
    )
    crm_import.lead_file.save(lead_upload.name, lead_upload, save=False)
    if deal_upload is not None:
        crm_import.deal_file.save(deal_upload.name, deal_upload, save=False)
    crm_import.save()
    return crm_import


# ---- The mapping step --------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """What the mapping page shows for one export."""

    kind: str
    header: tuple[str, ...]
    fields: tuple[Field, ...]
    mapping: Mapping  # the saved one if it still fits the header, else the proposal
    layout: Layout | None
    dates: Detection
    from_saved: bool

    @property
    def layout_text(self) -> str:
        return self.layout.description if self.layout else ""


def _saved_mapping(client: Client, kind: str) -> Mapping | None:
    saved = CrmMapping.objects.filter(client=client).first()
    data = (saved.lead_mapping if kind == LEADS else saved.deal_mapping) if saved else None
    if not data:
        return None
    return Mapping(kind=kind, columns=dict(data.get("columns", {})), crm=data.get("crm"))


def _date_samples(crm_file, mapping: Mapping, kind: str) -> Iterable[str]:
    date_keys = [k for k, f in fields_of(kind).items() if f.kind == DATE and k in mapping.columns]
    for row in islice(crm_file.rows(mapping), SAMPLE_ROWS):
        for key in date_keys:
            yield row.cells[key]


def propose(crm_import: CrmImport, kind: str) -> Proposal | None:
    """The proposal for the import's lead or deal file (None: no deal file). Raises
    CrmFileError if the kept file cannot be read."""
    stored = crm_import.lead_file if kind == LEADS else crm_import.deal_file
    if not stored:
        return None
    with stored.open("rb") as source:
        crm_file = open_crm_csv(source)
        header = crm_file.header
        saved = _saved_mapping(crm_import.client, kind)
        fits = saved is not None and not check_mapping(saved, header)
        mapping = saved if fits else propose_mapping(header, kind)
        dates = detect_format(_date_samples(crm_file, mapping, kind))
    layout = detect_layout(header)
    return Proposal(kind, header, CRM_FIELDS[kind], mapping, layout, dates, fits)


def saved_date_format(client: Client) -> str:
    saved = CrmMapping.objects.filter(client=client).first()
    return saved.date_format if saved else ""


def saved_stall_days(client: Client) -> int:
    saved = CrmMapping.objects.filter(client=client).first()
    return saved.stall_days if saved else DEFAULT_STALL_DAYS


def runs_in_background(crm_import: CrmImport) -> bool:
    size = sum(f.size for f in (crm_import.lead_file, crm_import.deal_file) if f)
    return crm_import.rows_total > BACKGROUND_ROWS or size > BACKGROUND_BYTES


def confirm_mapping(
    *,
    crm_import: CrmImport,
    lead_mapping: Mapping,
    deal_mapping: Mapping | None,
    date_format: str,
    stall_days: int,
    layout: str,
) -> bool:
    """Remember the mapping for the client's next import and mark the import to run; False
    when it was confirmed already (a second tab, a double submit)."""
    with transaction.atomic():
        running = CrmImport.Status.RUNNING
        pending = CrmImport.objects.filter(pk=crm_import.pk, status=CrmImport.Status.PENDING)
        if not pending.update(status=running):
            return False
        CrmMapping.objects.update_or_create(
            client=crm_import.client,
            defaults={
                "lead_mapping": _as_data(lead_mapping),
                # A saved deal mapping stays when this import has no deal file.
                **({"deal_mapping": _as_data(deal_mapping)} if deal_mapping else {}),
                "date_format": date_format,
                "stall_days": stall_days,
            },
        )
        crm_import.lead_mapping = _as_data(lead_mapping)
        crm_import.deal_mapping = _as_data(deal_mapping) if deal_mapping else {}
        crm_import.date_format = date_format
        crm_import.stall_days = stall_days
        crm_import.layout = layout
        crm_import.status = running
        crm_import.rows_read = 0
        crm_import.save()
    return True


def _as_data(mapping: Mapping) -> dict:
    return {"kind": mapping.kind, "crm": mapping.crm, "columns": dict(mapping.columns)}


def _mapping(data: dict) -> Mapping | None:
    return Mapping(data["kind"], dict(data["columns"]), data.get("crm")) if data else None


# ---- Deriving and saving -----------------------------------------------------------------


class _Counting:
    """A binary file that reports the lines read through it, now and then, as progress."""

    def __init__(self, source, crm_import: CrmImport, start: int = 0):
        self._source = source
        self._import = crm_import
        self.lines = start
        self._reported = start

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self.lines += data.count(b"\n")
        if self.lines - self._reported >= PROGRESS_EVERY_ROWS:
            self._reported = self.lines
            # An update of its own, outside any transaction: the progress page reads it.
            CrmImport.objects.filter(pk=self._import.pk).update(rows_read=self.lines)
        return data


def derive_crm_import(*, crm_import: CrmImport, as_of: date | None = None) -> CrmImport:
    """Derive the quarters of a confirmed import and save them, or record its problems.

    Rows with problems change nothing at first: the import waits in REVIEW, its files kept,
    until the consultant uploads a corrected export or imports the rest, leaving those rows
    out (leave_out_problem_rows). A problem with the file itself fails the import."""
    as_of = as_of or timezone.localdate()
    crm_import.status, crm_import.problems = _derive_and_save(crm_import, as_of)
    crm_import.finished_at = timezone.now()
    if crm_import.status != CrmImport.Status.REVIEW and not crm_import.keep_raw:
        _discard(crm_import)
    crm_import.save()
    return crm_import


def _derive_and_save(crm_import: CrmImport, as_of: date) -> tuple[str, list[str]]:
    try:
        problems, derived = _derive(crm_import, as_of)
        if problems and not crm_import.leave_out_problems:
            can_leave_out = derived.rows_can_be_left_out
            return (CrmImport.Status.REVIEW if can_leave_out else CrmImport.Status.FAILED), problems
        _save_quarters(crm_import, derived)
    except CrmFileError as error:
        return CrmImport.Status.FAILED, list(error.problems)
    except _Raced:
        return CrmImport.Status.FAILED, [RACED]
    return CrmImport.Status.DONE, problems


def _discard(crm_import: CrmImport) -> None:
    crm_import.discard_files()
    crm_import.lead_file = crm_import.deal_file = ""


def leave_out_problem_rows(*, crm_import: CrmImport) -> bool:
    """Mark an import in review to run again, leaving its problem rows out; False when it
    is not in review any more (a second tab, a double submit)."""
    claimed = CrmImport.objects.filter(pk=crm_import.pk, status=CrmImport.Status.REVIEW).update(
        status=CrmImport.Status.RUNNING, leave_out_problems=True, rows_read=0
    )
    if claimed:
        crm_import.refresh_from_db()
    return bool(claimed)


def close_reviews(client: Client) -> None:
    """A new upload replaces the client's imports waiting in review: their files go."""
    for waiting in client.crm_imports.filter(status=CrmImport.Status.REVIEW):
        if not waiting.keep_raw:
            _discard(waiting)
        waiting.status = CrmImport.Status.FAILED
        waiting.save(update_fields=["status", "lead_file", "deal_file"])


def _derive(crm_import: CrmImport, as_of: date):
    lead_mapping = _mapping(crm_import.lead_mapping)
    deal_mapping = _mapping(crm_import.deal_mapping)
    with crm_import.lead_file.open("rb") as lead_source:
        lead_counting = _Counting(lead_source, crm_import)
        deal_source = crm_import.deal_file.open("rb") if crm_import.deal_file else None
        try:
            derived = derive_from_csv(
                lead_counting,
                _Counting(deal_source, crm_import) if deal_source else None,
                as_of=as_of,
                lead_mapping=lead_mapping,
                deal_mapping=deal_mapping if deal_source else None,
                date_format=crm_import.date_format or None,
                stall_days=crm_import.stall_days,
            )
        finally:
            if deal_source:
                deal_source.close()
    crm_import.lead_rows = derived.derivation.leads
    crm_import.deal_rows = derived.derivation.deals if derived.deal_file else None
    crm_import.rows_read = crm_import.rows_total
    if not crm_import.date_format:
        crm_import.date_format = derived.lead_format.key
    return derived.problems, derived


class _Raced(Exception):
    pass


def derived_values(quarter: QuarterFigures) -> dict:
    """The figures the export measured (None: not measured, so not written)."""
    return {k: v for k, v in quarter.as_figure_values().items() if v is not None}


def _save_quarters(crm_import: CrmImport, derived) -> None:
    quarters = derived.derivation.quarters
    wanted = {q.quarter for q in quarters}
    kept: list[str] = []
    with transaction.atomic():
        existing = {
            row.period: row
            for row in crm_import.client.funnel_figures.select_for_update().filter(
                year__in={period.year for period in wanted}
            )
        }
        new, changed = [], []
        for quarter in quarters:
            values = derived_values(quarter)
            row = existing.get(quarter.quarter)
            if row is None:
                period = quarter.quarter
                new.append(
                    FunnelFigures(
                        client=crm_import.client,
                        year=period.year,
                        quarter=period.number,
                        crm_import=crm_import,
                        **values,
                    )
                )
                continue
            for name, value in values.items():
                if name in row.corrected_fields:
                    if getattr(row, name) != value:
                        kept.append(f"{quarter.quarter}: {FIGURE_LABELS[name]}")
                    continue
                setattr(row, name, value)
            row.crm_import = crm_import
            row.updated_at = timezone.now()
            changed.append(row)
        try:
            with transaction.atomic():
                FunnelFigures.objects.bulk_create(new)
        except IntegrityError as error:  # a quarter entered meanwhile, not lockable before
            raise _Raced from error
        FunnelFigures.objects.bulk_update(changed, [*FIGURE_VALUES, "crm_import", "updated_at"])
        crm_import.measures = {
            str(q.quarter): {key: getattr(q, key) for key in MEASURE_LABELS} for q in quarters
        }
        crm_import.kept_corrections = kept
        crm_import.save(update_fields=["measures", "kept_corrections"])


def measure_rows(crm_import: CrmImport, quarter: Quarter | str) -> list[tuple[str, str]]:
    """(label, text) of the measures an import kept for a quarter."""
    kept = (crm_import.measures or {}).get(str(quarter), {})
    return [(label, measure_text(key, kept.get(key))) for key, label in MEASURE_LABELS.items()]


def layout_name(key: str) -> str:
    return CRM_NAMES.get(key, "")


def date_format_words(key: str) -> str:
    found = FORMATS_BY_KEY.get(key)
    return found.words if found else ""
