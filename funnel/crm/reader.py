"""An uploaded CSV export, read as it streams: never the whole file in memory.

CRM exports run to hundreds of thousands of rows, so the file is decoded chunk by chunk and
parsed by the csv module a line at a time; only the header and the current row are held.
Every problem names the line a text editor shows (a quoted cell spanning lines counts each of
its lines) and the column, and the list is capped (Problems) so that a bad 50 MB file reports
its first problems and a count, not 50 MB of messages.

Encodings: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode text"),
and Windows-1252 (older Excel "CSV" on Windows) as the fallback, said in a note. Separators:
comma, semicolon (Excel in locales whose decimal mark is a comma) or tab, read off the header.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from funnel.crm.mapping import Mapping

MAX_BYTES = 100 * 1024 * 1024
MAX_PROBLEMS = 200
CHUNK_BYTES = 64 * 1024
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}

TOO_LARGE = (
    f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; export fewer quarters at a time "
    "and import each file."
)
EMPTY = "The file is empty: export the records again, with their header row."
NOT_CSV = (
    "This is not a CSV file. Export the records from your CRM as CSV (comma-separated values) "
    "and import that file."
)
WORKBOOK = (
    "This is an Excel workbook, not a CSV file. In Excel choose File, Save As, “CSV UTF-8”, "
    "and import that file."
)
NO_ROWS = "The file has a header but no records under it."
CP1252_NOTE = (
    "The file is not UTF-8, so it was read as Windows-1252 (Western European); check that "
    "accented names look right."
)
CP1252_LATER_NOTE = (
    "From line {line} the file is not UTF-8, so the rest was read as Windows-1252 (Western "
    "European); check that accented names look right."
)


class CrmFileError(Exception):
    """A file that cannot be read at all; `problems` says why."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Problems:
    """Problems found in a file, in the order found: the first `limit`, then only a count."""

    limit: int = MAX_PROBLEMS
    shown: list[str] = field(default_factory=list)
    more: int = 0
    # Problems that leaving rows out cannot mend: one about the whole file (it has no line),
    # or a row after which the rest of the file cannot be read.
    blocking: int = 0

    def add(
        self,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        blocking: bool = False,
    ) -> None:
        if blocking or line is None:
            self.blocking += 1
        if len(self.shown) >= self.limit:
            self.more += 1
            return
        where = f"Line {line}" if line is not None else ""
        if column:
            where += f", column “{column}”" if where else f"Column “{column}”"
        self.shown.append(f"{where}: {message}" if where else message)

    def __len__(self) -> int:
        return len(self.shown) + self.more

    def texts(self) -> list[str]:
        more = [f"… and {self.more:,} more problems."] if self.more else []
        return [*self.shown, *more]


class Row(NamedTuple):
    """One record. A named tuple, not a frozen dataclass: it is built for every row, and
    tuples are built several times faster."""

    line: int  # where the record starts, as a text editor numbers lines
    cells: dict[str, str]  # field key -> the cell's text


class _Decoded(io.RawIOBase):
    """The upload's bytes as UTF-8, counted against the size limit as they are read.

    UTF-8 passes through, checked; from the first byte that is not UTF-8 on, the rest is read as
    Windows-1252 and re-encoded, and `switched_at_line` says where. UTF-16 passes untouched.
    """

    def __init__(self, source, first: bytes, *, transcode: str | None, max_bytes: int):
        self._source = source
        self._pending = first
        self._carry = b""
        self._transcode = transcode  # None (pass through), "check-utf-8" or "cp1252"
        self._read = 0
        self._max_bytes = max_bytes
        self._newlines = 0
        self._finished = False
        self.switched_at_line: int | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = b""
        while not data and not self._finished:
            data = self._next_bytes()
        size = min(len(buffer), len(data))
        buffer[:size] = data[:size]
        self._pending = data[size:] + self._pending
        return size

    def _next_bytes(self) -> bytes:
        if self._pending:
            raw, self._pending = self._pending, b""
            # Pending bytes were counted and converted already, except the first chunk's.
            if self._read:
                return raw
        else:
            raw = self._source.read(CHUNK_BYTES)
        self._read += len(raw)
        if self._read > self._max_bytes:
            raise CrmFileError([TOO_LARGE])
        if not raw:
            self._finished = True
            raw, self._carry = self._carry, b""
            return raw if self._transcode != "cp1252" else raw.decode("cp1252", "replace").encode()
        return self._convert(raw)

    def _convert(self, raw: bytes) -> bytes:
        if self._transcode is None:
            return raw
        if self._transcode == "cp1252":
            return raw.decode("cp1252", "replace").encode()
        data, self._carry = self._carry + raw, b""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.reason == "unexpected end of data" and error.start >= len(data) - 3:
                # A character cut in two by the chunk: its start waits for the next chunk.
                self._carry, data = data[error.start :], data[: error.start]
                self._newlines += data.count(b"\n")
                return data
            good, rest = data[: error.start], data[error.start :]
            self._newlines += good.count(b"\n")
            self.switched_at_line = self._newlines + 1
            self._transcode = "cp1252"
            return good + rest.decode("cp1252", "replace").encode()
        self._newlines += data.count(b"\n")
        return data


