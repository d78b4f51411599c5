"""`lettre check`: every problem of a newsletter folder, as findings with file and line."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import files
from .config import Config
from .configvalues import is_local_address
from .errors import ImageError, ItemError, ItemErrors, LettreError
from .examples import anniversary_examples, config_examples, item_examples
from .findings import Finding, Report
from .imagefiles import local_items, locate, source_status
from .items import Item, Week
from .messages import _, language
from .workers import in_chunks

if TYPE_CHECKING:
    from .frontmatter import FrontMatter


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
CHECK_FORMAT = 2  # 2: example content, local images (keyed by their files' status)


def check_folder(config: Config, week: Week | None = None, *, cache: bool = True) -> Report:
    """Check every item file and `anniversaries.yaml`; with `week`, compose its letter too.

    Each item file is checked alone (see `item_findings`), then what needs them all
    (duplicates) and the files every letter reads (see `folder_findings`): the same
    findings as `files_findings`, which `lettre serve` uses on one week's items.

    `cache`: reuse the findings of the files whose bytes are those an earlier run checked
    and whose local images are as they were (kept in `.lettre/check.json`, with this
    version of lettre and these kinds, when the folder keeps caches: see
    `index.keeps_caches`); False reads and checks every file, and keeps nothing.
    """
    from .index import keeps_caches  # heavy (YAML)
    from .itemfiles import duplicate_names, item_names

    items_dir = config.items_dir
    names = item_names(items_dir)
    checked = _check_items(config, names, cache and keeps_caches(len(names)))
    findings = checked.findings
    findings += [Finding.from_error(e) for e in duplicate_names(items_dir, names)]
    findings += folder_findings(config)
    findings += stray_files(items_dir)
    findings += _duplicates(checked.titles(), items_dir.joinpath)
    files = len(names)
    anniversaries_path = config.anniversaries_path
    if anniversaries_path.exists() or anniversaries_path.is_symlink():
        files += 1
    if week is not None:
        # compose reads the week's items itself and says whether broken ones stop it
        findings += check_letter(config, week)
    return Report(_order(dict.fromkeys(findings)), files)  # composing may find one again


def local_images(config: Config, items: Iterable[Item]) -> list[Finding]:
    """Each item's local image is a file of the folder (its content is read by `--week`)."""
    found = []
    for item in local_items(items):
        try:
            locate(config.folder, item)
        except ImageError as err:
            found.append(Finding.from_error(err))
    return found


@dataclass
class _Checked:
    findings: list[Finding]
    records: dict[str, list[Any]]  # file name → its record (see `_check_file`), if it was read

    def titles(self) -> Iterator[tuple[str, dt.date, str]]:
        """(file name, date, folded title) of each item that reads without error."""
        for name, record in self.records.items():
            if record[2] is not None:
                yield name, dt.date.fromisoformat(record[2][0]), record[2][1]


def _check_items(config: Config, names: Sequence[str], use_cache: bool) -> _Checked:
    """The findings and records of every item file (by name).

    Only findings and records are kept, never the items. With `use_cache`, a file whose
    bytes (by the index's digest) are those of an earlier run, and whose local image's file
    is as it was then, is not read again.
    """
    from .index import CACHE_DIR, load_cache_file, save_cache_file, scan_items  # heavy (YAML)
    from .itemfiles import collector_paused

    where = config.folder / CACHE_DIR / CHECK_CACHE
    context = _context(config)
    kept: dict[str, Any] = {}
    if use_cache:
        data = load_cache_file(where, CHECK_FORMAT)
        if data.get("context") == context and isinstance(data.get("files"), dict):
            kept = data["files"]
    items_dir = config.items_dir
    checked = _Checked([], {})
    todo: list[str] = []
    with collector_paused():
        digests: Mapping[str, str] = scan_items(config).digests if kept else {}
        for name in names:
            record: Any = kept.get(name)
            seal = digests.get(name)
            found = None
            if (
                seal is not None
                and isinstance(record, list)
                and record[:1] == [seal]
                and len(record) == 4
                and record[3] == _image_key(config.folder, record[3])
            ):
                found = _read_record(record, items_dir, name)  # None when the cache was doctored
            if found is None:
                todo.append(name)
                continue
            _keep(checked, name, record, found)
        with _reading(todo, config) as records:
            if use_cache and not kept:  # the index the next run compares with, made meanwhile
                scan_items(config)
            for name, record in zip(todo, records, strict=True):
                found = _read_record(record, items_dir, name)
                assert found is not None
                _keep(checked, name, record, found)
    if use_cache and checked.records != kept:
        save_cache_file(
            where,
            {
                "format": CHECK_FORMAT,
                "lettre": _version(),
                "context": context,
                "files": checked.records,
            },
        )
    return checked


