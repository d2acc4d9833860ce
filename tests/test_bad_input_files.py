"""Hostile files (issue 9): the answers and funnel CSV imports, the question bank's JSON import
(admin and `manage.py import_bank`), the logo upload, and what the CSV exports do with
values a spreadsheet would run.

The rules: never a 500; a refused file saves nothing and the page names every problem (each bad
line by its number); an accepted file is stored whole, and shown escaped.
"""

import codecs
import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.branding import MAX_LOGO_BYTES
from assessments.models import Answer, Respondent
from bank.admin import MAX_IMPORT_BYTES
from bank.exchange import export_bank
from bank.models import BankVersion, Question
from clients.models import Client
from funnel.models import CrmImport, FunnelFigures
from lib.csv import MAX_CSV_BYTES
from tests.bad_input import (
    ESCAPED_SCRIPT,
    FORMULA,
    SCRIPT,
    SQL,
    TEMPLATE,
    UNICODE,
    World,
    assert_escaped,
    make_world,
    shows_an_error,
    snapshot,
    text,
)
from tests.factories import answer_all, make_bank_version, make_user

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
LONE_SURROGATE = b"\xed\xa0\x80"  # UTF-8 has no encoding of U+D800: invalid bytes


@pytest.fixture
def world(client, db, settings) -> World:
    world = make_world(client, settings)
    client.force_login(world.owner)
    return world


def _upload(world: World, url: str, data: bytes, name: str = "file.csv", **fields):
    before = snapshot()
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    response = world.client.post(url, {"file": upload, **fields})
    assert response.status_code < 500
    assert_escaped(response)
    return before, response


def assert_refused(before, response, *messages: str) -> None:
    """Nothing saved, the page shown again, saying each of `messages`."""
    assert response.status_code == 200
    assert snapshot() == before, "a refused file must save nothing"
    assert shows_an_error(response)
    page = text(response)
    for message in messages:
        assert message in page, message


# ---- The answers CSV -----------------------------------------------------------------------

HEADER = "respondent,role,question_key,level,comment"


def _answers(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines, ""]).encode()


NOT_ANSWERS = "This is not a CSV file of answers"
ANSWERS_REFUSED = [
    pytest.param(PNG_BYTES, [NOT_ANSWERS], id="png_bytes"),
    pytest.param(b"PK\x03\x04\x14\x00\x06\x00 a workbook", [NOT_ANSWERS], id="xlsx_workbook"),
    pytest.param(
        _answers("Zoë Quinn,sales,people.q1,3,ça va").decode().encode("utf-16"),
        [NOT_ANSWERS],
        id="utf_16",
    ),
    pytest.param(
        _answers("Ann Lee,sales,people.q1,3,", "Zoë Quinn,sales,people.q1,3,café")
        .decode()
        .encode("latin-1"),
        ["Line 3: this line is not UTF-8 text"],
        id="latin_1",
    ),
    pytest.param(
        _answers("Ann Lee,sales,people.q1,3,ok") + b"Zoe,sales,process.q1,3,x" + LONE_SURROGATE,
        ["Line 3: this line is not UTF-8 text"],
        id="lone_surrogate_bytes",
    ),
    pytest.param(b"", ["The submitted file is empty."], id="empty"),
    pytest.param(_answers(), ["The file has no answers."], id="header_only"),
    pytest.param(
        b"x" * (MAX_CSV_BYTES + 1), ["The file is larger than 2 MB."], id="over_the_size_limit"
    ),
    pytest.param(
        _answers("Ann Lee,sales,people.q1,3,,x,y", header=HEADER + ",extra,more"),
        ["&quot;extra&quot; is not a column", "&quot;more&quot; is not a column"],
        id="too_many_columns",
    ),
    pytest.param(
        _answers("Ann Lee,sales,people.q1,3,fine", "Ann Lee,sales,process.q1,3,one, two, three"),
        ["Line 3: expected 5 fields but found 7"],
        id="ragged_row",
    ),
    pytest.param(_answers("Ann Lee,sales,people.q1,3,a\x00b"), [NOT_ANSWERS], id="nul_byte"),
    pytest.param(
        _answers('Ann Lee,sales,people.q1,3,"never closed'),
        ["Line 2: the file is not valid CSV"],
        id="unclosed_quote",
    ),
    pytest.param(
        _answers("Ann Lee,sales,people.q1,3," + "x" * 200_000),
        ["Line 2: the file is not valid CSV"],
        id="field_over_csv_limit",
    ),
    pytest.param(
        _answers("Ann Lee,sales,people.q1,3," + "x" * 3000),
        ["Line 2: the comment is 3,000 characters; the limit is 2,000."],
        id="comment_too_long",
    ),
    pytest.param(
        _answers("Ann\x07 Lee,sales,people.q1,3,", '"Zoë\nQuinn",sales,people.q1,3,'),
        ["Line 2: the respondent&#x27;s name holds", "Line 3: the respondent&#x27;s name holds"],
        id="control_chars_in_names",
    ),
    pytest.param(
        _answers(
            "Ann Lee,sales,people.q1,9,",
            "Ann Lee,sales,process.q1,3,",
            "Ann Lee,sales,people.nope,3,",
            "Bob Ray,chef,people.q1,3,",
            f"{SCRIPT},sales,people.q1,{SQL},",
        ),
        [
            "Line 2: level &quot;9&quot; must be 1 to 5",
            "Line 4: unknown question key",
            "Line 5: role &quot;chef&quot; must be one of",
            "Line 6: level &quot;&#x27; OR 1=1 --&quot;",
        ],
        id="every_bad_line_reported",
    ),
]


