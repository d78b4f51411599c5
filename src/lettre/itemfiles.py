"""The item files of a folder: which files are items, their slugs, reading them all at once.

`items/*.md`, leaving out hidden files, an editor's backups and files put aside (`_`); two
files whose names would make the same web address are an error; `read_items` parses many
files with Python's cyclic garbage collector paused.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from . import files
from .errors import ItemError, ItemErrors, LettreError
from .folding import fold
from .items import Item
from .messages import _
from .readers import read_item

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
