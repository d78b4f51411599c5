"""A feed's bytes → its entries: fetched (a file, stdin or a URL), read by feedparser, each
entry as plain values ready for an item (`FeedEntry`), or left out with why (`Skip`)."""

from __future__ import annotations

import calendar
import datetime as dt
import html.entities
import re
import sys
import xml.sax
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from . import files
from .body import cut, scheme
from .config import ImportSettings
from .errors import LettreError, location
from .messages import _, ngettext

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
class Skip:
    """An entry left out, and why."""

    title: str
    reason: str


# --- reading the feed ----------------------------------------------------------------------


def is_url(source: str) -> bool:
    return re.match(r"^https?://", source, re.IGNORECASE) is not None


def read_source(source: str, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The bytes of a feed: a file path, `-` for standard input, or an http(s) URL."""
    if source == "-":
        data: bytes = sys.stdin.buffer.read(MAX_FEED_BYTES + 1)
        if len(data) > MAX_FEED_BYTES:
            raise FeedError(
                _("too large for a feed (over {value} MB)").format(value=MAX_FEED_BYTES // 1000000),
                "-",
            )
        return data
    if is_url(source):
        return _fetch(source, timeout)
    path = Path(source)
    if not path.exists() and not path.is_symlink():
        raise FeedError(_("no such file (give a feed file or an http(s) URL)"), path)
    return files.read_bytes(path, MAX_FEED_BYTES, FeedError)  # a named pipe does not hang


def _fetch(url: str, timeout: float) -> bytes:
    import urllib.error  # heavy (http, ssl): a URL only
    import urllib.request  # heavy (http, ssl): a URL only

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
        raise FeedError(
            _("cannot fetch: HTTP {code} {reason}").format(code=err.code, reason=err.reason), url
        ) from None
    except urllib.error.URLError as err:
        raise FeedError(_("cannot fetch: {reason}").format(reason=err.reason), url) from None
    except (OSError, ValueError) as err:
        raise FeedError(_("cannot fetch: {err}").format(err=err), url) from None
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(
            _("too large for a feed (over {value} MB)").format(value=MAX_FEED_BYTES // 1000000), url
        )
    return data


_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})
_ENTITY_REF = re.compile(rb"&([A-Za-z][A-Za-z0-9]{0,31});")
# where an entity reference is not one: character data sections and comments
_VERBATIM = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)


def decode_html_entities(data: bytes) -> bytes:
    """HTML's named entities (&eacute;, &nbsp;, &rsquo;) as the numeric character references
    XML knows (&#233;), so that a feed of an older French site parses as its author meant.

    XML's own five entities, those the document declares, and unknown names are left as
    written; so are CDATA sections and comments, and feeds in UTF-16 or UTF-32.
    """
    if b"&" not in data or data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        return data
    declared = set(re.findall(rb"<!ENTITY\s+%?\s*([A-Za-z_][\w.-]*)", data))

    def one(match: re.Match[bytes]) -> bytes:
        name = match[1]
        if name in _XML_ENTITIES or name in declared:
            return match[0]
        chars = html.entities.html5.get(name.decode("ascii") + ";")
        if chars is None:
            return match[0]
        return b"".join(b"&#%d;" % ord(char) for char in chars)

    out: list[bytes] = []
    position = 0
    for verbatim in _VERBATIM.finditer(data):
        out += [_ENTITY_REF.sub(one, data[position : verbatim.start()]), verbatim[0]]
        position = verbatim.end()
    out.append(_ENTITY_REF.sub(one, data[position:]))
    return b"".join(out)


def _undefined_entity(data: bytes, line: int | None, column: int | None) -> str | None:
    """The entity reference at `line`:`column` (1-based line, 0-based column), if any."""
    if line is None:
        return None
    lines = data.split(b"\n")
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    for match in _ENTITY_REF.finditer(text):
        if column is None or match.start() <= column < match.end() or match.start() >= column:
            return match[0].decode("ascii")
    return None


def parse_feed(data: bytes, origin: str) -> Any:
    """feedparser's view of an RSS or Atom document; FeedError when it is not a sound feed."""
    import feedparser  # heavy: not for a feed of known entries (feedscan)

    data = decode_html_entities(data)
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=True)
    problem = parsed.get("bozo_exception")
    tolerated = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if parsed.get("bozo") and problem is not None and not isinstance(problem, tolerated):
        line = column = None
        if isinstance(problem, xml.sax.SAXParseException):
            line, column = problem.getLineNumber(), problem.getColumnNumber()
        message = problem.getMessage() if hasattr(problem, "getMessage") else str(problem)
        entity = _undefined_entity(data, line, column) if "undefined entity" in message else None
        if entity is not None:
            message = _(
                "undefined entity {entity}: neither XML's nor one of HTML's named characters "
                "(write the character itself, or a numeric reference such as &#233;)"
            ).format(entity=entity)
        raise FeedError(
            _("not a well-formed feed: {message}; nothing was imported").format(message=message),
            origin,
            line,
        )
    if not parsed.get("version"):
        raise FeedError(_("not an RSS or Atom feed; nothing was imported"), origin)
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

    # Atom 0.3's <issued> is feedparser's `published`, <modified> its `updated`
    moment = (
        entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
    )
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


# what no item may hold (lettre check refuses it): C0 and C1 controls but tab and line
# feed, and the two non-characters; a feed decoded with the wrong character set has them
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


class _Cleaner:
    """Drops the control characters of one entry's texts, noting which it dropped."""

    def __init__(self) -> None:
        self.dropped: dict[str, list[str]] = {}  # field → code points

    def __call__(self, text: str, field: str) -> str:
        found = _CONTROL.findall(text)
        if not found:
            return text
        self.dropped.setdefault(field, []).extend(found)
        return _CONTROL.sub("", text)

    def warning(self, entry: str) -> str | None:
        if not self.dropped:
            return None
        chars = [c for found in self.dropped.values() for c in found]
        codes = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in chars))
        count = ngettext("{count} control character", "{count} control characters", len(chars))
        return _(
            "entry {entry!r}: {count} ({codes}) dropped from its {fields} "
            "(a feed decoded with the wrong character set?)"
        ).format(
            entry=entry,
            count=count.format(count=len(chars)),
            codes=codes,
            fields=_(" and ").join(self.dropped),
        )