@pytest.mark.parametrize(("data", "messages"), ANSWERS_REFUSED)
def test_a_bad_answers_file_is_refused_whole_naming_every_problem(world, data, messages):
    url = world.w("assessments:answers_import", world.assessment.pk)
    assert_refused(*_upload(world, url, data), *messages)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_answers("Zoë Quinn,sales,people.q1,3,fine"), id="plain"),
        pytest.param(codecs.BOM_UTF8 + _answers("Zoë Quinn,sales,people.q1,3,fine"), id="bom"),
        pytest.param(
            _answers("Zoë Quinn,sales,people.q1,3,fine").replace(b"\n", b"\r\n"), id="crlf"
        ),
    ],
)
def test_an_answers_file_with_a_byte_order_mark_or_crlf_is_read(world, data):
    url = world.w("assessments:answers_import", world.assessment.pk)
    _, response = _upload(world, url, data)
    assert response.status_code == 302
    assert Answer.objects.get().comment == "fine"


HOSTILE_VALUES = [UNICODE, SCRIPT, SQL, TEMPLATE, FORMULA]


def _quoted(value: str) -> str:
    """A CSV field, quoted as a spreadsheet would."""
    return '"' + value.replace('"', '""') + '"'


def test_injection_shaped_answers_are_stored_whole_and_shown_escaped(world):
    lines = [f"{_quoted(value)},sales,people.q1,3,{_quoted(value)}" for value in HOSTILE_VALUES]
    url = world.w("assessments:answers_import", world.assessment.pk)
    _, response = _upload(world, url, _answers(*lines))
    assert response.status_code == 302
    stored = set(Answer.objects.values_list("respondent__name", "comment"))
    assert stored == {(value, value) for value in HOSTILE_VALUES}
    page = world.client.get(response["Location"])
    assert_escaped(page)
    assert ESCAPED_SCRIPT in text(page)


# ---- The funnel CSV ------------------------------------------------------------------------


def _figures(*lines: str, header: str = "quarter,inquiries,mqls") -> bytes:
    return "\n".join([header, *lines, ""]).encode()


