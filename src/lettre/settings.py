"""The settings of a newsletter folder: frozen dataclasses, defaults filled in.

`config.py` reads `lettre.toml` into them (and re-exports them); nothing here reads a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from .folding import fold_words
from .keylines import Key, split_key

CONFIG_NAME = "lettre.toml"
BUILTIN_KINDS = ("communique", "resultats", "anniversaire")
DEFAULT_IMPORT_KIND = "communique"
DEFAULT_VIA = ("sendmail", "-t", "-oi")
ARCHIVE_PATH = "lettres/"  # the archive's place under base_url
STATE_DIR = "state"


@dataclass(frozen=True)
class Address:
    """A mailbox: an address with an optional display name."""

    address: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True)
class Section:
    """One section of the letter: the items of one kind, under a label."""

    kind: str
    label: str | None = None  # None: the locale's default label
    # labels by locale or language ("fr", "en", "fr_CA"); a plain `label` string counts
    # as the label in the folder's own language
    labels: tuple[tuple[str, str], ...] = ()

    def label_for(self, locale: str) -> str | None:
        """The label written for `locale` (en_GB, then en), or None."""
        return _for_locale(self.labels, locale)


#: the sections of a folder whose lettre.toml declares none: one per built-in kind
DEFAULT_SECTIONS = tuple(Section(k) for k in BUILTIN_KINDS)


@dataclass(frozen=True)
class SendSettings:
    """`[send]`: whom `lettre send` writes to, through which command, how fast."""

    mode: Literal["readers", "list"] | None = None  # None: neither readers nor list is set
    via: tuple[str, ...] = DEFAULT_VIA  # the sender command, split with shlex
    rate: float | None = None  # at most this many messages per second


@dataclass(frozen=True)
class ImageSettings:
    """`[images]`: images published at their address, or embedded in the message."""

    mode: Literal["publish", "embed"] = "publish"


@dataclass(frozen=True)
class TypographySettings:
    """`[typography]`: each rule of the typography can be turned off."""

    apostrophe: bool = True
    quotes: bool = True
    ellipsis: bool = True
    numbers: bool = True
    units: bool = True


TYPOGRAPHY_RULES = ("apostrophe", "quotes", "ellipsis", "numbers", "units")


@dataclass(frozen=True)
class ImportSettings:
    """`[import]` of lettre.toml: the default kind, and feed categories mapped to kinds."""

    kind: str = DEFAULT_IMPORT_KIND
    categories: Mapping[str, str] = field(default_factory=dict)  # folded category → kind

    def kind_of(self, categories: Iterable[str]) -> str:
        """The kind of the first category that is mapped, else the default kind."""
        for category in categories:
            kind = self.categories.get(fold_words(category))
            if kind:
                return kind
        return self.kind


def nearest_line(lines: Mapping[Key, int], key: str | Key) -> int | None:
    """The line of `key` in `lines`, else of the nearest table above it, else None."""
    parts = split_key(key) if isinstance(key, str) else tuple(key)
    for end in range(len(parts), 0, -1):
        line = lines.get(parts[:end])
        if line is not None:
            return line
    return None


def page_name(day: dt.date) -> str:
    """The archive page of the letter of `day`: `2025-06-13.html`."""
    return f"{day.isoformat()}.html"


def letter_url(config: Config, day: dt.date) -> str | None:
    """The web address of the letter of `day` (its "view online" link), when one is known."""
    base = config.archive_url
    return base + page_name(day) if base else None


def _for_locale(texts: tuple[tuple[str, str], ...], locale: str) -> str | None:
    """The text written for `locale` (en_GB), else for its language (en), else None."""
    wanted = locale_key(locale)
    by_key = dict(texts)
    return by_key.get(wanted) or by_key.get(wanted.split("_")[0])


def locale_key(locale: str) -> str:
    """`en-gb`, `en_GB.UTF-8` → `en_GB`; `FR` → `fr` (no Babel needed)."""
    parts = locale.strip().split(".")[0].replace("-", "_").split("_")
    return "_".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


@dataclass(frozen=True)
class Config:
    """Everything `lettre.toml` says, validated, with defaults filled in."""

    folder: Path
    title: str = "Lettre hebdomadaire"
    titles: tuple[tuple[str, str], ...] = ()  # `title = { fr = "…", en = "…" }`
    locale: str = "fr_FR"
    # the folder's own locale (lettre.toml's), that `--locale` leaves: the items' language
    # when they do not say `lang:`; None: `locale`
    items_locale: str | None = None
    timezone: str = "Europe/Paris"
    publication_day: int = 5  # ISO weekday, Friday
    sender: Address = Address("lettre@example.org")
    reply_to: Address | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    base_url: str | None = None
    list_id: str | None = None
    unsubscribe_mailto: str | None = None
    unsubscribe_url: str | None = None
    preheader: str | None = None
    allow_html: bool = False
    anniversary_years: tuple[int, ...] = ()  # empty: 1 and every multiple of 5
    footer_name: str | None = None  # [sender] footer_name
    # the tables marked `example = true` ("sender", "recipients", "unsubscribe"): what
    # `lettre init` wrote for the user to replace (see examples.py)
    examples: tuple[str, ...] = ()
    readers_path: Path | None = None  # [recipients] readers, absolute
    list_address: Address | None = None  # [recipients] list
    send: SendSettings = SendSettings()
    images: ImageSettings = ImageSettings()
    typography: TypographySettings = TypographySettings()
    archive_url_setting: str | None = None  # [archive] url, ending in "/"
    import_settings: ImportSettings = ImportSettings()
    # the line of lettre.toml that sets each key, for errors raised elsewhere (`line_of`)
    key_lines: Mapping[Key, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind an item may have: the built-in ones and those the sections declare."""
        declared = [s.kind for s in self.sections]
        return tuple(dict.fromkeys([*BUILTIN_KINDS, *declared]))

    @property
    def path(self) -> Path:
        """The folder's `lettre.toml`."""
        return self.folder / CONFIG_NAME

    @property
    def state_dir(self) -> Path:
        """Where state that must survive is kept (not `.lettre/`, a disposable cache)."""
        return self.folder / STATE_DIR

    @property
    def archive_url(self) -> str | None:
        """Where the archive is published: `[archive] url`, else `{base_url}lettres/`."""
        if self.archive_url_setting:
            return self.archive_url_setting
        if not self.base_url:
            return None
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return base + ARCHIVE_PATH

    def line_of(self, dotted_key: str | Key) -> int | None:
        """The line of lettre.toml that sets `dotted_key`, else the line of its nearest table.

        `"send.via"`, `"sections"` (the first `[[sections]]`), `"sections.1.label"` (the
        second one's label), `"recipients.to.0"` (an element of an array),
        `"import.categories.Sport"` (a quoted key, unquoted); a tuple spells a key whose
        name holds a dot. None when neither the key nor any table above it is set.
        """
        return nearest_line(self.key_lines, dotted_key)

    @property
    def items_dir(self) -> Path:
        return self.folder / "items"

    @property
    def anniversaries_path(self) -> Path:
        """`anniversaries.yaml`: founding dates from which anniversaries are computed."""
        return self.folder / "anniversaries.yaml"

    @property
    def templates_dir(self) -> Path:
        return self.folder / "templates"

    def with_locale(self, locale: str | None) -> Config:
        """A copy with another locale (from `--locale`) and its title, or self when None."""
        if not locale:
            return self

        return replace(
            self,
            locale=locale,
            items_locale=self.items_locale or self.locale,
            title=_for_locale(self.titles, locale) or self.title,
        )
