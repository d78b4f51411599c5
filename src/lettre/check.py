"""`lettre check`: every problem of a newsletter folder, as findings with file and line."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .config import Config
from .errors import ImageError, ItemError, ItemErrors, LettreError
from .findings import Finding, Report
from .items import Item, Week
from .messages import _

_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


def _order(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first, then warnings; each by file and line."""
    return tuple(
        sorted(
            findings,
            key=lambda f: (
                f.severity != "error",
                f.path is None,
                str(f.path or ""),
                f.line or 0,
                f.message,
            ),
        )
    )


def check_folder(config: Config, week: Week | None = None) -> Report:
    """Check every item file and `anniversaries.yaml`; with `week`, compose its letter too."""
    from .readers import item_paths, read_anniversaries, read_items

    paths = item_paths(config.items_dir)
    items, errors = read_items(config.items_dir, config.kinds, paths, every=True)
    findings = [Finding.from_error(err) for err in errors]
    findings += stray_files(config.items_dir)
    findings += example_findings(config, items)
    findings += address_warnings(config)
    for item in items:
        findings += item_warnings(item)
    findings += local_images(config, items)
    findings += duplicates(items)
    files = len(paths)
    anniversaries_path = config.anniversaries_path
    if anniversaries_path.exists() or anniversaries_path.is_symlink():
        files += 1
    try:  # as compose reads it: a broken link is an error there, so here too
        from .examples import anniversary_examples

        entries = read_anniversaries(anniversaries_path, every=True)
        findings += [
            Finding("error", e.what, e.path, e.line) for e in anniversary_examples(entries)
        ]
    except ItemErrors as err:
        findings += [Finding.from_error(e) for e in err.errors]
    except LettreError as err:
        findings.append(Finding.from_error(err))
    if week is not None:
        # the items just read serve the letter too, unless some are broken: then compose
        # says whether they stop this letter
        findings += check_letter(config, week, items=None if errors else items)
    return Report(_order(dict.fromkeys(findings)), files)  # composing may find one again


def local_images(config: Config, items: Iterable[Item]) -> list[Finding]:
    """Each item's local image is a file of the folder (its content is read by `--week`)."""
    from .images import local_items, locate

    found = []
    for item in local_items(items):
        try:
            locate(config.folder, item)
        except ImageError as err:
            found.append(Finding.from_error(err))
    return found


def check_letter(
    config: Config,
    week: Week,
    now: dt.datetime | None = None,
    items: Sequence[Item] | None = None,
) -> list[Finding]:
    """Compose the letter of `week` and report what stops it or spoils it."""
    from .compose import compose

    try:
        composed = compose(config, week, now=now, items=items)
    except (ItemError, ItemErrors):
        # each broken item is reported by the item checks already
        message = _("the letter of {isoformat} cannot be composed: fix the items first").format(
            isoformat=week.end.isoformat()
        )
        return [Finding("error", message)]
    except LettreError as err:
        return [Finding.from_error(err)]
    # the letter as mail clients will see it: size, images, links, subject, sections…
    from .lint import lint

    return lint(composed, config)