NOT_FIGURES = "This is not a CSV file of funnel figures"
FIGURES_REFUSED = [
    pytest.param(PNG_BYTES, [NOT_FIGURES], id="png_bytes"),
    pytest.param(_figures("2026-Q1,400,100").decode().encode("utf-16"), [NOT_FIGURES], id="utf_16"),
    pytest.param(
        _figures("2026-Q1,400,100", "2026-Q2,400,100 (café)").decode().encode("latin-1"),
        ["Line 3: this line is not UTF-8 text"],
        id="latin_1",
    ),
    pytest.param(
        _figures("2026-Q1,400,100") + b"2026-Q2,4" + LONE_SURROGATE + b",1\n",
        ["Line 3: this line is not UTF-8 text"],
        id="lone_surrogate_bytes",
    ),
    pytest.param(b"", ["The submitted file is empty."], id="empty"),
    pytest.param(_figures(), ["The file has no figures"], id="header_only"),
    pytest.param(b"x" * (MAX_CSV_BYTES + 1), ["The file is larger than 2 MB."], id="over_limit"),
    pytest.param(
        _figures("2026-Q1,400,100,1,2", header="quarter,inquiries,mqls,colour,size"),
        ["&quot;colour&quot; is not a figure", "&quot;size&quot; is not a figure"],
        id="too_many_columns",
    ),
    pytest.param(
        _figures("2026-Q1,400,100", "2026-Q2,1,200,100"),
        ["Line 3: expected 3 fields but found 4"],
        id="ragged_row",
    ),
    pytest.param(_figures("2026-Q1,4\x0000,100"), [NOT_FIGURES], id="nul_byte"),
    pytest.param(
        b"quarter;inquiries;mqls\n2026-Q1;400;100\n",
        ["The columns of this file are separated by semicolons"],
        id="semicolons",
    ),
    pytest.param(
        _figures(
            "2026-Q1,=1+1,100",
            f"2026-Q2,{SCRIPT},100",
            f"2026-Q3,400,{SQL}",
            "2026-Q4,NaN,1e309",
            f"2027-Q1,{10**30},-1",
            "1999-Q4,400,100",
            f"{TEMPLATE},400,100",
        ),
        [
            "Line 2, column inquiries",
            "Line 3, column inquiries",
            "Line 4, column mqls",
            "Line 5, column inquiries",
            "Line 5, column mqls",
            "Line 6, column inquiries",
            "Line 6, column mqls",
            "Line 7, column quarter: the year of 1999-Q4 must be between 2000 and 2100",
            "Line 8, column quarter",
        ],
        id="every_bad_cell_reported",
    ),
]


@pytest.mark.parametrize(("data", "messages"), FIGURES_REFUSED)
def test_a_bad_funnel_file_is_refused_whole_naming_every_problem(world, data, messages):
    url = world.w("funnel:import", world.gtm_client.pk)
    assert_refused(*_upload(world, url, data), *messages)


def test_a_funnel_file_with_a_byte_order_mark_and_quoted_thousands_is_read(world):
    url = world.w("funnel:import", world.gtm_client.pk)
    data = codecs.BOM_UTF8 + _figures('2026-Q1,"1,200",100')
    _, response = _upload(world, url, data)
    assert response.status_code == 302
    assert FunnelFigures.objects.values_list("inquiries", "mqls").get() == (1200, 100)


# ---- The question bank's JSON --------------------------------------------------------------


@pytest.fixture
def admin(world):
    """A methodology admin in the Django admin, with a bank file to spoil."""
    world.client.force_login(make_user(is_staff=True, is_superuser=True))
    world.bank_data = json.loads(export_bank(make_bank_version(per_dimension=1, label="v1")))
    world.bank_data["label"] = "imported"
    return world


def _spoiled(change):
    def spoil(data: dict) -> bytes:
        return change(data) if callable(change) else change

    return spoil


def _edit(function):
    """A spoiling that edits the decoded file, then writes it back as JSON."""

    def spoil(data: dict) -> bytes:
        function(data)
        return json.dumps(data).encode()

    return spoil


def _first_question(data: dict) -> dict:
    return data["questions"][0]


def _replace(old: str, new: str):
    """A spoiling of the file's text, for what json.dumps cannot write."""
    return lambda data: json.dumps(data).replace(old, new, 1).encode()


