"""The plain-text part: 72 columns, underlined titles, aligned results, numbered links."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from lettre.body import display_width, wrap
from lettre.render import results_table


def row(rank: str, name: str, event: str) -> dict[str, str]:
    return {"rank": rank, "grade": "", "name": name, "event": event,
            "competition": "", "place": "", "dates": ""}  # fmt: skip


def test_accents_do_not_shift_columns() -> None:
    decomposed = unicodedata.normalize("NFD", "Élodie Hervé-Léger")
    rows = (row("1er", "Léa Fontaine", "-63 kg"), row("12e", decomposed, "Sabre"))
    table = results_table(rows, [("Judo", rows)])
    starts = [display_width(line[: line.index(event)]) for line, event in
              zip(table.split("\n"), ("-63 kg", "Sabre"), strict=True)]  # fmt: skip
    assert starts[0] == starts[1] == 2 + 3 + 2 + len("Élodie Hervé-Léger") + 2


def test_samples_text(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    text = run("compose", "-C", samples, "--week", "2025-06-13", "-f", "text").stdout
    lines = text.split("\n")
    assert max(display_width(line) for line in lines) <= 72
    # section titles underlined to their width
    for title in ("COMMUNIQUÉS", "ARMÉE DE CHAMPIONS", "ANNIVERSAIRES"):
        index = lines.index(title)
        assert lines[index + 1] == "=" * display_width(title)
    # no line ends right before a no-break space: wrapping never breaks at one
    assert not any(line.endswith(("\u00a0", "\u202f")) for line in lines)
    assert not any(line.startswith(("\u00a0", "\u202f")) for line in lines)
    # every numbered reference is listed at the end, in order
    refs = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text.split("\nLiens\n")[0])})
    listed = re.findall(r"^\[(\d+)\] (https://\S+)$", text.split("\nLiens\n")[1], re.MULTILINE)
    assert refs == [int(n) for n, _ in listed] == list(range(1, len(listed) + 1))


def test_a_day_stays_with_its_month_when_wrapping() -> None:
    detail = "Championnats d'Europe, Podgorica (Monténégro), du 29 mai au 1er juin 2025"
    assert wrap(detail, 72, "       ").split("\n") == [
        "       Championnats d'Europe, Podgorica (Monténégro), du 29 mai au",
        "       1er juin 2025",
    ]
    assert wrap("x" * 60 + " de 2 h à 6 h", 72) == "x" * 60 + " de 2 h à\n6 h"
    assert wrap("31 May – 1 June 2025", 14) == "31 May –\n1 June 2025"


def test_a_very_long_name_wraps_inside_the_results_table() -> None:
    row = {"competition": "Championnats", "place": "Rome (Italie)", "dates": "2 juin 2025"}
    rows = [
        {**row, "rank": "1er", "grade": "Sergent", "name": "Léa Fontaine", "event": "-63 kg"},
        {**row, "rank": "11e", "grade": "Caporal-chef de première classe",
         "name": "Un nom extrêmement long avec plusieurs prénoms et un nom composé",
         "event": "Relais mixte par équipes nationales"},
    ]  # fmt: skip
    assert results_table(rows).split("\n") == [
        "  1er  Sergent Léa Fontaine  -63 kg",
        "       Championnats, Rome (Italie), 2 juin 2025",
        "  11e  Caporal-chef de première classe Un nom extrêmement long avec",
        "       plusieurs prénoms et un nom composé",
        "       Relais mixte par équipes nationales",
        "       Championnats, Rome (Italie), 2 juin 2025",
    ]


def test_a_mark_never_starts_a_line() -> None:
    # French text in an English letter keeps its plain spaces, but never wraps before « ! »
    assert wrap("x" * 60 + " venez nombreux ! Pourquoi ?", 72) == (
        "x" * 60 + " venez\nnombreux ! Pourquoi ?"
    )
    assert wrap("y" * 66 + " « oui »", 72) == "y" * 66 + "\n« oui »"
