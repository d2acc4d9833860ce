import codecs
from decimal import Decimal

import pytest

from funnel import imports as funnel_import
from funnel.imports import FunnelImportError, FunnelImportSummary, import_funnel_csv
from funnel.models import FunnelFigures
from lib import csv as csv_import
from tests.factories import make_client, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_():
    return make_client(make_workspace(), name="Brightline Logistics")


def _csv(*lines: str) -> bytes:
    return "\n".join([*lines, ""]).encode()


def _saved() -> list:
    return list(FunnelFigures.objects.order_by("pk").values())


def _errors(client, data: bytes) -> list[str]:
    """The problems reported for a refused file, having checked that it saved nothing."""
    before = _saved()
    with pytest.raises(FunnelImportError) as refused:
        import_funnel_csv(client=client, data=data)
    assert _saved() == before, "a refused import must save nothing"
    return refused.value.errors


# ---- A good file ---------------------------------------------------------------------------


def test_a_good_file_saves_one_row_per_quarter(client_):
    summary = import_funnel_csv(
        client=client_,
        data=_csv(
            "quarter,inquiries,mqls,sals,pipeline_value,days_mql_to_sal",
            "2026-Q2,1200,300,150,250000.50,3.5",
            "2026-Q3,1300,320,190,,2",
        ),
    )

    assert summary == FunnelImportSummary(created=("2026-Q2", "2026-Q3"), updated=(), flags=())
    q2, q3 = client_.funnel_figures.order_by("quarter")
    assert (q2.year, q2.quarter, q2.inquiries, q2.mqls, q2.sals) == (2026, 2, 1200, 300, 150)
    assert q2.pipeline_value == Decimal("250000.50")
    assert q2.days_mql_to_sal == Decimal("3.5")
    assert q3.pipeline_value is None  # an empty cell is "not known"
    assert q3.emails_sent is None  # so is a column the file leaves out


def test_the_header_is_read_in_any_order_and_case_and_with_spaces(client_):
    import_funnel_csv(
        client=client_, data=_csv("MQLs, Quarter ,Won-Deals,Emails Sent", "10,2026q1,2,500")
    )

    figures = client_.funnel_figures.get()
    assert (figures.period.number, figures.mqls, figures.won_deals) == (1, 10, 2)
    assert figures.emails_sent == 500


def test_excel_csv_with_a_byte_order_mark_and_quoted_thousands_is_read(client_):
    data = codecs.BOM_UTF8 + _csv("quarter,impressions", '2026-Q3,"120,000"')

    import_funnel_csv(client=client_, data=data)

    assert client_.funnel_figures.get().impressions == 120_000


def test_a_quarter_already_entered_is_updated_in_the_files_columns_only(client_):
    FunnelFigures.objects.create(client=client_, year=2026, quarter=3, inquiries=900, mqls=200)

    summary = import_funnel_csv(
        client=client_, data=_csv("quarter,mqls,sals", "2026-Q3,250,100", "2026-Q4,260,120")
    )

    assert summary.updated == ("2026-Q3",) and summary.created == ("2026-Q4",)
    assert summary.quarters == 2
    q3 = client_.funnel_figures.get(quarter=3)
    assert (q3.inquiries, q3.mqls, q3.sals) == (900, 250, 100)


def test_figures_allowed_but_odd_come_back_as_flags(client_):
    summary = import_funnel_csv(
        client=client_, data=_csv("quarter,inquiries,mqls", "2026-Q3,100,120")
    )

    assert client_.funnel_figures.get().mqls == 120
    [(quarter, message)] = summary.flags
    assert quarter == "2026-Q3"
    assert message.startswith("More MQLs (120) than inquiries (100)")


def test_another_clients_quarters_are_not_touched(client_):
    other = make_client(client_.workspace, name="Cobalt")
    FunnelFigures.objects.create(client=other, year=2026, quarter=3, mqls=5)

    import_funnel_csv(client=client_, data=_csv("quarter,mqls", "2026-Q3,50"))

    assert other.funnel_figures.get().mqls == 5
    assert client_.funnel_figures.get().mqls == 50


# ---- Bad cells: every one reported, nothing saved ------------------------------------------


def test_every_bad_cell_is_reported_with_its_line_and_column(client_):
    errors = _errors(
        client_,
        _csv(
            "quarter,inquiries,mqls,average_deal_size,days_mql_to_sal",
            "2026-Q1,lots,10,5000,2",
            "2026-Q2,-5,12.5,1e30,3",
            "2026-Q9,100,10,5000,2",
            ",100,10,5000,2",
            "1999-Q4,100,10,5000,2",
            "2026-Q3,100,10,five,-1",
        ),
    )

    assert errors == [
        'Line 2, column inquiries ("lots"): Enter a whole number, like 1200.',
        'Line 3, column inquiries ("-5"): This cannot be negative: enter 0 or more, or leave '
        "it empty.",
        'Line 3, column mqls ("12.5"): A count is a whole number: no decimals.',
        'Line 3, column average_deal_size ("1e30"): That is more than 999,999,999,999; check '
        "the figure.",
        'Line 4, column quarter: "2026-Q9" is not a quarter; write it like 2026-Q3.',
        "Line 5, column quarter: the quarter is missing; write it like 2026-Q3.",
        "Line 6, column quarter: the year of 1999-Q4 must be between 2000 and 2100.",
        'Line 7, column average_deal_size ("five"): Enter an amount, like 250000 or 250,000.50.',
        'Line 7, column days_mql_to_sal ("-1"): This cannot be negative: enter 0 or more, or '
        "leave it empty.",
    ]


