"""RSS and Atom feeds → item files: one per entry, never twice, never over an existing file.

Reading the feed is feeds.py's (feedscan.py's for a feed of known entries); here, what the
folder already holds and the items to create.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import feedscan, files
from .config import Config, ImportSettings
from .configvalues import unknown_kind
from .errors import ItemError, LettreError, UsageError
from .feeds import (
    FeedEntry,
    Skip,
    decode_html_entities,
    feed_entries,
    is_url,
    parse_feed,
    read_source,
)
from .files import create_numbered, numbered
from .folding import fold_words
from .messages import _
from .scaffold import item_stem


@dataclass(frozen=True)
class NewItem:
    """An item file that the import creates."""

    path: Path
    entry: FeedEntry
    text: str
    number: int = 1  # the path's suffix: 1 for none, 2 for `-2`…


@dataclass
class ImportPlan:
    """What importing a feed does: files to create, entries already there, entries left out."""

    origin: str
    created: list[NewItem] = field(default_factory=list)
    duplicates: list[Skip] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- settings ------------------------------------------------------------------------------


def import_settings(config: Config, kind: str | None = None) -> ImportSettings:
    """The folder's `[import]` settings; `kind` (from `--kind`) overrides the default kind."""
    if kind is None:
        return config.import_settings
    if kind not in config.kinds:
        raise UsageError(unknown_kind(kind, config.kinds, "--kind"))
    return replace(config.import_settings, kind=kind)


# --- what is already there ------------------------------------------------------------------


@dataclass
class Known:
    """The sources and links of the items already in the folder."""

    sources: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    titles: set[tuple[str, str]] = field(default_factory=set)  # (ISO date, folded title)
    unreadable: list[str] = field(default_factory=list)

    def has(self, entry: FeedEntry) -> bool:
        if entry.source and entry.source in self.sources:
            return True
        if entry.url and (entry.url in self.urls or entry.url in self.sources):
            return True
        # an entry with neither id nor link: the same title on the same day
        day = entry.date.isoformat()
        return entry.source is None and (day, fold_words(entry.title)) in self.titles

    def add(self, entry: FeedEntry) -> None:
        if entry.source:
            self.sources.add(entry.source)
        if entry.url:
            self.urls.add(entry.url)
        self.titles.add((entry.date.isoformat(), fold_words(entry.title)))


def known_items(config: Config) -> Known:
    """What the folder's item files say about where they come from (`source`, `url`).

    Read from the index for the files whose bytes an earlier import (or list) already
    read; the other files are read, and what they say is kept in the index for next time.
    """
    from .frontmatter import MAX_ITEM_BYTES  # heavy (YAML)
    from .index import digest, remember, scan_items  # heavy (YAML): after the feed is read
    from .itemfiles import item_names  # heavy (YAML)

    index = scan_items(config)
    known = Known()
    sources, urls, titles = known.sources, known.urls, known.titles
    learnt: dict[str, tuple[str, dict[str, Any]]] = {}
    facts: Mapping[str, Mapping[str, Any]] = index.facts
    none: Mapping[str, Any] = {}
    for name in item_names(config.items_dir):
        said: Any = facts.get(name, none).get("import")
        if not _is_said(said):
            path = config.items_dir / name
            try:
                raw = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)  # no hang on a pipe
                said = _said(raw, path)
            except (LettreError, OSError) as err:
                known.unreadable.append(str(err))
                continue
            learnt[name] = (digest(raw), {"import": said})
        source, url, day, title = said
        sources.add(source)
        urls.add(url)
        if day and title is not None:
            titles.add((day, title))
    sources.discard(None)  # added unchecked above: 20,000 files keep the loop lean
    urls.discard(None)
    remember(index, learnt)
    return known


def _said(raw: bytes, path: Path) -> list[str | None]:
    """[source, url, ISO date, folded title] of an item file's front matter (None: absent)."""
    from .frontmatter import (  # heavy (YAML)
        decode_text,
        load_yaml_mapping,
        split_front_matter,
        to_date,
    )

    front, _body, _line = split_front_matter(decode_text(raw, path), path)
    data = load_yaml_mapping(front, path, 2)
    source, url, title, date = (
        data.get(k, (None, 0))[0] for k in ("source", "url", "title", "date")
    )
    said: list[str | None] = [None, None, None, None]
    if isinstance(source, str | int) and str(source).strip():
        said[0] = str(source).strip()
    if isinstance(url, str) and url.strip():
        said[1] = url.strip()
    if isinstance(title, str):
        with contextlib.suppress(ValueError):
            said[2:] = [to_date(date).isoformat(), fold_words(title)]
    return said


_SAID_TYPES = frozenset({str, type(None)})


def _is_said(value: Any) -> bool:
    """A list as `_said` makes it (20,000 of them per run: no Python loop over each)."""
    return type(value) is list and len(value) == 4 and _SAID_TYPES.issuperset(map(type, value))


# --- the items -----------------------------------------------------------------------------