DEEP = 100_000
BANK_REFUSED = [
    pytest.param(_spoiled(PNG_BYTES), ["The file is not UTF-8 text."], id="png_bytes"),
    pytest.param(
        lambda data: json.dumps(data).encode("utf-16"),
        ["The file is not UTF-8 text."],
        id="utf_16",
    ),
    pytest.param(_spoiled(b"label: v2\nquestions: []"), ["not valid JSON"], id="not_json"),
    pytest.param(_spoiled(b""), ["The submitted file is empty."], id="empty"),
    pytest.param(_spoiled(b"[]"), ["file: must be an object with fields"], id="a_list"),
    pytest.param(
        _edit(lambda d: _first_question(d).update(order="1")),
        ["question people.q1: order: must be a whole number"],
        id="string_for_a_number",
    ),
    pytest.param(
        _edit(lambda d: _first_question(d).update(weight=True)),
        ["question people.q1: weight: must be a number"],
        id="boolean_for_a_number",
    ),
    pytest.param(
        _edit(lambda d: d.pop("questions")),
        ["file: questions: missing"],
        id="missing_key",
    ),
    pytest.param(
        _edit(lambda d: _first_question(d).update(colour="red")),
        ["question people.q1: colour: unknown field"],
        id="extra_key",
    ),
    pytest.param(
        _replace('"order": 1', '"order": ' + "9" * 5000),
        ["numbers too long"],
        id="5000_digit_number",
    ),
    pytest.param(
        _replace('"order": 1', '"order": 1e999999999999999999999'),
        ["numbers too long"],
        id="exponent_beyond_decimal",
    ),
    pytest.param(
        _replace('"order": 1', '"order": 1e400'),
        ["dimension people: order: must be a whole number"],
        id="1e400",
    ),
    pytest.param(
        _replace('"weight": 1', '"weight": NaN'),
        ["dimension people: weight: must be a number"],
        id="nan",
    ),
    pytest.param(_spoiled(b"[" * DEEP + b"]" * DEEP), ["nested too deep"], id="deeply_nested"),
    pytest.param(
        _spoiled(b" " * (MAX_IMPORT_BYTES + 1)), ["The file is larger than 2 MB"], id="oversized"
    ),
    pytest.param(
        _edit(lambda d: _first_question(d).update(text="How \x00mature?")),
        ["question people.q1: text: contains a NUL character"],
        id="nul_in_text",
    ),
    pytest.param(
        _replace('"label": "imported"', '"label": "v\\ud800"'),
        ["file: label: contains a NUL character (\\u0000) or an unpaired surrogate"],
        id="lone_surrogate_in_text",
    ),
    pytest.param(
        _edit(lambda d: _first_question(d)["levels"].__setitem__(0, "\udfff")),
        ["question people.q1: levels[1]: contains a NUL character"],
        id="lone_surrogate_in_a_level",
    ),
    pytest.param(
        _edit(lambda d: _first_question(d).update(key="people.q1\n")),
        ["question people.q1\\n: key: must look like dimension.snake_case_name"],
        id="key_with_a_line_break",
    ),
    pytest.param(
        _edit(lambda d: _first_question(d).update({"\ud800" * 100: 1})),
        ["question people.q1: \\ud800\\ud800", "…: unknown field"],  # escaped, cut short
        id="surrogate_field_name",
    ),
]


def _import_bank(world: World, data: bytes, label: str = ""):
    upload = SimpleUploadedFile("bank.json", data, content_type="application/json")
    before = snapshot()
    response = world.client.post(
        reverse("admin:bank_bankversion_import"), {"file": upload, "label": label}
    )
    assert response.status_code < 500
    assert_escaped(response)
    return before, response


@pytest.mark.parametrize(("spoil", "messages"), BANK_REFUSED)
def test_a_bad_bank_file_is_refused_whole_naming_every_problem(admin, spoil, messages):
    assert_refused(*_import_bank(admin, spoil(admin.bank_data)), *messages)


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("v\x00", id="nul_byte"),
        pytest.param("x" * 100_000, id="100k_chars"),
        pytest.param("v1", id="taken"),
    ],
)
def test_a_bad_label_for_an_imported_bank_is_refused(admin, label):
    data = json.dumps(admin.bank_data).encode()
    assert_refused(*_import_bank(admin, data, label=label))


