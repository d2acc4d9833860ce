"""A client's funnel figures imported from a CSV file: one row per quarter.

Read the way answers are (`lib.csv` reads both files): the whole
file is checked first and every problem reported at once, each starting "Line N" as a text editor
numbers lines and naming its column; then everything is saved in one transaction, all or nothing.
Each cell goes through the figures form's own checks (`FunnelValuesForm`), so a figure the form
refuses is refused here with the same message.

A quarter already entered is updated: the file's columns replace those figures (an empty cell
clears one), and the figures of columns the file leaves out stay as they were.
"""

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client
from funnel.forms import FunnelValuesForm
from funnel.kpis import FIGURE_FIELDS, IMPOSSIBLE_ABOVE, Figures, flags, problems
from funnel.models import FunnelFigures
from lib.csv import CsvImportError, CsvRecord, field_count_problem, read_csv, shown
from lib.quarters import Quarter

QUARTER = "quarter"
EXAMPLE_HEADER = "quarter,inquiries,mqls,sals,sqls,won_deals"
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the funnel_plausible_year constraint

NOT_CSV = (
    "This is not a CSV file of funnel figures. Save it from your spreadsheet as “CSV UTF-8” "
    f"(comma-separated), with a header like {EXAMPLE_HEADER}."
)
SEMICOLONS = (
    "The columns of this file are separated by semicolons; save it as “CSV UTF-8” "
    f"(comma-separated), with a header like {EXAMPLE_HEADER}."
)
NO_FIGURES = "The file has no figures: under the header, put one row per quarter."
RACED = (
    "Someone entered figures for one of these quarters while the file was being imported; "
    "import the file again."
)


class FunnelImportError(CsvImportError):
    """A file that cannot be imported; `errors` lists every problem, and nothing was saved."""


@dataclass(frozen=True)
class FunnelImportSummary:
    created: tuple[str, ...]  # quarters, oldest first
    updated: tuple[str, ...]  # quarters that had figures, now replaced in the file's columns
    flags: tuple[tuple[str, str], ...]  # (quarter, message): allowed, but worth a second look

    @property
    def quarters(self) -> int:
        return len(self.created) + len(self.updated)


def import_funnel_csv(*, client: Client, data: bytes) -> FunnelImportSummary:
    """Save the quarters in `data` for `client`, creating or updating one row per quarter.

    Raises FunnelImportError, having saved nothing, if the file has any problem.
    """
    try:
        columns, records = read_csv(data, columns=_columns, not_csv=NOT_CSV, empty=NO_FIGURES)
    except CsvImportError as error:  # the shared reader's refusals, as this import's own
        raise FunnelImportError(error.errors) from None
    rows, errors = _read_rows(records, columns)
    with transaction.atomic():
        # Locked until the import commits, so nobody edits them in between.
        wanted = {row.period for row in rows}
        existing = {
            figures.period: figures
            for figures in client.funnel_figures.select_for_update().filter(
                year__in={period.year for period in wanted}
            )
            if figures.period in wanted
        }
        errors += _problems_with_existing(rows, columns, existing)
        if errors:
            raise FunnelImportError(errors)
        return _save(client, rows, columns, existing)


# ---- The header ----------------------------------------------------------------------------


def _column_name(text: str) -> str:
    """A header cell as a column name: "Emails Sent" and "emails-sent" are emails_sent."""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def _columns(header: CsvRecord) -> dict[str, int]:
    names = [_column_name(field) for field in header.fields]
    known = {QUARTER, *FIGURE_FIELDS}
    if not known & set(names):
        semicolons = len(header.fields) == 1 and ";" in header.fields[0]
        raise CsvImportError([SEMICOLONS if semicolons else NOT_CSV])
    problems = [
        *([f'column "{QUARTER}" is missing'] if QUARTER not in names else []),
        *([] if set(names) & set(FIGURE_FIELDS) else ["there is no figure column"]),
        *(f'"{name}" is not a figure' if name else "a column has no name" for name in names
          if name not in known),
        *(f'column "{name}" appears more than once' for name in sorted(known)
          if names.count(name) > 1),
    ]  # fmt: skip
    if problems:
        raise CsvImportError(
            [
                f"Line {header.line}: the header must be quarter and one or more of "
                f"{', '.join(FIGURE_FIELDS)} (in any order), but {'; '.join(problems)}."
            ]
        )
    return {name: position for position, name in enumerate(names)}


# ---- Each row ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    period: Quarter
    values: dict  # figure name -> value, for the file's figure columns only


