"""`lettre new resultats --from FILE`: the rows of a spreadsheet (.csv, .xlsx) as results."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from lettre.cli import app
from lettre.spreadsheet import column_letter

ENV = {"COLUMNS": "100", "FORCE_COLOR": None, "NO_COLOR": None}
HEADER = ["Sport", "Grade", "Nom", "Rang", "Épreuve", "Compétition", "Ville", "Pays", "Dates"]
D = dt.date
# twelve results: days as date cells in the workbook, as French text in the CSV
ROWS: list[list[Any]] = [
    ["Judo", "Sergent-chef", "Léa Fontaine", "1re", "-63 kg", "Championnats d'Europe",
     "Podgorica", "Monténégro", (D(2025, 5, 29), D(2025, 6, 1))],
    ["Judo", "Caporal", "Marc Petit", 3, "-73 kg", "Championnats d'Europe", "Podgorica",
     "Monténégro", (D(2025, 5, 29), D(2025, 6, 1))],
    ["Escrime", "Adjudant", "Claire Dubois", "1ère", "Sabre", "Coupe du monde", "Madrid",
     "Espagne", (D(2025, 6, 7),)],
    ["Escrime", "Sergent", "Hugo Martin", "2e", "Épée", "Coupe du monde", "Madrid", "Espagne",
     (D(2025, 6, 7),)],
    ["Athlétisme", "Caporal-chef", "Inès Bernard", 1, "10 000 m", "Meeting de Paris", "Paris",
     "France", (D(2025, 6, 6),)],
    ["Athlétisme", "Soldat", "Yanis Moreau", "finaliste", "400 m haies", "Meeting de Paris",
     "Paris", "France", (D(2025, 6, 6),)],
    ["Cyclisme", "Sergent", "Paul Girard", 2, "Contre-la-montre", "Tour de Bretagne",
     "Rennes", "France", (D(2025, 5, 30), D(2025, 6, 2))],
    ["Natation", "Matelot", "Emma Leroy", 1, "200 m papillon", "Open de France",
     "Chartres", "France", (D(2025, 6, 3),)],
    ["Natation", "Quartier-maître", "Lucas Roux", 3, "100 m dos", "Open de France",
     "Chartres", "France", (D(2025, 6, 3),)],
    ["Tir", "Sergent-chef", "Julie Fournier", "1re", "Carabine 10 m", "Grand Prix",
     "Châteauroux", "France", (D(2025, 5, 31),)],
    ["Aviron", "", "Équipe de France militaire", 2, "Huit", "Régates internationales",
     "Vichy", "France", (D(2025, 6, 1),)],
    ["Voile", "Enseigne de vaisseau", "Nina Lambert", 1, "ILCA 6", "Semaine olympique",
     "Hyères", "France", (D(2025, 5, 26), D(2025, 6, 1))],
]  # fmt: skip


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV, catch_exceptions=False)


def french_dates(days: tuple[dt.date, ...]) -> str:
    return " - ".join(day.strftime("%d/%m/%Y") for day in days)


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """As Excel saves « CSV (séparateur : point-virgule) », in UTF-8."""
    lines = [";".join(header)]
    for row in rows:
        cells = [french_dates(c) if isinstance(c, tuple) else str(c) for c in row]
        lines.append(";".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """A workbook as a spreadsheet saves it: numbers as numbers, days as date cells."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Résultats"
    sheet.append(header)
    for row in rows:
        cells: list[Any] = []
        for cell in row:
            if isinstance(cell, tuple):
                cells.append(cell[0] if len(cell) == 1 else french_dates(cell))
            else:
                cells.append(cell if cell != "" else None)
        sheet.append(cells)
    book.save(path)
    return path


@pytest.fixture
def folder(make_folder: Callable[..., Path]) -> Path:
    folder = make_folder()
    for item in (folder / "items").iterdir():
        item.unlink()
    return folder


