"""The date formats CRM exports are written in, and which one a column uses.

An export writes every date of a column one way, set by the exporting user's locale: HubSpot
and Pipedrive mostly ISO ("2026-01-31 14:05"), Salesforce the locale's own ("31/01/2026 14:05"
or "1/31/2026 2:05 PM"), Excel re-saves as "1/31/26". A single date like 03/04/2026 cannot say
whether it is 3 April or 4 March, so the format is chosen from all of a column's samples at once:
the one format that reads every sample. A day above 12 anywhere is the evidence that settles
day/month against month/day; with no such evidence the choice is left to the person importing.

Dates are read as naive datetimes on the export's own clock (a zone, when written, is turned
into UTC first), since the figures only need days and the 48 hours of a first touch.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
# An optional time after the date: "14:05", "14:05:09", "2:05 PM", "T14:05:09.123".
_TIME = r"(?:(?:\s+|T|,\s*)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([AaPp]\.?[Mm]\.?)?)?"
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DateFormat:
    key: str
    words: str  # for the import screen: "day/month/year, e.g. 31/01/2026"
    parse: Callable[[str], datetime]  # raises ValueError for text not in this format

    def reads(self, text: str) -> bool:
        try:
            self.parse(text)
        except ValueError:
            return False
        return True


def _clock(hour, minute, second, half) -> tuple[int, int, int]:
    if hour is None:
        return 0, 0, 0
    hour, minute, second = int(hour), int(minute), int(second or 0)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError("an hour of a 12-hour clock is 1 to 12")
        hour = hour % 12 + (12 if half[0] in "pP" else 0)
    return hour, minute, second


def _year(text: str) -> int:
    # Two-digit years are this century's: exports of funnels are never about the 1900s.
    return int(text) + 2000 if len(text) == 2 else int(text)


def _numeric(pattern: str, order: str) -> Callable[[str], datetime]:
    compiled = re.compile(pattern + _TIME + r"\s*$")

    def parse(text: str) -> datetime:
        match = compiled.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not in this format")
        first, second, third, *clock = match.groups()
        parts = dict(zip(order, (first, second, third), strict=True))
        return datetime(_year(parts["y"]), int(parts["m"]), int(parts["d"]), *_clock(*clock))

    return parse


def _named_month(pattern: str, order: str) -> Callable[[str], datetime]:
    compiled = re.compile(pattern + _TIME + r"\s*$")

    def parse(text: str) -> datetime:
        match = compiled.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not in this format")
        first, second, third, *clock = match.groups()
        parts = dict(zip(order, (first, second, third), strict=True))
        month = _MONTHS.get(parts["m"].casefold())
        if month is None:
            raise ValueError(f"{parts['m']!r} is not a month")
        return datetime(_year(parts["y"]), month, int(parts["d"]), *_clock(*clock))

    return parse


def _iso(text: str) -> datetime:
    text = text.strip()
    if not _ISO_START.match(text):
        raise ValueError(f"{text!r} is not an ISO 8601 date")
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


ISO = DateFormat("iso", "year-month-day, e.g. 2026-01-31 or 2026-01-31 14:05", _iso)
DAY_MONTH_YEAR = DateFormat(
    "dmy",
    "day/month/year, e.g. 31/01/2026",
    _numeric(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", "dmy"),
)
MONTH_DAY_YEAR = DateFormat(
    "mdy",
    "month/day/year, e.g. 01/31/2026",
    _numeric(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", "mdy"),
)
DOTTED = DateFormat(
    "dmy_dots", "day.month.year, e.g. 31.01.2026", _numeric(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy")
)
DAY_MONTH_NAME = DateFormat(
    "d_mon_y",
    "day, month's name, year, e.g. 31 Jan 2026",
    _named_month(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})", "dmy"),
)
MONTH_NAME_DAY = DateFormat(
    "mon_d_y",
    "month's name, day, year, e.g. Jan 31, 2026",
    _named_month(r"([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})", "mdy"),
)
SHORT_MONTH_DAY_YEAR = DateFormat(
    "mdy_short",
    "month/day/two-digit year, e.g. 1/31/26",
    _numeric(r"(\d{1,2})/(\d{1,2})/(\d{2})", "mdy"),
)
SHORT_DAY_MONTH_YEAR = DateFormat(
    "dmy_short",
    "day/month/two-digit year, e.g. 31/1/26",
    _numeric(r"(\d{1,2})/(\d{1,2})/(\d{2})", "dmy"),
)
# In the order a tie is reported in.
FORMATS = (
    ISO,
    DAY_MONTH_YEAR,
    MONTH_DAY_YEAR,
    DOTTED,
    DAY_MONTH_NAME,
    MONTH_NAME_DAY,
    SHORT_MONTH_DAY_YEAR,
    SHORT_DAY_MONTH_YEAR,
)
FORMATS_BY_KEY = {date_format.key: date_format for date_format in FORMATS}


@dataclass(frozen=True)
class Detection:
    """The format of a set of dates: `chosen`, or None and `problem` saying why not.

    With no dates at all there is nothing to choose and no problem. `candidates` are the
    formats that read every sample (several when the samples cannot tell them apart).
    """

    chosen: DateFormat | None
    candidates: tuple[DateFormat, ...] = ()
    problem: str | None = None

    @property
    def ambiguous(self) -> bool:
        return self.chosen is None and len(self.candidates) > 1


def detect_format(samples: Iterable[str]) -> Detection:
    """The one format that reads every non-blank sample that is a date at all.

    Text no format reads ("soon", "n/a") does not decide the format: it is a bad cell, which
    the reading reports on its line.
    """
    texts = [text.strip() for text in samples if text and text.strip()]
    if not texts:
        return Detection(None)
    dates = [text for text in texts if any(f.reads(text) for f in FORMATS)]
    if not dates:
        return Detection(None, (), f"“{texts[0]}” is not a date Relay can read.")
    candidates = tuple(f for f in FORMATS if all(f.reads(text) for text in dates))
    if len(candidates) == 1:
        return Detection(candidates[0], candidates)
    if candidates:
        words = " or ".join(f.words.split(",")[0] for f in candidates)
        return Detection(
            None,
            candidates,
            f"No date shows a day above 12, so they could be {words}: "
            f"choose how “{dates[0]}” is to be read.",
        )
    # Mixed: name a date the likeliest format cannot read.
    best = max(FORMATS, key=lambda f: sum(f.reads(text) for text in dates))
    odd = next(text for text in dates if not best.reads(text))
    return Detection(
        None,
        (),
        f"The dates are written in more than one way: most are {best.words}, but “{odd}” "
        "is not. Export them again in one format.",
    )