def test_a_bank_file_with_a_byte_order_mark_and_markup_in_its_texts_is_imported(admin):
    _first_question(admin.bank_data).update(text=SCRIPT, help=SQL)
    admin.bank_data["notes"] = f"{TEMPLATE} {FORMULA} {UNICODE}"
    data = codecs.BOM_UTF8 + json.dumps(admin.bank_data).encode()
    _, response = _import_bank(admin, data)
    assert response.status_code == 302
    question = Question.objects.get(version__label="imported", key="people.q1")
    assert (question.text, question.help) == (SCRIPT, SQL)
    page = admin.client.get(reverse("admin:bank_question_preview", args=[question.pk]))
    assert_escaped(page)
    assert ESCAPED_SCRIPT in text(page)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"[" * DEEP, "nested too deep", id="deeply_nested"),
        pytest.param(b'{"label": ' + b"9" * 5000 + b"}", "numbers too long", id="5000_digits"),
        pytest.param(b'{"label": "\\ud800"}', "unpaired surrogate", id="lone_surrogate"),
    ],
)
def test_import_bank_command_reports_a_hostile_file_without_a_traceback(
    db, tmp_path, content, message
):
    path = tmp_path / "bank.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_bank", str(path))
    assert not BankVersion.objects.exists()


# ---- The logo ------------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>'
LOGO_REFUSED = [
    pytest.param(b"", "The file is empty.", id="empty"),
    pytest.param(PNG_BYTES, "This PNG file could not be read", id="truncated_png"),
    pytest.param(b"\xff\xd8\xff" + b"\x00" * 50, "This JPEG file could not be read", id="bad_jpeg"),
    pytest.param(b"MZ\x90\x00 an executable", "This file is not a PNG, JPEG or SVG", id="exe"),
    pytest.param(
        SVG.replace(b"<rect", b"<rect" + LONE_SURROGATE), "not well-formed", id="bad_utf8"
    ),
    pytest.param(SVG.replace(b"<rect", b"<rect\x00"), "not well-formed", id="nul_byte"),
    pytest.param(
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>' + SVG,
        "<!DOCTYPE> or <!ENTITY>",
        id="entities",
    ),
    pytest.param(
        SVG.replace(b"<rect", b"<g>" * 60 + b"<rect").replace(b"</svg>", b"</g>" * 60 + b"</svg>"),
        "nested more than",
        id="deeply_nested",
    ),
    pytest.param(
        SVG + b"<!--" + b"x" * MAX_LOGO_BYTES + b"-->", "Upload a PNG, JPEG or SVG", id="oversized"
    ),
]


@pytest.mark.parametrize(("data", "message"), LOGO_REFUSED)
def test_a_bad_logo_is_refused_with_a_message_and_changes_nothing(world, data, message):
    url = world.w("accounts:workspace_settings")
    upload = SimpleUploadedFile("logo.svg", data, content_type="image/svg+xml")
    before = snapshot()
    response = world.client.post(url, {"name": "Northwind", "logo": upload})
    assert_refused(before, response, message.replace("<", "&lt;").replace(">", "&gt;"))


@pytest.mark.parametrize("name", ["<script>.svg", "../../etc/passwd", "logo\x00.png", "東京.svg"])
def test_a_logo_is_judged_by_its_content_whatever_its_file_name(world, name):
    hostile = SVG.replace(b"<rect", b'<script>alert(1)</script><rect onclick="alert(1)"')
    upload = SimpleUploadedFile(name, hostile, content_type="text/html")
    response = world.client.post(
        world.w("accounts:workspace_settings"), {"name": "Northwind", "logo": upload}
    )
    assert response.status_code == 302
    logo = world.client.get(world.w("accounts:workspace_logo"))
    assert logo["Content-Type"] == "image/svg+xml"
    assert b"script" not in logo.content and b"onclick" not in logo.content


# ---- What leaves as CSV --------------------------------------------------------------------

FORMULA_STARTS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", FORMULA]


def _answers_csv(world: World) -> list[dict]:
    response = world.client.get(world.w("assessments:answers_csv", world.assessment.pk))
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("value", FORMULA_STARTS)
def test_answers_csv_keeps_names_and_comments_from_running_as_formulas(world, value):
    """OWASP's CSV injection advice: a text cell starting = + - @ gets an apostrophe."""
    url = world.w("assessments:respondent_add", world.assessment.pk)
    body = {"name": value, "email": "sam@example.com", "role": "sales"}
    assert world.client.post(url, body).status_code == 302
    respondent = Respondent.objects.get(name=value)
    answer_url = world.w("assessments:facilitate_answer", world.assessment.pk, respondent.pk)
    body = {"question": "people.q1", "choice-people.q1": "3", "comment-people.q1": value}
    assert world.client.post(answer_url, body, headers={"hx-request": "true"}).status_code == 200

    [row] = _answers_csv(world)

    assert (row["respondent"], row["comment"]) == (f"'{value}", f"'{value}")