def stray_files(items_dir: Path) -> list[Finding]:
    """Files and folders in `items/` that lettre does not read (not `*.md`, sub-folders)."""
    from .readers import IGNORED_PREFIXES

    if not items_dir.is_dir():
        return [
            Finding("warning", _("no items folder: create an item with 'lettre new'"), items_dir)
        ]
    found = []
    with os.scandir(items_dir) as entries:  # no stat per file: 20,000 items are common
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith(IGNORED_PREFIXES):
                continue  # hidden, put aside (_notes.md) or an editor's
            path = items_dir / entry.name
            if _is_dir(entry):
                message = _("not read: items in sub-folders are left out (move them up to items/)")
                found.append(Finding("warning", message, path))
            elif not entry.name.endswith(".md"):
                message = _("not read: item files end in '.md' (rename it to use it)")
                found.append(Finding("warning", message, path))
    return found


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether a folder entry is a folder (or a link to one); False when it cannot be told."""
    try:
        return entry.is_dir()
    except OSError:  # a link that loops, a folder that may not be read
        return False


def item_warnings(item: Item) -> list[Finding]:
    """What is allowed but probably a mistake in one item that reads without error."""
    from .readers import ITEM_KEYS

    found: list[Finding] = []
    keys = dict(item.key_lines)  # as parsed: the file is not read again

    def at(key: str) -> int | None:
        return keys.get(key)

    for key in keys:
        if key not in ITEM_KEYS:
            close = difflib.get_close_matches(key, ITEM_KEYS, n=1)
            hint = _(" (did you mean '{value}'?)").format(value=close[0]) if close else ""
            message = _("unknown key '{key}' ignored{hint}").format(key=key, hint=hint)
            found.append(Finding("warning", message, item.path, at(key)))
    dated = _DATED_NAME.match(item.path.name)
    if dated and dated[1] != item.date.isoformat():
        found.append(
            Finding(
                "warning",
                _("the file name says {value} but 'date:' is {isoformat}").format(
                    value=dated[1], isoformat=item.date.isoformat()
                ),
                item.path,
                at("date"),
            )
        )
    if item.image is not None and not item.image.alt:
        found.append(
            Finding(
                "warning",
                _("'image.alt' is empty: describe the picture for those who cannot see it"),
                item.path,
                at("image"),
            )
        )
    elif item.image is not None and _names_the_file(item.image.alt, item.image.src):
        found.append(
            Finding(
                "warning",
                _(
                    "'image.alt' repeats the file name ({alt!r}): describe what the picture "
                    "shows, for those who cannot see it"
                ).format(alt=item.image.alt),
                item.path,
                at("image"),
            )
        )
    if item.kind == "anniversaire" and item.founded is None:
        message = _("an 'anniversaire' without 'founded:' cannot show its number of years")
        found.append(Finding("warning", message, item.path, at("kind")))
    if item.founded is not None and item.founded > item.date:
        message = _(
            "'founded' ({isoformat}) is after the item's date ({isoformat2}): a typo in the year?"
        ).format(isoformat=item.founded.isoformat(), isoformat2=item.date.isoformat())
        found.append(Finding("warning", message, item.path, at("founded")))
    years = _title_years(item.title)
    if item.kind == "anniversaire" and item.founded is not None and years is not None:
        age = item.date.year - item.founded.year
        if years != age:
            message = _(
                "the title says {years} years but 'founded' ({isoformat}) makes {age} on "
                "{isoformat2}: check the title or 'founded'"
            ).format(
                years=years,
                isoformat=item.founded.isoformat(),
                age=age,
                isoformat2=item.date.isoformat(),
            )
            found.append(Finding("warning", message, item.path, at("title")))
    found += [Finding("warning", message, item.path, line) for line, message in item.notes]
    return found


def _names_the_file(alt: str, src: str) -> bool:
    """True when the alt text is only the picture's file name (`IMG_1234`, `defile.jpg`)."""

    def fold(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.casefold())

    name = src.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return bool(fold(stem)) and fold(alt) in (fold(name), fold(stem))


# « 20 ans », « 1 an », "20 years", "20th anniversary", "20 Jahre"
_YEARS = re.compile(
    r"(?<![\d,.])(\d{1,4})(?:[\s\u00a0\u202f-]*(?:ans?|years?|jahre?n?)\b|"
    r"(?:st|nd|rd|th)\s+anniversary\b|e\s+anniversaire\b)",
    re.IGNORECASE,
)


def _title_years(title: str) -> int | None:
    """The number of years a title announces (« … a 10 ans »), or None."""
    match = _YEARS.search(title)
    return int(match[1]) if match else None


def example_findings(config: Config, items: Sequence[Item]) -> list[Finding]:
    """Example content, as errors: what compose, archive and send refuse to send."""
    from .examples import config_examples, item_examples

    found = [
        Finding("error", example.what, example.path, example.line)
        for example in config_examples(config)
    ]
    for item in items:
        found += [Finding("error", e.what, e.path, e.line) for e in item_examples(item)]
    return found


def address_warnings(config: Config) -> list[Finding]:
    """Local addresses (root@localhost): fine for `sendmail -t` here, unknown elsewhere."""
    from .config import is_local_address

    found = []
    addresses = [("sender", "address", config.sender.address)]
    if config.reply_to is not None:
        addresses.append(("sender", "reply_to", config.reply_to.address))
    for key in ("to", "cc", "bcc"):
        addresses += [("recipients", key, a.address) for a in getattr(config, key)]
    if config.unsubscribe_mailto:
        addresses.append(("unsubscribe", "mailto", config.unsubscribe_mailto))
    for table, key, address in addresses:
        if is_local_address(address):
            message = _(
                "'{table}.{key}': {address} is a local address (no domain): the mail relay of "
                "this machine delivers it, but nobody elsewhere can write to it"
            ).format(table=table, key=key, address=address)
            found.append(Finding("warning", message, config.path, config.line_of(f"{table}.{key}")))
    return found


def duplicates(items: Sequence[Item]) -> list[Finding]:
    """Items with the same date and title: the letter would show the news twice."""
    seen: dict[tuple[dt.date, str], Item] = {}
    found = []
    for item in sorted(items, key=lambda i: i.path.name):
        key = (item.date, item.title.casefold())
        if key in seen:
            first = seen[key].path.name
            found.append(
                Finding(
                    "warning",
                    _("same date and title as {first}: shown twice").format(first=first),
                    item.path,
                    1,
                )
            )
        else:
            seen[key] = item
    return found
