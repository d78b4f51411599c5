"""What the folder holds: items filtered by week, kind and dates; the letters they make."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .config import Config
from .items import Anniversary, Item, Week
from .letter import anniversaries_in, letter_items
from .weeks import week_of


@dataclass(frozen=True)
class WeekSummary:
    """One letter the items make: its week and how many items of each kind it holds."""

    week: Week
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def select_items(
    items: Iterable[Item],
    *,
    kinds: Sequence[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Item]:
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
    items: Iterable[Dated], anniversaries: Sequence[Anniversary], config: Config
) -> list[WeekSummary]:
    """Every week holding at least one item, in date order, with counts per kind.

    Drafts are not counted (they are in no letter); the anniversaries of
    `anniversaries.yaml` are counted in the weeks the items make, as the letter of that
    week shows them (see `letter.letter_items`).
    """
    by_week: dict[Week, list[Dated]] = {}
    for item in items:
        if item.draft:
            continue
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


def with_anniversaries(
    items: Sequence[Item],
    anniversaries: Sequence[Anniversary],
    config: Config,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Item]:
    """`items` and the anniversaries their letters show (`lettre list`), dated from
    `since` to `until`: what `compose` puts in each of those weeks, drafts apart."""
    by_week: dict[Week, list[Item]] = {}
    for item in items:
        if not item.draft:
            by_week.setdefault(week_of(item.date, config.publication_day), []).append(item)
    found = list(items)
    for week in sorted(by_week, key=lambda w: w.end):
        held = letter_items(by_week[week], config, week, anniversaries)
        found += [
            item
            for item in held
            if item.path == config.anniversaries_path
            and (since is None or item.date >= since)
            and (until is None or item.date <= until)
        ]
    return found


def kinds_in_order(config: Config, present: Iterable[str]) -> list[str]:
    """The kinds that occur, in the order of the configured sections, others after."""
    present = set(present)
    order = [s.kind for s in config.sections]
    return [k for k in order if k in present] + sorted(present - set(order))
