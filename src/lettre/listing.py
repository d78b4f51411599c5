"""What the folder holds: items filtered by week, kind and dates; the letters they make."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from . import files
from .config import Config
from .errors import ItemError, LettreError
from .items import Anniversary, Week
from .letter import anniversaries_in
from .weeks import week_of


@dataclass(frozen=True)
class WeekSummary:
    """One letter the items make: its week and how many items of each kind it holds."""

    week: Week
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


L = TypeVar("L", bound="Listed")


def select_items(
    items: Iterable[L],
    *,
    kinds: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[L]:
    """The items of the given kinds dated from `since` to `until` (both included), by date."""
    chosen = [
        item
        for item in items
        if (not kinds or item.kind in kinds)
        and (since is None or item.date >= since)
        and (until is None or item.date <= until)
    ]
    return sorted(chosen, key=lambda i: (i.date, i.kind, i.title, i.path.name))


class Dated(Protocol):
    """What counting the letters needs of an item (an Item, or an index entry)."""

    @property
    def date(self) -> dt.date: ...

    @property
    def kind(self) -> str: ...

    @property
    def founded(self) -> dt.date | None: ...


def week_summaries(
    items: Iterable[Dated], anniversaries: Sequence[Anniversary], config: Config
) -> list[WeekSummary]:
    """Every week holding at least one item, in date order, with counts per kind.

    The anniversaries of `anniversaries.yaml` are counted in the weeks the items make,
    as the letter of that week shows them.
    """
    by_week: dict[Week, list[Dated]] = {}
    for item in items:
        by_week.setdefault(week_of(item.date, config.publication_day), []).append(item)
    summaries = []
    for week in sorted(by_week, key=lambda w: w.end):
        members = by_week[week]
        written = {i.founded for i in members if i.kind == "anniversaire" and i.founded}
        computed = [
            a for a in anniversaries_in(anniversaries, week, config) if a.founded not in written
        ]
        counts = Counter(i.kind for i in [*members, *computed])
        summaries.append(WeekSummary(week, dict(counts)))
    return summaries


def kinds_in_order(config: Config, present: Iterable[str]) -> list[str]:
    """The kinds that occur, in the order of the configured sections, others after."""
    present = set(present)
    order = [s.kind for s in config.sections]
    return [k for k in order if k in present] + sorted(present - set(order))


# --- `lettre list`: the items of a range, read one day at a time ----------------------------

#: beyond this many items, `lettre list` prints plain lines (through a pager on a terminal)
#: as it reads the items, instead of a table that waits for all of them
TABLE_MAX = 500


class Listed(Protocol):
    """What `lettre list` shows of an item (an Item, or a row read from the index)."""

    @property
    def date(self) -> dt.date: ...

    @property
    def kind(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def path(self) -> Path: ...


@dataclass(frozen=True)
class Row:
    """An item as `lettre list` shows it, its title kept by the index from an earlier read."""

    date: dt.date
    kind: str
    title: str
    path: Path


class Listing:
    """The items dated from `first` to `last` (None: no limit) of the given kinds.

    Which files they are comes from the index; each title from the index too when an
    earlier run read the same bytes, else from parsing the file (and the index keeps it
    for the next run). `rows()` yields them in date order, one day at a time, so that a
    long list is printed as it is read; `errors` holds the files that could not be read,
    once `rows()` is exhausted.
    """

    def __init__(
        self,
        config: Config,
        first: dt.date | None,
        last: dt.date | None,
        kinds: Sequence[str] = (),
    ) -> None:
        from .index import scan_items
        from .readers import duplicate_slugs

        self.config, self.first, self.last, self.kinds = config, first, last, tuple(kinds)
        self.index = scan_items(config)
        entries = self.index.between(first, last)
        self.entries = sorted(
            (e for e in entries if not kinds or e.kind in kinds), key=lambda e: (e.date, e.name)
        )
        self.errors: list[LettreError] = [
            *self.index.errors,
            *duplicate_slugs(e.path for e in entries),
        ]

    def __len__(self) -> int:
        return len(self.entries)

    def rows(self) -> Iterator[Listed]:
        from itertools import groupby

        from .index import digest, remember
        from .readers import MAX_ITEM_BYTES, decode_text, parse_item

        learnt: dict[str, tuple[str, dict[str, Any]]] = {}
        for _day, group in groupby(self.entries, key=lambda e: e.date):
            day: list[Listed] = []
            for entry in group:
                facts = self.index.facts.get(entry.name) or {}
                title = facts.get("title")
                if isinstance(title, str):
                    day.append(Row(entry.date, entry.kind, title, entry.path))
                    continue
                try:
                    data = files.read_bytes(entry.path, MAX_ITEM_BYTES, ItemError)
                    item = parse_item(decode_text(data, entry.path), entry.path, self.config.kinds)
                except LettreError as err:
                    self.errors.append(err)
                    continue
                learnt[entry.name] = (digest(data), {"title": item.title})
                day.append(item)
            yield from select_items(day, kinds=self.kinds, since=self.first, until=self.last)
        remember(self.index, learnt)
        self.errors.sort(key=lambda e: (str(e.path), e.line or 0))


def shown_label(config: Config, kind: str) -> str:
    """The label the letter gives to a kind in the configured locale, typeset."""
    from .french import typography
    from .letter import section_label

    section = next((s for s in config.sections if s.kind == kind), None)
    return typography(section_label(kind, section, config.locale), config.locale, config.typography)


def plain_lines(listing: Listing, config: Config) -> Iterator[str]:
    """`lettre list` as plain aligned lines: date in words, section, file, title.

    The columns' widths come from the index before any file is read, so that each line
    goes out as soon as its item is read; a blank line between two letters' items.
    """
    from .body import display_width
    from .files import printable
    from .french import format_date, typography

    def width(text: str) -> int:
        return len(text) if text.isascii() else display_width(text)

    dates = {e.date: format_date(e.date, config.locale, "full") for e in listing.entries}
    labels = {e.kind: shown_label(config, e.kind) for e in listing.entries}
    widths = [
        max(map(width, values), default=0)
        for values in (
            dates.values(),
            labels.values(),
            (printable(e.name) for e in listing.entries),
        )
    ]

    def pad(text: str, column: int) -> str:
        return text + " " * (widths[column] - width(text))

    padded_dates = {day: pad(text, 0) for day, text in dates.items()}
    padded_labels = {kind: pad(text, 1) for kind, text in labels.items()}
    previous = None
    for item in listing.rows():
        week = week_of(item.date, config.publication_day)
        if previous is not None and week != previous:
            yield ""
        previous = week
        date = padded_dates.get(item.date) or format_date(item.date, config.locale, "full")
        label = padded_labels.get(item.kind) or shown_label(config, item.kind)
        name = pad(printable(item.path.name), 2)
        title = typography(item.title, config.locale, config.typography)
        yield f"{date}  {label}  {name}  {printable(title)}"
