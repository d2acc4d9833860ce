"""results.xlsx: the CSV exports as one Excel workbook, plus the client's action plan.

A sheet per CSV, made from the same rows (assessments.exports.results_rows and answers_rows,
so the answers sheet honours the assessment's answer visibility exactly as answers.csv does),
and a sheet for the plan. Headers are bold and frozen, columns sized to their contents,
numbers stored as numbers. Text that a spreadsheet would run as a formula is neutralised as
in the CSVs (lib.csv.safe_cell); the control characters a workbook cannot hold are dropped.
"""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assessments.exports import (
    ANSWERS_CSV_COLUMNS,
    RESULTS_CSV_COLUMNS,
    answers_rows,
    results_rows,
)
from assessments.models import Assessment
from assessments.plan import ordered
from assessments.results import AssessmentResults
from lib.csv import safe_cell

PLAN_COLUMNS = [
    "title",
    "owner",
    "target_quarter",
    "status",
    "question_keys",
    "planned_from",
    "completed",
    "notes",
]
MIN_WIDTH, MAX_WIDTH = 8, 60  # characters
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_rows(assessment: Assessment) -> list[list]:
    """The client's whole plan (dropped items too: this is the workspace's own export), open
    items first. One query."""
    items = ordered(assessment.client.plan_items.select_related("owner_user", "source_assessment"))
    return [
        [
            safe_cell(item.title),
            safe_cell(item.owner_display),
            str(item.target_period),
            item.get_status_display(),
            ";".join(item.question_keys),
            str(item.source_assessment.period) if item.source_assessment else None,
            timezone.localdate(item.completed_at) if item.completed_at else None,
            safe_cell(item.notes),
        ]
        for item in items
    ]


def _cell_value(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _fill(sheet: Worksheet, header: list[str], rows: list[list]) -> None:
    sheet.append(header)
    for row in rows:
        sheet.append([_cell_value(value) for value in row])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    widths = [len(name) for name in header]
    for row in rows:
        for column, value in enumerate(row):
            if value is not None:
                longest = max(len(line) for line in str(value).splitlines() or [""])
                widths[column] = max(widths[column], longest)
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
        if width > MAX_WIDTH:  # long text (comments, notes) wraps in its column
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def results_workbook(computed: AssessmentResults, *, anonymous: bool) -> bytes:
    """The workbook of `computed`'s assessment; `anonymous` as for answers.csv."""
    assessment = computed.assessment
    book = Workbook()
    book.properties.title = f"{assessment.client.name} {assessment.period} results"
    book.properties.creator = "Relay"
    results = book.active
    results.title = "Results"
    _fill(results, RESULTS_CSV_COLUMNS, results_rows(computed))
    _fill(
        book.create_sheet("Answers"),
        ANSWERS_CSV_COLUMNS,
        answers_rows(assessment, anonymous=anonymous),
    )
    _fill(book.create_sheet("Plan"), PLAN_COLUMNS, plan_rows(assessment))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
