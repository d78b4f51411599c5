"""Item files → Items: the rules of an item's front matter, every problem with file:line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from . import files
from .body import is_local, safe_scheme
from .configvalues import unknown_kind
from .errors import ItemError, ItemErrors, UsageError
from .french import get_locale
from .frontmatter import (
    MAX_ITEM_BYTES,
    Fields,
    FrontMatter,
    decode_text,
    describe,
    parse_front_matter,
    to_date,
)
from .items import Image, Item, Period, ResultRow
from .messages import _
from .results import read_results

ITEM_KEYS = (
    "date",
    "kind",
    "title",
    "summary",
    "url",
    "image",
    "tags",
    "period",
    "results",
    "founded",
    "lang",  # the language the item is written in, when it is not the folder's
    "source",  # where `lettre import` took the item from (a feed entry's id or link)
    "draft",  # true: kept out of every letter until it is ready
    "example",  # true: an example that `lettre init` wrote, never sent
)
TEXT_KEYS = ("kind", "title", "summary", "url", "lang")
#: publication dates lettre accepts: a year outside them is a typo (0025, 20025…)
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
#: keys written by people who think in French, or in other tools' words (for hints)
KEY_HINTS = {
    "titre": "title",
    "résumé": "summary",
    "resume": "summary",
    "chapo": "summary",
    "chapô": "summary",
    "lien": "url",
    "link": "url",
    "type": "kind",
    "genre": "kind",
    "categorie": "kind",
    "catégorie": "kind",
    "etiquettes": "tags",
    "étiquettes": "tags",
    "tag": "tags",
    "résultats": "results",
    "resultats": "results",
    "periode": "period",
    "période": "period",
    "fondation": "founded",
    "cree": "founded",
    "créé": "founded",
    "langue": "lang",
    "language": "lang",
    "locale": "lang",
    "brouillon": "draft",
    "exemple": "example",
}


def read_item(path: Path, kinds: Sequence[str], every: bool = False) -> Item:
    """Read and parse one item file (with `every`, finding all of its problems)."""
    data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    return parse_item(decode_text(data, path), path, kinds, every)


def parse_item(text: str, path: Path, kinds: Sequence[str], every: bool = False) -> Item:
    """An Item from the text of its file; ItemError names the line of the first problem.

    With `every`, all the problems of the file are found: ItemErrors when there are several.
    """
    return build_item(parse_front(text, path, every), kinds, every)


def parse_front(text: str, path: Path, every: bool = False) -> FrontMatter:
    """The front matter of an item's text, with the values an item wants as text kept as
    written (see `build_item`)."""
    return parse_front_matter(text, path, TEXT_KEYS, every)


def build_item(front: FrontMatter, kinds: Sequence[str], every: bool = False) -> Item:
    """The Item of a parsed front matter; ItemError names the line of the first problem.

    With `every`, all the problems of the file are found: ItemErrors when there are several.
    """
    f = Fields(front, ITEM_KEYS, KEY_HINTS)
    body, data = front.body, f.data

    def first() -> None:
        """Stop at the first problem, unless every problem is wanted."""
        if f.errors and not every:
            raise f.errors[0]

    date = f.attempt(lambda: _item_date(f), None)
    first()
    kind = f.attempt(lambda: _kind(f, kinds), None)
    first()
    title = f.attempt(lambda: f.text("title", required=True, one_line=True), None)
    first()
    url = f.attempt(lambda: _url(f), None)
    first()
    period = f.attempt(lambda: _period(f), None)
    first()
    no_rows: tuple[ResultRow, ...] = ()
    results = f.attempt(lambda: read_results(f, every), no_rows)
    first()
    if kind == "resultats" and "results" not in data and not body.strip():
        f.errors.append(f.fail("kind", _("a 'resultats' item needs 'results:' rows or a body")))
    first()
    summary = f.attempt(lambda: f.text("summary", one_line=True), None)
    image = f.attempt(lambda: _image(f), None)
    no_tags: tuple[str, ...] = ()
    tags = f.attempt(lambda: _tags(f), no_tags)
    founded = f.attempt(lambda: f.date("founded"), None)
    lang = f.attempt(lambda: _lang(f), None)
    draft = f.attempt(lambda: f.flag("draft"), False)
    example = f.attempt(lambda: f.flag("example"), False)
    first()
    if f.errors:
        errors = sorted(f.errors, key=lambda e: e.line or 0)
        raise ItemErrors.of(errors)
    assert date is not None and kind is not None and title is not None
    return Item(
        path=front.path,
        date=date,
        kind=kind,
        title=title,
        body=body.strip("\n"),
        summary=summary,
        url=url,
        image=image,
        tags=tags,
        period=period,
        results=results,
        founded=founded,
        lang=lang,
        draft=draft,
        example=example,
        body_line=front.body_line,
        key_lines=tuple((key, line) for key, (_value, line) in data.items()),
    )


def _item_date(f: Fields) -> dt.date:
    date = f.date("date", required=True)
    assert date is not None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise f.fail(
            "date",
            _("'date': {isoformat} is out of range (a year from 1900 to 2999)").format(
                isoformat=date.isoformat()
            ),
        )
    return date


def _kind(f: Fields, kinds: Sequence[str]) -> str:
    kind = f.text("kind", required=True)
    assert kind is not None
    if kind not in kinds:
        raise f.fail("kind", unknown_kind(kind, kinds))
    return kind


def _url(f: Fields) -> str | None:
    url = f.text("url")
    if url is not None and not safe_scheme(url):
        raise f.fail(
            "url", _("'url' must be an http(s) or mailto address, not {url!r}").format(url=url)
        )
    # not files.CONTROL: any white space (tab, line feed too) splits an address; C1 not refused
    if url is not None and re.search(r"[\s\x00-\x1f\x7f]", url):
        raise f.fail(
            "url",
            _("'url' must be one address, without spaces or line breaks: {url!r}").format(url=url),
        )
    return url


def _lang(f: Fields) -> str | None:
    """`lang: en`, `lang: de_CH`: the item's language, checked like a locale (`fr-ca` → `fr_CA`)."""
    name = f.text("lang", one_line=True)
    if name is None:
        return None
    try:
        return str(get_locale(name))
    except UsageError as err:
        raise f.fail("lang", _("'lang': {message}").format(message=err.message)) from None