def test_answers_csv_leaves_other_text_as_it_is(world):
    respondent = world.respondent
    Answer.objects.create(
        respondent=respondent, question=world.assessment.bank_version.questions.first(), choice="3"
    )
    Answer.objects.filter(respondent=respondent).update(comment=f"{UNICODE} {SCRIPT} 1-1")
    [row] = _answers_csv(world)
    assert row["comment"] == f"{UNICODE} {SCRIPT} 1-1"


# A comment that spreadsheets splitting lines on semicolons (or commas, tabs, bars) would cut
# into cells, one of them a live formula, unless the export defuses each piece.
SPLIT_FORMULAS = ["ok;=cmd|'/C calc'!A0;x", "a,+1+1", "a; -1+1", "a|@SUM(A1)", "a\t=1"]


def _cells_when_split(line: str) -> list[str]:
    """The cells a spreadsheet ignoring quotes would make of a line, on each separator."""
    pieces = [line]
    for separator in (",", ";", "\t", "|"):
        pieces = [piece for text in pieces for piece in text.split(separator)]
    return [piece.lstrip(' "') for piece in pieces]


@pytest.mark.parametrize("value", SPLIT_FORMULAS)
def test_answers_csv_leaves_no_formula_where_a_spreadsheet_may_split_a_cell(world, value):
    answer_all(world.respondent)
    Answer.objects.filter(respondent=world.respondent).update(comment=value)
    response = world.client.get(world.w("assessments:answers_csv", world.assessment.pk))
    lines = response.content.decode("utf-8-sig").splitlines()

    cells = [cell for line in lines for cell in _cells_when_split(line)]

    assert cells and not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_answers_csv_quotes_every_text_cell_and_leaves_levels_numbers(world):
    answer_all(world.respondent, "3")
    response = world.client.get(world.w("assessments:answers_csv", world.assessment.pk))
    header, first = response.content.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith('"respondent","role","question_key","level"')
    name, role, key, level = first.split(",")[:4]
    assert level == "3" and all(cell.startswith('"') for cell in (name, role, key))


# Header values as RFC 9110 allows them, and gunicorn checks them: a 500 otherwise.
def _is_a_valid_header_value(value: str) -> bool:
    return all(char in "\t" or " " <= char <= "~" or "\x80" <= char <= "\xff" for char in value)


@pytest.mark.parametrize("download", ["answers_csv", "results_csv", "results_json", "report_pdf"])
def test_downloads_named_after_a_hostile_client_name_have_valid_headers(world, download):
    answer_all(world.respondent, submit=True)  # results, so that there is a report
    name = f'Acme "Quotes"; {SCRIPT} {UNICODE}'
    Client.objects.filter(pk=world.gtm_client.pk).update(name=name)
    response = world.client.get(world.w(f"assessments:{download}", world.assessment.pk))
    assert response.status_code == 200
    for header, value in response.items():
        assert _is_a_valid_header_value(value), (header, value)


def test_an_import_sent_without_any_field_says_the_file_is_missing(world):
    urls = [
        world.w("assessments:answers_import", world.assessment.pk),
        world.w("funnel:import", world.gtm_client.pk),
        world.w("funnel:crm_upload", world.gtm_client.pk),
        reverse("admin:bank_bankversion_import"),
    ]
    for url in urls:
        if url.startswith("/admin/"):
            world.client.force_login(make_user(is_staff=True, is_superuser=True))
        before = snapshot()
        response = world.client.post(url, {})
        assert_refused(before, response, "This field is required.")


# ---- CRM exports ---------------------------------------------------------------------------


