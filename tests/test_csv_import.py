from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import csv_import
from assessments.csv_import import EXPECTED_COLUMNS, ImportSummary, import_answers_csv
from assessments.models import Answer, AnswerSource, Assessment, Respondent, RespondentRole
from lib import csv as lib_csv
from lib.csv import MAX_CSV_BYTES, CsvImportError
from tests.factories import add_question, make_bank_version, make_client, make_workspace

pytestmark = pytest.mark.django_db

HEADER = "respondent,role,question_key,level,comment"
# make_bank_version(per_dimension=1) asks exactly these four questions.
ALL_KEYS = ("people.q1", "process.q1", "content.q1", "technology.q1")


def _open_assessment(**fields) -> Assessment:
    version = make_bank_version(per_dimension=1)
    return Assessment.objects.create(
        client=make_client(make_workspace()),
        year=2026,
        quarter=3,
        bank_version=version,
        status=fields.pop("status", "open"),
        **fields,
    )


@pytest.fixture
def assessment() -> Assessment:
    return _open_assessment()


def _respondent(assessment: Assessment, name: str, role=RespondentRole.SALES, **fields):
    return Respondent.objects.create(assessment=assessment, name=name, role=role, **fields)


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines, ""]).encode()


def _full_answers(name: str, role: str = "sales", level: str = "3") -> list[str]:
    return [f"{name},{role},{key},{level}," for key in ALL_KEYS]


def _import(assessment: Assessment, *lines: str) -> ImportSummary:
    return import_answers_csv(assessment=assessment, data=_csv(*lines))


def _everything_saved() -> tuple:
    return (
        sorted(Respondent.objects.values_list("name", "role", "submitted_at")),
        sorted(Answer.objects.values_list("respondent__name", "question__key", "choice")),
    )


def _errors(assessment: Assessment, data: bytes) -> list[str]:
    """The problems reported for a refused file, having checked that it saved nothing."""
    before = _everything_saved()
    with pytest.raises(CsvImportError) as refused:
        import_answers_csv(assessment=assessment, data=data)
    assert _everything_saved() == before, "a refused import must save nothing"
    return refused.value.errors


# ---- A good file ---------------------------------------------------------------------------


def test_a_good_file_saves_every_answer_as_imported(assessment):
    summary = _import(
        assessment,
        "Priya Shah,sales,people.q1,3,Weekly pipeline review",
        "Priya Shah,sales,process.q1,NA,",
        "Tom Berg,marketing,people.q1,5,",
    )

    assert summary == ImportSummary(
        answers=3,
        respondents=2,
        new_respondents=2,
        incomplete=(("Priya Shah", 2, 4), ("Tom Berg", 1, 4)),
    )
    saved = Answer.objects.values_list("respondent__name", "question__key", "choice", "comment")
    assert sorted(saved) == [
        ("Priya Shah", "people.q1", "3", "Weekly pipeline review"),
        ("Priya Shah", "process.q1", "NA", ""),
        ("Tom Berg", "people.q1", "5", ""),
    ]
    assert set(Answer.objects.values_list("source", flat=True)) == {AnswerSource.IMPORTED}


def test_new_respondents_get_the_role_from_the_file_and_no_email(assessment):
    _import(assessment, "Lena Vogel,Customer success,people.q1,2,")

    lena = assessment.respondents.get()
    assert (lena.name, lena.role, lena.email) == ("Lena Vogel", "customer_success", "")


def test_existing_respondents_are_matched_by_name_ignoring_case_and_surrounding_spaces(assessment):
    priya = _respondent(assessment, "Priya Shah")

    summary = _import(assessment, "  PRIYA shah ,sales,people.q1,4,")

    assert (summary.respondents, summary.new_respondents) == (1, 0)
    assert list(assessment.respondents.all()) == [priya]
    assert priya.answers.get().choice == "4"


