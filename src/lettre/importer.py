"""RSS and Atom feeds → item files: one per entry, never twice, never over an existing file."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import difflib
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from .body import cut, scheme
from .config import CONFIG_NAME, Config, key_line
from .errors import ConfigError, ItemError, LettreError, UsageError, location
from .french import strip_accents

DEFAULT_KIND = "communique"
SUMMARY_LIMIT = 300  # the chapô of an imported item; the full text stays behind its link
MAX_FEED_BYTES = 20_000_000
FETCH_TIMEOUT = 30.0
USER_AGENT = "lettre (feed import; +https://lettre.example.org/)"


class FeedError(LettreError):
    """A feed that cannot be fetched, read or parsed; its source is a path or a URL."""

    def __init__(self, message: str, source: Path | str | None = None, line: int | None = None):
        super().__init__(message, None, line)
        self.source = str(source) if source is not None else None

    def location(self) -> str:
        """`source:line` or `source`, the source kept as given (a URL stays a URL)."""
        return location(self.source, self.line)


@dataclass(frozen=True)
class ImportSettings:
    """`[import]` of lettre.toml: the default kind, and feed categories mapped to kinds."""

    kind: str = DEFAULT_KIND
    categories: Mapping[str, str] = field(default_factory=dict)  # folded category → kind

    def kind_of(self, categories: Iterable[str]) -> str:
        """The kind of the first category that is mapped, else the default kind."""
        for category in categories:
            kind = self.categories.get(fold(category))
            if kind:
                return kind
        return self.kind


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed, as plain values ready for an item's front matter."""

    title: str
    date: dt.date
    kind: str
    summary: str
    url: str | None
    tags: tuple[str, ...]
    source: str | None  # the entry's id (or link): how a second import recognises it


@dataclass(frozen=True)
class NewItem:
    """An item file that the import creates."""

    path: Path
    entry: FeedEntry
    text: str
    number: int = 1  # the path's suffix: 1 for none, 2 for `-2`…


@dataclass(frozen=True)
class Skip:
    """An entry left out, and why."""

    title: str
    reason: str


@dataclass
class ImportPlan:
    """What importing a feed does: files to create, entries already there, entries left out."""

    origin: str
    created: list[NewItem] = field(default_factory=list)
    duplicates: list[Skip] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower case without accents or extra spaces, to compare categories."""
    return " ".join(strip_accents(text.casefold()).split())


# --- settings ------------------------------------------------------------------------------


def import_settings(config: Config, kind: str | None = None) -> ImportSettings:
    """The folder's `[import]` table, checked against its kinds; `kind` overrides the default."""
    path = config.folder / CONFIG_NAME

    def fail(table: str, key: str | None, message: str) -> ConfigError:
        return ConfigError(message, path, key_line(config.folder, table, key))

    table = config.extra.get("import", {})
    if not isinstance(table, dict):
        raise fail("import", None, "'import' must be a table: [import]")
    default = table.get("kind", DEFAULT_KIND)
    if not isinstance(default, str) or default not in config.kinds:
        raise fail("import", "kind", f"'import.kind': {_unknown_kind(default, config.kinds)}")
    raw = table.get("categories", {})
    if not isinstance(raw, dict):
        raise fail(
            "import.categories", None, '\'import.categories\' must be a table: "Category" = "kind"'
        )
    categories: dict[str, str] = {}
    for category, mapped in raw.items():
        if not isinstance(mapped, str) or mapped not in config.kinds:
            raise fail(
                "import.categories",
                category,
                f"'import.categories': {_unknown_kind(mapped, config.kinds)}",
            )
        categories[fold(category)] = mapped
    if kind is not None:
        if kind not in config.kinds:
            raise UsageError(f"--kind: {_unknown_kind(kind, config.kinds)}")
        default = kind
    return ImportSettings(default, categories)


