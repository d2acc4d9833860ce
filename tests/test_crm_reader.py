"""Uploaded CRM exports, read as they stream: encodings, separators, refusals, problems by
line, and files far larger than memory should hold."""

import codecs
import csv
import io
import tracemalloc

import pytest

from funnel.crm import reader
from funnel.crm.fields import LEADS
from funnel.crm.mapping import Mapping, propose_mapping
from funnel.crm.reader import CrmFileError, Problems, open_crm_csv
from funnel.crm.records import read_leads
from lib.csv import safe_cell

HEADER = "Record ID,Create Date,Contact owner"
MAPPING = Mapping(
    LEADS, {"record_id": "Record ID", "created": "Create Date", "owner": "Contact owner"}
)


def _rows(data: bytes, mapping: Mapping = MAPPING):
    crm_file = open_crm_csv(io.BytesIO(data))
    return crm_file, list(crm_file.rows(mapping))


def _cells(rows) -> list[tuple[int, dict]]:
    return [(row.line, row.cells) for row in rows]


def test_a_plain_utf8_file_yields_its_rows_by_mapped_field_with_their_lines():
    crm_file, rows = _rows(f"{HEADER}\n1,2026-01-05,Zoë Rep\n\n2,2026-01-06,Rep 2\n".encode())

    assert _cells(rows) == [
        (2, {"record_id": "1", "created": "2026-01-05", "owner": "Zoë Rep"}),
        (4, {"record_id": "2", "created": "2026-01-06", "owner": "Rep 2"}),
    ]
    assert (crm_file.encoding, crm_file.separator, crm_file.notes) == ("UTF-8", "comma", [])
    assert crm_file.problems.texts() == []


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_column_name():
    crm_file, rows = _rows(codecs.BOM_UTF8 + f"{HEADER}\n1,2026-01-05,Rep\n".encode())
    assert crm_file.header[0] == "Record ID"
    assert rows[0].cells["record_id"] == "1"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    data = bom + f"{HEADER}\r\n1,2026-01-05,Zoë\r\n".encode(codec)

    crm_file, rows = _rows(data)

    assert crm_file.encoding == "UTF-16"
    assert _cells(rows) == [(2, {"record_id": "1", "created": "2026-01-05", "owner": "Zoë"})]


def test_windows_1252_is_read_with_a_note_saying_so():
    crm_file, rows = _rows(f"{HEADER}\n1,2026-01-05,Zoë Müller\n".encode("cp1252"))

    assert rows[0].cells["owner"] == "Zoë Müller"
    assert crm_file.encoding == "Windows-1252"
    assert crm_file.notes == [reader.CP1252_NOTE]


def test_windows_1252_found_only_far_into_the_file_is_read_from_there_with_its_line():
    ascii_rows = "".join(f"{n},2026-01-05,Rep\n" for n in range(1, 20_001))  # > one chunk
    data = f"{HEADER}\n{ascii_rows}20001,2026-01-05,José\n".encode("cp1252")
    assert len(data) > reader.CHUNK_BYTES

    crm_file, rows = _rows(data)

    assert rows[-1].cells["owner"] == "José" and rows[-1].line == 20_002
    assert crm_file.notes == [reader.CP1252_LATER_NOTE.format(line=20_002)]
    assert crm_file.encoding == "UTF-8, then Windows-1252"


def test_a_utf8_character_cut_by_a_chunk_boundary_is_read_whole():
    padding = "x" * (reader.CHUNK_BYTES - len(HEADER) - 1 - len("1,2026-01-05,") - 1)
    data = f"{HEADER}\n1,2026-01-05,{padding}é\n".encode()
    assert data[reader.CHUNK_BYTES - 1 : reader.CHUNK_BYTES + 1] == "é".encode()

    crm_file, rows = _rows(data)

    assert rows[0].cells["owner"].endswith("é") and crm_file.notes == []