def test_everyone_in_the_file_is_marked_submitted_and_started(assessment):
    earlier = timezone.now() - timedelta(days=3)
    _respondent(assessment, "Priya Shah", started_at=earlier)
    not_in_file = _respondent(assessment, "Ann Other")

    _import(assessment, "Priya Shah,sales,people.q1,4,", "Tom Berg,sales,people.q1,2,")

    priya, tom = (assessment.respondents.get(name=name) for name in ("Priya Shah", "Tom Berg"))
    assert priya.is_submitted and tom.is_submitted
    assert priya.started_at == earlier, "an earlier start is kept"
    assert tom.started_at is not None
    not_in_file.refresh_from_db()
    assert not not_in_file.is_submitted


def test_the_comment_column_may_be_left_out(assessment):
    data = _csv("Priya Shah,sales,people.q1,3", header="respondent,role,question_key,level")

    import_answers_csv(assessment=assessment, data=data)

    assert Answer.objects.get().comment == ""


def test_columns_may_come_in_any_order_and_any_case(assessment):
    data = _csv("3,people.q1,Priya Shah,sales", header=" LEVEL , Question_Key,Respondent,Role")

    import_answers_csv(assessment=assessment, data=data)

    assert Answer.objects.get().respondent.name == "Priya Shah"


def test_levels_na_and_dk_are_read_whatever_their_case_and_spacing(assessment):
    _import(assessment, "Priya Shah,sales,people.q1, na ,", "Priya Shah,sales,process.q1,Dk,")

    assert sorted(Answer.objects.values_list("choice", flat=True)) == ["DK", "NA"]


@pytest.mark.parametrize(
    "written",
    [
        "customer_success",
        "Customer success",
        "customer success",
        "Customer-Success",
        "CUSTOMER_SUCCESS",
    ],
)
def test_a_role_is_read_from_its_value_or_label_with_spaces_underscores_or_hyphens(
    assessment, written
):
    _import(assessment, f"Lena Vogel,{written},people.q1,2,")

    assert assessment.respondents.get().role == RespondentRole.CUSTOMER_SUCCESS


def test_a_utf8_bom_and_windows_line_endings_are_accepted(assessment):
    data = "\ufeff" + HEADER + "\r\nZoë Müller,sales,people.q1,3,Très bien\r\n"

    import_answers_csv(assessment=assessment, data=data.encode())

    answer = Answer.objects.get()
    assert (answer.respondent.name, answer.comment) == ("Zoë Müller", "Très bien")


def test_formula_and_script_text_is_stored_verbatim(assessment):
    _import(
        assessment,
        '"=HYPERLINK(""http://evil.example"",""click"")",sales,people.q1,3,<script>alert(1)</script>',
    )

    answer = Answer.objects.get()
    assert answer.respondent.name == '=HYPERLINK("http://evil.example","click")'
    assert answer.comment == "<script>alert(1)</script>"


def test_blank_lines_and_empty_spreadsheet_rows_are_skipped(assessment):
    summary = _import(assessment, "", "Priya Shah,sales,people.q1,3,", ",,,,", "   ")

    assert summary.answers == 1


def test_respondents_who_missed_questions_are_reported_incomplete(assessment):
    summary = _import(
        assessment,
        *_full_answers("Priya Shah"),
        "Tom Berg,sales,people.q1,2,",
        "Tom Berg,sales,process.q1,DK,",
    )

    assert summary.incomplete == (("Tom Berg", 2, 4),)


def test_answers_given_online_count_towards_completeness_and_are_replaced(assessment):
    priya = _respondent(assessment, "Priya Shah")
    _import(assessment, "Priya Shah,sales,people.q1,1,", "Priya Shah,sales,process.q1,1,")
    priya.reopen()
    Answer.objects.filter(question__key="process.q1").update(source=AnswerSource.RESPONDENT)

    summary = _import(
        assessment, "Priya Shah,sales,process.q1,5,", "Priya Shah,sales,content.q1,4,"
    )

    assert summary.incomplete == (("Priya Shah", 3, 4),)
    saved = priya.answers.values_list("question__key", "choice", "source")
    assert sorted(saved) == [
        ("content.q1", "4", "imported"),
        ("people.q1", "1", "imported"),
        ("process.q1", "5", "imported"),
    ]


