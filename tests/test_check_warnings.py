"""`lettre check` warns of what is allowed but probably a mistake, at its file and line."""

from __future__ import annotations

import json

from conftest import item_text

ROWS = """\
---
date: 2025-06-10
kind: resultats
title: Résultats
results:
  - sport: Judo
    name: Awa Diallo
    rank: 1
    compétition: Open de Lyon
  - sport: judo
    name: Léa Martin
    rank: 1er
  - sport: Judo
    name: Inès Petit
    rank: très bien
  - sport: Escrime
    name: Paul Roux
    rank: finaliste
    dates: [2025-06-08, 2025-06-07]
---
"""


def _check(run, folder):  # type: ignore[no-untyped-def]
    result = run("check", "-C", folder)
    return result.exit_code, result.stdout.replace(f"{folder}/items/", "")


def test_results_rows_warnings(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-res.md": ROWS})
    code, stdout = _check(run, folder)
    assert code == 0
    assert stdout.splitlines() == [
        "2025-06-10-res.md:9: warning: 'results' row 1: unknown key 'compétition' ignored"
        " (did you mean 'competition'?)",
        "2025-06-10-res.md:10: warning: 'results' row 2: sport 'judo' differs from 'Judo'"
        " (row 1) only by case: both are shown under 'Judo'",
        "2025-06-10-res.md:15: warning: 'results' row 3: 'rank' 'très bien' is neither a number,"
        " an ordinal (1re, 2e) nor a known rank (finaliste, abandon, DNF…): shown as written",
        "2025-06-10-res.md:19: warning: 'results' row 4: 'dates' are in reverse order"
        " (2025-06-08 before 2025-06-07): write the first day first",
    ]


def test_sports_differing_by_case_are_one_group(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-res.md": ROWS})
    result = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "json")
    assert result.exit_code == 0, result.stderr
    text = json.dumps(json.loads(result.stdout), ensure_ascii=False)
    assert '"judo"' not in text
    composed = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "text").stdout
    assert composed.count("Judo") == 1 and "judo" not in composed


def test_founded_after_the_item_date(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    text = item_text(kind="anniversaire", founded="2035-06-10")
    code, stdout = _check(run, make_folder({"2025-06-10-a.md": text}))
    assert (code, stdout) == (
        0,
        "2025-06-10-a.md:5: warning: 'founded' (2035-06-10) is after the item's date"
        " (2025-06-10): a typo in the year?\n",
    )


def test_text_left_from_the_template_of_lettre_new(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({})
    for kind in ("communique", "resultats"):
        created = run("new", "-C", folder, kind, "--title", f"Essai {kind}")
        assert created.exit_code == 0, created.stderr
    code, stdout = _check(run, folder)
    lines = stdout.splitlines()
    assert code == 1  # example content: compose refuses it, check reports it as an error
    assert len(lines) == 3
    assert lines[0].endswith(
        ".md:10: error: the body still holds the example text of 'lettre new': write your own"
    )
    assert lines[1].endswith(
        ".md:13: error: 'results' row 1 still holds the example text of 'lettre new' in"
        " 'sport', 'grade', 'name', 'event', 'competition', 'city', 'country': write the result"
    )
    assert "essai-resultats.md:23: error: the body still holds" in lines[2]


def test_a_written_item_has_no_template_warning(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    code, stdout = _check(run, make_folder())
    assert (code, stdout) == (0, "")