def _unknown_kind(kind: Any, kinds: Iterable[str]) -> str:
    known = list(kinds)
    close = difflib.get_close_matches(str(kind), known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown kind {kind!r}{hint}; known kinds: {', '.join(known)}"


# --- reading the feed ----------------------------------------------------------------------


def is_url(source: str) -> bool:
    return re.match(r"^https?://", source, re.IGNORECASE) is not None


def read_source(source: str, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The bytes of a feed: a file path, `-` for standard input, or an http(s) URL."""
    from . import files

    if source == "-":
        data: bytes = sys.stdin.buffer.read(MAX_FEED_BYTES + 1)
        if len(data) > MAX_FEED_BYTES:
            raise FeedError(f"too large for a feed (over {MAX_FEED_BYTES // 1_000_000} MB)", "-")
        return data
    if is_url(source):
        return _fetch(source, timeout)
    path = Path(source)
    if not path.exists() and not path.is_symlink():
        raise FeedError("no such file (give a feed file or an http(s) URL)", path)
    return files.read_bytes(path, MAX_FEED_BYTES, FeedError)  # a named pipe does not hang


def _fetch(url: str, timeout: float) -> bytes:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as err:
        raise FeedError(f"cannot fetch: HTTP {err.code} {err.reason}", url) from None
    except urllib.error.URLError as err:
        raise FeedError(f"cannot fetch: {err.reason}", url) from None
    except (OSError, ValueError) as err:
        raise FeedError(f"cannot fetch: {err}", url) from None
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"too large for a feed (over {MAX_FEED_BYTES // 1_000_000} MB)", url)
    return data


def parse_feed(data: bytes, origin: str) -> Any:
    """feedparser's view of an RSS or Atom document; FeedError when it is not a sound feed."""
    import xml.sax

    import feedparser

    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    problem = parsed.get("bozo_exception")
    tolerated = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if parsed.get("bozo") and problem is not None and not isinstance(problem, tolerated):
        line = problem.getLineNumber() if isinstance(problem, xml.sax.SAXParseException) else None
        message = problem.getMessage() if hasattr(problem, "getMessage") else str(problem)
        raise FeedError(f"not a well-formed feed: {message}; nothing was imported", origin, line)
    if not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed; nothing was imported", origin)
    return parsed


class _TextOf(HTMLParser):
    """The text of an HTML fragment, one paragraph per block element."""

    BLOCKS = frozenset(
        {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
        | {"tr", "table", "blockquote", "pre", "section", "article"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs split by a blank line, spaces collapsed."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    paragraphs = (" ".join(p.split()) for p in "".join(parser.parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _text(entry: Any, key: str) -> str:
    value = entry.get(key) or ""
    detail = entry.get(f"{key}_detail") or {}
    if "html" in str(detail.get("type", "")):
        return html_to_text(value)
    return "\n\n".join(" ".join(p.split()) for p in value.split("\n\n") if p.strip())


def _entry_date(entry: Any, timezone: str) -> dt.date | None:
    from zoneinfo import ZoneInfo

    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if not moment:
        return None
    utc = dt.datetime.fromtimestamp(calendar.timegm(moment), dt.UTC)  # feedparser gives UTC
    return utc.astimezone(ZoneInfo(timezone)).date()


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if base and scheme(url) is None:
        url = urljoin(base, url)
    if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE) or any(ord(c) < 33 for c in url):
        return None
    return url


def feed_entries(
    parsed: Any, settings: ImportSettings, timezone: str, base: str | None = None
) -> tuple[list[FeedEntry], list[Skip]]:
    """The feed's entries as FeedEntry, and those that cannot become items (with why)."""
    channel_link = _absolute(parsed.feed.get("link"), base)
    base = channel_link or base
    entries: list[FeedEntry] = []
    skipped: list[Skip] = []
    for number, entry in enumerate(parsed.entries, start=1):
        title = " ".join(_text(entry, "title").split())
        url = _absolute(entry.get("link"), base)
        if not title:
            skipped.append(Skip(url or f"entry {number}", "no title"))
            continue
        day = _entry_date(entry, timezone)
        if day is None:
            skipped.append(Skip(title, "no date (neither published nor updated)"))
            continue
        summary = " ".join(
            (_text(entry, "summary") or _content_text(entry)).replace("\n\n", " ").split()
        )
        terms = [str(t.get("term") or t.get("label") or "").strip() for t in entry.get("tags", [])]
        terms = [t for t in terms if t]
        ident = str(entry.get("id") or "").strip() or None
        entries.append(
            FeedEntry(
                title=title,
                date=day,
                kind=settings.kind_of(terms),
                summary=cut(summary, SUMMARY_LIMIT),
                url=url,
                tags=tuple(dict.fromkeys(" ".join(t.split()) for t in terms)),
                source=ident or url,
            )
        )
    return entries, skipped


def _content_text(entry: Any) -> str:
    for content in entry.get("content", []):
        value = content.get("value") or ""
        if value.strip():
            return html_to_text(value) if "html" in str(content.get("type", "")) else value
    return ""


# --- what is already there ------------------------------------------------------------------


@dataclass
class Known:
    """The sources and links of the items already in the folder."""

    sources: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    titles: set[tuple[dt.date, str]] = field(default_factory=set)
    unreadable: list[str] = field(default_factory=list)

    def has(self, entry: FeedEntry) -> bool:
        if entry.source and entry.source in self.sources:
            return True
        if entry.url and (entry.url in self.urls or entry.url in self.sources):
            return True
        # an entry with neither id nor link: the same title on the same day
        return entry.source is None and (entry.date, fold(entry.title)) in self.titles

    def add(self, entry: FeedEntry) -> None:
        if entry.source:
            self.sources.add(entry.source)
        if entry.url:
            self.urls.add(entry.url)
        self.titles.add((entry.date, fold(entry.title)))


def known_items(config: Config) -> Known:
    """What the folder's item files say about where they come from (`source`, `url`).

    Read from the index for the files whose bytes an earlier import (or list) already
    read; the other files are read, and what they say is kept in the index for next time.
    """
    from . import files
    from .index import digest, remember, scan_items
    from .readers import MAX_ITEM_BYTES, item_paths

    index = scan_items(config)
    known = Known()
    learnt: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in item_paths(config.items_dir):
        said: Any = (index.facts.get(path.name) or {}).get("import")
        if not _is_said(said):
            try:
                raw = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)  # no hang on a pipe
                said = _said(raw, path)
            except (LettreError, OSError) as err:
                known.unreadable.append(str(err))
                continue
            learnt[path.name] = (digest(raw), {"import": said})
        source, url, day, title = said
        if source:
            known.sources.add(source)
        if url:
            known.urls.add(url)
        if day and title is not None:
            known.titles.add((dt.date.fromisoformat(day), title))
    remember(index, learnt)
    return known


def _said(raw: bytes, path: Path) -> list[str | None]:
    """[source, url, ISO date, folded title] of an item file's front matter (None: absent)."""
    from .readers import decode_text, load_yaml_mapping, split_front_matter, to_date

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
            said[2:] = [to_date(date).isoformat(), fold(title)]
    return said


def _is_said(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 4
        and all(v is None or isinstance(v, str) for v in value)
    )


# --- the items -----------------------------------------------------------------------------


def item_text(entry: FeedEntry) -> str:
    """The item file for an entry: YAML front matter (title, date, summary, link, source)."""
    import yaml

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
    from .readers import parse_item

    settings = import_settings(config, kind)
    parsed = parse_feed(data, origin)
    entries, skipped = feed_entries(
        parsed, settings, config.timezone, origin if is_url(origin) else None
    )
    plan = ImportPlan(origin, skipped=skipped)
    known = known_items(config)
    plan.warnings += [
        f"{problem} (not checked for an earlier import)" for problem in known.unreadable
    ]
    taken: set[str] = set()
    for entry in sorted(entries, key=lambda e: (e.date, e.title)):
        if known.has(entry):
            plan.duplicates.append(Skip(entry.title, "already imported"))
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


def _name(entry: FeedEntry, number: int = 1) -> str:
    """`YYYY-MM-DD-slug.md` as `lettre new` names items; `-2`, `-3`… for the next ones."""
    from .scaffold import slugify

    stem = f"{entry.date.isoformat()}-{slugify(entry.title) or entry.kind}"
    return f"{stem}.md" if number == 1 else f"{stem}-{number}.md"


def _free_number(items_dir: Path, entry: FeedEntry, taken: set[str]) -> int:
    """The first suffix for `entry` whose name no file has and no other new item takes."""
    number = 1
    while (items_dir / _name(entry, number)).exists() or _name(entry, number) in taken:
        number += 1
    return number


def create_item(new: NewItem) -> Path:
    """Write a planned item atomically, never over a file (the next free name if taken)."""
    from .files import write_new

    data = new.text.encode("utf-8")
    for number in range(new.number, new.number + 1000):
        path = new.path.parent / _name(new.entry, number)
        try:
            write_new(path, data)
            return path
        except FileExistsError:
            continue
        except OSError as err:
            raise LettreError(f"cannot write: {err.strerror or err}", path) from None
    raise LettreError("too many items of the same name", new.path)


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