def test_reimporting_the_same_file_after_reopening_updates_rather_than_duplicates(assessment):
    data = _csv(*_full_answers("Priya Shah", level="2"))
    import_answers_csv(assessment=assessment, data=data)
    assessment.respondents.get().reopen()

    summary = import_answers_csv(assessment=assessment, data=data)

    assert (summary.answers, summary.new_respondents) == (4, 0)
    assert Respondent.objects.count() == 1
    assert Answer.objects.count() == 4


def test_a_draft_assessment_accepts_answers_collected_before_it_opens():
    draft = _open_assessment(status="draft")

    assert _import(draft, "Priya Shah,sales,people.q1,3,").answers == 1


def test_checking_a_file_reads_only_the_questions_and_the_respondents(assessment):
    bad_lines = [f"Person {n},sales,people.q1,9," for n in range(50)]

    with CaptureQueriesContext(connection) as queries, pytest.raises(CsvImportError):
        import_answers_csv(assessment=assessment, data=_csv(*bad_lines))

    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 2


# ---- Problems with the file as a whole -----------------------------------------------------


def test_a_closed_assessment_refuses_the_import():
    closed = _open_assessment(status="closed")

    errors = _errors(closed, _csv("Priya Shah,sales,people.q1,3,"))

    assert errors == ["This assessment is closed; reopen it to import answers."]