@dataclass
class CrmFile:
    """An export opened for reading: its header now, its rows as they are asked for."""

    header: tuple[str, ...]
    header_line: int
    encoding: str  # in plain words, for the import screen
    separator: str  # "comma", "semicolon" or "tab"
    notes: list[str]
    problems: Problems
    _records: Iterator[tuple[int, list[str]]]
    _decoded: _Decoded
    _noted_switch: bool = False

    def rows(self, mapping: Mapping) -> Iterator[Row]:
        """Each non-blank record after the header as its mapped fields' cells. A record whose
        number of cells is not the header's is reported and skipped."""
        positions = mapping.positions(self.header)
        width = len(self.header)
        any_rows = False
        items = tuple(positions.items())
        for line, cells in self._records:
            any_rows = True
            if len(cells) != width:
                # A trailing empty cell or two (some exports pad rows) is harmless.
                if len(cells) > width and not any(c.strip() for c in cells[width:]):
                    cells = cells[:width]
                elif any("\n" in cell for cell in cells):
                    # A quote left open ran this record over the next lines: leaving it out
                    # would silently drop the rows it swallowed.
                    self.problems.add(
                        f"expected {width} cells, as in the header, but found {len(cells)} "
                        "over several lines; look for a double quote that is not closed.",
                        line=line,
                        blocking=True,
                    )
                    continue
                else:
                    self.problems.add(
                        f"expected {width} cells, as in the header, but found {len(cells)}; "
                        "a value holding the separator must be in double quotes.",
                        line=line,
                    )
                    continue
            yield Row(line, {key: cells[position] for key, position in items})
            if self._decoded.switched_at_line and not self._noted_switch:
                self._note_switch()
        if self._decoded.switched_at_line and not self._noted_switch:
            self._note_switch()
        if not any_rows:
            self.problems.add(NO_ROWS)

    def _note_switch(self) -> None:
        self._noted_switch = True
        self.notes.append(CP1252_LATER_NOTE.format(line=self._decoded.switched_at_line))
        self.encoding = "UTF-8, then Windows-1252"


def _first_bytes(source, size: int) -> bytes:
    chunks, read = [], 0
    while read < size:
        chunk = source.read(size - read)
        if not chunk:
            break
        chunks.append(chunk)
        read += len(chunk)
    return b"".join(chunks)


def _encoding(first: bytes) -> tuple[str, bytes, str | None, str, list[str]]:
    """(codec, first bytes without a UTF-8 BOM, transcoding, words, notes) for the file."""
    if first.startswith(codecs.BOM_UTF8):
        return "utf-8", first[len(codecs.BOM_UTF8) :], "check-utf-8", "UTF-8", []
    if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", first, None, "UTF-16", []
    if first.startswith(b"PK\x03\x04") or first.startswith(b"\xd0\xcf\x11\xe0"):
        raise CrmFileError([WORKBOOK])
    if b"\x00" in first:  # no text file holds NUL bytes; binaries and BOM-less UTF-16 do
        raise CrmFileError([NOT_CSV])
    try:
        first.decode("utf-8")
    except UnicodeDecodeError as error:
        cut = error.reason == "unexpected end of data" and error.start >= len(first) - 3
        if not cut:
            return "utf-8", first, "cp1252", "Windows-1252", [CP1252_NOTE]
    return "utf-8", first, "check-utf-8", "UTF-8", []


def _records(reader, problems: Problems) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for each non-blank record. A record csv cannot read (an unclosed quote
    swallowing the rest of the file) ends it, with a problem on the line where it starts."""
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.add(
                f"the file is not valid CSV from here on ({error}); look for a double quote "
                "that is not closed.",
                line=line,
                blocking=True,
            )
            return
        if any(cell.strip() for cell in cells):
            yield line, cells
        # line_num counts physical lines, several for a quoted cell spanning lines.
        line = reader.line_num + 1


def _separator(header_line: str) -> str:
    counts = {separator: header_line.count(separator) for separator in SEPARATORS}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def open_crm_csv(source, *, max_bytes: int = MAX_BYTES, problems_limit: int = MAX_PROBLEMS):
    """Open a binary file-like upload for reading; raise CrmFileError if it cannot be read
    at all (too large, empty, not a CSV, duplicated header names)."""
    size = getattr(source, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise CrmFileError([TOO_LARGE])
    first = _first_bytes(source, CHUNK_BYTES)
    if not first.strip():
        raise CrmFileError([EMPTY])
    codec, first, transcode, words, notes = _encoding(first)
    decoded = _Decoded(source, first, transcode=transcode, max_bytes=max_bytes)
    text = io.TextIOWrapper(
        io.BufferedReader(decoded, CHUNK_BYTES), encoding=codec, newline="", errors="replace"
    )
    # The UTF-16 codec reads its BOM; a UTF-8 BOM after it would start the first name.
    header_text = text.readline().removeprefix("\ufeff")
    if not header_text.strip():
        raise CrmFileError([EMPTY])
    separator = _separator(header_text)
    chained = _chain(header_text, text)
    reader = csv.reader(chained, delimiter=separator, strict=False)
    try:
        header = next(reader)
    except (csv.Error, StopIteration):
        raise CrmFileError([NOT_CSV]) from None
    header_line = 1
    header = tuple(name.strip() for name in header)
    if len(header) < 2:
        raise CrmFileError([NOT_CSV])
    seen: dict[str, int] = {}
    duplicated = []
    for name in header:
        if name:
            seen[name] = seen.get(name, 0) + 1
            if seen[name] == 2:
                duplicated.append(name)
    if duplicated:
        names = ", ".join(f"“{name}”" for name in duplicated)
        raise CrmFileError(
            [
                f"Line {header_line}: the header names {names} more than once; give each "
                "column its own name (or leave out the copies) and import the file again."
            ]
        )
    problems = Problems(limit=problems_limit)
    return CrmFile(
        header=header,
        header_line=header_line,
        encoding=words,
        separator=SEPARATORS[separator],
        notes=list(notes),
        problems=problems,
        _records=_records(reader, problems),
        _decoded=decoded,
    )


def _chain(first_line: str, text) -> Iterator[str]:
    yield first_line
    yield from text
