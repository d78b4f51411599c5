"""What `lettre check` warns of in an item that reads without error: what is allowed but
probably a mistake (an unknown key, a date the file name contradicts, an alt text that is
only a file name, odd ranks in results rows…)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from .errors import LettreError
from .findings import Finding
from .folding import letters
from .frontmatter import FrontMatter, read_front_matter
from .items import Item
from .messages import _, did_you_mean
from .readers import ITEM_KEYS
from .results import ORDINAL, ROW_KEYS, TEXT_RANKS, row_dates

_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-")
_ROW_KEY_SET = frozenset(ROW_KEYS)


def item_warnings(item: Item, front: FrontMatter | None = None) -> list[Finding]:
    """What is allowed but probably a mistake in one item that reads without error.

    `front`: the item's front matter as it was parsed, for the warnings of its results rows;
    None reads the file again (only an item with results rows needs it).
    """
    found: list[Finding] = []
    keys = dict(item.key_lines)  # as parsed: the file is not read again

    def at(key: str) -> int | None:
        return keys.get(key)

    for key in keys:
        if key not in ITEM_KEYS:
            hint = did_you_mean(key, ITEM_KEYS)
            message = _("unknown key '{key}' ignored{hint}").format(key=key, hint=hint)
            found.append(Finding("warning", message, item.path, at(key)))
    dated = _DATED_NAME.match(item.path.name)
    if dated and dated[1] != item.date.isoformat():
        found.append(
            Finding(
                "warning",
                _("the file name says {value} but 'date:' is {isoformat}").format(
                    value=dated[1], isoformat=item.date.isoformat()
                ),
                item.path,
                at("date"),
            )
        )
    if item.image is not None and not item.image.alt:
        found.append(
            Finding(
                "warning",
                _("'image.alt' is empty: describe the picture for those who cannot see it"),
                item.path,
                at("image"),
            )
        )
    elif item.image is not None and _names_the_file(item.image.alt, item.image.src):
        found.append(
            Finding(
                "warning",
                _(
                    "'image.alt' repeats the file name ({alt!r}): describe what the picture "
                    "shows, for those who cannot see it"
                ).format(alt=item.image.alt),
                item.path,
                at("image"),
            )
        )
    if item.kind == "anniversaire" and item.founded is None:
        message = _("an 'anniversaire' without 'founded:' cannot show its number of years")
        found.append(Finding("warning", message, item.path, at("kind")))
    if item.founded is not None and item.founded > item.date:
        message = _(
            "'founded' ({isoformat}) is after the item's date ({isoformat2}): a typo in the year?"
        ).format(isoformat=item.founded.isoformat(), isoformat2=item.date.isoformat())
        found.append(Finding("warning", message, item.path, at("founded")))
    years = _title_years(item.title)
    if item.kind == "anniversaire" and item.founded is not None and years is not None:
        age = item.date.year - item.founded.year
        if years != age:
            message = _(
                "the title says {years} years but 'founded' ({isoformat}) makes {age} on "
                "{isoformat2}: check the title or 'founded'"
            ).format(
                years=years,
                isoformat=item.founded.isoformat(),
                age=age,
                isoformat2=item.date.isoformat(),
            )
            found.append(Finding("warning", message, item.path, at("title")))
    if item.results:
        found += row_warnings(item, front)
    return found


def _names_the_file(alt: str, src: str) -> bool:
    """True when the alt text is only the picture's file name (`IMG_1234`, `defile.jpg`)."""

    name = src.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    folded = letters(stem)
    return bool(folded) and letters(alt) in (letters(name), folded)


# « 20 ans », « 1 an », "20 years", "20th anniversary", "20 Jahre"
_YEARS = re.compile(
    r"(?<![\d,.])(\d{1,4})(?:[\s\u00a0\u202f-]*(?:ans?|years?|jahre?n?)\b|"
    r"(?:st|nd|rd|th)\s+anniversary\b|e\s+anniversaire\b)",
    re.IGNORECASE,
)


def _title_years(title: str) -> int | None:
    """The number of years a title announces (« … a 10 ans »), or None."""
    match = _YEARS.search(title)
    return int(match[1]) if match else None


def row_warnings(item: Item, front: FrontMatter | None = None) -> list[Finding]:
    """Unknown keys, odd text ranks, sports spelt two ways, dates last day first: what
    `check` warns of in the results rows of an item (`front`: its front matter, else read
    again)."""
    if front is None:
        try:
            front = read_front_matter(item.path)
        except LettreError:  # changed since it was read: its own check says what is wrong
            return []
    if "results" not in front.keys:
        return []
    notes = _row_notes(front, front.keys["results"][0])
    return [Finding("warning", message, item.path, line) for line, message in notes]


def _row_notes(front: FrontMatter, rows: Any) -> list[tuple[int, str]]:
    """(line, message) of each warning of the rows of `results`."""
    notes: list[tuple[int, str]] = []
    first_spelling: dict[str, tuple[str, int]] = {}
    for number, row in enumerate(rows if isinstance(rows, list) else [], 1):
        if not isinstance(row, dict):
            continue
        where, index = _("'results' row {number}").format(number=number), number - 1
        start, end, backwards = None, None, False
        if row.get("date") is None and isinstance(row.get("dates"), list | dict):
            with contextlib.suppress(ValueError):  # an error of the item, reported as such
                start, end, backwards = row_dates(row)
        if backwards:
            message = _(
                "{where}: 'dates' are in reverse order ({end} before {start}): write the "
                "first day first"
            ).format(where=where, end=end, start=start)
            notes.append((front.line_of("results", index, "dates"), message))
        for key in row:
            if key not in _ROW_KEY_SET:
                hint = did_you_mean(str(key).casefold(), ROW_KEYS)
                line = front.line_of("results", index, key)
                notes.append(
                    (
                        line,
                        _("{where}: unknown key '{key}' ignored{hint}").format(
                            where=where, key=key, hint=hint
                        ),
                    )
                )
        rank = row.get("rank")
        text = rank.strip() if isinstance(rank, str) and not rank.strip().isdigit() else ""
        if text and text.casefold() not in TEXT_RANKS and not ORDINAL.match(text):
            message = _(
                "{where}: 'rank' {text!r} is neither a number, an ordinal (1re, 2e) nor a known "
                "rank (finaliste, abandon, DNF…): shown as written"
            ).format(where=where, text=text)
            notes.append((front.line_of("results", index, "rank"), message))
        sport = " ".join(str(row.get("sport", "")).split())
        folded = sport.casefold()
        if folded in first_spelling and first_spelling[folded][0] != sport:
            spelling, row_number = first_spelling[folded]
            message = _(
                "{where}: sport {sport!r} differs from {spelling!r} (row {row_number}) only by "
                "case: both are shown under {spelling!r}"
            ).format(where=where, sport=sport, spelling=spelling, row_number=row_number)
            notes.append((front.line_of("results", index, "sport"), message))
        first_spelling.setdefault(folded, (sport, number))
    return notes