@pytest.mark.parametrize(("separator", "words"), [(";", "semicolon"), ("\t", "tab")])
def test_semicolons_and_tabs_are_read_from_the_header(separator, words):
    header = HEADER.replace(",", separator)
    data = f'{header}\n1{separator}2026-01-05{separator}"Rep; 1, and 2"\n'.encode()

    crm_file, rows = _rows(data)

    assert crm_file.separator == words
    assert rows[0].cells["owner"] == "Rep; 1, and 2"


def test_a_quoted_cell_over_several_lines_counts_each_of_them():
    data = f'{HEADER}\n1,2026-01-05,"one\ntwo\r\nthree"\n2,2026-01-06,x,y\n3,,Rep\n'.encode()

    crm_file, rows = _rows(data)

    assert [row.line for row in rows] == [2, 6]
    assert rows[0].cells["owner"] == "one\ntwo\r\nthree"
    assert crm_file.problems.texts() == [
        "Line 5: expected 3 cells, as in the header, but found 4; a value holding the "
        "separator must be in double quotes."
    ]


def test_trailing_empty_cells_some_exports_add_are_harmless():
    crm_file, rows = _rows(f"{HEADER}\n1,2026-01-05,Rep,,\n".encode())
    assert len(rows) == 1 and crm_file.problems.texts() == []


def test_duplicated_header_names_are_refused_naming_each():
    with pytest.raises(CrmFileError) as refused:
        open_crm_csv(io.BytesIO(b"Record ID,Create Date,Record ID,Owner,Owner,,\n1,2,3,4,5,,\n"))
    assert refused.value.problems == [
        "Line 1: the header names “Record ID”, “Owner” more than once; give each column its "
        "own name (or leave out the copies) and import the file again."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", reader.EMPTY),
        (b"  \n\n", reader.EMPTY),
        (codecs.BOM_UTF8 + b"\n", reader.EMPTY),
        (b"PK\x03\x04" + b"\x00" * 40, reader.WORKBOOK),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", reader.NOT_CSV),
        (b"just one column\nand a value\n", reader.NOT_CSV),
    ],
)
def test_empty_files_and_files_that_are_not_csv_are_refused(data, message):
    with pytest.raises(CrmFileError) as refused:
        open_crm_csv(io.BytesIO(data))
    assert refused.value.problems == [message]


def test_a_header_without_records_is_a_problem():
    crm_file, rows = _rows(f"{HEADER}\n,,\n".encode())
    assert rows == [] and crm_file.problems.texts() == [reader.NO_ROWS]


def test_a_file_over_the_size_limit_is_refused_up_front_when_its_size_is_known():
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.size = reader.MAX_BYTES + 1  # as Django's UploadedFile says it
    with pytest.raises(CrmFileError, match="larger than 100 MB"):
        open_crm_csv(upload)


def test_a_file_over_the_size_limit_is_refused_as_soon_as_the_limit_is_read():
    data = (HEADER + "\n" + "1,2026-01-05,Rep\n" * 20_000).encode()
    crm_file = open_crm_csv(io.BytesIO(data), max_bytes=reader.CHUNK_BYTES + 100)
    with pytest.raises(CrmFileError) as refused:
        list(crm_file.rows(MAPPING))
    assert refused.value.problems == [reader.TOO_LARGE]


def test_the_problem_list_keeps_the_first_problems_and_counts_the_rest():
    problems = Problems(limit=2)
    for line in range(2, 7):
        problems.add("bad", line=line, column="Create Date")
    assert len(problems) == 5
    assert problems.texts() == [
        "Line 2, column “Create Date”: bad",
        "Line 3, column “Create Date”: bad",
        "… and 3 more problems.",
    ]


def test_an_unclosed_quote_ends_the_file_with_a_problem_on_its_line():
    data = f'{HEADER}\n1,2026-01-05,Rep\n2,2026-01-06,"Rep\n'.encode() + b"x" * 200_000
    crm_file, rows = _rows(data)
    assert len(rows) == 1
    assert crm_file.problems.texts()[0].startswith("Line 3: the file is not valid CSV")


