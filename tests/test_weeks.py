import datetime as dt

import pytest

from lettre.errors import UsageError
from lettre.items import Week
from lettre.weeks import parse_week, week_of, weeks_between

D = dt.date
JUNE_13 = Week(D(2025, 6, 7), D(2025, 6, 13))


@pytest.mark.parametrize("day", [D(2025, 6, 7), D(2025, 6, 11), D(2025, 6, 13)])
def test_friday_letter_holds_saturday_to_friday(day: dt.date) -> None:
    assert week_of(day) == JUNE_13


def test_the_day_after_publication_starts_the_next_letter() -> None:
    assert week_of(D(2025, 6, 14)) == Week(D(2025, 6, 14), D(2025, 6, 20))
    assert week_of(D(2025, 6, 6)) == Week(D(2025, 5, 31), D(2025, 6, 6))


def test_other_publication_day() -> None:
    # Monday letters: Tuesday to Monday
    assert week_of(D(2025, 6, 11), publication_day=1) == Week(D(2025, 6, 10), D(2025, 6, 16))


@pytest.mark.parametrize("spec", ["2025-06-11", "2025-W24", "2025-06-13", "2025w24", "2025-06-07"])
def test_week_specs_name_the_same_letter(spec: str) -> None:
    assert parse_week(spec, D(2020, 1, 1)) == JUNE_13


def test_relative_weeks() -> None:
    today = D(2025, 6, 11)
    assert parse_week("this", today) == JUNE_13
    assert parse_week("last", today) == Week(D(2025, 5, 31), D(2025, 6, 6))
    assert parse_week("next", today) == Week(D(2025, 6, 14), D(2025, 6, 20))


def test_week_across_new_year() -> None:
    assert week_of(D(2025, 12, 31)) == Week(D(2025, 12, 27), D(2026, 1, 2))
    assert parse_week("2026-W01", D(2026, 1, 1)) == Week(D(2025, 12, 27), D(2026, 1, 2))


@pytest.mark.parametrize("spec", ["2025-02-30", "demain", "2025-W54", ""])
def test_bad_week_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError, match="--week"):
        parse_week(spec, D(2025, 6, 11))


def test_weeks_between_is_contiguous() -> None:
    weeks = weeks_between(D(2025, 5, 19), D(2025, 6, 20))
    assert [w.end for w in weeks] == [
        D(2025, 5, 23),
        D(2025, 5, 30),
        D(2025, 6, 6),
        D(2025, 6, 13),
        D(2025, 6, 20),
    ]


def test_since_and_until_are_read_as_dates_in_order() -> None:
    from lettre.weeks import parse_range

    assert parse_range(None, None) == (None, None)
    assert parse_range("2025-06-01", "2025-06-30") == (D(2025, 6, 1), D(2025, 6, 30))
    assert parse_range("2025-06-01", "2025-06-01") == (D(2025, 6, 1), D(2025, 6, 1))
    with pytest.raises(UsageError, match="swap them"):
        parse_range("2025-06-30", "2025-06-01")
    with pytest.raises(UsageError, match=r"--since: 2025-02-30 .*February 2025 has 28 days"):
        parse_range("2025-02-30", None)


def test_items_are_grouped_by_their_letter_weeks_in_date_order() -> None:
    from lettre.weeks import group_by_week

    class Dated:
        def __init__(self, date: dt.date) -> None:
            self.date = date

    later, first, second = Dated(D(2025, 6, 20)), Dated(D(2025, 6, 12)), Dated(D(2025, 6, 7))
    groups = group_by_week([later, first, second])
    assert list(groups) == [JUNE_13, Week(D(2025, 6, 14), D(2025, 6, 20))]
    assert groups[JUNE_13] == [first, second]  # in the order given
    monday = group_by_week([second], publication_day=1)
    assert list(monday) == [Week(D(2025, 6, 3), D(2025, 6, 9))]
