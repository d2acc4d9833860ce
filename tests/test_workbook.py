"""results.xlsx: the CSVs' rows as sheets (the same code path), plus the plan; read back with
openpyxl it equals results.csv and answers.csv cell for cell, numbers are numbers, a hostile
comment stays text, and an anonymous assessment's workbook names no one."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from assessments.models import Answer, Assessment, PlanItem, Visibility
from devtools.demo import seed_demo
from tests.factories import answer_all, make_assessment, make_bank_version, make_respondent

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _get(client, assessment, name):
    return client.get(
        reverse(f"assessments:{name}", args=[assessment.client.workspace.slug, assessment.pk])
    )


def _workbook(client, assessment):
    response = _get(client, assessment, "results_xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _csv_rows(client, assessment, name) -> list[list]:
    """The CSV's cells, a number read as one (the workbook stores 2.0 as 2)."""
    text = _get(client, assessment, name).content.decode("utf-8-sig")
    return [[_number(cell) for cell in row] for row in csv.reader(io.StringIO(text))]


def _sheet_rows(sheet) -> list[list]:
    """The sheet's cells as the CSV's: blank for None, numbers as floats."""
    return [
        [
            "" if value is None else float(value) if isinstance(value, int | float) else value
            for value in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]


def test_every_demo_workbook_equals_its_csvs(settings, client):
    settings.DEBUG = True
    seed_demo(today=date(2026, 11, 22))
    for assessment in Assessment.objects.select_related("client__workspace"):
        where = f"{assessment.client} {assessment.period}"
        client.force_login(assessment.client.workspace.memberships.get(role=Role.OWNER).user)
        book = _workbook(client, assessment)
        assert book.sheetnames == ["Results", "Answers", "Plan"], where
        assert _sheet_rows(book["Results"]) == _csv_rows(client, assessment, "results_csv"), where
        assert _sheet_rows(book["Answers"]) == _csv_rows(client, assessment, "answers_csv"), where
        for sheet in book:
            assert sheet.freeze_panes == "A2", where
            assert all(cell.font.bold for cell in sheet[1]), where
        results = book["Results"]
        header = [cell.value for cell in results[1]]
        if results.max_row > 1:
            row = [cell.value for cell in results[2]]
            assert isinstance(row[header.index("weight")], int | float)
            assert isinstance(row[header.index("answers")], int)


@pytest.fixture
def assessment(gtm_client):
    version = make_bank_version(label="2026.1", per_dimension=6, publish=True)
    assessment = make_assessment(gtm_client, version=version, status="open")
    for name, role in (("Priya Shah", "sales"), ("Sam Sales", "sales"), ("Leo Leader", "sales")):
        respondent = make_respondent(assessment, name=name, role=role, email=f"{name[:3]}@x.org")
        answer_all(respondent, "3", submit=True)
    return assessment


def test_a_formula_from_a_hostile_comment_is_neutralised_and_control_characters_dropped(
    client, owner, assessment
):
    Answer.objects.filter(question__key="people.q1").update(comment='=HYPERLINK("x")\x07')
    PlanItem.objects.create(
        client=assessment.client, title="+SUM(A1)", target_year=2026, target_quarter=4
    )
    client.force_login(owner)
    book = _workbook(client, assessment)
    answers = book["Answers"]
    comments = [row[4] for row in answers.iter_rows(min_row=2, values_only=True) if row[4]]
    assert comments == ['\'=HYPERLINK("x")'] * 3
    assert all(cell.data_type != "f" for row in answers.iter_rows() for cell in row)
    level = answers.cell(2, 4).value
    assert level == 3 and isinstance(level, int)  # a level is a number
    plan = book["Plan"]
    assert [cell.value for cell in plan[1]][:4] == ["title", "owner", "target_quarter", "status"]
    assert plan.cell(2, 1).value == "'+SUM(A1)"


def test_a_formula_after_a_semicolon_is_defused_in_the_workbook_as_in_the_csv(
    client, owner, assessment
):
    Answer.objects.filter(question__key="people.q1").update(comment="ok;=cmd|'/C calc'!A0")
    client.force_login(owner)
    book = _workbook(client, assessment)
    comments = {row[4] for row in book["Answers"].iter_rows(min_row=2, values_only=True)}
    assert "ok;'=cmd|'/C calc'!A0" in comments
    assert _sheet_rows(book["Answers"]) == _csv_rows(client, assessment, "answers_csv")


@pytest.mark.parametrize("visibility", [Visibility.ANONYMOUS])
def test_an_anonymous_workbook_names_no_one(client, owner, assessment, visibility):
    Assessment.objects.filter(pk=assessment.pk).update(answer_visibility=visibility)
    client.force_login(owner)
    book = _workbook(client, assessment)
    text = "\n".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )
    for leaked in ("Priya", "Sam Sales", "Leo Leader", "@x.org"):
        assert leaked not in text
    people = {row[0] for row in book["Answers"].iter_rows(min_row=2, values_only=True)}
    assert people == {"Respondent 1", "Respondent 2", "Respondent 3"}
    assert _sheet_rows(book["Answers"]) == _csv_rows(client, assessment, "answers_csv")


def test_the_results_page_and_the_client_page_link_both_downloads(client, owner, assessment):
    client.force_login(owner)
    page = _get(client, assessment, "results").content.decode()
    args = [assessment.client.workspace.slug, assessment.pk]
    deck, book = (reverse(f"assessments:{n}", args=args) for n in ("report_pptx", "results_xlsx"))
    assert f'href="{deck}">Slide deck (PowerPoint)</a>' in page
    assert f'href="{book}">Spreadsheet (Excel)</a>' in page
    detail = client.get(
        reverse("assessments:client_detail", args=[args[0], assessment.client.pk])
    ).content.decode()
    assert f'href="{deck}">Slide deck (PowerPoint)</a>' in detail
