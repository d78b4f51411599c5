"""Every letter as a web page, an index by year and month, and an Atom feed of the letters.

The archive is a folder meant to be published at `{base_url}lettres/` (or at
`[archive] url` of lettre.toml): `2025-06-13.html` for the letter of 13 June 2025,
`index.html`, `feed.xml`, the letters' local photos as prepared for e-mail in `images/`
(`images/defile-3fa2c1.jpg`, in both image modes), and `.lettre-archive.json`, the list of
the files lettre wrote there (so that a page whose letter is gone is removed, and no other
file is ever touched).

A run composes only the letters whose inputs changed since the last run into the same
folder: a letter's inputs — the digests of its items' files, the status of their local
photos' files, lettre.toml, the templates and catalogs, anniversaries.yaml, and the
versions of lettre and of the libraries that render it — are kept in `.lettre/` with a
summary of the letter (what the index and the feed show of it). Letters are composed one
at a time, in one process per core, and each page goes to disk as soon as it is made:
memory does not grow with the archive. Drafts make no letter; example content in any
letter (or in lettre.toml) stops the whole archive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, page_name
from .errors import LettreError
from .items import Item, Week
from .messages import _, ngettext

if TYPE_CHECKING:
    from .examples import Example
    from .items import Anniversary, Letter, PreparedImage

INDEX_NAME = "index.html"
FEED_NAME = "feed.xml"
MANIFEST_NAME = ".lettre-archive.json"
INDEX_TEMPLATE = "archive-index.html.j2"
ATOM = "http://www.w3.org/2005/Atom"
STATE_FORMAT = 2  # 2: each letter's photos and their source files' status
MAX_WORKERS = 4
#: the libraries whose versions can change a page's bytes
RENDERING_LIBRARIES = (
    "babel",
    "jinja2",
    "markdown-it-py",
    "premailer",
    "cssutils",
    "lxml",
    "pillow",
    "pillow-heif",
)

Progress = Callable[[int, int], None]


# --- the letters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterSummary:
    """What the index and the feed show of one letter; kept between runs."""

    name: str
    date: dt.date
    subject: str
    lang: str
    preheader: str
    titles: tuple[str, ...]
    content: str  # the feed entry's HTML

    @classmethod
    def of(cls, letter: Letter, name: str) -> LetterSummary:
        return cls(
            name,
            letter.date,
            letter.subject,
            letter.lang,
            letter.preheader,
            tuple(e.title for e in letter.entries),
            _entry_content(letter),
        )

    def as_data(self) -> list[Any]:
        return [
            self.name,
            self.date.isoformat(),
            self.subject,
            self.lang,
            self.preheader,
            list(self.titles),
            self.content,
        ]

    @classmethod
    def from_data(cls, data: Any) -> LetterSummary | None:
        """The summary kept by an earlier run; None when it is not one."""
        try:
            name, day, subject, lang, preheader, titles, content = data
            summary = cls(
                name, dt.date.fromisoformat(day), subject, lang, preheader, tuple(titles), content
            )
        except (TypeError, ValueError):
            return None
        texts = [name, subject, lang, preheader, content, *summary.titles]
        return summary if all(isinstance(t, str) for t in texts) else None


def render_page(
    config: Config,
    week: Week,
    items: Sequence[Item],
    anniversaries: Sequence[Anniversary],
) -> tuple[LetterSummary, bytes, list[Example], list[PreparedImage]]:
    """One letter of the archive: what the index shows of it, its web page, the example
    content it holds, and its local photos (the page points at them in `images/`)."""
    from .examples import letter_examples
    from .imagecache import prepare_images
    from .imagelinks import relative_link
    from .letter import build_letter
    from .render import html_reads_text, render_html

    photos = prepare_images(config, items)
    user_dir = config.templates_dir if config.templates_dir.is_dir() else None
    # a page is the HTML alone: the plain text is made only when its template may show it
    letter = build_letter(
        items,
        config,
        week,
        anniversaries,
        photos=photos,
        link=relative_link,
        text=html_reads_text(user_dir),
    )
    name = page_name(letter.date)
    if letter.web_url is None:  # no base URL: the page links to itself, relatively
        letter = replace(letter, web_url=name)
    page = render_html(letter, user_dir).encode("utf-8")
    used = list(dict.fromkeys(letter.photos))
    return LetterSummary.of(letter, name), page, letter_examples(config, letter), used


# --- the index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexLetter:
    """A letter as the index lists it."""

    name: str
    date_text: str
    subject: str
    count_text: str
    titles: tuple[str, ...]


@dataclass(frozen=True)
class IndexMonth:
    label: str
    letters: tuple[IndexLetter, ...]


@dataclass(frozen=True)
class IndexYear:
    year: int
    count_text: str
    months: tuple[IndexMonth, ...]


def index_groups(pages: Sequence[LetterSummary], locale: str) -> tuple[IndexYear, ...]:
    """The letters grouped by year, then month, newest first, dates in words."""
    from babel.dates import format_date as babel_format_date

    from .french import format_date, get_locale
    from .i18n import translations

    ngettext = translations(locale).ngettext
    years: dict[int, dict[int, list[LetterSummary]]] = {}
    for page in sorted(pages, key=lambda p: p.date, reverse=True):
        day = page.date
        years.setdefault(day.year, {}).setdefault(day.month, []).append(page)
    groups = []
    for year, months in years.items():
        month_groups = []
        for month, members in months.items():
            label = babel_format_date(dt.date(year, month, 1), "LLLL", locale=get_locale(locale))
            letters = tuple(
                IndexLetter(
                    name=p.name,
                    date_text=_capitalize(format_date(p.date, locale, "full")),
                    subject=p.subject,
                    count_text=ngettext("%(num)d item", "%(num)d items", len(p.titles))
                    % {"num": len(p.titles)},
                    titles=p.titles,
                )
                for p in members
            )
            month_groups.append(IndexMonth(_capitalize(label), letters))
        total = sum(len(m.letters) for m in month_groups)
        count = ngettext("%(num)d letter", "%(num)d letters", total) % {"num": total}
        groups.append(IndexYear(year, count, tuple(month_groups)))
    return tuple(groups)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def render_index(config: Config, pages: Sequence[LetterSummary]) -> str:
    """The index page: every letter by year and month, newest first, with a link to the feed."""
    from .french import typography
    from .render import render_template

    user_dir = config.templates_dir if config.templates_dir.is_dir() else None
    lang = pages[0].lang if pages else config.locale.split("_")[0]
    context = {
        "title": typography(config.title, config.locale, config.typography),
        "lang": lang,
        "years": index_groups(pages, config.locale),
        "feed_name": FEED_NAME,
        "count": len(pages),
    }
    html = render_template(INDEX_TEMPLATE, context, config.locale, user_dir)
    return html.rstrip("\n") + "\n"


# --- the feed ------------------------------------------------------------------------------


def _midnight(day: dt.date, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    return dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(timezone)).isoformat()


def _tag(config: Config, day: dt.date, suffix: str = "") -> str:
    from .folding import slugify

    name = slugify(config.list_id or config.title) or "lettre"
    return f"tag:{config.sender.domain},{day.isoformat()}:{name}{suffix}"


def _entry_content(letter: Letter) -> str:
    from html import escape

    parts = []
    for section in letter.sections:
        parts.append(f"<h2>{escape(section.label, quote=False)}</h2>\n<ul>")
        for entry in section.entries:
            title = escape(entry.title, quote=False)
            if entry.url:
                title = f'<a href="{escape(entry.url)}">{title}</a>'
            summary = f" — {escape(entry.summary, quote=False)}" if entry.summary else ""
            parts.append(f"<li>{title}{summary}</li>")
        parts.append("</ul>")
    return "\n".join(parts)


def render_feed(config: Config, pages: Sequence[LetterSummary]) -> bytes:
    """An Atom feed (RFC 4287) of the letters, newest first; dates come from the letters."""
    import xml.etree.ElementTree as ET

    from . import __version__
    from .french import typography

    base = config.archive_url
    newest_first = sorted(pages, key=lambda p: p.date, reverse=True)
    lang = pages[0].lang if pages else config.locale.split("_")[0]
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": lang})
    sub(feed, "title", typography(config.title, config.locale, config.typography))
    if base:
        sub(feed, "id", base)
        sub(feed, "link", rel="self", type="application/atom+xml", href=base + FEED_NAME)
        sub(feed, "link", rel="alternate", type="text/html", href=base)
    else:
        first = newest_first[-1].date if newest_first else dt.date(2000, 1, 1)
        sub(feed, "id", _tag(config, first))
        sub(feed, "link", rel="alternate", type="text/html", href=INDEX_NAME)
    latest = newest_first[0].date if newest_first else dt.date(2000, 1, 1)
    sub(feed, "updated", _midnight(latest, config.timezone))
    author = sub(feed, "author")
    sub(author, "name", config.sender.name or config.sender.address)
    sub(feed, "generator", "lettre", version=__version__)
    for page in newest_first:
        entry = sub(feed, "entry")
        sub(entry, "title", page.subject)
        url = (base + page.name) if base else page.name
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "id", url if base else _tag(config, page.date, f"/{page.date.isoformat()}"))
        stamp = _midnight(page.date, config.timezone)
        sub(entry, "published", stamp)
        sub(entry, "updated", stamp)
        if page.preheader:
            sub(entry, "summary", page.preheader)
        sub(entry, "content", page.content, type="html")
    ET.indent(feed, space="  ")
    body = ET.tostring(feed, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


# --- what a letter depends on ------------------------------------------------------------------


def inputs_digest(config: Config) -> str:
    """What every letter depends on besides its items; when it changes, all are composed again.

    lettre.toml (and the locale chosen), anniversaries.yaml, the folder's templates and the
    packaged ones with their catalogs, and the versions of lettre and of the libraries that
    turn a letter into HTML.
    """
    import hashlib
    from importlib import metadata

    from . import __version__
    from .resources import templates_dir

    digest = hashlib.blake2b(digest_size=16)

    def add(*parts: str | bytes) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogateescape")
            digest.update(len(data).to_bytes(8, "big") + data)

    add("lettre", __version__, "locale", config.locale)
    for library in RENDERING_LIBRARIES:
        try:
            add(library, metadata.version(library))
        except metadata.PackageNotFoundError:
            add(library, "")
    for path in (config.path, config.anniversaries_path):
        add(path.name, _bytes_of(path))
    for number, folder in enumerate((config.templates_dir, templates_dir())):
        for path in _files_under(folder):
            add(str(number), os.fsencode(path.relative_to(folder)), _bytes_of(path))
    return digest.hexdigest()


def _bytes_of(path: Path) -> bytes:
    """A file's bytes; a marker of its absence (or of why it cannot be read) otherwise."""
    try:
        return b"+" + path.read_bytes()
    except OSError as err:
        return f"-{err.errno}".encode()


