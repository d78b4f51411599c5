"""`anniversaries.yaml`: every bad entry named at its line (`check` reports them all,
`compose` stops at the first); a missing date is named plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import item_text

ANNIVERSARIES = """\
- name: Premier régiment
  founded: 1995-06-13
- name: Deuxième régiment
- name: Troisième régiment
  founded: hier
- name: Quatrième régiment
  founded:
"""


def test_check_names_every_bad_entry(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-a.md": item_text()})
    (folder / "anniversaries.yaml").write_text(ANNIVERSARIES, encoding="utf-8")
    result = run("check", "-C", folder)
    path = folder / "anniversaries.yaml"
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:3: error: missing 'founded:' (e.g. 'founded: 1995-06-13') in the entry of"
        " 'Deuxième régiment'",
        f"{path}:5: error: 'founded': expected a date like 2025-06-13, not 'hier'",
        f"{path}:7: error: 'founded' has no value (e.g. 'founded: 1995-06-13') in the entry of"
        " 'Quatrième régiment'",
    ]
    assert "None" not in result.stdout


def test_compose_stops_at_the_first_bad_entry(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-a.md": item_text()})
    (folder / "anniversaries.yaml").write_text(ANNIVERSARIES, encoding="utf-8")
    result = run("compose", "-C", folder, "-w", "2025-06-13")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder / 'anniversaries.yaml'}:3: missing 'founded:' (e.g. 'founded:"
        " 1995-06-13') in the entry of 'Deuxième régiment'\n"
    )


# each entry, the line `check` names, and what it says (in English, then in French)
ENTRIES: list[tuple[str, int, str, str]] = [
    (
        "- Premier régiment",
        1,
        "each entry needs 'name' and 'founded'",
        "chaque entrée a besoin de 'name' et de 'founded'",
    ),
    ("- founded: 1995-06-13", 2, "entry without 'name'", "entrée sans 'name'"),
    ('- name: " "\n  founded: 1995-06-13', 3, "entry without 'name'", "entrée sans 'name'"),
    (
        "- name: Quatrième régiment\n  founded: 1995-06-13\n  url: javascript:alert(1)",
        7,
        "'url' must be an http(s) or mailto address, not 'javascript:alert(1)'",
        "'url' doit être une adresse http(s) ou mailto, et non 'javascript:alert(1)'",
    ),
    (
        "- name: Cinquième régiment\n  founded: 1995-06-13\n  url: 3",
        10,
        "'url' must be an http(s) or mailto address, not 3",
        "'url' doit être une adresse http(s) ou mailto, et non 3",
    ),
    (
        "- name: Sixième régiment\n  founded: 1995-06-13\n  text: [un, deux]",
        13,
        "'text' must be text",
        "'text' doit être du texte",
    ),
    (
        "- name: Septième régiment\n  founded: 1995-06-13\n  example: oui",
        16,
        "'example' must be true or false, not 'oui'",
        "'example' doit être true ou false, et non 'oui'",
    ),
    (
        "- name: Huitième régiment\n  founded: 2005",
        18,
        "'founded': 2005 is a year, not a date: write the whole date, year-month-day "
        "(2005-06-13), or 2005-01-01 when only the year is known",
        "'founded'\u00a0: 2005 est une année, pas une date\u00a0: écrivez la date entière, "
        "année-mois-jour (2005-06-13), ou 2005-01-01 si seule l'année est connue",
    ),
    (  # a good entry among the bad ones is no error
        "- name: Neuvième régiment\n  founded: 1995-06-13\n  url: https://www.example.org/9e\n"
        "  text: Trente ans de service",
        0,
        "",
        "",
    ),
]


@pytest.mark.parametrize(("language", "error"), [("en", "error: "), ("fr", "erreur\u00a0: ")])
def test_every_kind_of_bad_entry_at_its_line(run, make_folder, language: str, error: str) -> None:  # type: ignore[no-untyped-def]
    folder: Path = make_folder({"2025-06-10-a.md": item_text()})
    path = folder / "anniversaries.yaml"
    path.write_text("\n".join(entry for entry, *_ in ENTRIES) + "\n", encoding="utf-8")
    result = run("check", "-C", folder, env={"LETTRE_LANG": language})
    assert result.exit_code == 1
    colon = ":" if language == "en" else "\u00a0:"
    assert result.stdout.splitlines() == [
        f"{path}:{line}{colon} {error}{english if language == 'en' else french}"
        for _, line, english, french in ENTRIES
        if line
    ]
    compose = run("compose", "-C", folder, "-w", "2025-06-13")
    assert (compose.exit_code, compose.stdout) == (1, "")
    assert compose.stderr == f"Error: {path}:1: each entry needs 'name' and 'founded'\n"
