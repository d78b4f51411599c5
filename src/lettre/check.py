"""`lettre check`: every problem of a newsletter folder, as findings with file and line."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

from .config import Config
from .errors import ItemError, ItemErrors, LettreError
from .findings import Finding, Report
from .items import Item, Week

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
    for item in items:
        findings += item_warnings(item)
    findings += duplicates(items)
    files = len(paths)
    anniversaries_path = config.anniversaries_path
    if anniversaries_path.exists() or anniversaries_path.is_symlink():
        files += 1
    try:  # as compose reads it: a broken link is an error there, so here too
        read_anniversaries(anniversaries_path, every=True)
    except ItemErrors as err:
        findings += [Finding.from_error(e) for e in err.errors]
    except LettreError as err:
        findings.append(Finding.from_error(err))
    if week is not None:
        # the items just read serve the letter too, unless some are broken: then compose
        # says whether they stop this letter
        findings += check_letter(config, week, items=None if errors else items)
    return Report(_order(findings), files)


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
        message = f"the letter of {week.end.isoformat()} cannot be composed: fix the items first"
        return [Finding("error", message)]
    except LettreError as err:
        return [Finding.from_error(err)]
    # the letter as mail clients will see it: size, images, links, subject, sections…
    from .lint import lint

    return lint(composed, config)


def stray_files(items_dir: Path) -> list[Finding]:
    """Files and folders in `items/` that lettre does not read (not `*.md`, sub-folders)."""
    if not items_dir.is_dir():
        return [Finding("warning", "no items folder: create an item with 'lettre new'", items_dir)]
    found = []
    with os.scandir(items_dir) as entries:  # no stat per file: 20,000 items are common
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith((".", "#", "~")):
                continue
            path = items_dir / entry.name
            if _is_dir(entry):
                message = "not read: items in sub-folders are left out (move them up to items/)"
                found.append(Finding("warning", message, path))
            elif not entry.name.endswith(".md"):
                message = "not read: item files end in '.md' (rename it to use it)"
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
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            message = f"unknown key '{key}' ignored{hint}"
            found.append(Finding("warning", message, item.path, at(key)))
    dated = _DATED_NAME.match(item.path.name)
    if dated and dated[1] != item.date.isoformat():
        found.append(
            Finding(
                "warning",
                f"the file name says {dated[1]} but 'date:' is {item.date.isoformat()}",
                item.path,
                at("date"),
            )
        )
    if item.image is not None and not item.image.alt:
        found.append(
            Finding(
                "warning",
                "'image.alt' is empty: describe the picture for those who cannot see it",
                item.path,
                at("image"),
            )
        )
    if item.kind == "anniversaire" and item.founded is None:
        message = "an 'anniversaire' without 'founded:' cannot show its number of years"
        found.append(Finding("warning", message, item.path, at("kind")))
    if item.founded is not None and item.founded > item.date:
        message = (
            f"'founded' ({item.founded.isoformat()}) is after the item's date "
            f"({item.date.isoformat()}): a typo in the year?"
        )
        found.append(Finding("warning", message, item.path, at("founded")))
    found += [Finding("warning", message, item.path, line) for line, message in item.notes]
    found += template_warnings(item)
    return found


def template_warnings(item: Item) -> list[Finding]:
    """Text that `lettre new` wrote as an example and that is still there."""
    texts, bodies = _template_texts()
    found: list[Finding] = []
    message = "still holds the text of the template"
    every_text, fields = _TEMPLATE_ANY[0] if _TEMPLATE_ANY else _template_any(texts)
    left = [
        (number, [key for key, values in texts.items() if getattr(row, key) in values])
        for number, row in enumerate(item.results, 1)
        if not every_text.isdisjoint(fields(row))  # the common case: nothing to look at
    ]
    left = [(number, keys) for number, keys in left if keys]
    if left:
        from .readers import results_lines

        lines = results_lines(item.path)  # read again: only for the rare item concerned
        for number, keys in left:
            at = dict(lines[number - 1]) if number <= len(lines) else {}
            line = min((at[k] for k in keys if k in at), default=at.get("sport"))
            names = ", ".join(f"'{key}'" for key in sorted(keys, key=lambda k: at.get(k, 0)))
            where = f"'results' row {number} {message} in {names}"
            found.append(Finding("warning", where, item.path, line))
    if any(body in item.body for body in bodies):
        for number, text in enumerate(item.body.split("\n")):
            if text.strip() in bodies:
                line = item.body_line + number
                found.append(
                    Finding("warning", f"the body {message}: write your own", item.path, line)
                )
    return found


_TEMPLATE_ANY: list[tuple[frozenset[str], attrgetter[Any]]] = []


def _template_any(texts: dict[str, frozenset[str]]) -> tuple[frozenset[str], attrgetter[Any]]:
    """Every example text of a results row, and a getter of a row's fields that may hold one."""
    _TEMPLATE_ANY.append((frozenset().union(*texts.values()), attrgetter(*texts)))
    return _TEMPLATE_ANY[0]


_TEMPLATES: list[tuple[dict[str, frozenset[str]], frozenset[str]]] = []


def _template_texts() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """The example texts of `lettre new` (by results field) and its example body lines."""
    if not _TEMPLATES:
        from .readers import parse_item
        from .scaffold import item_text

        fields: dict[str, set[str]] = {}
        bodies: set[str] = set()
        for kind in ("communique", "resultats", "anniversaire"):
            day = dt.date(2025, 6, 13)
            item = parse_item(item_text(kind, "x", day), Path("template.md"), [kind])
            bodies.update(line.strip() for line in item.body.split("\n") if line.strip())
            for row in item.results:
                for key in ("sport", "name", "grade", "event", "competition", "city", "country"):
                    fields.setdefault(key, set()).add(getattr(row, key))
        _TEMPLATES.append(({k: frozenset(v) for k, v in fields.items()}, frozenset(bodies)))
    return _TEMPLATES[0]


def duplicates(items: Sequence[Item]) -> list[Finding]:
    """Items with the same date and title: the letter would show the news twice."""
    seen: dict[tuple[dt.date, str], Item] = {}
    found = []
    for item in sorted(items, key=lambda i: i.path.name):
        key = (item.date, item.title.casefold())
        if key in seen:
            first = seen[key].path.name
            found.append(
                Finding("warning", f"same date and title as {first}: shown twice", item.path, 1)
            )
        else:
            seen[key] = item
    return found
