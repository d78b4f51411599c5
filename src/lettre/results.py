"""The rows of a results item (`results:`): sport, name, rank, dates, each checked."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import yaml

from .frontmatter import (
    BROKEN,
    FRONT_LINE,
    Fields,
    FrontMatter,
    describe,
    read_each,
    read_front_matter,
    to_date,
)
from .items import ResultRow
from .messages import _

ROW_KEYS = (
    "sport",
    "name",
    "rank",
    "grade",
    "event",
    "competition",
    "city",
    "country",
    "date",
    "dates",
)
#: ranks written as words that the letter shows as they are
TEXT_RANKS = frozenset(
    r.casefold()
    for r in (
        "finaliste",
        "demi-finaliste",
        "quart de finaliste",
        "huitième de finaliste",
        "vainqueur",
        "vainqueure",
        "champion",
        "championne",
        "vice-champion",
        "vice-championne",
        "podium",
        "médaille d'or",
        "médaille d'argent",
        "médaille de bronze",
        "or",
        "argent",
        "bronze",
        "qualifié",
        "qualifiée",
        "éliminé",
        "éliminée",
        "participant",
        "participante",
        "participation",
        "abandon",
        "forfait",
        "disqualifié",
        "disqualifiée",
        "hors concours",
        "ex aequo",
        "finalist",
        "winner",
        "DNF",
        "DNS",
        "DSQ",
        "NC",
        "HC",
    )
)
ORDINAL = re.compile(
    r"^(\d+)\s*(er|re|ère|ere|e|ème|eme|ième|ieme|è|nd|nde|st|rd|th)\.?$", re.IGNORECASE
)


def read_results(f: Fields, every: bool = False) -> tuple[ResultRow, ...]:
    """The rows of `results`; with `every`, the problems of all rows (ItemErrors)."""
    value = f.raw("results")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise f.fail(
            "results",
            _("'results' must be a list of rows ('- sport: …' lines), not {value}").format(
                value=describe(value)
            ),
        )
    numbered = [(n, row) for n, row in enumerate(value, start=1) if row is not BROKEN]
    # a BROKEN row's unreadable value is reported already
    return tuple(read_each(numbered, lambda pair: _row(f, *pair), every))


def _row(f: Fields, number: int, row: Any) -> ResultRow:
    """One row of `results`, checked; ItemError at the line of the wrong field."""
    where = _("'results' row {number}").format(number=number)
    index = number - 1
    if not isinstance(row, dict):
        raise f.fail(
            "results",
            _("{where} must be a table (sport, name, rank, ...)").format(where=where),
            index,
        )
    for key in ("sport", "name"):
        if not isinstance(row.get(key), str | int) or not str(row[key]).strip():
            raise f.fail(
                "results", _("{where} needs '{key}'").format(where=where, key=key), index, key
            )
    try:
        rank, rank_text = parse_rank(row.get("rank"))
    except ValueError as err:
        raise f.fail("results", f"{where}: {err}", index, "rank") from None
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
        raise f.fail(
            "results",
            _("{where}: 'rank' must be a number from 1, not {rank!r}").format(
                where=where, rank=rank
            ),
            index,
            "rank",
        )
    try:
        start, end, _backwards = row_dates(row)
    except ValueError as err:
        field = "date" if row.get("date") is not None else "dates"
        raise f.fail(
            "results", _("{label}: {message}").format(label=where, message=err), index, field
        ) from None
    texts = {}
    for key in ("grade", "event", "competition", "city", "country"):
        item = row.get(key, "")
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise f.fail(
                "results",
                _("{where}: '{key}' must be text").format(where=where, key=key),
                index,
                key,
            )
        texts[key] = " ".join(str(item).split())
    return ResultRow(
        sport=" ".join(str(row["sport"]).split()),
        name=" ".join(str(row["name"]).split()),
        rank=rank,
        rank_text=rank_text,
        start=start,
        end=end,
        **texts,
    )


def results_lines(path: Path) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The keys of each `results` row of the item at `path` and their lines (reads it)."""
    return row_lines(read_front_matter(path))


def row_lines(front: FrontMatter) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The keys of each `results` row and their lines."""
    found = front.keys.get("results")
    node = found[2] if found is not None else None
    if not isinstance(node, yaml.SequenceNode):
        return ()
    return tuple(
        tuple(
            (str(key.value), FRONT_LINE + key.start_mark.line)
            for key, _value in (row.value if isinstance(row, yaml.MappingNode) else ())
        )
        for row in node.value
    )


def parse_rank(value: Any) -> tuple[Any, str]:
    """(number, text as shown) of a rank: `1` → (1, ""), `"1re"` → (1, "1re") kept as
    written, `"finaliste"` → (None, "finaliste"); anything else is returned as it is."""
    if isinstance(value, str):
        text = " ".join(value.split())
        if text.isdigit():
            return int(text), ""
        ordinal = ORDINAL.match(text)
        if ordinal:
            if int(ordinal[1]) < 1:
                raise ValueError(
                    _("'rank' must be a number from 1, not {value!r}").format(value=value)
                )
            return int(ordinal[1]), text
        return None, text
    if isinstance(value, float) and value.is_integer():
        return int(value), ""
    return value, ""


def row_dates(row: dict[str, Any]) -> tuple[dt.date | None, dt.date | None, bool]:
    """(first day, last day, whether `dates` gave them last day first) of a row."""
    if "date" in row and row["date"] is not None:
        day = to_date(row["date"])
        return day, day, False
    dates = row.get("dates")
    if dates is None:
        return None, None, False
    if isinstance(dates, dict):
        dates = [dates.get("start"), dates.get("end")]
    if not isinstance(dates, list) or not dates:
        raise ValueError(_("'dates' must be two dates (first and last day)"))
    days = [to_date(d) for d in dates]
    start, end = min(days), max(days)
    return start, end, any(a > b for a, b in itertools.pairwise(days))
