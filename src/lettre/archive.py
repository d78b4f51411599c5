"""Every letter as a web page, an index by year and month, and an Atom feed of the letters.

The archive is a folder meant to be published at `{base_url}lettres/` (or at
`[archive] url` of lettre.toml): `2025-06-13.html` for the letter of 13 June 2025,
`index.html`, `feed.xml`, the letters' local photos as prepared for e-mail in `images/`
(`images/defile-3fa2c1.jpg`, in both image modes), and `.lettre-archive.json`, the list of
the files lettre wrote there (so that a page whose letter is gone is removed, and no other
file is ever touched).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config, page_name
from .errors import LettreError
from .items import Item, Week
from .messages import _

if TYPE_CHECKING:
    from .items import Letter

INDEX_NAME = "index.html"
FEED_NAME = "feed.xml"
MANIFEST_NAME = ".lettre-archive.json"
INDEX_TEMPLATE = "archive-index.html.j2"
ATOM = "http://www.w3.org/2005/Atom"

Progress = Callable[[int, int], None]


# --- the letters ---------------------------------------------------------------------------


def letter_weeks(items: Iterable[Item], publication_day: int = 5) -> list[Week]:
    """The weeks that hold at least one item (not a draft): the letters, oldest first."""
    from .weeks import week_of

    weeks = {week_of(item.date, publication_day) for item in items if not item.draft}
    return sorted(weeks, key=lambda w: w.end)


@dataclass(frozen=True)
class Page:
    """One letter of the archive: the letter and its web page."""

    letter: Letter
    name: str
    html: str


def render_pages(config: Config, progress: Progress | None = None) -> list[Page]:
    """Every letter the folder's items make, rendered as its e-mail HTML, oldest first.

    The pages point at their local photos in `images/`, beside them.
    """
    from .images import prepare_images, relative_link
    from .letter import build_letter
    from .readers import load_items, read_anniversaries
    from .render import render_html

    items = load_items(config.items_dir, config.kinds)
    anniversaries = read_anniversaries(config.anniversaries_path)
    photos = prepare_images(config, items)
    weeks = letter_weeks(items, config.publication_day)
    user_dir = config.templates_dir if config.templates_dir.is_dir() else None
    pages = []
    if progress:
        progress(0, len(weeks))
    for done, week in enumerate(weeks, start=1):
        letter = build_letter(items, config, week, anniversaries, photos=photos, link=relative_link)
        name = page_name(letter.date)
        if letter.web_url is None:  # no base URL: the page links to itself, relatively
            letter = replace(letter, web_url=name)
        pages.append(Page(letter, name, render_html(letter, user_dir)))
        if progress:
            progress(done, len(weeks))
    return pages


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


def index_groups(pages: Sequence[Page], locale: str) -> tuple[IndexYear, ...]:
    """The letters grouped by year, then month, newest first, dates in words."""
    from babel.dates import format_date as babel_format_date

    from .french import format_date, get_locale
    from .i18n import translations

    ngettext = translations(locale).ngettext
    years: dict[int, dict[int, list[Page]]] = {}
    for page in sorted(pages, key=lambda p: p.letter.date, reverse=True):
        day = page.letter.date
        years.setdefault(day.year, {}).setdefault(day.month, []).append(page)
    groups = []
    for year, months in years.items():
        month_groups = []
        for month, members in months.items():
            label = babel_format_date(dt.date(year, month, 1), "LLLL", locale=get_locale(locale))
            letters = tuple(
                IndexLetter(
                    name=p.name,
                    date_text=_capitalize(format_date(p.letter.date, locale, "full")),
                    subject=p.letter.subject,
                    count_text=ngettext("%(num)d item", "%(num)d items", len(p.letter.entries))
                    % {"num": len(p.letter.entries)},
                    titles=tuple(e.title for e in p.letter.entries),
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


def render_index(config: Config, pages: Sequence[Page]) -> str:
    """The index page: every letter by year and month, newest first, with a link to the feed."""
    from .french import typography
    from .render import render_template

    user_dir = config.templates_dir if config.templates_dir.is_dir() else None
    lang = pages[0].letter.lang if pages else config.locale.split("_")[0]
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
    from .scaffold import slugify

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


def render_feed(config: Config, pages: Sequence[Page]) -> bytes:
    """An Atom feed (RFC 4287) of the letters, newest first; dates come from the letters."""
    import xml.etree.ElementTree as ET

    from . import __version__
    from .french import typography

    base = config.archive_url
    newest_first = sorted(pages, key=lambda p: p.letter.date, reverse=True)
    lang = pages[0].letter.lang if pages else config.locale.split("_")[0]
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
        first = newest_first[-1].letter.date if newest_first else dt.date(2000, 1, 1)
        sub(feed, "id", _tag(config, first))
        sub(feed, "link", rel="alternate", type="text/html", href=INDEX_NAME)
    latest = newest_first[0].letter.date if newest_first else dt.date(2000, 1, 1)
    sub(feed, "updated", _midnight(latest, config.timezone))
    author = sub(feed, "author")
    sub(author, "name", config.sender.name or config.sender.address)
    sub(feed, "generator", "lettre", version=__version__)
    for page in newest_first:
        letter = page.letter
        entry = sub(feed, "entry")
        sub(entry, "title", letter.subject)
        url = (base + page.name) if base else page.name
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "id", url if base else _tag(config, letter.date, f"/{letter.date.isoformat()}"))
        stamp = _midnight(letter.date, config.timezone)
        sub(entry, "published", stamp)
        sub(entry, "updated", stamp)
        if letter.preheader:
            sub(entry, "summary", letter.preheader)
        sub(entry, "content", _entry_content(letter), type="html")
    ET.indent(feed, space="  ")
    body = ET.tostring(feed, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


# --- writing -------------------------------------------------------------------------------


@dataclass
class ArchiveReport:
    """What `write_archive` did, file by file."""

    out_dir: Path
    letters: int = 0
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def build_archive(config: Config, progress: Progress | None = None) -> dict[str, bytes]:
    """Every file of the archive, {name: bytes}, pages first; writes nothing."""
    pages = render_pages(config, progress)
    if not pages:
        raise LettreError(
            _("no letter to archive: the folder has no item (add one with 'lettre new')"),
            config.items_dir,
        )
    refuse_examples(config, [page.letter for page in pages])
    from .images import files_of

    files = {page.name: page.html.encode("utf-8") for page in pages}
    files[INDEX_NAME] = render_index(config, pages).encode("utf-8")
    files[FEED_NAME] = render_feed(config, pages)
    photos = dict.fromkeys(photo for page in pages for photo in page.letter.photos)
    files.update(files_of(photos))
    return files


def _is_page(name: str) -> bool:
    return name not in (INDEX_NAME, FEED_NAME) and "/" not in name


def _safe_name(name: str) -> bool:
    """A plain name of the archive folder, or `images/NAME`: never anywhere else."""
    from .images import IMAGES_DIR

    folder, _, rest = name.rpartition("/")
    return (
        bool(rest) and folder in ("", IMAGES_DIR) and "\\" not in name and rest not in (".", "..")
    )


def refuse_examples(config: Config, letters: Sequence[Letter]) -> None:
    """ExampleContentError naming every example of every letter: none is published."""
    from .errors import ExampleContentError
    from .examples import config_examples, letter_examples

    found = config_examples(config)
    for letter in letters:
        found += [e for e in letter_examples(config, letter) if e not in found]
    if found:
        raise ExampleContentError(found, _("the archive"))


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


def write_archive(files: dict[str, bytes], out_dir: Path) -> ArchiveReport:
    """Write the files that changed (atomically), leave the others, drop the stale pages."""
    from .files import write_all

    report = ArchiveReport(out_dir, letters=sum(1 for n in files if _is_page(n)))
    if out_dir.exists() and not out_dir.is_dir():
        raise LettreError(_("--out must be a folder, and this is a file"), out_dir)
    ours = _read_manifest(out_dir)
    for name, data in files.items():
        current = _current(out_dir / name)
        if current is not None and current != data and name not in ours:
            raise LettreError(
                _(
                    "exists and was not written by 'lettre archive': nothing was written (choose "
                    "another --out folder, or move this file away)"
                ),
                out_dir / name,
            )
    manifest = json.dumps({"generator": "lettre archive", "files": sorted(files)}, indent=2)
    outputs = {**files, MANIFEST_NAME: (manifest + "\n").encode("utf-8")}
    changed: dict[Path, bytes] = {}
    for name, data in outputs.items():
        path = out_dir / name
        if _current(path) == data:
            if name != MANIFEST_NAME:
                report.unchanged.append(path)
            continue
        changed[path] = data
        if name != MANIFEST_NAME:
            report.written.append(path)
    write_all(changed)  # every temporary file first, then the renames
    for name in sorted(ours - set(files)):
        path = out_dir / name
        if path.is_file():
            try:
                path.unlink(missing_ok=True)
            except OSError as err:
                raise LettreError(
                    _("cannot remove: {value}").format(value=err.strerror or err), path
                ) from None
            report.removed.append(path)
    return report


def archive(config: Config, out_dir: Path, progress: Progress | None = None) -> ArchiveReport:
    """Build the archive of every letter and write what changed into `out_dir`.

    Where it went and which photos it holds is remembered in `.lettre/`, for `send`
    (images.missing_from_archive).
    """
    from .images import IMAGES_DIR, record_archive

    files = build_archive(config, progress)
    report = write_archive(files, out_dir)
    prefix = f"{IMAGES_DIR}/"
    record_archive(config, out_dir, [n.removeprefix(prefix) for n in files if n.startswith(prefix)])
    return report
