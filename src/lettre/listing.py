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
from .configvalues import unknown_kind
from .errors import ItemError, LettreError, UsageError
from .items import Anniversary, Item, Week
from .letter import anniversaries_in, unwritten_anniversaries
from .messages import _
from .weeks import group_by_week, parse_range, parse_week, week_of
from .workers import in_chunks


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

    @property
    def draft(self) -> bool: ...


def week_summaries(
    items: Iterable[Dated],
    anniversaries: Sequence[Anniversary],
    config: Config,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> list[WeekSummary]:
    """Every week holding at least one item, in date order, with counts per kind; only the
    weeks that overlap `first`..`last` when given (`lettre weeks --since/--until`).

    Drafts are not counted (they are in no letter); the anniversaries of
    `anniversaries.yaml` are counted in the weeks the items make, as the letter of that
    week shows them (see `letter.letter_items`).
    """
    summaries = []
    undrafted = (i for i in items if not i.draft)
    for week, members in group_by_week(undrafted, config.publication_day).items():
        if (first is not None and week.end < first) or (last is not None and week.start > last):
            continue
        computed = unwritten_anniversaries(members, anniversaries, week, config)
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


def list_range(
    config: Config,
    today: dt.date,
    *,
    week: str | None = None,
    since: str | None = None,
    until: str | None = None,
    every: bool = False,
) -> tuple[dt.date | None, dt.date | None]:
    """The days `lettre list` shows, from its options (None: no limit): `--since` to
    `--until`, within the letter of `--week`; this week's letter when none is given (nor
    `--all`)."""
    first, last = parse_range(since, until)
    if week is not None or not (first or last or every):
        chosen = parse_week(week or "this", today, config.publication_day)
        first = max(first or chosen.start, chosen.start)
        last = min(last or chosen.end, chosen.end)
    return first, last


def require_kinds(config: Config, kinds: Iterable[str]) -> None:
    """UsageError for the first `--kind` that lettre.toml does not know."""
    unknown = [k for k in kinds if k not in config.kinds]
    if unknown:
        raise UsageError(unknown_kind(unknown[0], config.kinds, "--kind"))


def nothing_listed(first: dt.date | None, last: dt.date | None) -> str:
    """What `lettre list` says when no item is in the range."""
    if first is None and last is None:
        return _("no item (see 'lettre weeks' for the letters there are)")
    return _(
        "no item from {first} to {last} (see 'lettre weeks' for the letters there are)"
    ).format(first=first or "…", last=last or "…")


class Listed(Protocol):
    """What `lettre list` shows of an item."""

    @property
    def date(self) -> dt.date: ...

    @property
    def kind(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def path(self) -> Path: ...

    @property
    def draft(self) -> bool: ...

    @property
    def example(self) -> bool: ...


@dataclass(frozen=True)
class Row:
    """An item as `lettre list` shows it: marked « BROUILLON » when a draft, « EXEMPLE »
    when it holds example content (see examples.is_example)."""

    date: dt.date
    kind: str
    title: str
    path: Path
    draft: bool = False
    example: bool = False

    @classmethod
    def of(cls, item: Item) -> Row:
        from .examples import is_example

        return cls(item.date, item.kind, item.title, item.path, item.draft, is_example(item))


class Listing:
    """The items dated from `first` to `last` (None: no limit) of the given kinds, and the
    anniversaries of `anniversaries.yaml` their letters show (as `compose` does).

    Which files they are comes from the index; each title (and whether it holds example
    content) from the index too when an earlier run read the same bytes, else from parsing
    the file (and the index keeps it for the next run). `rows()` yields them in date
    order, one day at a time, so that a long list is printed as it is read; `errors` holds
    the files that could not be read, once `rows()` is exhausted.
    """

    def __init__(
        self,
        config: Config,
        first: dt.date | None,
        last: dt.date | None,
        kinds: Sequence[str] = (),
    ) -> None:
        from .anniversaries import read_anniversaries
        from .index import scan_items
        from .itemfiles import duplicate_slugs

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
        anniversaries = read_anniversaries(config.anniversaries_path)
        self.extra: list[Row] = []
        if anniversaries and (not kinds or "anniversaire" in kinds):
            self.extra = self._anniversaries(entries, anniversaries)

    def _anniversaries(self, entries: Sequence[Any], anniversaries: list[Anniversary]) -> list[Row]:
        """The anniversaries of anniversaries.yaml the letters of these entries show, in range."""
        from .readers import read_item

        config = self.config
        found: list[Row] = []
        undrafted = (e for e in entries if not e.draft)
        for week, members in group_by_week(undrafted, config.publication_day).items():
            if not anniversaries_in(anniversaries, week, config):
                continue
            written: list[Item] = []
            for entry in members:  # those written as items replace the computed ones
                if entry.kind == "anniversaire":
                    try:
                        written.append(read_item(entry.path, config.kinds))
                    except LettreError:
                        continue  # rows() reports it
            found += [
                Row.of(item)
                for item in unwritten_anniversaries(written, anniversaries, week, config)
                if (self.first is None or item.date >= self.first)
                and (self.last is None or item.date <= self.last)
            ]
        return found

    def __len__(self) -> int:
        return len(self.entries) + len(self.extra)

    def as_lines(self, every: bool, terminal: bool) -> bool:
        """Whether `lettre list` prints plain lines as it reads (`plain_lines`) rather than a
        table: beyond TABLE_MAX items, or for `--all` into a file or a pipe."""
        return len(self) > TABLE_MAX or (every and not terminal)

    def shown(self) -> Iterator[tuple[dt.date, str, str]]:
        """(date, kind, file name) of everything listed, known before any file is read."""
        for entry in self.entries:
            yield entry.date, entry.kind, entry.name
        for row in self.extra:
            yield row.date, row.kind, row.path.name

    def rows(self) -> Iterator[Listed]:
        from .index import remember

        learnt: dict[str, tuple[str, dict[str, Any]]] = {}
        by_day: dict[dt.date, list[Any]] = {}
        for entry in self.entries:
            by_day.setdefault(entry.date, []).append(entry)
        extra: dict[dt.date, list[Row]] = {}
        for row in self.extra:
            extra.setdefault(row.date, []).append(row)
        known: dict[str, Row] = {}
        for entry in self.entries:
            facts = self.index.facts.get(entry.name) or {}
            title, example = facts.get("title"), facts.get("example")
            if isinstance(title, str) and isinstance(example, bool):
                known[entry.name] = Row(
                    entry.date, entry.kind, title, entry.path, entry.draft, example
                )
        # the other files are read in this order, as the rows go out
        read = _read_rows([e.path for e in self.entries if e.name not in known], self.config)
        for date in sorted({*by_day, *extra}):
            day: list[Listed] = list(extra.get(date, ()))
            for entry in by_day.get(date, ()):
                if entry.name in known:
                    day.append(known[entry.name])
                    continue
                result = next(read)
                if isinstance(result, LettreError):
                    self.errors.append(result)
                    continue
                seal, row = result
                learnt[entry.name] = (seal, {"title": row.title, "example": row.example})
                day.append(row)
            yield from select_items(day, kinds=self.kinds, since=self.first, until=self.last)
        remember(self.index, learnt)
        self.errors.sort(key=lambda e: (str(e.path), e.line or 0))


PARALLEL_FROM = 1000  # files to read before it is worth starting other processes
CHUNK = 200


def _read_rows(paths: Sequence[Path], config: Config) -> Iterator[tuple[str, Row] | LettreError]:
    """What `lettre list` shows of each file (with the digest of the bytes it was read
    from), or why it cannot be read, in order; read by one process per core when there
    are many (forked workers send back rows, never items)."""
    from .itemfiles import collector_paused

    def read_chunk(part: tuple[Path, ...]) -> list[tuple[str, Row] | LettreError]:
        with collector_paused():
            return [_read_row(path, config) for path in part]

    return in_chunks(read_chunk, paths, CHUNK, PARALLEL_FROM)


def _read_row(path: Path, config: Config) -> tuple[str, Row] | LettreError:
    from .frontmatter import MAX_ITEM_BYTES, decode_text
    from .index import digest
    from .readers import parse_item

    try:
        data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
        item = parse_item(decode_text(data, path), path, config.kinds)
    except LettreError as err:
        return err
    return digest(data), Row.of(item)


def shown_label(config: Config, kind: str) -> str:
    """The label the letter gives to a kind in the configured locale, typeset."""
    from .french import typography
    from .letter import section_label

    section = next((s for s in config.sections if s.kind == kind), None)
    return typography(section_label(kind, section, config.locale), config.locale, config.typography)


def plain_lines(listing: Listing, config: Config) -> Iterator[str]:
    """`lettre list` as plain aligned lines: date in words, section, file, title (after
    « [BROUILLON] » for a draft, « [EXEMPLE] » for example content).

    The columns' widths come from the index before any file is read, so that each line
    goes out as soon as its item is read; a blank line between two letters' items.
    """
    from .body import display_width
    from .files import printable
    from .french import format_date, typography
    from .i18n import translations

    def width(text: str) -> int:
        return len(text) if text.isascii() else display_width(text)

    _ = translations(config.locale).gettext
    draft_mark = "[" + typography(_("DRAFT"), config.locale, config.typography) + "] "
    example_mark = "[" + typography(_("EXAMPLE"), config.locale, config.typography) + "] "
    shown = list(listing.shown())
    dates = {day: format_date(day, config.locale, "full") for day, _k, _n in shown}
    labels = {kind: shown_label(config, kind) for _d, kind, _n in shown}
    widths = [
        max(map(width, values), default=0)
        for values in (
            dates.values(),
            labels.values(),
            (printable(name) for _d, _k, name in shown),
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
        marks = (draft_mark if item.draft else "") + (example_mark if item.example else "")
        yield f"{date}  {label}  {name}  {marks}{printable(title)}"