def _keep(checked: _Checked, name: str, record: list[Any], found: list[Finding]) -> None:
    checked.findings += found
    if record[0] is not None:
        checked.records[name] = record


PARALLEL_FROM = 2000  # files to read before it is worth starting other processes
CHUNK = 250


@contextmanager
def _reading(names: Sequence[str], config: Config) -> Iterator[Iterator[list[Any]]]:
    """The record of each file (see `_check_file`), in order, as they come: read by one
    process per core when there are many, started at once (forked workers send back
    records, never items)."""
    from .itemfiles import collector_paused  # heavy (YAML)

    items_dir = config.items_dir

    def check_chunk(part: tuple[str, ...]) -> list[list[Any]]:
        with collector_paused():
            return [_check_file(items_dir / name, config) for name in part]

    records = in_chunks(check_chunk, names, CHUNK, PARALLEL_FROM)
    try:
        yield records
    finally:
        records.close()


def _version() -> str:
    from . import __version__  # read at each call: a new version (or a test's) is seen

    return __version__


def _context(config: Config) -> list[Any]:
    """What a file's findings depend on besides its bytes, its name and its local image:
    the kinds it may have, the folder its images are read from, the catalogs' language."""
    return ["kinds", list(config.kinds), "folder", str(config.folder), "messages", language()]


def _image_key(folder: Path, record: Any) -> list[Any] | None:
    """The status of the files an item's local image depends on, now (see
    `imagefiles.source_status`), for the record kept of it; None for an item without one."""
    if not isinstance(record, list) or len(record) != 3 or not isinstance(record[0], str):
        return None
    return source_status(folder, record[0])


def _check_file(path: Path, config: Config) -> list[Any]:
    """One item file checked: [digest of its bytes, findings, [date, folded title] or None,
    status of its local image's files or None] (see `item_findings`).

    Findings are [severity, message, line, where]: `where` None for the item file itself,
    else the path the finding names.
    """
    from .frontmatter import MAX_ITEM_BYTES, decode_text  # heavy (YAML)
    from .index import digest  # heavy (YAML)
    from .readers import build_item, parse_front  # heavy (YAML)

    try:
        data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    except LettreError as err:
        return [None, [_record(Finding.from_error(err), path)], None, None]
    seal = digest(data)
    try:
        front = parse_front(decode_text(data, path), path, every=True)
        item = build_item(front, config.kinds, every=True)
    except ItemErrors as err:
        return [seal, [_record(Finding.from_error(e), path) for e in err.errors], None, None]
    except LettreError as err:
        return [seal, [_record(Finding.from_error(err), path)], None, None]
    image = None
    if local_items([item]):
        assert item.image is not None
        image = source_status(config.folder, item.image.src)  # before it is looked at
    found = [_record(f, path) for f in item_findings(config, item, front)]
    return [seal, found, [item.date.isoformat(), item.title.casefold()], image]


def _read_record(record: list[Any], items_dir: Path, name: str) -> list[Finding] | None:
    """The findings a record of the file `name` holds; None if the record is broken."""
    try:
        if len(record) != 4:
            return None
        # most files have no finding, and need no path; list(): a TypeError for a non-list
        found = [_finding(f, items_dir / name) for f in record[1]] if record[1] else list(record[1])
        if record[2] is None:
            return found
        day, title = record[2]
        if not isinstance(title, str):
            return None
        dt.date.fromisoformat(day)
        return found
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


def _duplicates(
    titles: Iterable[tuple[str, dt.date, str]], path_of: Callable[[str], Path]
) -> list[Finding]:
    """Items with the same date and title, from (file name, date, folded title): the letter
    would show the news twice."""
    seen: dict[tuple[dt.date, str], str] = {}
    found = []
    for name, day, title in sorted(titles):
        first = seen.setdefault((day, title), name)
        if first != name:
            message = _("same date and title as {first}: shown twice").format(first=first)
            found.append(Finding("warning", message, path_of(name), 1))
    return found