def feed_entries(
    parsed: Any, settings: ImportSettings, timezone: str, base: str | None = None
) -> tuple[list[FeedEntry], list[Skip], list[str]]:
    """The feed's entries as FeedEntry, those that cannot become items (with why), and
    warnings (control characters dropped)."""
    channel_link = _absolute(parsed.feed.get("link"), base)
    base = channel_link or base
    entries: list[FeedEntry] = []
    skipped: list[Skip] = []
    warnings: list[str] = []
    for number, entry in enumerate(parsed.entries, start=1):
        clean = _Cleaner()
        title = " ".join(clean(_text(entry, "title"), "title").split())
        url = _absolute(entry.get("link"), base)
        if not title:
            skipped.append(Skip(url or f"entry {number}", _("no title")))
            continue
        day = _entry_date(entry, timezone)
        if day is None:
            skipped.append(Skip(title, _("no date (neither published, updated nor created)")))
            continue
        summary = " ".join(clean(_summary(entry), "summary").replace("\n\n", " ").split())
        terms = [
            clean(str(t.get("term") or t.get("label") or ""), "tags").strip()
            for t in entry.get("tags", [])
        ]
        terms = [t for t in terms if t]
        ident = clean(str(entry.get("id") or ""), "id").strip() or None
        warning = clean.warning(title)
        if warning:
            warnings.append(warning)
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
    return entries, skipped, warnings


def _summary(entry: Any) -> str:
    """The entry's summary as text; its content when it has only that (Atom <content>,
    RSS <content:encoded>: feedparser then copies it into `summary` without a type)."""
    if entry.get("summary_detail") and (entry.get("summary") or "").strip():
        return _text(entry, "summary")
    return _content_text(entry)


def _content_text(entry: Any) -> str:
    for content in entry.get("content", []):
        value = content.get("value") or ""
        if value.strip():
            if "html" in str(content.get("type", "")):  # text/html, application/xhtml+xml
                return html_to_text(value)
            return "\n\n".join(" ".join(p.split()) for p in value.split("\n\n") if p.strip())
    return ""
