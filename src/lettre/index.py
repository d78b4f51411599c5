"""The folder's item index: each file's date and kind, read cheaply, cached in `.lettre/`.

Composing one week must not parse ten years of items. The index gives the date and kind
of every file without parsing it: from a cache in `.lettre/items.json`, keyed by each
file's name, size, mtime, ctime and inode (so an edited, added, renamed or deleted file
is never served stale), or else from a read of the file. A file whose date cannot be read
that way for certain (an unusual front matter, a bad date, no front matter at all) is
parsed in full, and its problem, if any, is reported.

Each entry also keeps a digest of the file's bytes (what `lettre archive` and `lettre
check` key their own caches by) and facts read from the file by the commands that parse
it — its title for `lettre list`, its `source` and `url` for `lettre import` — so that
the next run needs not parse it again while its bytes stay the same.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from stat import S_ISREG
from typing import Any, NamedTuple

from . import files
from .config import Config
from .errors import ItemError, ItemErrors, LettreError
from .folding import fold
from .frontmatter import MAX_ITEM_BYTES
from .items import Item, Week
from .messages import _
from .readers import FIRST_DATE, LAST_DATE, read_item
from .weeks import group_by_week

CACHE_DIR = ".lettre"
CACHE_NAME = "items.json"
CACHE_FORMAT = 3  # [size, mtime, ctime, inode, date, kind, draft, digest, facts]
CACHE_MIN_ITEMS = 500  # below this, reading the files costs less than keeping a cache
NO_CACHE_ENV = "LETTRE_NO_CACHE"
RACY_NS = 3_000_000_000  # a file changed this close to a scan may change again unseen

_OPENING = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n")
_FENCE = re.compile(rb"\n(?:---|\.\.\.)[ \t]*\r?(?=\n|\Z)")
# Top-level lines that may set a key: those that start like `date`, `kind`, `draft` or YAML
# syntax,
_LINE = re.compile(rb"\n[dk\"'?!&][^\n]*")
# ... those that set `date` or `kind`, however written ...
_KEY = re.compile(
    rb"(?:\?[ \t]*)?(?:![^\s]*[ \t]+)?(?:&[^\s]+[ \t]+)?([\"']?)(date|kind|draft)\1[ \t]*(?::|\r?$)"
)
# ... and the plain forms whose value is certain.
_DATE = re.compile(rb"date:[ \t]+([\"']?)(\d{4}-\d{2}-\d{2})\1(?:[ \t]+#.*)?[ \t]*\r?")
_KIND = re.compile(rb"kind:[ \t]+([\"']?)([a-z][a-z0-9_-]*)\1(?:[ \t]+#.*)?[ \t]*\r?")
_DRAFT = re.compile(rb"draft:[ \t]+()(true|false)(?:[ \t]+#.*)?[ \t]*\r?")
_YAML_WORDS = frozenset(b"null true false yes no on off y n".split())


# --- the item files of a folder -----------------------------------------------------------

#: file names in `items/` that are never items: hidden files, an editor's backups and locks,
#: and `_notes.md`, a note or a file put aside
IGNORED_PREFIXES = (".", "_", "#", "~")


def is_item_name(name: str) -> bool:
    """Whether a file name in `items/` is an item's: `*.md`, not hidden, put aside (`_`)
    nor an editor's."""
    return name.endswith(".md") and not name.startswith(IGNORED_PREFIXES)


def item_paths(items_dir: Path) -> list[Path]:
    """`items/*.md` in name order, leaving out hidden files and those whose name starts with
    `_`; [] when there is no `items/`."""
    return [items_dir / name for name in item_names(items_dir)]


def item_names(items_dir: Path) -> list[str]:
    """The names of `item_paths(items_dir)` (a name takes a tenth of a path's memory)."""
    if not items_dir.is_dir():
        if not items_dir.is_symlink() and not items_dir.exists():
            return []
        try:
            items_dir.stat()
        except OSError as err:
            raise ItemError(files.os_problem(err, items_dir), items_dir) from None
        raise ItemError(_("not a folder: item files go in a folder named items/"), items_dir)
    with os.scandir(items_dir) as entries:  # names only: no stat per file
        return sorted(e.name for e in entries if is_item_name(e.name))


def slug_key(name: str) -> str:
    """A file name as a web address would spell it: accents folded, lower case, dashes."""
    return re.sub(r"[\W_]+", "-", fold(name)).strip("-")


def duplicate_slugs(paths: Iterable[Path]) -> list[ItemError]:
    """Files whose names differ only by case, accents or punctuation: one error each."""
    seen: dict[str, Path] = {}
    errors = []
    for path in paths:
        key = slug_key(path.stem)
        if key in seen:
            errors.append(_same_slug(key, seen[key], path))
        else:
            seen[key] = path
    return errors


