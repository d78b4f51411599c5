"""A spreadsheet of sports results (.csv, .xlsx) → the `results` rows of an item.

`lettre new resultats --from resultats.xlsx`: the first row names the columns, in French
or in English; every other row is one result. Each bad cell is reported as
`file:row:column` — the row as the spreadsheet numbers it (the header is row 1), the
column as its letter (A, B, … AA) — with the column's header in the message.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CellError, ItemErrors, LettreError, UsageError
from .files import read_bytes
from .folding import fold_letters
from .messages import _
from .weeks import calendar_problem

MAX_SHEET_BYTES = 20_000_000
MAX_ROWS = 5_000

#: column headers (folded: lower case, no accents, letters and digits only) → row key
HEADERS = {
    "sport": "sport",
    "discipline": "sport",
    "grade": "grade",
    "nom": "name",
    "name": "name",
    "athlete": "name",
    "prenomnom": "name",
    "nomprenom": "name",
    "sportif": "name",
    "sportive": "name",
    "equipe": "name",
    "team": "name",
    "rang": "rank",
    "rank": "rank",
    "place": "rank",
    "classement": "rank",
    "resultat": "rank",
    "epreuve": "event",
    "event": "event",
    "categorie": "event",
    "competition": "competition",
    "ville": "city",
    "city": "city",
    "lieu": "city",
    "pays": "country",
    "country": "country",
    "dates": "dates",
    "date": "dates",
    "debut": "start",
    "datededebut": "start",
    "start": "start",
    "startdate": "start",
    "fin": "end",
    "datedefin": "end",
    "end": "end",
    "enddate": "end",
}
#: the order of a row's keys in the item, as `lettre new` writes them
ROW_ORDER = ("sport", "grade", "name", "rank", "event", "competition", "city", "country")
_KNOWN = (
    "sport, grade, nom, rang, épreuve, compétition, ville, pays, dates (or their English names)"
)
_DATE_TOKEN = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}")
_BETWEEN = re.compile(r"^(?:\s|[-–—/,;]|\bdu\b|\bau\b|\bfrom\b|\bto\b|\bet\b)*$", re.IGNORECASE)


@dataclass(frozen=True)
class SheetResults:
    """What a spreadsheet gives: the `results` rows, and what was left aside."""

    rows: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...] = ()

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day of the results, when their dates are given."""
        days = [d for row in self.rows for d in _row_days(row)]
        return (min(days), max(days)) if days else None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: a column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def results_for(kind: str, path: Path) -> SheetResults:
    """`lettre new KIND --from FILE`: the spreadsheet's rows, for a 'resultats' item only."""
    if kind != "resultats":
        raise UsageError(
            _("--from: a spreadsheet gives the rows of a 'resultats' item, not {kind!r}").format(
                kind=kind
            )
        )
    return read_results(path)


