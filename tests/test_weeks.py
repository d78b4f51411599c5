"""Publication-day weeks: which letter a date belongs to, `--week` in all its forms (French
words included), and a publication day other than Friday from lettre.toml to the letter."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG, item_text
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


# --- the French words of --week -----------------------------------------------------------


@pytest.mark.parametrize(
    ("french", "english"),
    [("cette", "this"), ("dernière", "last"), ("derniere", "last"), ("prochaine", "next"),
     ("DERNIÈRE", "last"), (" Prochaine ", "next")],
)  # fmt: skip
def test_french_relative_weeks(french: str, english: str) -> None:
    for today in (D(2025, 6, 11), D(2025, 6, 13), D(2025, 6, 14), D(2025, 12, 31)):
        assert parse_week(french, today) == parse_week(english, today), (french, today)
        assert parse_week(french, today, 2) == parse_week(english, today, 2), (french, today)


def test_french_words_through_the_command_line(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    def letter_date(week: str) -> str:
        result = run(
            "compose", "-C", samples, "-w", week, "--now", "2025-06-11T08:00", "-f", "json"
        )
        assert result.exit_code == 0, result.stderr
        return str(json.loads(result.stdout)["date"])

    assert [letter_date(w) for w in ("dernière", "cette", "prochaine")] == [
        "2025-06-06",
        "2025-06-13",
        "2025-06-20",
    ]


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "in French too: cette / dernière / prochaine"),
     ("fr", "ou cette / dernière / prochaine")],
)  # fmt: skip
def test_the_help_names_the_french_words(run, language: str, words: str) -> None:  # type: ignore[no-untyped-def]
    for command in ("compose", "preview", "serve", "send"):
        result = run(command, "--help", env={"LETTRE_LANG": language, "COLUMNS": "200"})
        assert words in re.sub(r"[\s│]+", " ", result.stdout), command
    epilog = re.sub(r"\s+", " ", run("--help", env={"LETTRE_LANG": language}).stdout)
    assert "cette / dernière / prochaine" in epilog


# --- a publication day other than Friday, end to end --------------------------------------


@pytest.fixture
def tuesday(make_folder: Callable[..., Path]) -> Path:
    """A folder whose letters come out on Tuesdays: items of Monday 9, Tuesday 10 and
    Wednesday 11 June 2025."""
    items = {
        f"{day}-{title.lower()}.md": item_text(date=day, title=title)
        for day, title in (("2025-06-09", "Lundi"), ("2025-06-10", "Mardi"),
                           ("2025-06-11", "Mercredi"))
    }  # fmt: skip
    return make_folder(items, config='publication_day = "mardi"\n' + CONFIG)


def test_a_tuesday_letter_from_weeks_to_the_message(run, tuesday: Path) -> None:  # type: ignore[no-untyped-def]
    weeks = run("weeks", "-C", tuesday, env={"COLUMNS": "100"})
    assert weeks.exit_code == 0, weeks.stderr
    rows = [re.sub(r"\s+", " ", line).strip() for line in weeks.stdout.splitlines()]
    assert [row for row in rows if re.match(r"(du )?\d", row)] == [
        "10 juin 2025 2 2",
        "du 4 au 10 juin 2025",
        "17 juin 2025 1 1",
        "du 11 au 17 juin 2025",
    ]
    listed = run("list", "-C", tuesday, "--week", "2025-06-10", env={"COLUMNS": "100"}).stdout
    assert "lundi 9 juin 2025" in listed and "mardi 10 juin 2025" in listed
    assert "Mercredi" not in listed

    # Wednesday's item is in the letter of Tuesday 17 June, which holds 11 to 17 June
    result = run("compose", "-C", tuesday, "-w", "2025-06-11", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["date"], data["date_text"], data["period_text"], data["subject"]) == (
        "2025-06-17",
        "mardi 17 juin 2025",
        "du 11 au 17 juin 2025",
        "Lettre de test du 17 juin 2025",
    )
    assert data["week"] == {"start": "2025-06-11", "end": "2025-06-17"}
    assert [i["title"] for s in data["sections"] for i in s["items"]] == ["Mercredi"]
    # the ISO week 24 (9 to 15 June) publishes the letter of Tuesday 10 June
    result = run("compose", "-C", tuesday, "-w", "2025-W24", "-f", "json")
    assert json.loads(result.stdout)["subject"] == "Lettre de test du 10 juin 2025"
    # this week, on Wednesday 11 June: the letter of the coming Tuesday
    message = run("compose", "-C", tuesday, "-w", "this", "--now", "2025-06-11T08:00")
    assert message.exit_code == 0, message.stderr
    assert "Subject: Lettre de test du 17 juin 2025\n" in message.stdout
    assert "Date: Wed, 11 Jun 2025 08:00:00 +0200\n" in message.stdout
    text = run("compose", "-C", tuesday, "-w", "this", "--now", "2025-06-11T08:00", "-f", "text")
    assert text.stdout.splitlines()[:2] == ["Lettre de test", "mardi 17 juin 2025"]