def _image(f: Fields) -> Image | None:
    value = f.raw("image")
    if value is None:
        return None
    if isinstance(value, str):
        raise f.fail("image", _("'image' needs 'src' and 'alt' (the text read out in its place)"))
    if not isinstance(value, dict):
        raise f.fail(
            "image",
            _("'image' must be a table with 'src' and 'alt', not {value}").format(
                value=describe(value)
            ),
        )
    src, alt = value.get("src"), value.get("alt")
    line = _image_src_line(f)
    if not isinstance(src, str) or not src.strip():
        raise f.fail("image", _("'image' needs 'src' (the picture's address)"))
    src = src.strip()
    if is_local(src):  # a photo of the folder (imagefiles.locate vets the path): spaces are fine
        if re.search(r"[\x00-\x1f\x7f]", src):
            message = _("'image.src' must be one line, without control characters: {src!r}")
            raise ItemError(message.format(src=src), f.path, line)
    elif not safe_scheme(src) or src.lower().startswith("mailto:"):
        raise ItemError(
            _("'image.src' must be an http(s) address or a file of the folder, not {src!r}").format(
                src=src
            ),
            f.path,
            line,
        )
    elif re.search(r"[\s\x00-\x1f\x7f]", src):
        raise ItemError(
            _("'image.src' must be one address, without spaces: {src!r}").format(src=src),
            f.path,
            line,
        )
    if alt is None:
        raise f.fail("image", _("'image' needs 'alt' (the text read out in its place)"))
    if not isinstance(alt, str):
        raise f.fail("image", _("'image.alt' must be text, not {alt}").format(alt=describe(alt)))
    sizes = []
    for key in ("width", "height"):
        size = value.get(key)
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size <= 0):
            raise f.fail(
                "image",
                _("'image.{key}' must be a number of pixels, not {size}").format(
                    key=key, size=describe(size)
                ),
            )
        sizes.append(size)
    return Image(src, " ".join(alt.split()), sizes[0], sizes[1], line)


def _image_src_line(f: Fields) -> int:
    """The line of `src` inside `image` (block or flow style), else the line of `image`."""
    node = f.node("image")
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if key_node.value == "src":
                return int(f.first_line + key_node.start_mark.line)
    return f.line_of("image")


def _tags(f: Fields) -> tuple[str, ...]:
    value = f.raw("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [t for t in re.split(r"[,\s]+", value) if t]
    words = isinstance(value, list) and all(
        isinstance(t, str | int) and not isinstance(t, bool) for t in value
    )
    if not words:
        raise f.fail("tags", _("'tags' must be a list of words"))
    return tuple(str(t).strip() for t in value)


def _period(f: Fields) -> Period | None:
    value = f.raw("period")
    if value is None:
        return None
    if not isinstance(value, dict) or "start" not in value or "end" not in value:
        raise f.fail("period", _("'period' needs 'start' and 'end' dates"))
    try:
        start, end = to_date(value["start"]), to_date(value["end"])
    except ValueError as err:
        raise f.fail(
            "period", _("{label}: {message}").format(label="'period'", message=err)
        ) from None
    if end < start:
        raise f.fail(
            "period",
            _("'period' ends ({end}) before it starts ({start})").format(end=end, start=start),
        )
    return Period(start, end)
