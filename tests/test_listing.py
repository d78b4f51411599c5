"""`lettre list` and `lettre weeks` as functions: the range of days, the kinds, the letters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SAMPLES, item_text
from lettre.anniversaries import read_anniversaries
from lettre.compose import open_folder
from lettre.errors import UsageError
from lettre.index import dated_items
from lettre.items import Anniversary, Week
from lettre.listing import list_range, nothing_listed, require_kinds, week_summaries

D = dt.date
TODAY = D(2025, 6, 11)  # a Wednesday: this week's letter is that of Friday 13 June


def test_no_option_lists_this_weeks_letter() -> None:
    config = open_folder(SAMPLES)
    assert list_range(config, TODAY) == (D(2025, 6, 7), D(2025, 6, 13))


def test_all_lists_every_day_and_since_until_bound_it() -> None:
    config = open_folder(SAMPLES)
    assert list_range(config, TODAY, every=True) == (None, None)
    assert list_range(config, TODAY, since="2025-05-01") == (D(2025, 5, 1), None)
    assert list_range(config, TODAY, until="2025-05-31", every=True) == (None, D(2025, 5, 31))


def test_week_and_dates_together_keep_the_days_they_share() -> None:
    config = open_folder(SAMPLES)
    assert list_range(config, TODAY, week="last", since="2025-06-03") == (
        D(2025, 6, 3),
        D(2025, 6, 6),
    )
    assert list_range(config, TODAY, week="2025-06-13", until="2025-07-01") == (
        D(2025, 6, 7),
        D(2025, 6, 13),
    )


def test_a_reversed_range_is_a_usage_error() -> None:
    config = open_folder(SAMPLES)
    with pytest.raises(UsageError, match="--since 2025-06-30 is after --until 2025-06-01"):
        list_range(config, TODAY, since="2025-06-30", until="2025-06-01")
    with pytest.raises(UsageError, match="--until: 'juin'"):
        list_range(config, TODAY, until="juin")


def test_an_unknown_kind_is_named_with_a_close_one() -> None:
    config = open_folder(SAMPLES)
    require_kinds(config, ["communique", "resultats"])
    with pytest.raises(UsageError, match=r"--kind: unknown kind 'resultat' .*'resultats'"):
        require_kinds(config, ["communique", "resultat"])


def test_nothing_listed_names_the_range() -> None:
    assert "no item from 2025-06-01 to …" in nothing_listed(D(2025, 6, 1), None)
    assert nothing_listed(None, None).startswith("no item (see 'lettre weeks'")


def _anniversary(name: str, founded: dt.date) -> Anniversary:
    return Anniversary(name=name, founded=founded)


def test_weeks_count_each_letters_items_and_anniversaries(
    make_folder: Callable[..., Path],
) -> None:
    folder = make_folder(
        {
            "2025-06-10-a.md": item_text("2025-06-10"),
            "2025-06-12-b.md": item_text("2025-06-12", kind="resultats"),
            "2025-06-20-c.md": item_text("2025-06-20"),
            "2025-06-27-d.md": item_text("2025-06-27", draft="true"),
        }
    )
    config = open_folder(folder)
    items, errors = dated_items(config)
    assert errors == []
    founded = [_anniversary("Le service", D(2015, 6, 9))]  # ten years in the first week
    summaries = week_summaries(items, founded, config)
    assert [(s.week.end, s.counts) for s in summaries] == [
        (D(2025, 6, 13), {"communique": 1, "resultats": 1, "anniversaire": 1}),
        (D(2025, 6, 20), {"communique": 1}),
    ]  # the week of drafts alone makes no letter
    assert [s.week.end for s in week_summaries(items, founded, config, D(2025, 6, 14))] == [
        D(2025, 6, 20)
    ]
    assert [s.week.end for s in week_summaries(items, founded, config, None, D(2025, 6, 7))] == [
        D(2025, 6, 13)
    ]


def test_an_anniversary_written_as_an_item_replaces_the_computed_one(
    make_folder: Callable[..., Path],
) -> None:
    folder = make_folder(
        {
            "2025-06-10-a.md": item_text(
                "2025-06-10", kind="anniversaire", title="Les 10 ans", founded="2015-06-09"
            ),
        }
    )
    config = open_folder(folder)
    items, _ = dated_items(config)
    founded = [_anniversary("Le service", D(2015, 6, 9)), _anniversary("Autre", D(2005, 6, 8))]
    [summary] = week_summaries(items, founded, config)
    assert summary.week == Week(D(2025, 6, 7), D(2025, 6, 13))
    assert summary.counts == {"anniversaire": 2}  # the written one, and « Autre » (20 years)


def test_the_samples_weeks_match_their_anniversaries_file() -> None:
    config = open_folder(SAMPLES)
    items, _ = dated_items(config)
    anniversaries = read_anniversaries(config.anniversaries_path)
    summaries = week_summaries(items, anniversaries, config)
    june_13 = next(s for s in summaries if s.week.end == D(2025, 6, 13))
    assert june_13.counts["anniversaire"] >= 1  # the letter's own fifth birthday, 12 June