def new_from(folder: Path, sheet: Path) -> Result:
    return run(
        "new", "resultats", "-t", "Armée de champions", "-d", "2025-06-11", "--from", sheet,
        "-C", folder,
    )  # fmt: skip


def test_a_csv_and_an_xlsx_give_the_same_item(folder: Path, tmp_path: Path) -> None:
    csv_item = new_from(folder, write_csv(tmp_path / "resultats.csv", HEADER, ROWS))
    assert csv_item.exit_code == 0, csv_item.stderr
    xlsx_item = new_from(folder, write_xlsx(tmp_path / "resultats.xlsx", HEADER, ROWS))
    assert xlsx_item.exit_code == 0, xlsx_item.stderr
    first, second = Path(csv_item.stdout.strip()), Path(xlsx_item.stdout.strip())
    assert second.name == "2025-06-11-armee-de-champions-2.md"
    text = first.read_text(encoding="utf-8")
    assert text == second.read_text(encoding="utf-8")
    assert text.count("  - sport: ") == 12
    assert "period:\n  start: 2025-05-26\n  end: 2025-06-07\n" in text
    assert (
        "  - sport: Judo\n    grade: Sergent-chef\n    name: Léa Fontaine\n    rank: 1re\n"
        "    event: -63 kg\n    competition: Championnats d'Europe\n    city: Podgorica\n"
        "    country: Monténégro\n    dates: [2025-05-29, 2025-06-01]\n"
    ) in text
    assert "  - sport: Aviron\n    name: Équipe de France militaire\n    rank: 2\n" in text

    # the ranks as written, the others as the letter's ordinals
    second.unlink()
    proof = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "text")
    assert proof.exit_code == 0, proof.stderr
    for rank, name in [("1re", "Léa Fontaine"), ("1ère", "Claire Dubois"), ("2e", "Hugo Martin"),
                       ("3e", "Marc Petit"), ("1er", "Inès Bernard"),
                       ("finaliste", "Yanis Moreau")]:  # fmt: skip
        assert any(
            line.split()[:1] == [rank] and name in line for line in proof.stdout.splitlines()
        ), (rank, name)
    # its body is the example that `lettre new` wrote: not sent until replaced
    assert run("compose", "-C", folder, "-w", "2025-06-13").exit_code == 1


def test_english_headers_and_a_column_left_aside(folder: Path, tmp_path: Path) -> None:
    header = ["Discipline", "Grade", "Name", "Rank", "Event", "Competition", "City", "Country",
              "Date", "Licence"]  # fmt: skip
    rows = [[*ROWS[0], "12345"]]
    result = new_from(folder, write_csv(tmp_path / "results.csv", header, rows))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Warning: {tmp_path / 'results.csv'}:1:J: column 'Licence' left aside (known columns: "
        "sport, grade, nom, rang, épreuve, compétition, ville, pays, dates (or their English "
        "names))\n"
    )
    assert "rank: 1re" in Path(result.stdout.strip()).read_text(encoding="utf-8")


def broken(rows: list[list[Any]], row: int, column: int, value: Any) -> list[list[Any]]:
    """The rows with one cell changed: `row` as the spreadsheet numbers it (header: 1)."""
    changed = [list(r) for r in rows]
    changed[row - 2][column] = value
    return changed


def test_a_day_that_does_not_exist(folder: Path, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "r.csv", HEADER, broken(ROWS, 5, 8, "31/06/2025"))
    result = new_from(folder, sheet)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {sheet}:5:I: 'Dates': 2025-06-31 is not a date in the calendar "
        "(June 2025 has 30 days)\n"
    )
    assert not list((folder / "items").iterdir())  # nothing written


def test_a_result_without_a_name(folder: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", HEADER, broken(ROWS, 4, 2, ""))
    result = new_from(folder, sheet)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {sheet}:4:C: 'Nom' is empty: each result needs who ranked (a name or a team)\n"
    )
    assert not list((folder / "items").iterdir())


