"""`lettre check` reports every problem of an item file, each at its own line."""

from __future__ import annotations

from conftest import item_text

RESULTS = """\
---
date: 2025-06-10
kind: resultats
title: Résultats
url: ftp://x
results:
  - sport: Judo
    name: Awa Diallo
    rank: 1
  - sport: Judo
    rank: 2
  - sport: Judo
    name: Léa Martin
    rank: 0
  - sport: Judo
    name: Inès Petit
    date: 2025-02-30
  - sport: Judo
    name: Paul Roux
    dates: [2025-02-01, 2025-13-01]
  - name: Marc Blanc
  - sport: Judo
    name: Jean Noir
    city: [Lyon]
---
"""


def test_check_reports_every_bad_row_at_its_line(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-res.md": RESULTS, "2025-06-10-ok.md": item_text()})
    result = run("check", "-C", folder)
    assert result.exit_code == 1
    path = folder / "items" / "2025-06-10-res.md"
    assert result.stdout.splitlines() == [
        f"{path}:5: error: 'url' must be an http(s) or mailto address, not 'ftp://x'",
        f"{path}:10: error: 'results' row 2 needs 'name'",
        f"{path}:14: error: 'results' row 3: 'rank' must be a number from 1, not 0",
        f"{path}:17: error: 'results' row 4, 'date': 2025-02-30 is not a date in the calendar"
        " (February 2025 has 28 days)",
        f"{path}:20: error: 'results' row 5, 'dates', entry 2: 2025-13-01 is not a date in the"
        " calendar (there is no month 13: months go from 01 to 12)",
        f"{path}:21: error: 'results' row 6 needs 'sport'",
        f"{path}:24: error: 'results' row 7: 'city' must be text",
    ]
    assert result.stderr.splitlines()[-1] == "2 files checked: 7 errors, 0 warnings"


def test_compose_still_stops_at_a_first_problem_named_precisely(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-res.md": RESULTS})
    result = run("compose", "-C", folder, "-w", "2025-06-13")
    assert result.exit_code == 1
    path = folder / "items" / "2025-06-10-res.md"
    assert result.stderr == (
        f"Error: {path}:17: 'results' row 4, 'date': 2025-02-30 is not a date in the calendar"
        " (February 2025 has 28 days)\n"
    )


def test_every_top_level_problem_of_a_file(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    text = item_text(kind="comunique", url="javascript:x", founded="hier")
    folder = make_folder({"2025-06-10-a.md": text})
    result = run("check", "-C", folder)
    path = folder / "items" / "2025-06-10-a.md"
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{path}:3: error: unknown kind 'comunique'")
    assert lines[1].startswith(f"{path}:5: error: 'url' must be")
    assert lines[2] == f"{path}:6: error: 'founded': expected a date like 2025-06-13, not 'hier'"
    assert len(lines) == 3


def test_a_bad_date_inside_a_table_is_named_by_its_key(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    text = item_text().replace(
        "title: Un titre\n", "title: Un titre\nperiod:\n  start: 2025-06-31\n  end: 2025-07-02\n"
    )
    folder = make_folder({"2025-06-10-a.md": text})
    result = run("check", "-C", folder)
    assert result.stdout == (
        f"{folder / 'items' / '2025-06-10-a.md'}:6: error: 'period.start': 2025-06-31 is not a"
        " date in the calendar (June 2025 has 30 days)\n"
    )


def test_a_title_that_looks_like_an_impossible_date_is_text(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-a.md": item_text(title="2025-02-30")})
    result = run("check", "-C", folder)
    assert (result.exit_code, result.stdout) == (0, "")