def duplicate_names(items_dir: Path, names: Iterable[str]) -> list[ItemError]:
    """`duplicate_slugs` of the item files of `items_dir` named `names` (`*.md`), without
    making a path for each."""
    seen: dict[str, str] = {}
    errors = []
    for name in names:
        key = slug_key(name.removesuffix(".md"))
        if key in seen:
            errors.append(_same_slug(key, items_dir / seen[key], items_dir / name))
        else:
            seen[key] = name
    return errors


def _same_slug(key: str, first: Path, path: Path) -> ItemError:
    return ItemError(
        _(
            "same slug '{key}' as {value}: the two would be one file on macOS, on "
            "Windows and in the web archive; rename one of them"
        ).format(key=key, value=first),
        path,
    )


def read_items(
    items_dir: Path,
    kinds: Sequence[str],
    paths: Iterable[Path] | None = None,
    every: bool = False,
) -> tuple[list[Item], list[LettreError]]:
    """Every item of the folder, and every problem found, all files at once.

    With `every`, all the problems of each file (`lettre check`), else its first one.
    """
    items: list[Item] = []
    errors: list[LettreError] = []
    chosen = item_paths(items_dir) if paths is None else list(paths)
    with collector_paused():
        for path in chosen:
            try:
                items.append(read_item(path, kinds, every))
            except ItemErrors as err:
                errors.extend(err.errors)
            except LettreError as err:
                errors.append(err)
    errors.extend(duplicate_slugs(chosen))
    return items, errors


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while reading many files.

    Parsing 20,000 items makes millions of objects and no cycles; the collector would
    walk them again and again (a fifth of `lettre check`'s time on such a folder).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- the index ---------------------------------------------------------------------------


class IndexEntry(NamedTuple):
    """What the index knows of one item file: its date and its kind (not yet checked)."""

    folder: Path  # the items folder
    name: str
    date: dt.date
    kind: str
    founded: dt.date | None = None  # known for anniversaries only, from `dated_items`
    draft: bool = False  # `draft: true`: in no letter

    @property
    def path(self) -> Path:
        return self.folder / self.name


@dataclass(frozen=True)
class ItemIndex:
    """Every item file of a folder, with its date and kind; the files that failed apart."""

    folder: Path  # the items folder
    rows: tuple[tuple[str, str, str, bool], ...]  # (file name, ISO date, kind, draft), no order
    errors: tuple[LettreError, ...]  # files whose date could not be read at all
    # file name → digest of its bytes, for every file that could be read
    digests: Mapping[str, str] = field(default_factory=dict, compare=False)
    # file name → facts kept from an earlier full read of the same bytes (see `remember`)
    facts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, compare=False)
    # the cache as loaded and refreshed, its path, and whether it may be written
    _kept: dict[str, list[Any]] = field(default_factory=dict, compare=False, repr=False)
    _where: Path | None = field(default=None, compare=False, repr=False)

    @cached_property
    def entries(self) -> tuple[IndexEntry, ...]:
        """Every dated item file, in file-name order."""
        return tuple(self._entry(row) for row in sorted(self.rows))

    def _entry(self, row: tuple[str, str, str, bool]) -> IndexEntry:
        return IndexEntry(self.folder, row[0], dt.date.fromisoformat(row[1]), row[2], None, row[3])

    def in_week(self, week: Week) -> list[IndexEntry]:
        """The entries dated within `week`, in file-name order."""
        return self.between(week.start, week.end)

    def between(self, first: dt.date | None, last: dt.date | None) -> list[IndexEntry]:
        """The entries dated from `first` to `last` (both included; None: no limit)."""
        low = first.isoformat() if first else ""
        high = last.isoformat() if last else "9999-99-99"
        return [self._entry(r) for r in sorted(r for r in self.rows if low <= r[1] <= high)]

    def by_week(self, publication_day: int = 5) -> dict[Week, list[IndexEntry]]:
        """The entries grouped by the letter they belong to, weeks in date order."""
        return group_by_week(sorted(self.entries, key=lambda e: (e.date, e.name)), publication_day)


def read_head_fields(head: bytes) -> tuple[dt.date, str] | None:
    """(date, kind) from the first bytes of an item file, or None when not certain."""
    fields = read_head(head)
    return fields[:2] if fields is not None else None


