"""Slugs, new files that never replace old ones, and the folder `lettre init` writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lettre.compose import compose, open_folder
from lettre.scaffold import folder_files, init_folder, slugify, write_new
from lettre.weeks import week_of


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "Défilé du 14 Juillet : premières répétitions",
            "defile-du-14-juillet-premieres-repetitions",
        ),
        ("L'œuvre d'Ève à Noël", "l-oeuvre-d-eve-a-noel"),
        ("Ça s’écrit « comme ça » !", "ca-s-ecrit-comme-ca"),
        ("Straße, Øresund, Łódź", "strasse-oresund-lodz"),
        ("???", ""),
        ("Прием", ""),
    ],
)
def test_slugify_folds_accents(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_is_bounded_at_a_word() -> None:
    title = "Armée de champions : les résultats du vingt-six mai au huit juin deux mille vingt-cinq"
    slug = slugify(title)
    assert len(slug) <= 60
    assert slug == "armee-de-champions-les-resultats-du-vingt-six-mai-au-huit"
    assert len(slugify("a" * 100)) == 60


def test_write_new_never_replaces(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    assert write_new(path, b"first")
    assert not write_new(path, b"second")
    assert path.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


@pytest.mark.parametrize("today", [dt.date(2025, 6, 13), dt.date(2028, 2, 29), dt.date(2026, 1, 1)])
def test_the_new_folder_composes_this_week(tmp_path: Path, today: dt.date) -> None:
    done = init_folder(tmp_path / "f", today)
    assert len(done.created) == len(folder_files(today)) == 6
    config = open_folder(tmp_path / "f")
    composed = compose(config, week_of(today), now=dt.datetime(2025, 6, 13, 8, 0))
    kinds = [s.kind for s in composed.letter.sections]
    assert kinds == ["communique", "resultats", "anniversaire"]
    titles = [e.title for e in composed.letter.entries]
    assert "Le club de course à pied a 10\u00a0ans" in titles
    assert all(e.marks == ("EXEMPLE",) for e in composed.letter.entries)
    assert not any("fête ses" in title for title in titles)  # commented out


def test_the_new_folder_keeps_state_and_readers_out_of_git(tmp_path: Path) -> None:
    init_folder(tmp_path / "f", dt.date(2025, 6, 13))
    ignored = [
        line
        for line in (tmp_path / "f" / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert ignored == ["state/", "abonnes.csv", ".lettre/"]
