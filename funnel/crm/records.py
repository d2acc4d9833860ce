"""Rows of an export as typed leads and deals: dates, money, yes/no flags and outcomes.

The date format is chosen once per file (one export writes all its dates one way) from the
date cells of its first rows, so a day above 12 in any date column settles day/month against
month/day for all of them. A cell that cannot be read is a problem on its line; the record
is kept without that value, unless it is the record's id or create date, which every figure
needs.
"""

import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from funnel.crm.dates import FORMATS, FORMATS_BY_KEY, DateFormat, detect_format
from funnel.crm.fields import DATE, LEADS, fields_of
from funnel.crm.mapping import Mapping
from funnel.crm.reader import Problems, Row

SAMPLE_ROWS = 500  # rows read ahead to choose the date format: bounded memory
WON, LOST, OPEN = "won", "lost", "open"

_TRUE = {"true", "yes", "y", "1", "x", "checked", "won", "unsubscribed", "opted out", "opt out"}
_FALSE = {"false", "no", "n", "0", "unchecked", "lost", "open", "subscribed", "no consent"}
# The ICP field holds a yes/no or a tier; tiers 1 and 2 (or A and B) count as a fit.
_FITS = _TRUE | {"fit", "good fit", "strong fit", "tier 1", "tier 2", "tier1", "tier2", "a", "b"}
_MONEY_NOISE = re.compile(r"[^\d,.\-]")


class Lead(NamedTuple):
    """A lead or contact (a named tuple: one is built per row, and tuples build fastest)."""

    line: int
    record_id: str
    created: datetime
    mql: datetime | None = None
    sal: datetime | None = None
    sql: datetime | None = None
    opportunity: datetime | None = None
    customer: datetime | None = None
    first_touch: datetime | None = None
    opted_out: bool | None = None
    icp_fit: bool | None = None  # None: not known (not mapped, or blank)


class Deal(NamedTuple):
    line: int
    deal_id: str
    created: datetime
    amount: Decimal | None
    outcome: str  # WON, LOST or OPEN
    closed_on: datetime | None = None  # only for a won or lost deal
    lead_id: str = ""


def parse_money(text: str) -> Decimal:
    """ "$12,500.00", "12.500,00 €", "12 500" -> Decimal; the last of a comma or a dot followed
    by one or two digits is the decimal mark, any other is a thousands separator."""
    cleaned = _MONEY_NOISE.sub("", text)
    if not cleaned or not any(c.isdigit() for c in cleaned):
        raise ValueError(text)
    mark = max(cleaned.rfind(","), cleaned.rfind("."))
    if mark >= 0 and 1 <= len(cleaned) - mark - 1 <= 2:
        whole, cents = cleaned[:mark], cleaned[mark + 1 :]
    else:
        whole, cents = cleaned, ""
    whole = whole.replace(",", "").replace(".", "")
    try:
        return Decimal(f"{whole or '0'}.{cents or '0'}")
    except InvalidOperation:
        raise ValueError(text) from None


def parse_flag(text: str) -> bool | None:
    """Yes/no as exports write it ("true", "Yes", "1", Pipedrive's "Unsubscribed"); blank or
    anything else is not known."""
    word = text.strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def icp_fit(text: str) -> bool | None:
    word = text.strip().casefold()
    if not word:
        return None
    return word in _FITS


def outcome(won: str, closed: str, stage: str) -> str:
    """WON, LOST or OPEN, from a status or won flag, else the closed flag and the stage name
    ("Closed Won", "Closed Lost")."""
    status = won.strip().casefold()
    if status in ("won", "lost", "open"):
        return status
    is_won = parse_flag(won)
    is_closed = parse_flag(closed)
    if is_won:
        return WON
    stage_words = stage.casefold()
    if "won" in stage_words:
        return WON
    if "lost" in stage_words or (is_won is False and is_closed):
        return LOST
    return OPEN


def _choose_format(
    rows: list[Row], date_keys: list[str], chosen: str | None, problems: Problems
) -> DateFormat:
    if chosen is not None:
        return FORMATS_BY_KEY[chosen]
    detection = detect_format(row.cells[key] for row in rows for key in date_keys)
    if detection.problem:
        problems.add(detection.problem)
    if detection.chosen is not None:
        return detection.chosen
    if detection.candidates:  # ambiguous: the first in FORMATS' order, flagged above
        return detection.candidates[0]
    samples = [row.cells[key] for row in rows for key in date_keys if row.cells[key].strip()]
    return max(FORMATS, key=lambda f: sum(f.reads(text) for text in samples))


