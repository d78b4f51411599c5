"""A cheap first look at a feed: each entry's id, when it is certainly feedparser's.

Re-importing a feed whose entries are all known must not pay for feedparser (its import
and its parse are most of the cost). This reads the feed with the standard library's XML
parser and gives the ids feedparser would give — or None as soon as anything could make
feedparser see the feed differently: another format than RSS 2.0 or Atom 1.0, a character
set other than UTF-8, a DOCTYPE, an `xml:base`, an entry without exactly one id, a title
that could read as empty, a date feedparser might not read, a character `lettre import`
would warn about. None only means "ask feedparser"; it is never an error.

For a feed it reads, every entry is one that `feeds.feed_entries` keeps without a
warning, and each `Seen` holds what its FeedEntry would: `source`, `title`, and the moment
its date comes from (tests/test_feedscan.py holds this to feedparser's reading of every feed
of the tests, and of generated ones).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from xml.etree.ElementTree import Element, ParseError, fromstring

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# what `lettre import` drops from an entry with a warning (feeds._CONTROL)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=[\"']([^\"']*)[\"']")
# RFC 822 as feeds write it, that feedparser's own RFC 822 reader takes
_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT|Z)"
)
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")
# feedparser's `_urljoin('', uri)`: the slashes after `scheme://` are dropped
_URIFIXER = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
# where an HTML reading of a text could find a character reference or markup
_MARKUP = re.compile(r"<|&[#\w]")


class Seen(NamedTuple):
    """One entry as `lettre import` would read it."""

    source: str  # its id
    title: str
    moment: dt.datetime  # aware: the date it was published (else updated)


def entries(data: bytes) -> list[Seen] | None:
    """Each entry of an RSS 2.0 or Atom 1.0 feed, in order, as feedparser reads it; None
    when that is not certain (then feedparser must read the feed)."""

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data or not _utf8(data):
        return None
    try:
        root = fromstring(data)
    except (ParseError, ValueError):
        return None
    if root.tag == "rss" and root.get("version") == "2.0":
        channels = [c for c in root if c.tag == "channel"]
        if len(channels) != 1:
            return None
        items, atom = [e for e in channels[0] if e.tag == "item"], False
    elif root.tag == f"{ATOM}feed":
        items, atom = [e for e in root if e.tag == f"{ATOM}entry"], True
    else:
        return None
    named = {"item", "entry", "guid", "id"}
    if sum(1 for e in root.iter() if _local(e.tag) in {"item", "entry"}) != len(items):
        return None  # an entry somewhere else: feedparser would count it
    if any(XML_BASE in e.attrib or "base" in e.attrib for e in root.iter()):
        return None  # relative addresses would be resolved
    found = []
    for item in items:
        seen = _entry(item, atom, named)
        if seen is None:
            return None
        found.append(seen)
    return found


def _utf8(data: bytes) -> bool:
    """UTF-8 bytes, declared so or not declared at all (feedparser's reading is the same)."""
    declared = _DECLARATION.match(data)
    if declared and declared[1].lower() not in (b"utf-8", b"utf8"):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _entry(entry: Element, atom: bool, named: set[str]) -> Seen | None:
    """One entry, when feedparser keeps it, reads no warning in it and reads it so."""
    if entry.attrib or any(_suspect(text) for text in entry.itertext()):
        return None
    if sum(1 for e in entry.iter() if _local(e.tag) in named) != 2:
        return None  # the entry itself and exactly one id, nothing nested that says more
    ns = ATOM if atom else ""
    titles = [e for e in entry if e.tag == f"{ns}title"]
    ids_ = [e for e in entry if e.tag == (f"{ATOM}id" if atom else "guid")]
    if len(titles) != 1 or len(titles[0]) or len(ids_) != 1 or len(ids_[0]):
        return None
    title = " ".join(_mended((titles[0].text or "").strip()).split())
    if not title or _MARKUP.search(title) or _MARKUP.search(titles[0].text or ""):
        return None
    # published first, else updated: feedparser's `published_parsed or updated_parsed`
    order = (f"{ATOM}published", f"{ATOM}updated") if atom else ("pubDate", f"{DC}date")
    dates = [e for e in entry if e.tag in order]
    moments = [_moment(e.text) for e in sorted(dates, key=lambda e: order.index(e.tag))]
    if not moments or len({e.tag for e in dates}) != len(dates) or None in moments:
        return None
    element = ids_[0]
    text = (element.text or "").strip()
    if not text or not text.isascii():
        return None
    permalink = atom or element.get("isPermaLink", "true") == "true"
    if set(element.attrib) - {"isPermaLink"}:
        return None
    ident = (_URIFIXER.sub(r"\1\3", text) if permalink else text).strip()
    moment = moments[0]
    return Seen(ident, title, moment) if ident and moment is not None else None


def _mended(text: str) -> str:
    """What feedparser makes of a text of a UTF-8 feed: UTF-8 read as Latin-1 is mended."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _suspect(text: str) -> bool:
    """A text in which `lettre import` could find a character it drops (and warns about),
    read as XML, as HTML (references decoded, even twice) or as feedparser mends UTF-8."""
    seen = text
    for _ in range(3):
        if _CONTROL.search(seen):
            return True
        if "&" not in seen:
            break
        seen = html.unescape(seen)
    mended = _mended(text)
    return mended != text and _suspect(mended)


def _moment(text: str | None) -> dt.datetime | None:
    """A date that feedparser reads for certain (RFC 822 in RSS, RFC 3339 in Atom and
    dc:date), as an aware datetime; None for any other."""
    value = (text or "").strip()
    try:
        if _RFC822.fullmatch(value):
            parsed = parsedate_to_datetime(value)
        elif _RFC3339.fullmatch(value):
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        else:
            return None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None or not 1900 <= parsed.year <= 9998:
        return None
    return parsed.replace(microsecond=0)
