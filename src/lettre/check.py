"""`lettre check`: every problem of a newsletter folder, as findings with file and line."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
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


CHECK_CACHE = "check.json"
CHECK_FORMAT = 1


def check_folder(config: Config, week: Week | None = None, *, cache: bool = True) -> Report:
    """Check every item file and `anniversaries.yaml`; with `week`, compose its letter too.

    `cache`: reuse the findings of the files whose bytes are those an earlier run checked
    (kept in `.lettre/check.json`, with this version of lettre and these kinds, when the
    folder keeps caches: see `index.keeps_caches`); False reads and checks every file,
    and keeps nothing.
    """
    from .index import keeps_caches
    from .readers import duplicate_slugs, item_paths, read_anniversaries

    paths = item_paths(config.items_dir)
    checked = _check_items(config, paths, cache and keeps_caches(len(paths)))
    findings = checked.findings
    findings += [Finding.from_error(err) for err in duplicate_slugs(paths)]
    findings += stray_files(config.items_dir)
    findings += _duplicates(config.items_dir, checked.titles)
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
        # compose reads the week's items itself and says whether broken ones stop it
        findings += check_letter(config, week)
    return Report(_order(findings), files)


@dataclass
class _Checked:
    findings: list[Finding]
    titles: list[tuple[str, dt.date, str]]  # (file name, date, folded title) of good items


def _check_items(config: Config, paths: Sequence[Path], use_cache: bool) -> _Checked:
    """The findings of every item file, and what finding duplicates needs of the good ones.

    Only findings are kept, never the items: memory does not grow with the folder. With
    `use_cache`, a file whose bytes (by the index's digest) are those of an earlier run is
    not read again.
    """
    from .index import CACHE_DIR, load_cache_file, save_cache_file, scan_items
    from .readers import collector_paused

    where = config.folder / CACHE_DIR / CHECK_CACHE
    context = _context(config)
    kept: dict[str, Any] = {}
    digests: Mapping[str, str] = {}
    if use_cache:
        data = load_cache_file(where, CHECK_FORMAT)
        if data.get("context") == context and isinstance(data.get("files"), dict):
            kept = data["files"]
        digests = scan_items(config).digests
    fresh: dict[str, Any] = {}
    checked = _Checked([], [])
    todo: list[Path] = []
    with collector_paused():
        for path in paths:
            record: Any = kept.get(path.name)
            seal = digests.get(path.name)
            read = None
            if seal is not None and isinstance(record, list) and record[:1] == [seal]:
                read = _read_record(record, path)  # None when the cache was doctored
            if read is None:
                todo.append(path)
                continue
            _keep(checked, fresh, path, record, read)
        for path, record in zip(todo, _check_files(todo, config.kinds), strict=True):
            read = _read_record(record, path)
            assert read is not None
            _keep(checked, fresh, path, record, read)
    if use_cache and fresh != kept:
        save_cache_file(
            where,
            {"format": CHECK_FORMAT, "lettre": _version(), "context": context, "files": fresh},
        )
    return checked


def _keep(
    checked: _Checked,
    fresh: dict[str, Any],
    path: Path,
    record: list[Any],
    read: tuple[list[Finding], tuple[str, dt.date, str] | None],
) -> None:
    found, title = read
    checked.findings += found
    if title is not None:
        checked.titles.append(title)
    if record[0] is not None:
        fresh[path.name] = record


PARALLEL_FROM = 2000  # files to read before it is worth starting other processes
CHUNK = 250


def _check_files(paths: Sequence[Path], kinds: Sequence[str]) -> Iterator[list[Any]]:
    """The record of each file (see `_check_file`), in order; read by one process per core
    when there are many (forked workers send back records, never items)."""
    import gc
    import multiprocessing

    from .archive import worker_count

    workers = worker_count()
    if (
        len(paths) < PARALLEL_FROM
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        for path in paths:
            yield _check_file(path, kinds)
        return
    chunks = [(tuple(paths[i : i + CHUNK]), tuple(kinds)) for i in range(0, len(paths), CHUNK)]
    gc.collect()
    gc.freeze()  # the workers' collector leaves inherited objects alone: their pages stay shared
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for records in pool.imap(_check_chunk, chunks):
                yield from records
    finally:
        gc.unfreeze()


def _check_chunk(chunk: tuple[tuple[Path, ...], tuple[str, ...]]) -> list[list[Any]]:
    from .readers import collector_paused

    paths, kinds = chunk
    with collector_paused():
        return [_check_file(path, kinds) for path in paths]


def _version() -> str:
    from . import __version__

    return __version__


def _context(config: Config) -> list[Any]:
    """What a file's findings depend on besides its bytes and name: the kinds it may have."""
    return ["kinds", list(config.kinds)]


def _check_file(path: Path, kinds: Sequence[str]) -> list[Any]:
    """One item file checked: [digest of its bytes, findings, [date, folded title] or None].

    Findings are [severity, message, line, where]: `where` None for the item file itself,
    else the path the finding names.
    """
    from . import files
    from .index import digest
    from .readers import MAX_ITEM_BYTES, decode_text, parse_item

    try:
        data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    except LettreError as err:
        return [None, [_record(Finding.from_error(err), path)], None]
    seal = digest(data)
    try:
        item = parse_item(decode_text(data, path), path, kinds, every=True)
    except ItemErrors as err:
        return [seal, [_record(Finding.from_error(e), path) for e in err.errors], None]
    except LettreError as err:
        return [seal, [_record(Finding.from_error(err), path)], None]
    found = [_record(f, path) for f in item_warnings(item)]
    return [seal, found, [item.date.isoformat(), item.title.casefold()]]


def _read_record(
    record: list[Any], path: Path
) -> tuple[list[Finding], tuple[str, dt.date, str] | None] | None:
    """The findings and the (name, date, folded title) a record holds; None if it is broken."""
    try:
        if len(record) != 3:
            return None
        found = [_finding(f, path) for f in record[1]]
        if record[2] is None:
            return found, None
        day, title = record[2]
        if not isinstance(title, str):
            return None
        return found, (path.name, dt.date.fromisoformat(day), title)
    except (TypeError, ValueError):
        return None


def _record(finding: Finding, path: Path) -> list[Any]:
    where = None if finding.path == path else (str(finding.path) if finding.path else "")
    return [finding.severity, finding.message, finding.line, where]


def _finding(record: Any, path: Path) -> Finding:
    severity, message, line, where = record
    if severity not in ("error", "warning") or not isinstance(message, str):
        raise ValueError(record)
    if line is not None and not isinstance(line, int):
        raise ValueError(record)
    at = path if where is None else (Path(where) if where else None)
    return Finding(severity, message, at, line)


def _duplicates(items_dir: Path, titles: Sequence[tuple[str, dt.date, str]]) -> list[Finding]:
    """Items with the same date and title, from (file name, date, folded title)."""
    seen: dict[tuple[dt.date, str], str] = {}
    found = []
    for name, day, title in sorted(titles):
        first = seen.setdefault((day, title), name)
        if first != name:
            message = f"same date and title as {first}: shown twice"
            found.append(Finding("warning", message, items_dir / name, 1))
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