def check_letter(
    config: Config,
    week: Week,
    now: dt.datetime | None = None,
    items: Sequence[Item] | None = None,
) -> list[Finding]:
    """Compose the letter of `week` and report what stops it or spoils it."""
    from .compose import compose  # heavy: the whole pipeline, --week only

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
    from .lint import lint  # heavy, --week only

    return lint(composed, config)


def stray_files(items_dir: Path) -> list[Finding]:
    """Files and folders in `items/` that lettre does not read (not `*.md`, sub-folders)."""
    from .itemfiles import IGNORED_PREFIXES  # heavy (YAML)

    if not items_dir.is_dir():
        return [
            Finding("warning", _("no items folder: create an item with 'lettre new'"), items_dir)
        ]
    found = []
    with os.scandir(items_dir) as entries:  # no stat per file: 20,000 items are common
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith(IGNORED_PREFIXES):
                continue  # hidden, put aside (_notes.md) or an editor's
            if _is_dir(entry):
                message = _("not read: items in sub-folders are left out (move them up to items/)")
                found.append(Finding("warning", message, items_dir / entry.name))
            elif not entry.name.endswith(".md"):
                message = _("not read: item files end in '.md' (rename it to use it)")
                found.append(Finding("warning", message, items_dir / entry.name))
    return found


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether a folder entry is a folder (or a link to one); False when it cannot be told."""
    try:
        return entry.is_dir()
    except OSError:  # a link that loops, a folder that may not be read
        return False


def files_findings(
    config: Config, items: Sequence[Item], errors: Iterable[LettreError]
) -> list[Finding]:
    """The problems of these item files as read (`items`, and the `errors` of reading the
    others), of lettre.toml's example and local addresses, and of `anniversaries.yaml`:
    what `lettre check` finds of them (it checks each file alone, and keeps its findings)."""
    findings = [Finding.from_error(err) for err in errors]
    findings += folder_findings(config)
    for item in items:
        findings += item_findings(config, item)
    findings += duplicates(items)
    return findings


def item_findings(config: Config, item: Item, front: FrontMatter | None = None) -> list[Finding]:
    """What is wrong with one item that reads without error: its example content (an
    error), its warnings, and whether its local image is a file of the folder (`front`:
    its front matter as parsed, else its results rows are read again for their warnings)."""
    from .itemwarnings import item_warnings  # heavy (YAML)

    found = [Finding("error", e.what, e.path, e.line) for e in item_examples(item)]
    found += item_warnings(item, front)
    found += local_images(config, [item])
    return found


def folder_findings(config: Config) -> list[Finding]:
    """The problems of the files every letter reads: lettre.toml's example content and
    local addresses, and `anniversaries.yaml`."""
    from .anniversaries import read_anniversaries  # heavy (YAML)

    findings = [
        Finding("error", example.what, example.path, example.line)
        for example in config_examples(config)
    ]
    findings += address_warnings(config)
    try:  # as compose reads it: a broken link is an error there, so here too
        entries = read_anniversaries(config.anniversaries_path, every=True)
        findings += [
            Finding("error", e.what, e.path, e.line) for e in anniversary_examples(entries)
        ]
    except ItemErrors as err:
        findings += [Finding.from_error(e) for e in err.errors]
    except LettreError as err:
        findings.append(Finding.from_error(err))
    return findings


def week_findings(
    config: Config,
    items: Sequence[Item],
    errors: Iterable[LettreError],
    more: Iterable[Finding] = (),
) -> tuple[Finding, ...]:
    """What `lettre check --week` says of one week's files alone (for `lettre serve`): the
    findings of the item files the letter was composed from and of the files every letter
    reads, with `more` (the letter's lint, or what stopped it); errors first, each once."""
    return _order(dict.fromkeys([*files_findings(config, items, errors), *more]))


def address_warnings(config: Config) -> list[Finding]:
    """Local addresses (root@localhost): fine for `sendmail -t` here, unknown elsewhere."""
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
    paths = {i.path.name: i.path for i in items}
    titles = ((i.path.name, i.date, i.title.casefold()) for i in items)
    return _duplicates(titles, paths.__getitem__)
