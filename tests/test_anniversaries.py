"""Anniversaries from anniversaries.yaml and `anniversaire` items; this/last/next by zone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CONFIG, item_text
from lettre.config import Config
from lettre.items import Anniversary, Week
from lettre.letter import anniversaries_in, anniversary_date
from lettre.weeks import week_of, weeks_between

D = dt.date
NB = "\u00a0"


def _config(years: tuple[int, ...] = (), locale: str = "fr_FR") -> Config:
    return Config(folder=Path("/nonexistent"), locale=locale, anniversary_years=years)


def _letters_with(
    entry: Anniversary, first: dt.date, last: dt.date, config: Config
) -> list[tuple[dt.date, str, dt.date]]:
    """(letter date, title, item date) of every weekly letter that holds the anniversary."""
    found = []
    for week in weeks_between(first, last, 5):
        for item in anniversaries_in([entry], week, config):
            found.append((week.end, item.title, item.date))
    return found


def test_across_a_year_boundary() -> None:
    # the letter of Friday 2 January 2026 covers Saturday 27 December 2025 to 2 January 2026
    late = Anniversary("La base de Creil", D(1995, 12, 29))  # 30 years on 29 December 2025
    early = Anniversary("Le 1er régiment", D(2016, 1, 1))  # 10 years on 1 January 2026
    config = _config()
    assert _letters_with(late, D(2025, 1, 1), D(2026, 12, 31), config) == [
        (D(2026, 1, 2), f"La base de Creil fête ses 30{NB}ans", D(2025, 12, 29))
    ]
    assert _letters_with(early, D(2025, 1, 1), D(2026, 12, 31), config) == [
        (D(2026, 1, 2), f"Le 1er régiment fête ses 10{NB}ans", D(2026, 1, 1))
    ]
    both = anniversaries_in([late, early], week_of(D(2026, 1, 1)), config)
    assert [i.date for i in both] == [D(2025, 12, 29), D(2026, 1, 1)]


def test_founded_on_29_february() -> None:
    entry = Anniversary("L'escadron bissextile", D(2000, 2, 29))
    config = _config()
    # 2025 has no 29 February: the 25 years fall on Friday 28 February 2025, once
    assert _letters_with(entry, D(2024, 6, 1), D(2025, 12, 31), config) == [
        (D(2025, 2, 28), f"L'escadron bissextile fête ses 25{NB}ans", D(2025, 2, 28))
    ]
    # 2020 has one: Saturday 29 February 2020 belongs to the letter of Friday 6 March
    assert _letters_with(entry, D(2019, 6, 1), D(2020, 12, 31), config) == [
        (D(2020, 3, 6), f"L'escadron bissextile fête ses 20{NB}ans", D(2020, 2, 29))
    ]
    assert anniversary_date(entry.founded, 2023) == D(2023, 2, 28)
    assert anniversary_date(entry.founded, 2024) == D(2024, 2, 29)


def test_default_years_are_1_and_every_5() -> None:
    entry = Anniversary("La lettre", D(2000, 6, 12))
    found = _letters_with(entry, D(2000, 1, 1), D(2031, 12, 31), _config())
    years = [letter.year - 2000 for letter, _, _ in found]
    assert years == [1, 5, 10, 15, 20, 25, 30]
    assert found[0][1] == "La lettre fête son premier anniversaire"


def test_configured_years() -> None:
    entry = Anniversary("La lettre", D(2000, 6, 12))
    found = _letters_with(entry, D(2000, 1, 1), D(2060, 12, 31), _config(years=(10, 50)))
    assert [letter for letter, _, _ in found] == [D(2010, 6, 18), D(2050, 6, 17)]


def test_computed_anniversary_in_english() -> None:
    entry = Anniversary("The newsletter", D(2020, 6, 12))
    items = anniversaries_in([entry], Week(D(2025, 6, 7), D(2025, 6, 13)), _config(locale="en_GB"))
    assert [i.title for i in items] == ["The newsletter celebrates 5 years"]


ANNIVERSARIES = """\
- name: La Lettre de test
  founded: 2020-06-12
  url: https://lettre.example.org/
  text: Cinq ans de lettres !
- name: L'escadron bissextile
  founded: 2000-02-29