def _files_under(folder: Path) -> list[Path]:
    """Every file under `folder`, in a stable order; [] when it is not a folder."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        found += [Path(root, name) for name in sorted(names)]
    return found


def letter_key(common: str, names: Iterable[str], digests: Mapping[str, str]) -> str | None:
    """The digest of a letter's inputs: `common` and its item files' names and digests.

    None when a file's digest is unknown (it could not be read): such a letter is composed
    at every run.
    """
    import hashlib

    digest = hashlib.blake2b(common.encode("ascii"), digest_size=16)
    for name in sorted(names):
        seal = digests.get(name)
        if seal is None:
            return None
        digest.update(os.fsencode(name) + b"\0" + seal.encode("ascii") + b"\n")
    return digest.hexdigest()


# --- the record of earlier runs ----------------------------------------------------------------


def state_path(config: Config, out_dir: Path) -> Path:
    """Where the record of the archive written into `out_dir` is kept, in `.lettre/`."""
    from .index import CACHE_DIR, digest

    return config.folder / CACHE_DIR / f"archive-{digest(os.fsencode(out_dir.resolve()))}.json"


def _load_state(path: Path) -> dict[str, Any]:
    from .index import load_cache_file

    pages = load_cache_file(path, STATE_FORMAT).get("pages")
    return pages if isinstance(pages, dict) else {}


@dataclass(frozen=True)
class _Kept:
    """What an earlier run wrote of a letter whose inputs are the same: its summary and
    the names of its photos in `images/`."""

    summary: LetterSummary
    photos: tuple[str, ...]
    sources: list[list[Any]]  # the status of its photos' source files


def _kept(record: Any, key: str | None, page: Path, folder: Path) -> _Kept | None:
    """What an earlier run wrote from the same inputs, if the page and its photos are intact.

    A record is [inputs digest, page size, page modification time, summary, photo names,
    status of its local photos' source files]; a page edited, replaced or removed since, a
    photo gone from `images/`, or a source photo changed (see `imagefiles.source_status`), and
    the letter is composed again.
    """
    from .imagecache import IMAGES_DIR
    from .imagefiles import source_status

    if key is None or not isinstance(record, list) or len(record) != 6 or record[0] != key:
        return None
    photos, sources = record[4], record[5]
    if not isinstance(photos, list) or not all(isinstance(n, str) for n in photos):
        return None
    if not isinstance(sources, list):
        return None
    try:
        st = page.stat()
    except OSError:
        return None
    if [st.st_size, st.st_mtime_ns] != record[1:3]:
        return None
    for status in sources:
        if not isinstance(status, list) or not status or not isinstance(status[0], str):
            return None
        if source_status(folder, status[0]) != status:
            return None
    if not all(_safe_name(f"{IMAGES_DIR}/{n}") for n in photos):
        return None
    if not all((page.parent / IMAGES_DIR / n).is_file() for n in photos):
        return None
    summary = LetterSummary.from_data(record[3])
    return None if summary is None else _Kept(summary, tuple(photos), sources)


# --- composing -------------------------------------------------------------------------------

# What forked workers inherit: the configuration and the anniversaries (set before forking).
_JOB: dict[str, Any] = {}

Task = tuple[str, "str | None", Week, tuple[str, ...]]  # page name, inputs digest, week, files


@dataclass(frozen=True)
class Done:
    """A letter composed (`summary` and `page`), or the problems that stopped it."""

    name: str
    summary: LetterSummary | None = None
    page: bytes = b""
    errors: list[LettreError] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    photos: list[PreparedImage] = field(default_factory=list)
    sources: list[list[Any]] = field(default_factory=list)  # see imagefiles.source_status


def _compose(task: Task) -> Done:
    """Read a week's items and compose its page; the problems found instead, if any."""
    from .errors import ItemErrors
    from .imagefiles import local_items, source_status
    from .index import read_items

    config: Config = _JOB["config"]
    name, _key, week, names = task
    items, errors = read_items(
        config.items_dir, config.kinds, [config.items_dir / n for n in names]
    )
    if errors:
        return Done(name, errors=errors)
    # the photos' files as they are before being read: a later change is seen next run
    sources = [
        source_status(config.folder, item.image.src)
        for item in local_items(items)
        if item.image is not None
    ]
    try:
        summary, page, examples, photos = render_page(config, week, items, _JOB["anniversaries"])
    except ItemErrors as err:
        return Done(name, errors=list(err.errors))
    except LettreError as err:
        return Done(name, errors=[err])
    return Done(name, summary, page, [], examples, photos, sources)


def worker_count() -> int:
    """How many processes compose letters: one per core this process may use, up to 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _compose_all(
    config: Config,
    tasks: Sequence[Task],
    anniversaries: Sequence[Anniversary],
    progress: Progress | None,
    workers: int,
) -> Iterator[Done]:
    """Compose the pages of `tasks`, one at a time, in as many processes as `workers`.

    The first page is composed here, so that the forked workers inherit everything it
    loaded (templates, the parsed stylesheet, Babel's data) instead of each loading it.
    """
    import gc
    import multiprocessing

    _JOB.update(config=config, anniversaries=anniversaries)
    total = len(tasks)
    if progress:
        progress(0, total)
    done = 0
    rest: Sequence[Task] = tasks
    parallel = workers > 1 and total > workers and "fork" in multiprocessing.get_all_start_methods()
    if parallel:
        yield _compose(tasks[0])
        done, rest = 1, tasks[1:]
        if progress:
            progress(done, total)
        # what the workers inherit stays shared: the collector would otherwise touch every
        # inherited object in each worker, and the kernel copy its pages
        gc.collect()
        gc.freeze()
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for result in pool.imap_unordered(_compose, rest):
                    done += 1
                    if progress:
                        progress(done, total)
                    yield result
        finally:
            gc.unfreeze()
        return
    for task in rest:
        result = _compose(task)
        done += 1
        if progress:
            progress(done, total)
        yield result


# --- writing -------------------------------------------------------------------------------


@dataclass
class ArchiveReport:
    """What `archive` did, file by file."""

    out_dir: Path
    letters: int = 0
    composed: int = 0  # letters composed this time: the others' inputs had not changed
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per file written or removed."""
        return [_("wrote {path}").format(path=path) for path in self.written] + [
            _("removed {path} (its letter is gone)").format(path=path) for path in self.removed
        ]

    def summary(self) -> str:
        """The counts: letters, composed, files written, unchanged and removed."""
        letters = ngettext("%(num)d letter", "%(num)d letters", self.letters)
        written = ngettext("%(num)d file written", "%(num)d files written", len(self.written))
        return _(
            "{letters}, {composed} composed: {written}, {unchanged} unchanged, {removed} "
            "removed, in {out}"
        ).format(
            letters=letters % {"num": self.letters},
            composed=self.composed,
            written=written % {"num": len(self.written)},
            unchanged=len(self.unchanged),
            removed=len(self.removed),
            out=self.out_dir,
        )


def _safe_name(name: str) -> bool:
    """A plain name of the archive folder, or `images/NAME`: never anywhere else."""
    from .imagecache import IMAGES_DIR

    folder, _sep, rest = name.rpartition("/")
    return (
        bool(rest) and folder in ("", IMAGES_DIR) and "\\" not in name and rest not in (".", "..")
    )


def _read_manifest(out_dir: Path) -> set[str]:
    try:
        data: Any = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names = data.get("files", []) if isinstance(data, dict) else []
    # only plain names in this folder (and images/): a doctored manifest cannot point elsewhere
    return {n for n in names if isinstance(n, str) and _safe_name(n)}


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as err:
        from .files import os_problem

        raise LettreError(os_problem(err, path), path) from None


class _Staging:
    """Files to write into the archive folder: each one, when it differs from what is
    there, goes to a temporary file at once (memory holds one page at a time); `commit`
    renames them all, `discard` removes them (and the folder, when it made it)."""

    def __init__(self, out_dir: Path, ours: set[str]) -> None:
        self.out_dir, self.ours = out_dir, ours
        self.staged: dict[Path, Path] = {}
        self.unchanged: list[Path] = []
        self.made_folder = False

    def add(self, name: str, data: bytes) -> None:
        from .files import stage

        path = self.out_dir / name
        current = _current(path)
        if current == data:
            self.unchanged.append(path)
            return
        if current is not None and name not in self.ours and name != MANIFEST_NAME:
            raise LettreError(
                _(
                    "exists and was not written by 'lettre archive': nothing was written "
                    "(choose another --out folder, or move this file away)"
                ),
                path,
            )
        if not self.out_dir.exists():
            self.made_folder = True
        self.staged[path] = stage(path, data)

    def commit(self) -> list[Path]:
        from .files import commit

        commit(self.staged)
        written = list(self.staged)
        self.staged.clear()
        return written

    def discard(self) -> None:
        from .imagecache import IMAGES_DIR

        for tmp in self.staged.values():
            tmp.unlink(missing_ok=True)
        self.staged.clear()
        if self.made_folder:
            with contextlib.suppress(OSError):  # not empty: not only ours
                (self.out_dir / IMAGES_DIR).rmdir()
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()


def _problems(errors: Sequence[LettreError]) -> LettreError:
    from .errors import ItemErrors

    ordered = sorted(errors, key=lambda e: (str(e.path), e.line or 0))
    return ItemErrors.of(ordered)


def archive(
    config: Config,
    out_dir: Path,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ArchiveReport:
    """Write every letter as a web page into `out_dir`, with its photos, the index and the feed.

    Only the letters whose inputs changed since the last run into `out_dir` are composed;
    only the files whose bytes change are written (atomically, all at the end: a problem
    anywhere, or example content in any letter, writes nothing); pages whose letter is gone
    are removed. Where it went and which photos it holds is remembered in `.lettre/`, for
    `send` (imagelinks.missing_from_archive).
    """
    from .anniversaries import read_anniversaries
    from .examples import require_ready
    from .imagecache import IMAGES_DIR
    from .imagelinks import record_archive
    from .index import duplicate_slugs, keeps_caches, save_cache_file, scan_items

    index = scan_items(config)
    problems = [*index.errors, *duplicate_slugs(e.path for e in index.entries)]
    if problems:
        raise _problems(problems)
    # a week of drafts only makes no letter; a letter's drafts are read (and must read
    # well) but left out of it
    weeks = {
        week: entries
        for week, entries in index.by_week(config.publication_day).items()
        if any(not e.draft for e in entries)
    }
    if not weeks:
        raise LettreError(
            _("no letter to archive: the folder has no item (add one with 'lettre new')"),
            config.items_dir,
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise LettreError(_("--out must be a folder, and this is a file"), out_dir)
    anniversaries = read_anniversaries(config.anniversaries_path)
    common = inputs_digest(config)
    keep = keeps_caches(len(index.rows) + len(index.errors))
    where = state_path(config, out_dir) if keep else None
    kept = _load_state(where) if where else {}
    report = ArchiveReport(out_dir, letters=len(weeks))
    summaries: dict[str, LetterSummary] = {}
    keys: dict[str, str | None] = {}
    photos: dict[str, tuple[str, ...]] = {}  # page name → its photos' names
    sources: dict[str, list[list[Any]]] = {}  # page name → its photos' source files' status
    tasks: list[Task] = []
    for week, entries in weeks.items():
        name = page_name(week.end)
        key = letter_key(common, (e.name for e in entries), index.digests)
        keys[name] = key
        earlier = _kept(kept.get(name), key, out_dir / name, config.folder)
        if earlier is None:
            tasks.append((name, key, week, tuple(e.name for e in entries)))
        else:
            summaries[name] = earlier.summary
            photos[name] = earlier.photos
            sources[name] = earlier.sources
            report.unchanged.append(out_dir / name)
    del index, weeks, kept  # the composing processes need none of it: not to share
    staging = _Staging(out_dir, _read_manifest(out_dir))
    errors: list[LettreError] = []
    examples: list[Example] = []
    staged_photos: set[str] = set()
    try:
        count = worker_count() if workers is None else workers
        for done in _compose_all(config, tasks, anniversaries, progress, count):
            errors += done.errors
            examples += [e for e in done.examples if e not in examples]
            if done.summary is None or errors or examples:
                continue  # nothing will be written: no need to keep it
            summaries[done.name] = done.summary
            photos[done.name] = tuple(dict.fromkeys(p.name for p in done.photos))
            sources[done.name] = done.sources
            staging.add(done.name, done.page)
            for photo in done.photos:
                if photo.name not in staged_photos:
                    staged_photos.add(photo.name)
                    staging.add(f"{IMAGES_DIR}/{photo.name}", photo.read())
        if errors:
            raise _problems(errors)
        require_ready(config, found=examples, subject=_("the archive"))
        report.composed = len(tasks)
        every_photo = sorted({n for names in photos.values() for n in names})
        for photo_name in every_photo:  # those of letters kept as they were: already there
            if photo_name not in staged_photos:
                staging.unchanged.append(out_dir / IMAGES_DIR / photo_name)
        ordered = sorted(summaries.values(), key=lambda s: s.date)
        staging.add(INDEX_NAME, render_index(config, ordered).encode("utf-8"))
        staging.add(FEED_NAME, render_feed(config, ordered))
        names = sorted(
            [*summaries, INDEX_NAME, FEED_NAME, *(f"{IMAGES_DIR}/{n}" for n in every_photo)]
        )
        manifest = json.dumps({"generator": "lettre archive", "files": names}, indent=2)
        staging.add(MANIFEST_NAME, (manifest + "\n").encode("utf-8"))
        report.written = [p for p in staging.commit() if p.name != MANIFEST_NAME]
    except BaseException:
        staging.discard()
        raise
    report.unchanged += [p for p in staging.unchanged if p.name != MANIFEST_NAME]
    report.unchanged.sort()
    report.written.sort()
    for name in sorted(staging.ours - set(names)):
        path = out_dir / name
        if path.is_file():
            try:
                path.unlink(missing_ok=True)
            except OSError as err:
                raise LettreError(
                    _("cannot remove: {value}").format(value=err.strerror or err), path
                ) from None
            report.removed.append(path)
    if where is not None:
        save_cache_file(where, _state(out_dir, summaries, keys, photos, sources))
    record_archive(config, out_dir, every_photo)
    return report


def _state(
    out_dir: Path,
    summaries: Mapping[str, LetterSummary],
    keys: Mapping[str, str | None],
    photos: Mapping[str, tuple[str, ...]],
    sources: Mapping[str, list[list[Any]]],
) -> dict[str, Any]:
    """The record of this run: each page's inputs digest, size, modification time, summary,
    photos and the status of their source files (see `_kept`)."""
    from . import __version__

    pages: dict[str, list[Any]] = {}
    for name, summary in summaries.items():
        key = keys.get(name)
        try:
            st = (out_dir / name).stat()
        except OSError:
            continue
        if key is not None:
            pages[name] = [
                key,
                st.st_size,
                st.st_mtime_ns,
                summary.as_data(),
                list(photos.get(name, ())),
                sources.get(name, []),
            ]
    return {"format": STATE_FORMAT, "lettre": __version__, "pages": pages}
