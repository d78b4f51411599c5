"""What the archive's letters depend on, and the record of earlier runs kept in `.lettre/`.

A letter's inputs — the digests of its items' files, the status of their local photos'
files, lettre.toml, the templates and catalogs, anniversaries.yaml, and the versions of
lettre and of the libraries that render it — make its key; a letter whose key, page and
photos are as an earlier run left them is not composed again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .archivepages import LetterSummary
from .config import Config

STATE_FORMAT = 2  # 2: each letter's photos and their source files' status
#: the libraries whose versions can change a page's bytes
RENDERING_LIBRARIES = (
    "babel",
    "jinja2",
    "markdown-it-py",
    "premailer",
    "cssutils",
    "lxml",
    "pillow",
    "pillow-heif",
)


# --- what a letter depends on ------------------------------------------------------------------


def inputs_digest(config: Config) -> str:
    """What every letter depends on besides its items; when it changes, all are composed again.

    lettre.toml (and the locale chosen), anniversaries.yaml, the folder's templates and the
    packaged ones with their catalogs, and the versions of lettre and of the libraries that
    turn a letter into HTML.
    """
    import hashlib
    from importlib import metadata

    from . import __version__
    from .resources import templates_dir

    digest = hashlib.blake2b(digest_size=16)

    def add(*parts: str | bytes) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogateescape")
            digest.update(len(data).to_bytes(8, "big") + data)

    add("lettre", __version__, "locale", config.locale)
    for library in RENDERING_LIBRARIES:
        try:
            add(library, metadata.version(library))
        except metadata.PackageNotFoundError:
            add(library, "")
    for path in (config.path, config.anniversaries_path):
        add(path.name, _bytes_of(path))
    for number, folder in enumerate((config.templates_dir, templates_dir())):
        for path in _files_under(folder):
            add(str(number), os.fsencode(path.relative_to(folder)), _bytes_of(path))
    return digest.hexdigest()


def _bytes_of(path: Path) -> bytes:
    """A file's bytes; a marker of its absence (or of why it cannot be read) otherwise."""
    try:
        return b"+" + path.read_bytes()
    except OSError as err:
        return f"-{err.errno}".encode()


def _files_under(folder: Path) -> list[Path]:
    """Every file under `folder`, in a stable order; [] when it is not a folder."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        found += [Path(root, name) for name in sorted(names)]
    return found


def letter_key(common: str, names: Iterable[str], digests: Mapping[str, str]) -> str | None:
    """The digest of a letter's inputs: `common` and its item files' names and digests.

    None when a file's digest is unknown (it could not be read): such a letter is composed
    at every run.
    """
    import hashlib

    digest = hashlib.blake2b(common.encode("ascii"), digest_size=16)
    for name in sorted(names):
        seal = digests.get(name)
        if seal is None:
            return None
        digest.update(os.fsencode(name) + b"\0" + seal.encode("ascii") + b"\n")
    return digest.hexdigest()


# --- the record of earlier runs ----------------------------------------------------------------


def state_path(config: Config, out_dir: Path) -> Path:
    """Where the record of the archive written into `out_dir` is kept, in `.lettre/`."""
    from .index import CACHE_DIR, digest

    return config.folder / CACHE_DIR / f"archive-{digest(os.fsencode(out_dir.resolve()))}.json"


def load_state(path: Path) -> dict[str, Any]:
    from .index import load_cache_file

    pages = load_cache_file(path, STATE_FORMAT).get("pages")
    return pages if isinstance(pages, dict) else {}


@dataclass(frozen=True)
class Kept:
    """What an earlier run wrote of a letter whose inputs are the same: its summary and
    the names of its photos in `images/`."""

    summary: LetterSummary
    photos: tuple[str, ...]
    sources: list[list[Any]]  # the status of its photos' source files


def kept_letter(record: Any, key: str | None, page: Path, folder: Path) -> Kept | None:
    """What an earlier run wrote from the same inputs, if the page and its photos are intact.

    A record is [inputs digest, page size, page modification time, summary, photo names,
    status of its local photos' source files]; a page edited, replaced or removed since, a
    photo gone from `images/`, or a source photo changed (see `imagefiles.source_status`), and
    the letter is composed again.
    """
    from .imagecache import IMAGES_DIR
    from .imagefiles import source_status

    if key is None or not isinstance(record, list) or len(record) != 6 or record[0] != key:
        return None
    photos, sources = record[4], record[5]
    if not isinstance(photos, list) or not all(isinstance(n, str) for n in photos):
        return None
    if not isinstance(sources, list):
        return None
    try:
        st = page.stat()
    except OSError:
        return None
    if [st.st_size, st.st_mtime_ns] != record[1:3]:
        return None
    for status in sources:
        if not isinstance(status, list) or not status or not isinstance(status[0], str):
            return None
        if source_status(folder, status[0]) != status:
            return None
    if not all(safe_name(f"{IMAGES_DIR}/{n}") for n in photos):
        return None
    if not all((page.parent / IMAGES_DIR / n).is_file() for n in photos):
        return None
    summary = LetterSummary.from_data(record[3])
    return None if summary is None else Kept(summary, tuple(photos), sources)


def state_record(
    out_dir: Path,
    summaries: Mapping[str, LetterSummary],
    keys: Mapping[str, str | None],
    photos: Mapping[str, tuple[str, ...]],
    sources: Mapping[str, list[list[Any]]],
) -> dict[str, Any]:
    """The record of this run: each page's inputs digest, size, modification time, summary,
    photos and the status of their source files (see `kept_letter`)."""
    from . import __version__

    pages: dict[str, list[Any]] = {}
    for name, summary in summaries.items():
        key = keys.get(name)
        try:
            st = (out_dir / name).stat()
        except OSError:
            continue
        if key is not None:
            pages[name] = [
                key,
                st.st_size,
                st.st_mtime_ns,
                summary.as_data(),
                list(photos.get(name, ())),
                sources.get(name, []),
            ]
    return {"format": STATE_FORMAT, "lettre": __version__, "pages": pages}


def safe_name(name: str) -> bool:
    """A plain name of the archive folder, or `images/NAME`: never anywhere else."""
    from .imagecache import IMAGES_DIR

    folder, _sep, rest = name.rpartition("/")
    return (
        bool(rest) and folder in ("", IMAGES_DIR) and "\\" not in name and rest not in (".", "..")
    )
