"""The archive's pages: each letter as a web page, the index by year and month, the Atom feed.

`render_page` composes one letter's page and its summary (`LetterSummary`: what the index
and the feed show of it, kept between runs); `render_index` and `render_feed` are made from
those summaries alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .config import Config, page_name
from .items import Item, Week

if TYPE_CHECKING:
    from .examples import Example
    from .items import Anniversary, Letter, PreparedImage

INDEX_NAME = "index.html"
FEED_NAME = "feed.xml"
INDEX_TEMPLATE = "archive-index.html.j2"
ATOM = "http://www.w3.org/2005/Atom"


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