def read_results(path: Path) -> SheetResults:
    """The results rows of a .csv or .xlsx file; a LettreError (CellError, or ItemErrors
    holding one per bad cell) names each problem."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        table = list(_xlsx_rows(path))
    elif suffix in (".csv", ".txt", ".tsv"):
        table = list(_csv_rows(path))
    elif suffix in (".xls", ".ods", ".numbers"):
        raise LettreError(
            _(
                "a {suffix} spreadsheet: lettre reads .xlsx and .csv; save it in one of those "
                "formats (File › Save as)"
            ).format(suffix=suffix),
            path,
        )
    else:
        raise LettreError(_("not a spreadsheet lettre reads: give a .xlsx or a .csv file"), path)
    return _results(path, table)


def _results(path: Path, table: list[list[Any]]) -> SheetResults:
    if not any(_text(cell) for cells in table for cell in cells):
        raise LettreError(_("the spreadsheet is empty: its first row names the columns"), path)
    header_row = _first_filled(table)  # blank rows above the header are left alone
    columns, warnings = _columns(path, header_row, table[header_row])
    rows: list[dict[str, Any]] = []
    errors: list[LettreError] = []
    for number, cells in enumerate(table[header_row + 1 :], start=header_row + 2):
        if not any(_text(cell) for cell in cells):
            continue  # an empty row
        if len(rows) >= MAX_ROWS:
            raise LettreError(
                _("more than {max_rows} rows: is this the right sheet?").format(max_rows=MAX_ROWS),
                path,
            )
        row, problems = _row(path, number, cells, columns)
        errors += problems
        if not problems:
            rows.append(row)
    if errors:
        raise ItemErrors.of(errors)
    if not rows:
        raise LettreError(_("no result under the header row: one row per result"), path, 1)
    return SheetResults(tuple(rows), tuple(warnings))


def _first_filled(table: list[list[Any]]) -> int:
    return next(n for n, cells in enumerate(table) if any(_text(cell) for cell in cells))


def _columns(
    path: Path, row: int, headers: Sequence[Any]
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """{row key: (column index, header as written)}, and the columns left aside."""
    columns: dict[str, tuple[int, str]] = {}
    warnings: list[str] = []
    line = row + 1
    for index, cell in enumerate(headers):
        header = _text(cell)
        if not header:
            continue
        key = HEADERS.get(fold_letters(header))
        letter = column_letter(index)
        if key is None:
            warnings.append(
                _(
                    "{path}:{line}:{letter}: column '{header}' left aside (known columns: {known})"
                ).format(path=path, line=line, letter=letter, header=header, known=_KNOWN)
            )
            continue
        if key in columns:
            first = columns[key]
            raise CellError(
                _(
                    "column '{header}' says the same as column {column_letter} ('{value}'): keep "
                    "one of them"
                ).format(header=header, column_letter=column_letter(first[0]), value=first[1]),
                path,
                line,
                letter,
            )
        columns[key] = (index, header)
    for key, french in (("sport", "sport"), ("name", "nom")):
        if key not in columns:
            raise LettreError(
                _(
                    "no '{french}' column in the header row ({key} in English): each result "
                    "needs one; the columns lettre knows are {known}"
                ).format(french=french, key=key, known=_KNOWN),
                path,
                line,
            )
    if "dates" in columns and ("start" in columns or "end" in columns):
        index, header = columns.get("start") or columns["end"]
        raise CellError(
            _(
                "column '{header}' and column {column_letter} ('{value}') both give dates: keep "
                "one of them"
            ).format(
                header=header,
                column_letter=column_letter(columns["dates"][0]),
                value=columns["dates"][1],
            ),
            path,
            line,
            column_letter(index),
        )
    return columns, warnings


def _row(
    path: Path, number: int, cells: Sequence[Any], columns: dict[str, tuple[int, str]]
) -> tuple[dict[str, Any], list[LettreError]]:
    """One result from one row of cells, and the problems of its cells."""
    row: dict[str, Any] = {}
    errors: list[LettreError] = []

    def cell(key: str) -> tuple[Any, str, str]:
        index, header = columns[key]
        return (cells[index] if index < len(cells) else None), column_letter(index), header

    for key in ROW_ORDER:
        if key not in columns:
            continue
        value, letter, header = cell(key)
        try:
            if key == "rank":
                rank = _rank(value)
                if rank is not None:
                    row[key] = rank
                continue
            text = _text(value)
            if not text and key in ("sport", "name"):
                what = _("the sport") if key == "sport" else _("who ranked (a name or a team)")
                raise ValueError(
                    _("'{header}' is empty: each result needs {what}").format(
                        header=header, what=what
                    )
                )
            if text:
                row[key] = text
        except ValueError as err:
            errors.append(CellError(str(err), path, number, letter))
    days: list[dt.date] = []
    for key in ("dates", "start", "end"):
        if key not in columns:
            continue
        value, letter, header = cell(key)
        try:
            found = _dates(value, header)
            if key != "dates" and len(found) > 1:
                raise ValueError(
                    _("'{header}' holds {found} dates: give one day here").format(
                        header=header, found=len(found)
                    )
                )
            days += found
        except ValueError as err:
            errors.append(CellError(str(err), path, number, letter))
    if days:
        first, last = min(days), max(days)
        if first == last:
            row["date"] = first
        else:
            row["dates"] = [first, last]
    return row, errors


def _row_days(row: dict[str, Any]) -> list[dt.date]:
    if "date" in row:
        return [row["date"]]
    days: list[dt.date] = row.get("dates", [])
    return days


def _text(value: Any) -> str:
    """A cell as one line of text ('' when empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def _rank(value: Any) -> int | str | None:
    """A rank as the item writes it: a number, or the words as written (« 1re », « DNF »)."""
    from .results import parse_rank  # heavy (YAML)

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | dt.date):
        raise ValueError(
            _("a rank is a number (1, 2, 3) or an ordinal (1re, 2e), not {value}").format(
                value=value
            )
        )
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(_("a rank is a whole number, not {text}").format(text=_text(str(value))))
    number, text = parse_rank(_text(value))
    if number is not None and (not isinstance(number, int) or number < 1):
        raise ValueError(_("a rank starts at 1, not {value}").format(value=_text(value)))
    if text:
        return text  # as the user wrote it: « 1re », « 1ère », « finaliste »
    if not isinstance(number, int):
        raise ValueError(
            _("a rank is a number (1, 2, 3) or an ordinal (1re, 2e), not {value}").format(
                value=value
            )
        )
    return number