def test_a_rank_that_is_not_whole(folder: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", HEADER, broken(ROWS, 13, 3, 2.5))
    result = new_from(folder, sheet)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {sheet}:13:D: a rank is a whole number, not 2.5\n"
    assert not list((folder / "items").iterdir())


def test_every_bad_cell_is_named(folder: Path, tmp_path: Path) -> None:
    rows = broken(broken(ROWS, 3, 0, " "), 7, 3, 0)
    rows = broken(rows, 7, 8, "le 6 juin")
    sheet = write_csv(tmp_path / "r.csv", HEADER, rows)
    result = new_from(folder, sheet)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {sheet}:3:A: 'Sport' is empty: each result needs the sport",
        f"{sheet}:7:D: a rank starts at 1, not 0",
        f"{sheet}:7:I: 'Dates' 'le 6 juin' is not a date: write 2025-06-13 or 13/06/2025, or "
        "two of them for several days (29/05/2025 - 01/06/2025)",
    ]


def test_the_header_needs_sport_and_name(folder: Path, tmp_path: Path) -> None:
    header = ["Sport", "Grade", "Athlète ou équipe", *HEADER[3:]]
    sheet = write_csv(tmp_path / "r.csv", header, ROWS)
    result = new_from(folder, sheet)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {sheet}:1: no 'nom' column in the header row (name in English): each result "
        "needs one; the columns lettre knows are sport, grade, nom"
    )
    twice = write_csv(tmp_path / "r2.csv", [*HEADER, "Discipline"], [[*r, "x"] for r in ROWS])
    result = new_from(folder, twice)
    assert result.stderr == (
        f"Error: {twice}:1:J: column 'Discipline' says the same as column A ('Sport'): keep one "
        "of them\n"
    )


def test_from_is_for_results_and_xlsx_needs_openpyxl(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = write_xlsx(tmp_path / "r.xlsx", HEADER, ROWS)
    wrong = run("new", "communique", "-t", "T", "--from", sheet, "-C", folder)
    assert wrong.exit_code == 2
    assert "--from: a spreadsheet gives the rows of a 'resultats' item" in wrong.stderr
    (tmp_path / "faux.xlsx").write_text("pas un classeur", encoding="utf-8")
    fake = new_from(folder, tmp_path / "faux.xlsx")
    assert fake.exit_code == 1 and "not a readable .xlsx workbook" in fake.stderr
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as without the extra
    missing = new_from(folder, sheet)
    assert missing.exit_code == 1
    assert missing.stderr == (
        f"Error: {sheet}: reading .xlsx needs openpyxl: pip install 'lettre[xlsx]' (or save the "
        "sheet as .csv)\n"
    )
    (tmp_path / "r.ods").write_bytes(b"PK")
    ods = new_from(folder, tmp_path / "r.ods")
    assert "lettre reads .xlsx and .csv" in ods.stderr
    assert not list((folder / "items").iterdir())


def test_a_windows_csv_with_commas(folder: Path, tmp_path: Path) -> None:
    """Windows-1252, as Excel saves « CSV » on a French Windows; commas, quoted cells."""
    sheet = tmp_path / "r.csv"
    sheet.write_bytes(
        'Sport,Nom,Rang,Épreuve\r\nJudo,Léa Fontaine,1re,"-63 kg, seniors"\r\n'.encode("cp1252")
    )
    result = new_from(folder, sheet)
    assert result.exit_code == 0, result.stderr
    text = Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert (
        "  - sport: Judo\n    name: Léa Fontaine\n    rank: 1re\n    event: -63 kg, seniors\n"
        in (text)
    )


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (8, "I"), (25, "Z"), (26, "AA"),
                                               (701, "ZZ"), (702, "AAA")])  # fmt: skip
def test_column_letters(index: int, letter: str) -> None:
    assert column_letter(index) == letter