def read_head(head: bytes) -> tuple[dt.date, str, bool] | None:
    """(date, kind, draft) from the first bytes of an item file, or None when not certain."""
    opening = _OPENING.match(head)
    if opening is None or b"\0" in head:
        return None
    fence = _FENCE.search(head, opening.end() - 1)
    front = head[opening.end() - 1 : fence.start() if fence else len(head)]
    found: dict[bytes, bytes] = {}
    for line in _LINE.finditer(front):
        match = _KEY.match(line[0], 1)
        if match is None:
            continue
        key = match[2]
        if key in found:
            return None  # twice: YAML would refuse it; let the parser say so
        pattern = _DATE if key == b"date" else _KIND if key == b"kind" else _DRAFT
        exact = pattern.fullmatch(line[0], 1)
        if exact is None:
            return None
        found[key] = exact[2]
    if b"date" not in found or b"kind" not in found or found[b"kind"] in _YAML_WORDS:
        return None
    try:
        day = dt.date.fromisoformat(found[b"date"].decode("ascii"))
    except ValueError:
        return None
    if not FIRST_DATE <= day <= LAST_DATE:
        return None  # the parser refuses it: let it say why
    return day, found[b"kind"].decode("ascii"), found.get(b"draft") == b"true"


def digest(data: bytes) -> str:
    """The digest of a file's bytes: what tells that its content changed."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _read_file(path: str, size: int) -> bytes | None:
    """A file's bytes, when it is not too large to be an item; None when it cannot be read."""
    if size > MAX_ITEM_BYTES:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        data = os.read(fd, size + 1)
        if len(data) > size:  # it grew since its size was read
            data += os.read(fd, MAX_ITEM_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= MAX_ITEM_BYTES else None


def _read_fields(path: str, size: int) -> tuple[tuple[dt.date, str, bool] | None, str | None]:
    """(date, kind, draft) of a file from its front matter, None if not certain; and its
    digest."""
    data = _read_file(path, size)
    if data is None:
        return None, None
    return read_head(data), digest(data)


def cache_path(config: Config) -> Path:
    """Where the index of `config`'s folder is kept."""
    return config.folder / CACHE_DIR / CACHE_NAME


def keeps_caches(files: int) -> bool:
    """Whether `lettre check` and `lettre archive` keep what they found in `.lettre/`:
    when the folder holds enough item files to be worth it and LETTRE_NO_CACHE is not set."""
    return files >= CACHE_MIN_ITEMS and cache_enabled()


def cache_enabled() -> bool:
    """False when the environment says not to keep a cache (LETTRE_NO_CACHE=1)."""
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("", "0", "false", "no")


def _load_cache(path: Path) -> dict[str, list[Any]]:
    items = load_cache_file(path, CACHE_FORMAT).get("items")
    return items if isinstance(items, dict) else {}


def _save_cache(path: Path, items: dict[str, list[Any]]) -> None:
    """Write the index atomically; a folder that cannot hold it simply goes without."""
    from . import __version__

    save_cache_file(path, {"format": CACHE_FORMAT, "lettre": __version__, "items": items})


def save_cache_file(path: Path, data: Mapping[str, Any]) -> None:
    """Write a cache file of `.lettre/` atomically, as compact JSON; never fails.

    A folder that cannot hold it (no room, no right, a name that is not UTF-8…) simply
    goes without: every cache of lettre is rebuilt when missing.
    """
    try:
        path.parent.mkdir(exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# lettre's caches: safe to delete, never to commit\n*\n")
        # not files.write_atomic: a disposable cache needs no fsync (a torn one reads as
        # empty and is rebuilt) and stays private (mkstemp's 0600, not the umask's mode)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                # dumps, not dump: json's C encoder (dump writes piece by piece in Python)
                handle.write(json.dumps(data, separators=(",", ":")))  # ASCII: any file name
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        pass


def load_cache_file(path: Path, format: int) -> dict[str, Any]:
    """A cache file of `.lettre/` written by this version of lettre; {} otherwise."""
    from . import __version__

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("format") != format
        or data.get("lettre") != __version__
    ):
        return {}
    return data


def scan_items(config: Config, *, cache: bool | None = None) -> ItemIndex:
    """The date and kind of every item of the folder, parsing only the files that need it.

    `cache`: keep the index in `.lettre/` (default: when the folder holds enough items, or
    already has an index, and LETTRE_NO_CACHE is not set).
    """
    with collector_paused():
        return _scan(config, cache)


def _scan(config: Config, cache: bool | None) -> ItemIndex:
    items_dir = config.items_dir
    if not items_dir.is_dir():
        item_paths(items_dir)  # says what is wrong with it, if anything
        return ItemIndex(items_dir, (), ())
    where = cache_path(config)
    enabled = cache_enabled() if cache is None else cache
    known = _load_cache(where) if enabled else {}
    fresh: dict[str, list[Any]] = {}
    rows: list[tuple[str, str, str, bool]] = []
    errors: list[LettreError] = []
    digests: dict[str, str] = {}
    facts: dict[str, Mapping[str, Any]] = {}
    settled = time.time_ns() - RACY_NS  # a file changed after this may change again unseen
    base = os.fspath(items_dir)
    for name, st in _item_files(base):
        cached = known.get(name)
        if (
            st is not None
            and cached is not None
            and len(cached) == 9
            and cached[1] == st.st_mtime_ns
            and cached[0] == st.st_size
            and cached[2] == st.st_ctime_ns
            and cached[3] == st.st_ino
        ):
            rows.append((name, cached[4], cached[5], bool(cached[6])))
            digests[name] = cached[7]
            if isinstance(cached[8], dict):
                facts[name] = cached[8]
            fresh[name] = cached
            continue
        fields, seal = None, None
        if st is not None and S_ISREG(st.st_mode):
            fields, seal = _read_fields(os.path.join(base, name), st.st_size)
        if seal is not None:
            digests[name] = seal
        if fields is None:
            try:
                item = read_item(items_dir / name, config.kinds)
            except LettreError as err:
                errors.append(err)
                continue
            fields = item.date, item.kind, item.draft
        row = (name, fields[0].isoformat(), fields[1], fields[2])
        rows.append(row)
        if seal is None or st is None:
            continue
        same = cached is not None and len(cached) == 9 and cached[7] == seal
        kept = cached[8] if same and cached is not None and isinstance(cached[8], dict) else None
        if kept is not None:  # touched, not changed: what was read of it still holds
            facts[name] = kept
        if max(st.st_mtime_ns, st.st_ctime_ns) < settled:
            entry = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, *row[1:], seal, kept]
            fresh[name] = entry
    worth = known or len(rows) + len(errors) >= CACHE_MIN_ITEMS
    if enabled and worth and fresh != known:
        _save_cache(where, fresh)
    errors.sort(key=lambda e: str(e.path))
    return ItemIndex(
        items_dir,
        tuple(rows),
        tuple(errors),
        digests,
        facts,
        fresh,
        where if enabled and worth else None,
    )