def _dates(value: Any, header: str) -> list[dt.date]:
    """The days a cell gives: a date cell, or text with one or two dates (ISO or French)."""
    if value is None:
        return []
    if isinstance(value, dt.datetime):
        return [value.date()]
    if isinstance(value, dt.date):
        return [value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            _(
                "'{header}' holds the number {value}, not a date: format the cell as a date, or "
                "write 2025-06-13 or 13/06/2025"
            ).format(header=header, value=_text(value))
        )
    text = _text(value)
    if not text:
        return []
    tokens = _DATE_TOKEN.findall(text)
    rest = _DATE_TOKEN.sub(" ", text)
    if not tokens or len(tokens) > 2 or not _BETWEEN.match(rest):
        raise ValueError(
            _(
                "'{header}' '{text}' is not a date: write 2025-06-13 or 13/06/2025, or two of "
                "them for several days (29/05/2025 - 01/06/2025)"
            ).format(header=header, text=text)
        )
    days = []
    for token in tokens:
        if "/" in token:
            day, month, year = token.split("/")
            token = f"{year}-{int(month):02d}-{int(day):02d}"
        else:
            year, month, day = token.split("-")
            token = f"{year}-{int(month):02d}-{int(day):02d}"
        try:
            days.append(dt.date.fromisoformat(token))
        except ValueError:
            problem = calendar_problem(token) or _("not a day of the calendar")
            message = _("'{header}': {token} is not a date in the calendar ({problem})").format(
                header=header, token=token, problem=problem
            )
            raise ValueError(message) from None
    return days


# --- files ---------------------------------------------------------------------------------


def _csv_rows(path: Path) -> Iterator[list[str]]:
    """The rows of a CSV file: UTF-8 (a BOM is fine) or Windows-1252 as Excel saves it,
    cells separated by commas, semicolons (Excel in French) or tabs."""
    data = read_bytes(path, MAX_SHEET_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise LettreError(
                _("not a text file: save the spreadsheet as CSV (UTF-8), or give the .xlsx"), path
            ) from None
    if "\0" in text:
        raise LettreError(_("not a CSV file (it holds binary data): give the .xlsx itself"), path)
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as err:
        raise LettreError(_("not a readable CSV file ({err})").format(err=err), path) from None


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    """The rows of the first sheet of an .xlsx workbook, values as shown (not formulas)."""
    try:
        import openpyxl  # heavy, optional: .xlsx only
    except ImportError:
        raise LettreError(
            _(
                "reading .xlsx needs openpyxl: pip install 'lettre[xlsx]' (or save the sheet as "
                ".csv)"
            ),
            path,
        ) from None
    import zipfile  # .xlsx only

    read_bytes(path, MAX_SHEET_BYTES)  # a regular, readable file of a sane size
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise LettreError(
            _(
                "not a readable .xlsx workbook ({err}): open it in your spreadsheet and save it "
                "again as .xlsx"
            ).format(err=err),
            path,
        ) from None
    try:
        sheet = book.worksheets[0]
        for cells in sheet.iter_rows(values_only=True):
            yield list(cells)
    finally:
        book.close()