def _read_rows(records: list[CsvRecord], columns: dict[str, int]) -> tuple[list[_Row], list[str]]:
    rows, errors = [], []
    first_lines: dict[Quarter, int] = {}
    for record in records:
        if miscount := field_count_problem(record, columns, "a number written with commas"):
            errors.append(miscount)
            continue
        cells = {name: record.fields[position].strip() for name, position in columns.items()}
        row, row_errors = _row(record.line, cells)
        if row is not None:
            first = first_lines.setdefault(row.period, row.line)
            if first != row.line:
                row_errors.append(
                    f"Lines {first} and {row.line}: {row.period} appears twice; "
                    "give each quarter one row."
                )
        errors += row_errors
        if row is not None and not row_errors:
            rows.append(row)
    return rows, errors


def _row(line: int, cells: dict[str, str]) -> tuple[_Row | None, list[str]]:
    """A row's quarter and figures, checked by the figures form: the row (None without a valid
    quarter) and its problems."""
    errors = []
    period, quarter_error = _period(cells[QUARTER])
    if quarter_error:
        errors.append(f"Line {line}, column {QUARTER}: {quarter_error}")
    figure_cells = {name: text for name, text in cells.items() if name != QUARTER}
    form = FunnelValuesForm(figure_cells, period=period)
    for name, messages in form.errors.items():
        errors += [
            f"Line {line}, column {name}{_found(cells[name])}: {message}" for message in messages
        ]
    if form.is_valid() and all(value is None for value in form.values.values()):
        errors.append(f"Line {line}: there are no figures in this row.")
    if period is None:
        return None, errors
    values = {name: form.cleaned_data.get(name) for name in figure_cells}
    return _Row(line, period, values), errors


def _found(text: str) -> str:
    # Messages about a cell's value say what was there; problems() messages already do.
    return f" ({shown(text)})" if text and not text.replace(",", "").isdigit() else ""


def _period(text: str) -> tuple[Quarter | None, str]:
    """The row's quarter, or None and why not."""
    if not text:
        return None, "the quarter is missing; write it like 2026-Q3."
    try:
        period = Quarter.parse(text)
    except ValueError:
        return None, f"{shown(text)} is not a quarter; write it like 2026-Q3."
    if not FIRST_YEAR <= period.year <= LAST_YEAR:
        return None, f"the year of {period} must be between {FIRST_YEAR} and {LAST_YEAR}."
    return period, ""


def _merged(row: _Row, existing: FunnelFigures | None) -> Figures:
    """The quarter's figures once the row is saved."""
    values = {name: getattr(existing, name) for name in FIGURE_FIELDS} if existing else {}
    return Figures.from_mapping(row.period.year, row.period.number, {**values, **row.values})


def _problems_with_existing(
    rows: list[_Row], columns: dict[str, int], existing: dict[Quarter, FunnelFigures]
) -> list[str]:
    """What a row makes impossible together with the figures already entered for its quarter
    (more emails opened than the emails sent entered before, say)."""
    errors = []
    for row in rows:
        if row.period not in existing:
            continue
        for name, message in problems(_merged(row, existing[row.period])).items():
            column = name if name in columns else _counterpart(name, columns)
            errors.append(
                f"Line {row.line}, column {column}: {message} "
                f"(counting the figures already entered for {row.period})"
            )
    return errors


def _counterpart(name: str, columns: dict[str, int]) -> str:
    # problems() names the part of an impossible pair (emails_opened); when only the whole
    # (emails_sent) is in the file, that is the column to fix.
    return next(
        (whole for part, whole in IMPOSSIBLE_ABOVE if part == name and whole in columns), name
    )


# ---- Saving --------------------------------------------------------------------------------


def _save(
    client: Client,
    rows: list[_Row],
    columns: dict[str, int],
    existing: dict[Quarter, FunnelFigures],
) -> FunnelImportSummary:
    rows = sorted(rows, key=lambda row: row.period)
    figure_columns = [name for name in columns if name != QUARTER]
    new = [
        FunnelFigures(client=client, year=row.period.year, quarter=row.period.number, **row.values)
        for row in rows
        if row.period not in existing
    ]
    changed = []
    now = timezone.now()
    for row in rows:
        figures = existing.get(row.period)
        if figures is not None:
            for name, value in row.values.items():
                setattr(figures, name, value)
            figures.updated_at = now
            changed.append(figures)
    try:
        with transaction.atomic():  # a savepoint: a clash leaves the outer transaction usable
            FunnelFigures.objects.bulk_create(new)
    except IntegrityError:
        # The quarters were read and locked above, but a row that did not exist yet could not
        # be locked: someone entered one of these quarters since.
        raise FunnelImportError([RACED]) from None
    FunnelFigures.objects.bulk_update(changed, [*figure_columns, "updated_at"])
    return FunnelImportSummary(
        created=tuple(str(figures.period) for figures in new),
        updated=tuple(str(figures.period) for figures in changed),
        flags=tuple(
            (str(row.period), message)
            for row in rows
            for message in flags(_merged(row, existing.get(row.period)))
        ),
    )