def item_text(entry: FeedEntry) -> str:
    """The item file for an entry: YAML front matter (title, date, summary, link, source)."""
    import yaml  # heavy

    front: dict[str, Any] = {"date": entry.date, "kind": entry.kind, "title": entry.title}
    body = ""
    if entry.kind == "resultats":
        body = entry.summary  # a results item needs a body (or rows) to be valid
    elif entry.summary:
        front["summary"] = entry.summary
    if entry.url:
        front["url"] = entry.url
    if entry.tags:
        front["tags"] = list(entry.tags)
    if entry.source:
        front["source"] = entry.source
    dumped = yaml.safe_dump(
        front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000
    )
    return f"---\n{dumped}---\n{body}\n" if body else f"---\n{dumped}---\n"


def plan_import(config: Config, data: bytes, origin: str, kind: str | None = None) -> ImportPlan:
    """What importing the feed `data` into the folder creates; writes nothing."""
    from .readers import parse_item  # heavy (YAML)

    settings = import_settings(config, kind)
    seen = feedscan.entries(decode_html_entities(data))
    known = known_items(config) if seen is not None else None
    if seen is not None and known is not None and all(e.source in known.sources for e in seen):
        return _all_known(config, origin, seen, known)  # feedparser would say the same
    parsed = parse_feed(data, origin)
    entries, skipped, warnings = feed_entries(
        parsed, settings, config.timezone, origin if is_url(origin) else None
    )
    plan = ImportPlan(origin, skipped=skipped, warnings=warnings)
    known = known_items(config) if known is None else known
    plan.warnings += _unchecked(known)
    taken: set[str] = set()
    for entry in sorted(entries, key=lambda e: (e.date, e.title)):
        if known.has(entry):
            plan.duplicates.append(Skip(entry.title, _("already imported")))
            continue
        number = _free_number(config.items_dir, entry, taken)
        path = config.items_dir / _name(entry, number)
        text = item_text(entry)
        try:
            parse_item(text, path, config.kinds)
        except LettreError as err:
            plan.skipped.append(Skip(entry.title, err.message))
            continue
        taken.add(path.name)
        known.add(entry)
        plan.created.append(NewItem(path, entry, text, number))
    return plan


def _all_known(config: Config, origin: str, seen: list[feedscan.Seen], known: Known) -> ImportPlan:
    """The plan for a feed whose entries are all imported already, as `plan_import` makes
    it after feedparser's reading (feedscan gives the same entries, in the same order)."""
    zone = ZoneInfo(config.timezone)
    days = sorted((e.moment.astimezone(zone).date(), e.title) for e in seen)
    plan = ImportPlan(origin, warnings=_unchecked(known))
    plan.duplicates = [Skip(title, _("already imported")) for _day, title in days]
    return plan


def _unchecked(known: Known) -> list[str]:
    return [
        _("{problem} (not checked for an earlier import)").format(problem=problem)
        for problem in known.unreadable
    ]


def _name(entry: FeedEntry, number: int = 1) -> str:
    """`YYYY-MM-DD-slug.md` as `lettre new` names items; `-2`, `-3`… for the next ones."""
    return numbered(item_stem(entry.date, entry.title, entry.kind), number)


def _free_number(items_dir: Path, entry: FeedEntry, taken: set[str]) -> int:
    """The first suffix for `entry` whose name no file has and no other new item takes."""
    number = 1
    while (items_dir / _name(entry, number)).exists() or _name(entry, number) in taken:
        number += 1
    return number


def create_item(new: NewItem) -> Path:
    """Write a planned item atomically, never over a file (the next free name if taken)."""
    stem = item_stem(new.entry.date, new.entry.title, new.entry.kind)
    return create_numbered(new.path.parent, stem, new.text.encode("utf-8"), new.number)


def apply_plan(plan: ImportPlan) -> list[Path]:
    """Create the plan's item files; returns their paths."""
    return [create_item(new) for new in plan.created]


def import_feed(
    config: Config, source: str, *, kind: str | None = None, dry_run: bool = False
) -> tuple[ImportPlan, list[Path]]:
    """Read the feed at `source` (path, URL or `-`) and create its new entries as items."""
    data = read_source(source)
    plan = plan_import(config, data, source, kind)
    return plan, ([] if dry_run else apply_plan(plan))


def report_lines(
    plan: ImportPlan, written: Sequence[Path], dry_run: bool
) -> list[tuple[str, bool]]:
    """What `lettre import` says, in order: each line, and whether it goes to stdout (the
    items created, or that would be) rather than stderr (warnings, skips, the summary)."""
    lines = [(_("Warning: {message}").format(message=warning), False) for warning in plan.warnings]
    lines += [
        (_("skipped: {title}: {reason}").format(title=skip.title, reason=skip.reason), False)
        for skip in plan.skipped
    ]
    if dry_run:
        lines += [
            (
                _("would create {path}  [{kind}] {title}").format(
                    path=new.path, kind=new.entry.kind, title=new.entry.title
                ),
                True,
            )
            for new in plan.created
        ]
        summary = _(
            "{created} items would be created, {duplicates} already imported, {skipped} skipped"
        )
    else:
        lines += [(_("created {path}").format(path=path), True) for path in written]
        summary = _("{created} items created, {duplicates} already imported, {skipped} skipped")
    counts = {
        "created": len(plan.created),
        "duplicates": len(plan.duplicates),
        "skipped": len(plan.skipped),
    }
    return [*lines, (summary.format(**counts), False)]