def remember(index: ItemIndex, learnt: Mapping[str, tuple[str, Mapping[str, Any]]]) -> None:
    """Keep facts read from files in the index, for the next run: {name: (digest, facts)}.

    Facts are kept only for a file whose bytes, when read, had the digest the index holds:
    a file changed since the scan keeps none, and is read again next time.
    """
    if index._where is None:
        return
    changed = False
    for name, (seal, found) in learnt.items():
        entry = index._kept.get(name)
        if entry is None or entry[7] != seal:
            continue
        merged = {**(entry[8] or {}), **found}
        if merged != entry[8]:
            entry[8] = merged
            changed = True
    if changed:
        _save_cache(index._where, index._kept)


def _item_files(items_dir: str) -> Iterator[tuple[str, os.stat_result | None]]:
    """(name, stat, or None when it fails) of every item file, in no particular order."""
    try:
        with os.scandir(items_dir) as found:
            for entry in found:
                name = entry.name
                if not is_item_name(name):
                    continue
                try:
                    yield name, entry.stat()
                except OSError:
                    yield name, None
    except (FileNotFoundError, NotADirectoryError):
        return


def week_items(config: Config, week: Week) -> tuple[list[Item], list[LettreError]]:
    """The parsed items of `week`, and the problems of those files and of undated ones.

    Only the files dated within the week are parsed; a file whose date could not be read
    counts as a problem, since it might belong to any week.
    """
    return items_between(config, week.start, week.end)


def items_between(
    config: Config, first: dt.date | None, last: dt.date | None
) -> tuple[list[Item], list[LettreError]]:
    """The parsed items dated from `first` to `last` (None: no limit), and the problems.

    Only the files dated within those days are parsed; a file whose date could not be
    read counts as a problem, since it might belong to them.
    """
    index = scan_items(config)
    paths = _paths(index.between(first, last))
    items, errors = read_items(config.items_dir, config.kinds, paths)
    chosen = [
        i for i in items if (first is None or i.date >= first) and (last is None or i.date <= last)
    ]
    problems = sorted([*index.errors, *errors], key=lambda e: (str(e.path), e.line or 0))
    return chosen, problems


def _paths(entries: Iterable[IndexEntry]) -> list[Path]:
    return [e.path for e in entries]


def dated_items(config: Config) -> tuple[list[IndexEntry], list[LettreError]]:
    """Date and kind of every item, with `founded` for anniversaries, which alone are parsed.

    What `lettre weeks` counts. The problems are those of the files whose date cannot be
    read and of the anniversaries; `lettre check` finds those of the other files.
    """
    index = scan_items(config)
    chosen = [e for e in index.entries if e.kind == "anniversaire"]
    parsed, errors = read_items(config.items_dir, config.kinds, _paths(chosen))
    founded = {item.path.name: item.founded for item in parsed}
    failed = {err.path.name for err in errors if err.path is not None}
    entries = [
        e._replace(founded=founded.get(e.name)) if e.kind == "anniversaire" else e
        for e in index.entries
        if e.name not in failed
    ]
    problems = sorted([*index.errors, *errors], key=lambda e: (str(e.path), e.line or 0))
    return entries, problems