def test_only_problems_a_left_out_row_mends_leave_the_rest_importable():
    # A record of one cell too many is one row to leave out; a file-wide problem, a quote
    # that swallows the rows after it, and csv giving up are not.
    crm_file, rows = _rows(f"{HEADER}\n1,2026-01-05,Rep,x\n2,2026-01-06,Rep\n".encode())
    assert len(rows) == 1 and len(crm_file.problems) == 1 and not crm_file.problems.blocking
    swallowing = f'{HEADER}\n1,"2026-01-05,Rep\n2,2026-01-06,Rep\n3,2026-01-07,Rep\n'
    crm_file, rows = _rows(swallowing.encode())
    assert rows == [] and crm_file.problems.blocking
    assert "over several lines; look for a double quote" in crm_file.problems.texts()[0]
    crm_file, rows = _rows(f"{HEADER}\n,,\n".encode())
    assert crm_file.problems.blocking  # NO_ROWS: about the whole file
    data = f'{HEADER}\n2,2026-01-06,"Rep\n'.encode() + b"x" * 200_000
    crm_file, rows = _rows(data)
    assert crm_file.problems.blocking


def test_formula_like_cells_are_carried_as_plain_data_and_neutralised_when_written_out():
    formulas = ['=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)"]
    data = HEADER + "\n" + "".join(f'{n},2026-01-05,"{cell.replace(chr(34), chr(34) * 2)}"\n'
                                   for n, cell in enumerate(formulas, start=1))  # fmt: skip

    _, rows = _rows(data.encode())

    assert [row.cells["owner"] for row in rows] == formulas  # read exactly, run never
    buffer = io.StringIO()
    csv.writer(buffer).writerows([safe_cell(row.cells["owner"])] for row in rows)
    written = [line[0] for line in csv.reader(io.StringIO(buffer.getvalue()))]
    assert written == [f"'{cell}" for cell in formulas]


# ---- Files far larger than memory should hold ------------------------------------------------


class _Generated(io.RawIOBase):
    """A file of `size` bytes built as it is read, so the test itself holds none of it."""

    def __init__(self, header: str, line, size: int):
        self._chunks = self._make(header, line, size)
        self._left = b""

    @staticmethod
    def _make(header, line, size):
        written = 0
        number = 0
        yield header.encode()
        while written < size:
            block = "".join(line(number + n) for n in range(1000)).encode()
            number += 1000
            written += len(block)
            yield block

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self._left:
            self._left = next(self._chunks, b"")
            if not self._left:
                return 0
        size = min(len(buffer), len(self._left))
        buffer[:size] = self._left[:size]
        self._left = self._left[size:]
        return size


def test_a_50_mb_file_of_bad_dates_streams_in_little_memory_with_its_problems_capped(tmp_path):
    path = tmp_path / "bad.csv"
    notes = "n" * 900
    with open(path, "wb") as file:
        source = _Generated(
            HEADER + ",Notes\n", lambda n: f"{n},not a date {n},Rep,{notes}\n", 50 * 1024 * 1024
        )
        while chunk := source.read(1 << 20):
            file.write(chunk)
    size = path.stat().st_size
    assert size >= 50 * 1024 * 1024

    tracemalloc.start()
    try:
        with open(path, "rb") as upload:
            crm_file = open_crm_csv(upload)
            mapping = propose_mapping(crm_file.header, LEADS)
            _, leads = read_leads(
                crm_file.rows(mapping), mapping, crm_file.problems, date_format="iso"
            )
            kept = sum(1 for _ in leads)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert kept == 0
    rows = len(crm_file.problems)
    assert rows > 50_000
    texts = crm_file.problems.texts()
    assert len(texts) == reader.MAX_PROBLEMS + 1
    assert texts[0].startswith("Line 2, column “Create Date”: “not a date 0”")
    assert texts[-1] == f"… and {rows - reader.MAX_PROBLEMS:,} more problems."
    assert peak < 5 * 1024 * 1024, f"{peak:,} bytes at the peak for a {size:,}-byte file"