def test_a_quarter_twice_in_the_file_is_refused(client_):
    errors = _errors(
        client_, _csv("quarter,mqls", "2026-Q3,10", "2026-Q2,11", "2026 q3,12", "2026-Q3,13")
    )

    assert errors == [
        "Lines 2 and 4: 2026-Q3 appears twice; give each quarter one row.",
        "Lines 2 and 5: 2026-Q3 appears twice; give each quarter one row.",
    ]


def test_impossible_figures_are_refused_on_the_column_at_fault(client_):
    errors = _errors(
        client_,
        _csv("quarter,emails_sent,emails_opened,emails_clicked", "2026-Q3,1000,1200,50"),
    )

    assert errors == [
        "Line 2, column emails_opened: More emails opened (1,200) than sent (1,000).",
    ]


def test_impossible_together_with_the_figures_already_entered_is_refused(client_):
    FunnelFigures.objects.create(client=client_, year=2026, quarter=3, emails_sent=1000)

    errors = _errors(client_, _csv("quarter,emails_clicked", "2026-Q3,1500"))

    assert errors == [
        "Line 2, column emails_clicked: More emails clicked (1,500) than sent (1,000). "
        "(counting the figures already entered for 2026-Q3)"
    ]


def test_lowering_the_whole_below_an_entered_part_names_the_files_column(client_):
    FunnelFigures.objects.create(
        client=client_, year=2026, quarter=3, emails_sent=1000, emails_opened=400
    )

    errors = _errors(client_, _csv("quarter,emails_sent", "2026-Q3,300"))

    assert errors == [
        "Line 2, column emails_sent: More emails opened (400) than sent (300). "
        "(counting the figures already entered for 2026-Q3)"
    ]


def test_a_row_without_figures_is_refused(client_):
    assert _errors(client_, _csv("quarter,mqls,sals", "2026-Q3,,")) == [
        "Line 2: there are no figures in this row."
    ]


def test_a_row_with_the_wrong_number_of_fields_is_refused(client_):
    assert _errors(client_, _csv("quarter,mqls", "2026-Q3,1,200")) == [
        "Line 2: expected 2 fields but found 3; a number written with commas must be in "
        "double quotes."
    ]


# ---- The header ----------------------------------------------------------------------------


def test_an_unknown_a_repeated_or_a_missing_column_is_refused(client_):
    [error] = _errors(client_, _csv("mqls,leads,mqls,", "1,2,3,4"))

    assert error.startswith("Line 1: the header must be quarter and one or more of impressions, ")
    assert error.endswith(
        'but column "quarter" is missing; "leads" is not a figure; a column has no name; '
        'column "mqls" appears more than once.'
    )


def test_a_header_without_a_figure_column_is_refused(client_):
    [error] = _errors(client_, _csv("quarter", "2026-Q3"))

    assert error.endswith("but there is no figure column.")


# ---- Files that are not CSV figures: one clear message -------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", funnel_import.NO_FIGURES),
        (b"\n\n", funnel_import.NO_FIGURES),
        (b"quarter,mqls\n", funnel_import.NO_FIGURES),
        ("quarter,mqls\n2026-Q3,10\n".encode("utf-16"), funnel_import.NOT_CSV),
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", funnel_import.NOT_CSV),
        (b"name,email\nAda,ada@example.com\n", funnel_import.NOT_CSV),
        (b"quarter;mqls;sals\n2026-Q3;10;5\n", funnel_import.SEMICOLONS),
        (b"x" * (csv_import.MAX_CSV_BYTES + 1), csv_import.TOO_LARGE),
    ],
    ids=["empty", "blank", "header-only", "utf-16", "xlsx", "other-csv", "semicolons", "large"],
)
def test_a_file_that_is_not_funnel_figures_gets_one_clear_message(client_, data, expected):
    assert _errors(client_, data) == [expected]


def test_a_file_not_in_utf8_names_the_line(client_):
    data = "quarter,mqls\n2026-Q3,10\n2026-Q4,12 (café)\n".encode("latin-1")

    [error] = _errors(client_, data)

    assert error.startswith("Line 3: this line is not UTF-8 text.")


def test_broken_quotes_are_reported_not_raised(client_):
    [error] = _errors(client_, b'quarter,mqls\n2026-Q3,"10\n')

    assert error.startswith("Line 2: the file is not valid CSV")


def test_a_quarter_entered_by_someone_else_during_the_import_refuses_it(client_, monkeypatch):
    real_save = funnel_import._save

    def entered_meanwhile(client, rows, columns, existing):
        FunnelFigures.objects.create(client=client, year=2026, quarter=3, mqls=1)
        return real_save(client, rows, columns, existing)

    monkeypatch.setattr(funnel_import, "_save", entered_meanwhile)

    with pytest.raises(FunnelImportError) as refused:
        import_funnel_csv(client=client_, data=_csv("quarter,mqls", "2026-Q3,10"))

    assert refused.value.errors == [funnel_import.RACED]