def test_a_file_over_2_mb_is_refused(assessment):
    line = "Priya Shah,sales,people.q1,3," + "x" * 1000 + "\n"
    data = _csv() + line.encode() * (MAX_CSV_BYTES // len(line) + 1)

    assert _errors(assessment, data) == [lib_csv.TOO_LARGE]


def test_an_empty_file_has_no_answers(assessment):
    assert _errors(assessment, b"") == ["The file has no answers."]
    assert _errors(assessment, b"\n\n  \n") == ["The file has no answers."]


def test_a_file_with_only_the_header_has_no_answers(assessment):
    assert _errors(assessment, _csv("", "")) == ["The file has no answers."]


def test_a_latin1_file_is_refused_naming_the_line_and_utf8(assessment):
    data = "\n".join([HEADER, "Tom Berg,sales,people.q1,3,", "Zoë Müller,sales,people.q1,3,"])

    [error] = _errors(assessment, data.encode("latin-1"))

    assert error.startswith("Line 3: ")
    assert "must be saved as UTF-8 CSV" in error


def test_a_mac_latin_file_with_carriage_returns_still_names_the_line(assessment):
    data = "\r".join([HEADER, "Tom Berg,sales,people.q1,3,", "Zoë,sales,people.q1,3,"])

    [error] = _errors(assessment, data.encode("mac-roman"))

    assert error.startswith("Line 3: ")


def test_an_xlsx_workbook_is_refused_naming_the_expected_header(assessment):
    workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml\xad\x92"

    [error] = _errors(assessment, workbook)

    assert "not a CSV file" in error
    assert "respondent,role,question_key,level,comment" in error


def test_text_without_a_recognisable_header_is_refused_naming_the_expected_header(assessment):
    data = b"Priya Shah,sales,people.q1,3,\nTom Berg,sales,people.q1,3,\n"

    [error] = _errors(assessment, data)

    assert "not a CSV file" in error
    assert ",".join(EXPECTED_COLUMNS) in error


def test_a_semicolon_separated_file_is_refused_naming_the_expected_header(assessment):
    data = _csv("Priya Shah;sales;people.q1;3;", header=HEADER.replace(",", ";"))

    [error] = _errors(assessment, data)

    assert "comma-separated" in error


def test_a_header_missing_a_column_names_it_and_the_expected_header(assessment):
    data = _csv("\n", "Priya Shah,people.q1,3,", header="\nrespondent,question_key,level,comment")

    [error] = _errors(assessment, data)

    assert error.startswith("Line 2: the header must be respondent,role,question_key,level,comment")
    assert 'column "role" is missing' in error


def test_a_header_with_an_unknown_column_names_it(assessment):
    data = _csv("Priya Shah,sales,people.q1,3,,", header=HEADER + ",email")

    [error] = _errors(assessment, data)

    assert error.startswith("Line 1: the header must be")
    assert '"email" is not a column' in error


def test_a_header_naming_a_column_twice_is_refused(assessment):
    data = _csv("Priya Shah,sales,people.q1,3,4", header="respondent,role,question_key,level,level")

    [error] = _errors(assessment, data)

    assert 'column "level" appears more than once' in error


def test_an_unclosed_quote_is_reported_as_malformed_csv_from_its_line(assessment):
    data = _csv("Priya Shah,sales,people.q1,3,fine", 'Tom Berg,sales,people.q1,3,"never closed')

    [error] = _errors(assessment, data)

    assert error.startswith("Line 3: the file is not valid CSV")


def test_text_after_a_closing_quote_is_reported_as_malformed_csv(assessment):
    data = _csv("Priya Shah,sales,people.q1,3,fine", 'Tom Berg,sales,people.q1,3,"said" so')

    [error] = _errors(assessment, data)

    assert error.startswith("Line 3: the file is not valid CSV")


def test_more_than_20000_rows_are_refused(assessment):
    data = _csv(*["Priya Shah,sales,people.q1,3,"] * 20_001)

    assert _errors(assessment, data) == [
        "The file has more than 20,000 rows; split it into smaller files."
    ]


def test_exactly_20000_rows_are_read(assessment):
    errors = _errors(assessment, _csv(*["Priya Shah,sales,people.q1,3,"] * 20_000))

    assert errors[0] == "Lines 2 and 3: Priya Shah answers people.q1 twice."


# ---- Problems with lines -------------------------------------------------------------------


def test_a_row_with_the_wrong_number_of_fields_is_reported_with_its_line(assessment):
    errors = _errors(
        assessment,
        _csv(
            "Priya Shah,sales,people.q1,3,",
            "Tom Berg,sales,people.q1,3,Good, but slow",
            "Ann Other,sales,people.q1",
        ),
    )

    assert errors == [
        "Line 3: expected 5 fields but found 6; a comment that contains commas must be in "
        "double quotes.",
        "Line 4: expected 5 fields but found 3; a comment that contains commas must be in "
        "double quotes.",
    ]


def test_a_level_outside_1_to_5_is_reported(assessment):
    errors = _errors(
        assessment, _csv("Priya Shah,sales,people.q1,3,", "Priya Shah,sales,process.q1,6,")
    )

    assert errors == ['Line 3: level "6" must be 1 to 5, NA or DK.']


def test_an_unknown_question_key_is_reported(assessment):
    errors = _errors(
        assessment,
        _csv("Priya Shah,sales,people.q1,3,", "Priya Shah,sales,process.lead_defintion,3,"),
    )

    assert errors == ['Line 3: unknown question key "process.lead_defintion".']


def test_a_question_key_of_another_bank_version_is_unknown(assessment):
    add_question(make_bank_version(per_dimension=1), "people.shared_kpis", order=2)

    errors = _errors(assessment, _csv("Priya Shah,sales,people.shared_kpis,3,"))

    assert errors == ['Line 2: unknown question key "people.shared_kpis".']


def test_an_unknown_role_is_reported_with_the_roles_allowed(assessment):
    errors = _errors(assessment, _csv("Priya Shah,sales ops,people.q1,3,"))

    assert errors == [
        'Line 2: role "sales ops" must be one of Marketing, Sales, Leadership, '
        "Customer success, Other."
    ]


def test_a_missing_or_too_long_respondent_name_is_reported(assessment):
    errors = _errors(
        assessment,
        _csv(
            " ,sales,people.q1,3,",
            f"{'x' * 121},sales,people.q1,3,",
            f"{'y' * 120},sales,people.q1,3,",
        ),
    )

    assert errors == [
        "Line 2: the respondent's name is missing.",
        "Line 3: the respondent's name is 121 characters; the limit is 120.",
    ]


def test_a_comment_over_2000_characters_is_reported(assessment):
    errors = _errors(
        assessment,
        _csv(
            f"Priya Shah,sales,people.q1,3,{'x' * 2000}",
            f"Priya Shah,sales,process.q1,3,{'x' * 2001}",
        ),
    )

    assert errors == ["Line 3: the comment is 2,001 characters; the limit is 2,000."]


def test_a_long_bad_value_is_shown_cut_short(assessment):
    [error] = _errors(assessment, _csv(f"Priya Shah,sales,people.q1,{'9' * 500},"))

    assert len(error) < 120


def test_line_numbers_count_every_line_of_a_quoted_comment_spanning_lines(assessment):
    errors = _errors(
        assessment,
        _csv(
            'Priya Shah,sales,people.q1,3,"First line',
            "second line",
            'third line"',
            "",
            "Priya Shah,sales,process.q1,7,",
        ),
    )

    assert errors == ['Line 6: level "7" must be 1 to 5, NA or DK.']


def test_a_respondent_answering_a_question_twice_names_both_lines(assessment):
    errors = _errors(
        assessment,
        _csv(
            "Priya Shah,sales,people.q1,3,",
            "Priya Shah,sales,process.q1,3,",
            "priya shah,sales,people.q1,4,",
        ),
    )

    assert errors == ["Lines 2 and 4: priya shah answers people.q1 twice."]


def test_a_name_given_two_roles_names_both_lines(assessment):
    errors = _errors(
        assessment,
        _csv(
            "Priya Shah,sales,people.q1,3,",
            "Priya Shah,sales,process.q1,3,",
            "Priya Shah,marketing,content.q1,3,",
        ),
    )

    assert errors == [
        "Lines 2 and 4: Priya Shah is Sales on line 2 but Marketing on line 4; "
        "a respondent has one role."
    ]


def test_an_existing_respondent_with_another_role_is_refused(assessment):
    _respondent(assessment, "Priya Shah", role=RespondentRole.LEADERSHIP)

    errors = _errors(
        assessment, _csv("Tom Berg,sales,people.q1,3,", "priya shah,sales,people.q1,3,")
    )

    assert errors == ["Line 3: Priya Shah is already a respondent as Leadership, not Sales."]


def test_a_respondent_who_already_submitted_must_be_reopened_first(assessment):
    _respondent(assessment, "Priya Shah", submitted_at=timezone.now())

    errors = _errors(
        assessment, _csv("Tom Berg,sales,people.q1,3,", "Priya Shah,sales,people.q1,3,")
    )

    assert errors == ["Line 3: Priya Shah has already submitted their answers; reopen them first."]


def test_every_problem_in_the_file_is_reported_together(assessment):
    _respondent(assessment, "Ann Other", submitted_at=timezone.now())

    errors = _errors(
        assessment,
        _csv(
            "Priya Shah,sales,people.q1,3,",
            "Priya Shah,sales,process.q1,0,",
            "Tom Berg,boss,people.q9,,",
            "Priya Shah,sales,people.q1,4,",
            "Ann Other,sales,people.q1,3,",
            "Too,many,fields,here,x,y",
        ),
    )

    assert errors == [
        'Line 3: level "0" must be 1 to 5, NA or DK.',
        'Line 4: role "boss" must be one of Marketing, Sales, Leadership, Customer success, Other.',
        'Line 4: unknown question key "people.q9".',
        'Line 4: level "" must be 1 to 5, NA or DK.',
        "Line 7: expected 5 fields but found 6; a comment that contains commas must be in "
        "double quotes.",
        "Lines 2 and 5: Priya Shah answers people.q1 twice.",
        "Line 6: Ann Other has already submitted their answers; reopen them first.",
    ]


def test_a_respondent_added_by_someone_else_during_the_import_refuses_it(assessment, monkeypatch):
    # As if "Priya Shah" was added after the import read the assessment's respondents.
    monkeypatch.setattr(csv_import, "_respondents_by_name", lambda assessment: {})
    _respondent(assessment, "Priya Shah")

    errors = _errors(
        assessment, _csv("Tom Berg,sales,people.q1,3,", "Priya Shah,sales,people.q1,3,")
    )

    assert errors == [csv_import.RACED]


def test_the_submitted_column_of_relays_own_export_is_ignored(assessment):
    data = _csv("Ana,sales,people.q1,3,,no", header=f"{HEADER},submitted")
    summary = import_answers_csv(assessment=assessment, data=data)
    assert summary.answers == 1
    assert Respondent.objects.get(name="Ana").is_submitted
