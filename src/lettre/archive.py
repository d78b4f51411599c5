"""Every letter as a web page, an index by year and month, and an Atom feed of the letters.

The archive is a folder meant to be published at `{base_url}lettres/` (or at
`[archive] url` of lettre.toml): `2025-06-13.html` for the letter of 13 June 2025,
`index.html`, `feed.xml`, the letters' local photos as prepared for e-mail in `images/`
(`images/defile-3fa2c1.jpg`, in both image modes), and `.lettre-archive.json`, the list of
the files lettre wrote there (so that a page whose letter is gone is removed, and no other
file is ever touched).

A run composes only the letters whose inputs changed since the last run into the same
folder: a letter's inputs — the digests of its items' files, the status of their local
photos' files, lettre.toml, the templates and catalogs, anniversaries.yaml, and the
versions of lettre and of the libraries that render it — are kept in `.lettre/` with a
summary of the letter (what the index and the feed show of it). Letters are composed one
at a time, in one process per core, and each page goes to disk as soon as it is made:
memory does not grow with the archive. Drafts make no letter; example content in any
letter (or in lettre.toml) stops the whole archive.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .archivepages import FEED_NAME, INDEX_NAME, LetterSummary, render_feed, render_index
from .archivepool import Progress, Task, compose_all
from .archivestate import (
    inputs_digest,
    kept_letter,
    letter_key,
    load_state,
    safe_name,
    state_path,
    state_record,
)
from .config import Config, page_name
from .errors import LettreError
from .messages import _, ngettext
from .workers import worker_count

if TYPE_CHECKING:
    from .examples import Example

MANIFEST_NAME = ".lettre-archive.json"


# --- writing -------------------------------------------------------------------------------


@dataclass
class ArchiveReport:
    """What `archive` did, file by file."""

    out_dir: Path
    letters: int = 0
    composed: int = 0  # letters composed this time: the others' inputs had not changed
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per file written or removed."""
        return [_("wrote {path}").format(path=path) for path in self.written] + [
            _("removed {path} (its letter is gone)").format(path=path) for path in self.removed
        ]

    def summary(self) -> str:
        """The counts: letters, composed, files written, unchanged and removed."""
        letters = ngettext("%(num)d letter", "%(num)d letters", self.letters)
        written = ngettext("%(num)d file written", "%(num)d files written", len(self.written))
        return _(
            "{letters}, {composed} composed: {written}, {unchanged} unchanged, {removed} "
            "removed, in {out}"
        ).format(
            letters=letters % {"num": self.letters},
            composed=self.composed,
            written=written % {"num": len(self.written)},
            unchanged=len(self.unchanged),
            removed=len(self.removed),
            out=self.out_dir,
        )


def _read_manifest(out_dir: Path) -> set[str]:
    try:
        data: Any = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names = data.get("files", []) if isinstance(data, dict) else []
    # only plain names in this folder (and images/): a doctored manifest cannot point elsewhere
    return {n for n in names if isinstance(n, str) and safe_name(n)}