"""


@pytest.fixture
def folder(make_folder: Callable[..., Path]) -> Path:
    made = make_folder(
        {
            "2025-06-10-a.md": item_text(),
            "2025-02-25-b.md": item_text(date="2025-02-25", title="Fin février"),
            "2025-03-04-c.md": item_text(date="2025-03-04", title="Début mars"),
            "2025-06-05-sid.md": item_text(
                date="2025-06-05",
                kind="anniversaire",
                title='"Service d\'infrastructure de la Défense : 20 ans"',
                founded="2005-06-05",
            ),
        }
    )
    (made / "anniversaries.yaml").write_text(ANNIVERSARIES, encoding="utf-8")
    return made


def _titles(run, folder: Path, week: str, *extra: str) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    result = run("compose", "-w", week, "-C", folder, "-f", "json", *extra)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return [(i["title"], i["years"]) for s in data["sections"] for i in s["items"]]


def test_anniversaries_yaml_in_the_right_letter_only(run, folder: Path) -> None:  # type: ignore[no-untyped-def]
    assert (f"La Lettre de test fête ses 5{NB}ans", 5) in _titles(run, folder, "2025-06-13")
    assert (f"L’escadron bissextile fête ses 25{NB}ans", 25) in _titles(run, folder, "2025-02-28")
    for week in ("2025-06-06", "2025-03-07"):
        titles = " ".join(t for t, _ in _titles(run, folder, week))
        assert "fête" not in titles, week


def test_handwritten_anniversary_shows_its_years(run, folder: Path) -> None:  # type: ignore[no-untyped-def]
    title = f"Service d’infrastructure de la Défense{NB}: 20{NB}ans"
    assert _titles(run, folder, "2025-06-06") == [(title, 20)]
    text = run("compose", "-w", "2025-06-06", "-C", folder, "-f", "text").stdout
    assert f"5 juin 2025 · 20{NB}ans" in text
    english = run("compose", "-w", "2025-06-06", "-C", folder, "-f", "text", "--locale", "en_US")
    assert "June 5, 2025 · 20 years" in english.stdout
    assert "ANNIVERSARIES" in english.stdout


def test_handwritten_item_replaces_the_computed_one(run, folder: Path) -> None:  # type: ignore[no-untyped-def]
    (folder / "items" / "2025-06-12-lettre.md").write_text(
        item_text(
            date="2025-06-12",
            kind="anniversaire",
            title="Notre lettre a cinq ans",
            founded="2020-06-12",
        ),
        encoding="utf-8",
    )
    titles = _titles(run, folder, "2025-06-13")
    assert ("Notre lettre a cinq ans", 5) in titles
    assert not any("fête" in t for t, _ in titles)


@pytest.mark.parametrize(
    ("timezone", "now", "letter"),
    [
        # Friday 13 June 2025, 22:30 UTC: already Saturday 14 June in Paris
        ("Europe/Paris", "2025-06-13T22:30:00+00:00", "2025-06-20"),
        ("UTC", "2025-06-13T22:30:00+00:00", "2025-06-13"),
        # Friday 13 June, 08:00 in Paris: still Thursday in Honolulu
        ("Pacific/Honolulu", "2025-06-13T08:00:00+02:00", "2025-06-13"),
        ("Pacific/Auckland", "2025-06-13T08:00:00-10:00", "2025-06-20"),
    ],
)
def test_this_week_is_counted_in_the_configured_zone(
    run,  # type: ignore[no-untyped-def]
    make_folder: Callable[..., Path],
    timezone: str,
    now: str,
    letter: str,
) -> None:
    folder = make_folder(
        {"2025-06-10-a.md": item_text(), "2025-06-17-b.md": item_text(date="2025-06-17")},
        config=CONFIG.replace('"Europe/Paris"', f'"{timezone}"'),
    )
    for week, shift in (("this", 0), ("last", -7), ("next", 7)):
        result = run("compose", "-w", week, "-C", folder, "-f", "json", "--now", now)
        expected = dt.date.fromisoformat(letter) + dt.timedelta(days=shift)
        if result.exit_code == 1:  # an empty week: the error names the letter's date
            assert f"no item for the letter of {expected.isoformat()}" in result.stderr
        else:
            assert json.loads(result.stdout)["date"] == expected.isoformat(), week


def test_today_in_uses_the_zone() -> None:
    from lettre.compose import today_in

    moment = dt.datetime(2025, 6, 13, 22, 30, tzinfo=dt.UTC)
    paris = replace(_config(), timezone="Europe/Paris")
    assert today_in(paris, moment) == D(2025, 6, 14)
    assert today_in(replace(paris, timezone="America/New_York"), moment) == D(2025, 6, 13)
