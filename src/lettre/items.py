"""Plain data: items as read from files, and the letter built from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Image:
    """An illustration of an item; `alt` is required."""

    src: str  # an http(s) address, or a path from the newsletter folder (a local photo)
    alt: str
    width: int | None = None
    height: int | None = None
    line: int | None = field(default=None, compare=False)  # the line of 'src' in the item


@dataclass(frozen=True)
class PreparedImage:
    """A local photo made ready for e-mail (by imagecache.py): the file lettre wrote."""

    source: Path  # the item's picture, in the newsletter folder
    name: str  # content-hashed: `defile-3fa2c1.jpg`, the same in the archive's images/
    path: Path  # the prepared file, in `.lettre/images/`
    width: int
    height: int
    size: int  # bytes
    mime: str  # image/jpeg or image/png

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class Period:
    """The days a results item covers, both ends included."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ResultRow:
    """One line of a results item: who ranked where, in what."""

    sport: str
    name: str
    rank: int | None = None
    # a rank as the letter shows it, when written as words ("finaliste", "DNF") or as an
    # ordinal of the author's own ("1re", "1ère", "2e"); "" for a plain number
    rank_text: str = ""
    grade: str = ""
    event: str = ""
    competition: str = ""
    city: str = ""
    country: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Item:
    """One dated piece of news, as read from `items/*.md`."""

    path: Path
    date: dt.date
    kind: str
    title: str
    body: str = ""
    summary: str | None = None
    url: str | None = None
    image: Image | None = None
    tags: tuple[str, ...] = ()
    period: Period | None = None
    results: tuple[ResultRow, ...] = ()
    founded: dt.date | None = None
    lang: str | None = None  # the locale it is written in (`lang:`); None: the folder's
    draft: bool = False  # `draft: true`: kept out of every letter (`compose --drafts` shows it)
    example: bool = False  # `example: true`: written by `lettre init`, never sent
    body_line: int = 1  # the line of the file where the body starts
    # the front matter's keys and their lines, as written: where a message about one points
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    @property
    def slug(self) -> str:
        return self.path.stem


@dataclass(frozen=True)
class Anniversary:
    """An entry of `anniversaries.yaml`: something founded on a date."""

    name: str
    founded: dt.date
    url: str | None = None
    text: str | None = None
    source: Path | None = None
    line: int | None = None
    example: bool = False  # `example: true`, or an entry that `lettre init` once wrote


@dataclass(frozen=True)
class Week:
    """The seven days that end on a publication day, both ends included."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Entry:
    """An item as the templates show it: text already formatted for the locale."""

    item: Item
    title: str
    date_text: str
    summary: str  # the item's summary, or the first words of its body
    lead: str  # the summary as written in the item (shown above the body), or ""
    body_html: str
    body_text: str
    url: str | None
    period_text: str | None = None
    years: int | None = None
    years_text: str | None = None
    url_ref: int | None = None  # the number of `url` among the plain text's references
    results: tuple[tuple[str, tuple[dict[str, str], ...]], ...] = ()  # (sport, rows)
    image: Image | None = None  # as the letter shows it: src, width and height final
    photo: PreparedImage | None = None  # when the image is a local photo, prepared
    # the language (BCP 47, `fr`) of the item's own words when it is not the letter's, for
    # the HTML's `lang` attributes (WCAG 3.1.2); None: the letter's language
    lang: str | None = None
    title_lang: str | None = None  # the title's: a computed anniversary's is the letter's
    # marks shown before the title in a proof, in the letter's language (« EXEMPLE »,
    # « BROUILLON »); never in a letter that is sent
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterSection:
    """One section of a letter: a label and its entries, in date order."""

    kind: str
    label: str
    entries: tuple[Entry, ...]
    lang: str | None = None  # the label's language when it is not the letter's


@dataclass(frozen=True)
class Letter:
    """The one context both templates render: everything already in words."""

    title: str
    subject: str
    week: Week
    date: dt.date
    date_text: str
    period_text: str
    locale: str
    lang: str
    sections: tuple[LetterSection, ...]
    preheader: str
    sender_name: str
    sender_address: str
    base_url: str | None = None
    web_url: str | None = None
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    links: tuple[str, ...] = ()  # the plain text's numbered references, in order
    # a proof's warnings above the letter (example addresses of lettre.toml…), in words
    notices: tuple[str, ...] = ()
    footer_name: str | None = None  # `[sender] footer_name`: who the footer says sends it

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(e for s in self.sections for e in s.entries)

    @property
    def photos(self) -> tuple[PreparedImage, ...]:
        """The prepared local photos of the letter, each once, in reading order."""
        return tuple(dict.fromkeys(e.photo for e in self.entries if e.photo is not None))
