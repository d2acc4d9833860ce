"""CSV files in and out: reading an upload with the line numbers a text editor shows, and
writing a download that a spreadsheet opens as UTF-8 without running any cell as a formula."""

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
SHOWN_VALUE_LENGTH = 40
TOO_LARGE = "The file is larger than 2 MB; split it into smaller files and import each one."
TOO_MANY_ROWS = f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
# What a spreadsheet reads as the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A formula start at the start of the text, or after a character a spreadsheet may split a
# line on (in many locales it splits on semicolons, whatever the file's own delimiter), with
# any spaces between: each such spot becomes the start of a cell if the text is split there.
_FORMULA_AFTER_SEPARATOR = re.compile(r"(^|[,;|\t]) *(?=[=+\-@\t\r])")


# ---- Reading an upload ---------------------------------------------------------------------


class CsvImportError(Exception):
    """A file that cannot be imported; `errors` lists every problem, and nothing was saved."""

    def __init__(self, errors: list[str]):
        super().__init__(errors[0] if len(errors) == 1 else f"{len(errors)} problems in the file")
        self.errors = errors


@dataclass(frozen=True)
class CsvRecord:
    line: int  # where the record starts, as a text editor numbers lines
    fields: tuple[str, ...]


def read_csv(
    data: bytes,
    *,
    columns: Callable[[CsvRecord], dict[str, int]],
    not_csv: str,
    empty: str,
) -> tuple[dict[str, int], list[CsvRecord]]:
    """The column positions `columns` reads from the header, and the non-blank records after it.

    Shared by Relay's CSV imports. Raises CsvImportError with one message when the file is too
    large, not UTF-8 CSV (`not_csv`), or has no records (`empty`); `columns` raises it for a
    header it refuses.
    """
    if len(data) > MAX_CSV_BYTES:
        raise CsvImportError([TOO_LARGE])
    records = _records(_decode(data, not_csv=not_csv))
    header = next(records, None)
    if header is None:
        raise CsvImportError([empty])
    positions = columns(header)
    rows = list(itertools.islice(records, MAX_ROWS + 1))
    if len(rows) > MAX_ROWS:
        raise CsvImportError([TOO_MANY_ROWS])
    if not rows:
        raise CsvImportError([empty])
    return positions, rows


def _decode(data: bytes, *, not_csv: str) -> str:
    # No text file contains NUL bytes; workbooks (.xlsx is a zip) and UTF-16 exports do.
    if b"\x00" in data:
        raise CsvImportError([not_csv])
    if data.startswith(codecs.BOM_UTF8):  # Excel's "CSV UTF-8" starts with one
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of_offset(data, error.start)
        raise CsvImportError(
            [
                f"Line {line}: this line is not UTF-8 text. The file must be saved as UTF-8 CSV "
                "(in Excel: Save As, then “CSV UTF-8”)."
            ]
        ) from None


def _line_of_offset(data: bytes, offset: int) -> int:
    # The extra byte starts a new line after a line break and extends the last line otherwise;
    # bytes.splitlines breaks on \n, \r and \r\n, as the csv reader below does.
    return len((data[:offset] + b"_").splitlines())


def _records(text: str) -> Iterator[CsvRecord]:
    """The non-blank records of the text, each with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvImportError(
                [
                    f"Line {line}: the file is not valid CSV ({error}); look for a double quote "
                    "that is not closed, or text straight after a closing one."
                ]
            ) from None
        # Spreadsheets write an empty row as a line of commas: blank too.
        if any(field.strip() for field in fields):
            yield CsvRecord(line, tuple(fields))
        # line_num counts the physical lines read so far, several for a quoted comment that
        # spans lines, so the next record starts on the line after it.
        line = reader.line_num + 1


def field_count_problem(record: CsvRecord, columns: dict[str, int], quoted: str) -> str | None:
    """The problem with a line whose fields do not match the header, naming what (`quoted`)
    most likely split it: a comma inside a value that was not put in double quotes."""
    if len(record.fields) == len(columns):
        return None
    return (
        f"Line {record.line}: expected {len(columns)} fields but found {len(record.fields)}; "
        f"{quoted} must be in double quotes."
    )


def shown(value: str) -> str:
    """A value in quotes, cut short: enough to find it in the file, never a page of text."""
    if len(value) > SHOWN_VALUE_LENGTH:
        value = value[: SHOWN_VALUE_LENGTH - 1] + "…"
    return f'"{value}"'


# ---- Writing a download --------------------------------------------------------------------


def safe_cell(text: str) -> str:
    """Keep spreadsheets from running a respondent's comment as a formula (OWASP's advice):
    an apostrophe before a formula start at the beginning, and after every separator a
    spreadsheet might split the cell on, so that `ok;=cmd|...` cannot become a cell `=cmd|...`.
    """
    return _FORMULA_AFTER_SEPARATOR.sub(lambda match: match.group() + "'", text)


def csv_text(header: list[str], rows) -> str:
    """A CSV file's text; the caller passes its text cells through `safe_cell`.

    Every text cell is quoted, numbers are not (so they stay numbers): a spreadsheet that
    splits lines on semicolons still keeps a quoted `a;b` as one cell. None is written as "".
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(header)
    writer.writerows(rows)
    # A byte-order mark so spreadsheet programs open the file as UTF-8.
    return "\ufeff" + buffer.getvalue()