def _crm_upload(world: World, leads: bytes | None, deals: bytes | None = None, name="leads.csv"):
    url = world.w("funnel:crm_upload", world.gtm_client.pk)
    before = snapshot()
    body = {}
    if leads is not None:
        body["lead_file"] = SimpleUploadedFile(name, leads, content_type="text/csv")
    if deals is not None:
        body["deal_file"] = SimpleUploadedFile("deals.csv", deals, content_type="text/csv")
    response = world.client.post(url, body)
    assert response.status_code < 500
    assert_escaped(response)
    return before, response


CRM_HEADER = b"Record ID,Create Date,Lifecycle Stage\n"
CRM_REFUSED = [
    pytest.param(b"", None, ["The submitted file is empty."], id="empty"),
    pytest.param(b"  \n\n", None, ["The file is empty: export the records again"], id="blank"),
    pytest.param(PNG_BYTES, None, ["This is not a CSV file"], id="png_bytes"),
    pytest.param(b"PK\x03\x04" + bytes(100), None, ["This is an Excel workbook"], id="xlsx"),
    pytest.param(
        b"\xd0\xcf\x11\xe0" + bytes(100), None, ["This is an Excel workbook"], id="old_xls"
    ),
    pytest.param(b"just one column\nx\n", None, ["This is not a CSV file"], id="one_column"),
    pytest.param(
        b"Record ID,Record ID,Create Date\n1,2,2026-01-01\n",
        None,
        ["Line 1: the header names “Record ID” more than once"],
        id="duplicated_header",
    ),
    pytest.param(
        None, CRM_HEADER + b"1,2026-01-01,lead\n", ["This field is required."], id="no_leads"
    ),
    pytest.param(
        CRM_HEADER + b"1,2026-01-01,lead\n", PNG_BYTES, ["This is not a CSV file"], id="bad_deals"
    ),
]


@pytest.mark.parametrize(("leads", "deals", "messages"), CRM_REFUSED)
def test_a_crm_export_that_cannot_be_read_is_refused_at_the_upload(world, leads, deals, messages):
    assert_refused(*_crm_upload(world, leads, deals), *messages)


def test_a_crm_export_over_the_size_limit_is_refused_with_a_clear_message(world, monkeypatch):
    monkeypatch.setattr("funnel.forms.CRM_MAX_BYTES", 50)
    data = CRM_HEADER + b"1,2026-01-01,lead\n" * 10
    assert_refused(*_crm_upload(world, data), "The file is larger than")


@pytest.mark.parametrize("name", ["<script>.csv", "../../etc/passwd", "leads\x00.csv", "東京.csv"])
def test_a_crm_export_is_kept_under_the_workspace_whatever_its_file_name(world, name):
    _, response = _crm_upload(world, CRM_HEADER + b"1,2026-01-01,lead\n", name=name)
    assert response.status_code == 302
    page = world.client.get(response["Location"])
    assert_escaped(page)
    crm_import = CrmImport.objects.get()
    assert "\x00" not in crm_import.lead_file_name
    assert crm_import.lead_file.name.startswith(f"crm-imports/{world.workspace.pk}/")
    assert ".." not in crm_import.lead_file.name


def test_hostile_cells_in_a_crm_export_are_reported_by_line_and_column_and_change_nothing(world):
    data = (
        CRM_HEADER
        + "\n".join(
            [f"1,{SCRIPT},lead", f"2,{SQL},lead", f"3,{FORMULA},lead", f"4,{TEMPLATE},lead", ""]
        ).encode()
    )
    _, response = _crm_upload(world, data)
    mapping_url = response["Location"]
    form = world.client.get(mapping_url).context["form"]
    body = {name: form.initial.get(name) or "" for name in form.fields}
    body["date_format"] = "iso"
    before = list(FunnelFigures.objects.values())
    status = world.client.get(world.client.post(mapping_url, body)["Location"])
    assert_escaped(status)
    page = text(status)
    for line in (2, 3, 5):
        assert f"Line {line}, column “Create Date”" in page, line
    assert "Line 4: expected 3 cells" in page  # the formula's comma splits its cell
    assert list(FunnelFigures.objects.values()) == before
    assert CrmImport.objects.get().status == CrmImport.Status.REVIEW  # nothing until chosen