class _Reading:
    """Cells of one file read with its date format, each problem reported on its line."""

    def __init__(self, date_format: DateFormat, mapping: Mapping, problems: Problems):
        self.date_format = date_format
        self.columns = mapping.columns
        self.problems = problems
        self._parse = lru_cache(maxsize=4096)(date_format.parse)

    def date(self, row: Row, key: str) -> datetime | None:
        text = row.cells.get(key, "").strip()
        if not text:
            return None
        try:
            return self._parse(text)
        except ValueError:
            self.problems.add(
                f"“{text[:40]}” is not a date written as {self.date_format.words}.",
                line=row.line,
                column=self.columns[key],
            )
            return None

    def text(self, row: Row, key: str) -> str:
        return row.cells.get(key, "").strip()


def _read_ahead(rows: Iterable[Row]) -> tuple[list[Row], Iterator[Row]]:
    rows = iter(rows)
    return list(itertools.islice(rows, SAMPLE_ROWS)), rows


def read_leads(
    rows: Iterable[Row], mapping: Mapping, problems: Problems, *, date_format: str | None = None
) -> tuple[DateFormat, Iterator[Lead]]:
    """The file's date format (`date_format`, a key of dates.FORMATS, overrides the detection)
    and its leads, as they stream."""
    date_keys = [
        key
        for key, spec in fields_of(LEADS).items()
        if spec.kind == DATE and key in mapping.columns
    ]
    sample, rest = _read_ahead(rows)
    reading = _Reading(_choose_format(sample, date_keys, date_format, problems), mapping, problems)
    return reading.date_format, _leads(itertools.chain(sample, rest), reading)


def _leads(rows: Iterator[Row], reading: _Reading) -> Iterator[Lead]:
    date, text = reading.date, reading.text
    for row in rows:
        record_id = text(row, "record_id")
        created = date(row, "created")
        if not record_id:
            reading.problems.add("the record has no ID; it is left out.", line=row.line)
            continue
        if created is None:
            if not text(row, "created"):
                reading.problems.add(
                    "the create date is empty; the record is left out.",
                    line=row.line,
                    column=reading.columns["created"],
                )
            continue
        yield Lead(
            row.line,
            record_id,
            created,
            mql=date(row, "became_mql"),
            sal=date(row, "became_sal"),
            sql=date(row, "became_sql"),
            opportunity=date(row, "became_opportunity"),
            customer=date(row, "became_customer"),
            first_touch=date(row, "first_touch"),
            opted_out=parse_flag(text(row, "opted_out")) if "opted_out" in row.cells else None,
            icp_fit=icp_fit(text(row, "icp_fit")) if "icp_fit" in row.cells else None,
        )


def read_deals(
    rows: Iterable[Row], mapping: Mapping, problems: Problems, *, date_format: str | None = None
) -> tuple[DateFormat, Iterator[Deal]]:
    """The file's date format and its deals, as they stream."""
    date_keys = [key for key in ("created", "closed_on") if key in mapping.columns]
    sample, rest = _read_ahead(rows)
    reading = _Reading(_choose_format(sample, date_keys, date_format, problems), mapping, problems)
    return reading.date_format, _deals(itertools.chain(sample, rest), reading)


def _deals(rows: Iterator[Row], reading: _Reading) -> Iterator[Deal]:
    date, text = reading.date, reading.text
    for row in rows:
        deal_id = text(row, "deal_id")
        created = date(row, "created")
        if not deal_id:
            reading.problems.add("the deal has no ID; it is left out.", line=row.line)
            continue
        if created is None:
            if not text(row, "created"):
                reading.problems.add(
                    "the create date is empty; the deal is left out.",
                    line=row.line,
                    column=reading.columns["created"],
                )
            continue
        amount_text = text(row, "amount")
        amount = None
        if amount_text:
            try:
                amount = parse_money(amount_text)
            except ValueError:
                reading.problems.add(
                    f"“{amount_text[:40]}” is not an amount of money.",
                    line=row.line,
                    column=reading.columns["amount"],
                )
        result = outcome(text(row, "won"), text(row, "closed"), text(row, "stage"))
        yield Deal(
            row.line,
            deal_id,
            created,
            amount,
            result,
            closed_on=date(row, "closed_on") if result != OPEN else None,
            lead_id=text(row, "lead_id"),
        )
