from datetime import date

import pytest

from lib.quarters import Quarter


@pytest.mark.parametrize("text", ["2026-Q3", "2026Q3", " 2026 - q3 ", "2026-q3"])
def test_it_reads_a_quarter_written_several_ways(text):
    assert Quarter.parse(text) == Quarter(2026, 3)


@pytest.mark.parametrize("text", ["", "2026-Q5", "2026-Q0", "Q3-2026", "26-Q3", "2026-3", None])
def test_it_refuses_what_is_not_a_quarter(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)


def test_it_prints_like_people_write_it():
    assert str(Quarter(2026, 3)) == "2026-Q3"


def test_next_and_previous_cross_years():
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2026, 3).shifted(-5) == Quarter(2025, 2)


def test_the_quarter_of_a_day():
    assert Quarter.of(date(2026, 11, 22)) == Quarter(2026, 4)
    assert Quarter.of(date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter(2026, 4).first_day == date(2026, 10, 1)


def test_quarters_sort_in_time():
    assert sorted([Quarter(2026, 1), Quarter(2025, 4), Quarter(2026, 3)]) == [
        Quarter(2025, 4),
        Quarter(2026, 1),
        Quarter(2026, 3),
    ]