def _current(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as err:
        from .files import os_problem

        raise LettreError(os_problem(err, path), path) from None


class _Staging:
    """Files to write into the archive folder: each one, when it differs from what is
    there, goes to a temporary file at once (memory holds one page at a time); `commit`
    renames them all, `discard` removes them (and the folder, when it made it)."""

    def __init__(self, out_dir: Path, ours: set[str]) -> None:
        self.out_dir, self.ours = out_dir, ours
        self.staged: dict[Path, Path] = {}
        self.unchanged: list[Path] = []
        self.made_folder = False

    def add(self, name: str, data: bytes) -> None:
        from .files import stage

        path = self.out_dir / name
        current = _current(path)
        if current == data:
            self.unchanged.append(path)
            return
        if current is not None and name not in self.ours and name != MANIFEST_NAME:
            raise LettreError(
                _(
                    "exists and was not written by 'lettre archive': nothing was written "
                    "(choose another --out folder, or move this file away)"
                ),
                path,
            )
        if not self.out_dir.exists():
            self.made_folder = True
        self.staged[path] = stage(path, data)

    def commit(self) -> list[Path]:
        from .files import commit

        commit(self.staged)
        written = list(self.staged)
        self.staged.clear()
        return written

    def discard(self) -> None:
        from .imagecache import IMAGES_DIR

        for tmp in self.staged.values():
            tmp.unlink(missing_ok=True)
        self.staged.clear()
        if self.made_folder:
            with contextlib.suppress(OSError):  # not empty: not only ours
                (self.out_dir / IMAGES_DIR).rmdir()
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()


def _problems(errors: Sequence[LettreError]) -> LettreError:
    from .errors import ItemErrors

    ordered = sorted(errors, key=lambda e: (str(e.path), e.line or 0))
    return ItemErrors.of(ordered)


def archive(
    config: Config,
    out_dir: Path,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ArchiveReport:
    """Write every letter as a web page into `out_dir`, with its photos, the index and the feed.

    Only the letters whose inputs changed since the last run into `out_dir` are composed;
    only the files whose bytes change are written (atomically, all at the end: a problem
    anywhere, or example content in any letter, writes nothing); pages whose letter is gone
    are removed. Where it went and which photos it holds is remembered in `.lettre/`, for
    `send` (imagelinks.missing_from_archive).
    """
    from .anniversaries import read_anniversaries
    from .examples import require_ready
    from .imagecache import IMAGES_DIR
    from .imagelinks import record_archive
    from .index import keeps_caches, save_cache_file, scan_items
    from .itemfiles import duplicate_slugs

    index = scan_items(config)
    problems = [*index.errors, *duplicate_slugs(e.path for e in index.entries)]
    if problems:
        raise _problems(problems)
    # a week of drafts only makes no letter; a letter's drafts are read (and must read
    # well) but left out of it
    weeks = {
        week: entries
        for week, entries in index.by_week(config.publication_day).items()
        if any(not e.draft for e in entries)
    }
    if not weeks:
        raise LettreError(
            _("no letter to archive: the folder has no item (add one with 'lettre new')"),
            config.items_dir,
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise LettreError(_("--out must be a folder, and this is a file"), out_dir)
    anniversaries = read_anniversaries(config.anniversaries_path)
    common = inputs_digest(config)
    keep = keeps_caches(len(index.rows) + len(index.errors))
    where = state_path(config, out_dir) if keep else None
    kept = load_state(where) if where else {}
    report = ArchiveReport(out_dir, letters=len(weeks))
    summaries: dict[str, LetterSummary] = {}
    keys: dict[str, str | None] = {}
    photos: dict[str, tuple[str, ...]] = {}  # page name → its photos' names
    sources: dict[str, list[list[Any]]] = {}  # page name → its photos' source files' status
    tasks: list[Task] = []
    for week, entries in weeks.items():
        name = page_name(week.end)
        key = letter_key(common, (e.name for e in entries), index.digests)
        keys[name] = key
        earlier = kept_letter(kept.get(name), key, out_dir / name, config.folder)
        if earlier is None:
            tasks.append((name, key, week, tuple(e.name for e in entries)))
        else:
            summaries[name] = earlier.summary
            photos[name] = earlier.photos
            sources[name] = earlier.sources
            report.unchanged.append(out_dir / name)
    del index, weeks, kept  # the composing processes need none of it: not to share
    staging = _Staging(out_dir, _read_manifest(out_dir))
    errors: list[LettreError] = []
    examples: list[Example] = []
    staged_photos: set[str] = set()
    try:
        count = worker_count() if workers is None else workers
        for done in compose_all(config, tasks, anniversaries, progress, count):
            errors += done.errors
            examples += [e for e in done.examples if e not in examples]
            if done.summary is None or errors or examples:
                continue  # nothing will be written: no need to keep it
            summaries[done.name] = done.summary
            photos[done.name] = tuple(dict.fromkeys(p.name for p in done.photos))
            sources[done.name] = done.sources
            staging.add(done.name, done.page)
            for photo in done.photos:
                if photo.name not in staged_photos:
                    staged_photos.add(photo.name)
                    staging.add(f"{IMAGES_DIR}/{photo.name}", photo.read())
        if errors:
            raise _problems(errors)
        require_ready(config, found=examples, subject=_("the archive"))
        report.composed = len(tasks)
        every_photo = sorted({n for names in photos.values() for n in names})
        for photo_name in every_photo:  # those of letters kept as they were: already there
            if photo_name not in staged_photos:
                staging.unchanged.append(out_dir / IMAGES_DIR / photo_name)
        ordered = sorted(summaries.values(), key=lambda s: s.date)
        staging.add(INDEX_NAME, render_index(config, ordered).encode("utf-8"))
        staging.add(FEED_NAME, render_feed(config, ordered))
        names = sorted(
            [*summaries, INDEX_NAME, FEED_NAME, *(f"{IMAGES_DIR}/{n}" for n in every_photo)]
        )
        manifest = json.dumps({"generator": "lettre archive", "files": names}, indent=2)
        staging.add(MANIFEST_NAME, (manifest + "\n").encode("utf-8"))
        report.written = [p for p in staging.commit() if p.name != MANIFEST_NAME]
    except BaseException:
        staging.discard()
        raise
    report.unchanged += [p for p in staging.unchanged if p.name != MANIFEST_NAME]
    report.unchanged.sort()
    report.written.sort()
    for name in sorted(staging.ours - set(names)):
        path = out_dir / name
        if path.is_file():
            try:
                path.unlink(missing_ok=True)
            except OSError as err:
                raise LettreError(
                    _("cannot remove: {value}").format(value=err.strerror or err), path
                ) from None
            report.removed.append(path)
    if where is not None:
        save_cache_file(where, state_record(out_dir, summaries, keys, photos, sources))
    record_archive(config, out_dir, every_photo)
    return report
