"""Dates as CRM exports write them, and which format a column of them is in."""

from datetime import datetime

import pytest

from funnel.crm.dates import (
    DAY_MONTH_YEAR,
    FORMATS_BY_KEY,
    ISO,
    MONTH_DAY_YEAR,
    detect_format,
)

JAN_31 = datetime(2026, 1, 31)
JAN_31_2_05_PM = datetime(2026, 1, 31, 14, 5)


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("2026-01-31", "iso", JAN_31),
        ("2026-01-31 14:05", "iso", JAN_31_2_05_PM),
        ("2026-01-31T14:05:00", "iso", JAN_31_2_05_PM),
        ("2026-01-31T15:05:00+01:00", "iso", JAN_31_2_05_PM),  # turned into UTC
        ("2026-01-31T14:05:00.000Z", "iso", JAN_31_2_05_PM),
        ("31/01/2026", "dmy", JAN_31),
        ("31/01/2026 14:05", "dmy", JAN_31_2_05_PM),
        ("31-01-2026", "dmy", JAN_31),
        ("1/31/2026", "mdy", JAN_31),
        ("1/31/2026, 2:05 PM", "mdy", JAN_31_2_05_PM),
        ("01/31/2026 02:05 pm", "mdy", JAN_31_2_05_PM),
        ("31.01.2026", "dmy_dots", JAN_31),
        ("31.01.2026 14:05:00", "dmy_dots", JAN_31_2_05_PM),
        ("31 Jan 2026", "d_mon_y", JAN_31),
        ("31-Jan-2026 14:05", "d_mon_y", JAN_31_2_05_PM),
        ("31 January 2026", "d_mon_y", JAN_31),
        ("Jan 31, 2026", "mon_d_y", JAN_31),
        ("1/31/26", "mdy_short", JAN_31),
        ("1/31/26 14:05", "mdy_short", JAN_31_2_05_PM),
        ("31/1/26", "dmy_short", JAN_31),
    ],
)
def test_each_format_reads_its_dates_with_or_without_a_time(text, key, expected):
    assert FORMATS_BY_KEY[key].parse(text) == expected
    assert detect_format([text]).chosen == FORMATS_BY_KEY[key]


@pytest.mark.parametrize(
    ("text", "key"),
    [("2026-02-30", "iso"), ("31/13/2026", "dmy"), ("13:05", "iso"), ("1/31/2026 13:05 PM", "mdy"),
     ("31 Foo 2026", "d_mon_y"), ("yesterday", "dmy")],
)  # fmt: skip
def test_text_that_is_not_a_date_of_the_format_is_refused(text, key):
    with pytest.raises(ValueError):
        FORMATS_BY_KEY[key].parse(text)


def test_a_day_above_12_anywhere_settles_day_month_against_month_day():
    assert detect_format(["03/04/2026", "05/06/2026", "25/06/2026"]).chosen == DAY_MONTH_YEAR
    assert detect_format(["03/04/2026", "05/06/2026", "06/25/2026"]).chosen == MONTH_DAY_YEAR


def test_without_a_day_above_12_the_format_is_ambiguous_and_the_problem_says_so():
    detection = detect_format(["03/04/2026", "", "05/06/2026 10:00"])

    assert detection.chosen is None and detection.ambiguous
    assert detection.candidates == (DAY_MONTH_YEAR, MONTH_DAY_YEAR)
    assert "day/month/year or month/day/year" in detection.problem
    assert "“03/04/2026”" in detection.problem


def test_dates_written_in_more_than_one_way_are_refused_naming_one_of_the_odd_ones():
    detection = detect_format(["2026-01-31", "2026-02-01", "31/01/2026"])

    assert detection.chosen is None and not detection.ambiguous
    assert "more than one way" in detection.problem and "“31/01/2026”" in detection.problem
    assert "year-month-day" in detection.problem


def test_no_dates_at_all_is_not_a_problem():
    assert detect_format(["", "  "]) == detect_format([])
    assert detect_format([]).chosen is None and detect_format([]).problem is None


def test_text_that_is_no_date_at_all_is_named():
    assert detect_format(["soon"]).problem == "“soon” is not a date Relay can read."


def test_a_cell_that_is_no_date_does_not_decide_the_format():
    assert detect_format(["31/01/2026", "n/a", "01/02/2026"]).chosen == DAY_MONTH_YEAR


def test_each_format_has_plain_words_with_an_example_for_the_import_screen():
    assert DAY_MONTH_YEAR.words == "day/month/year, e.g. 31/01/2026"
    for date_format in FORMATS_BY_KEY.values():
        example = date_format.words.split("e.g. ")[1].split(" or ")[0]
        assert date_format.parse(example).date() == JAN_31.date(), date_format.key
    assert ISO.key == "iso"
