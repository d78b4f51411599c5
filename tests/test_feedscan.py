"""feedscan: the quick reading of a feed never says other than feedparser.

Whenever `feedscan.entries` reads a feed (instead of answering None), feedparser's reading
through `feeds.feed_entries` keeps every entry, warns about none, and gives each the
same source, title and date. Held on every feed of the tests and on generated ones; then
`lettre import` itself: a re-import takes the quick way only when nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import test_import_feeds
import test_importer
from lettre import feedscan, importer
from lettre.compose import open_folder
from lettre.config import ImportSettings
from lettre.feeds import FeedError, decode_html_entities, feed_entries, parse_feed
from lettre.importer import plan_import

ZONE = "Europe/Paris"


def agrees(data: bytes) -> bool:
    """Assert that feedscan, when it reads `data`, reads it as feedparser does; whether it
    read it."""
    seen = feedscan.entries(decode_html_entities(data))
    if seen is None:
        return False
    parsed = parse_feed(data, "feed.xml")  # a FeedError here would be a disagreement too
    entries, skipped, warnings = feed_entries(parsed, ImportSettings(), ZONE)
    assert skipped == [] and warnings == []
    zone = ZoneInfo(ZONE)
    assert [(e.source, e.title, e.date) for e in entries] == [
        (s.source, s.title, s.moment.astimezone(zone).date()) for s in seen
    ]
    return True


def feeds_of_the_tests() -> dict[str, bytes]:
    found: dict[str, bytes] = {"test_importer.rss_feed": test_importer.rss_feed()}
    for module in (test_importer, test_import_feeds):
        for name, value in vars(module).items():
            if isinstance(value, str) and ("<rss" in value or "<feed" in value):
                found[f"{module.__name__}.{name}"] = value.encode("utf-8")
    return found


@pytest.mark.parametrize("name", sorted(feeds_of_the_tests()))
def test_every_feed_of_the_tests(name: str) -> None:
    agrees(feeds_of_the_tests()[name])


def test_a_plain_feed_is_read_quickly() -> None:
    assert agrees(test_importer.rss_feed())  # else the quick way would never be taken
    atom = test_importer.ATOM_FEED.encode()
    assert feedscan.entries(atom) is None  # xml:base, an entry without date: feedparser's


def rss(items: list[str], declaration: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{declaration}\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel><title>Flux</title><link>https://www.example.org/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")


def atom(entries: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Flux</title><id>urn:flux</id><updated>2026-01-01T00:00:00Z</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode("utf-8")


TITLES = [
    "Défilé du 14 juillet",
    "  Deux\n  lignes  ",
    "",
    "   ",
    "R &amp; D",
    "&lt;b&gt;gras&lt;/b&gt; et texte",
    "<![CDATA[<i>italique</i>]]>",
    "<![CDATA[Plain]]>",
    "Ã©tÃ© mal lu",
    "&#x85;entrée",
    "a&amp;#133;b",
    "a&amp;amp;#1;b",
    "Ã¯Â¿Â¾",
    "&eacute;t&eacute;",
    "&amp;nbsp;",
]
IDS = [
    "https://www.example.org/a/1",
    "https:///www.example.org/a/2",
    "  urn:uuid:0f3a  ",
    "tag:example.org,2025:3",
    "relative/4",
    "",
    "été-5",
    "https://www.example.org/a b",
]
DATES = [
    "Thu, 01 Jan 2026 08:00:00 +0000",
    "01 Jan 2026 23:30 GMT",
    "Thu, 01 Jan 2026 23:30:00 Z",
    "Wed, 31 Dec 2025 23:30:00 -0500",
    "Thu, 31 Feb 2026 08:00:00 +0000",
    "Thu, 01 Jan 26 08:00:00 +0000",
    "Thu, 01 Jan 2026 08:00:00 -0000",
    "2026-01-01T23:30:00+02:00",
    "2026-01-01T08:00:00.123Z",
    "2026-13-01T08:00:00Z",
    "2026-01-01",
    "hier",
    "",
]


@st.composite
def rss_items(draw: Any) -> str:
    parts = [f"<title>{draw(st.sampled_from(TITLES))}</title>"]
    if draw(st.booleans()):
        permalink = draw(st.sampled_from(["", ' isPermaLink="true"', ' isPermaLink="false"']))
        parts.append(f"<guid{permalink}>{draw(st.sampled_from(IDS))}</guid>")
    if draw(st.booleans()):
        parts.append(f"<link>{draw(st.sampled_from(IDS))}</link>")
    for tag in draw(st.lists(st.sampled_from(["pubDate", "dc:date"]), max_size=3)):
        parts.append(f"<{tag}>{draw(st.sampled_from(DATES))}</{tag}>")
    if draw(st.booleans()):
        parts.append(f"<description>{draw(st.sampled_from(TITLES))}</description>")
    parts = draw(st.permutations(parts))
    return "<item>" + "".join(parts) + "</item>"


@st.composite
def atom_entries(draw: Any) -> str:
    kind = draw(st.sampled_from(["", ' type="text"', ' type="html"']))
    parts = [f"<title{kind}>{draw(st.sampled_from(TITLES))}</title>"]
    for _ in range(draw(st.integers(0, 2))):
        parts.append(f"<id>{draw(st.sampled_from(IDS))}</id>")
    for tag in draw(st.lists(st.sampled_from(["published", "updated"]), max_size=3)):
        parts.append(f"<{tag}>{draw(st.sampled_from(DATES))}</{tag}>")
    if draw(st.booleans()):
        parts.append(f'<link href="{draw(st.sampled_from(IDS))}"/>')
    parts = draw(st.permutations(parts))
    return "<entry>" + "".join(parts) + "</entry>"


@given(st.lists(rss_items(), min_size=1, max_size=4))
def test_generated_rss_feeds(items: list[str]) -> None:
    agrees(rss(items))


@given(st.lists(atom_entries(), min_size=1, max_size=4))
def test_generated_atom_feeds(entries: list[str]) -> None:
    agrees(atom(entries))


ONE = "<item><title>{title}</title><guid{permalink}>{id}</guid>{dates}</item>"
DATE = "<pubDate>Thu, 01 Jan 2026 08:00:00 +0000</pubDate>"


@pytest.mark.parametrize(
    "title, permalink, ident, dates",
    [
        ("T", "", "https:///www.example.org/a/2", DATE),  # feedparser drops the third slash
        ("T", ' isPermaLink="false"', "https:///www.example.org/a/2", DATE),  # but not here
        ("T", "", "Ã©tÃ©", DATE),  # UTF-8 read as Latin-1: feedparser mends it
        ("T", "", "été", DATE),
        ("&lt;b&gt;&lt;/b&gt;", "", "urn:1", DATE),  # HTML with no text: no title
        ("&lt;b&gt;Titre&lt;/b&gt;", "", "urn:1", DATE),
        ("Ã©tÃ©", "", "urn:1", DATE),
        ("T", "", "urn:1", DATE + "<pubDate>Sat, 03 Jan 2026 08:00:00 +0000</pubDate>"),
        ("T", "", "urn:1", DATE + "<dc:date>2026-01-03T08:00:00Z</dc:date>"),
        ("T", "", "urn:1", "<dc:date>2026-01-03T23:30:00-05:00</dc:date>"),
        ("T", "", "urn:1", "<pubDate>Thu, 01 Jan 2026 23:30:00 -0000</pubDate>"),
        ("T", "", "urn:1", "<pubDate>Thu, 01 Jan 2026 23:30:00 +0100</pubDate>"),
        ("T", "", "urn:1", "<pubDate>01 Jan 2026</pubDate>"),
    ],
)
def test_one_entry_read_as_feedparser_reads_it(
    title: str, permalink: str, ident: str, dates: str
) -> None:
    agrees(rss([ONE.format(title=title, permalink=permalink, id=ident, dates=dates)]))


def test_generated_feeds_are_often_read_quickly() -> None:
    good = "<item><title>T</title><guid>urn:1</guid><pubDate>{}</pubDate></item>"
    assert agrees(rss([good.format(DATES[0]), good.format(DATES[2]).replace("1<", "2<")]))
    assert agrees(atom(["<entry><title>T</title><id>urn:1</id><updated>2026-01-01T08:00:00Z"
                        "</updated></entry>"]))  # fmt: skip
    assert not agrees(rss([good.format(DATES[0])], '<?xml version="1.0" encoding="latin-1"?>'))


# --- lettre import: the quick way gives the plan feedparser's reading gives -----------------


@pytest.fixture
def empty_folder(make_folder: Callable[..., Path]) -> Callable[[], Path]:
    def make() -> Path:
        folder = make_folder({"placeholder.md": ""})
        (folder / "items" / "placeholder.md").unlink()
        return folder

    return make


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    def off() -> None:
        monkeypatch.setattr(feedscan, "entries", lambda data: None)

    return off


def test_a_re_import_is_the_same_plan_either_way(
    empty_folder: Callable[..., Path], slow: Callable[[], None]
) -> None:
    folder = empty_folder()
    config = open_folder(folder)
    data = test_importer.rss_feed(30)
    first = plan_import(config, data, "feed.xml")
    importer.apply_plan(first)
    quick = plan_import(config, data, "feed.xml")
    assert len(quick.duplicates) == 30 and not quick.created
    slow()
    assert plan_import(config, data, "feed.xml") == quick


def test_a_changed_folder_or_feed_is_never_taken_as_known(
    empty_folder: Callable[..., Path], slow: Callable[[], None]
) -> None:
    folder = empty_folder()
    config = open_folder(folder)
    data = test_importer.rss_feed(10)
    made = importer.apply_plan(plan_import(config, data, "feed.xml"))
    made[3].unlink()  # an item deleted: its entry is new again
    again = plan_import(config, data, "feed.xml")
    assert [new.entry.source for new in again.created] == ["urn:example-org:communique:4"]
    more = test_importer.rss_feed(11)  # one entry more
    expected = plan_import(config, more, "feed.xml")
    assert [new.entry.source for new in expected.created] == [
        "urn:example-org:communique:4",
        "urn:example-org:communique:11",
    ]
    slow()
    assert plan_import(config, more, "feed.xml") == expected


def test_the_quick_way_says_what_feedparser_would_on_a_broken_feed(
    empty_folder: Callable[..., Path],
) -> None:
    folder = empty_folder()
    config = open_folder(folder)
    with pytest.raises(FeedError, match="not a well-formed feed"):
        plan_import(config, b"<rss version='2.0'><channel><item>", "feed.xml")
    assert not any((folder / "items").iterdir())
