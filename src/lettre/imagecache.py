"""Local photos made ready once: the `.lettre/` cache of prepared images, and `Preparer`.

A prepared photo (see photos.py) is kept in `.lettre/images/` under a content-hashed name
(`defile-3fa2c1.jpg`), and `.lettre/images.json` remembers it by the source's size and
modification time: a second compose does no image work, and a source whose time changed
but not its bytes is only hashed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ImageError, LettreError
from .files import read_bytes
from .folding import slugify
from .imagefiles import MAX_SOURCE_BYTES, image_error, local_items, locate
from .items import Item, PreparedImage
from .messages import _
from .photos import MAX_BYTES, MAX_WIDTH, Encoded, Unreadable, encode

if TYPE_CHECKING:
    from .config import Config

#: bump when the way images are prepared changes: every cached image is then made again
PREPARATION = 1
SETTINGS = f"{PREPARATION}:{MAX_WIDTH}:{MAX_BYTES}"
CACHE_DIR = ".lettre"
CACHE_NAME = "images.json"
#: the prepared files, in `.lettre/` and in the web archive
IMAGES_DIR = "images"
NO_CACHE_ENV = "LETTRE_NO_CACHE"


def prepared_name(source: Path, encoded: Encoded) -> str:
    """`defile-3fa2c1.jpg`: the source's name as a slug, and a hash of the prepared bytes."""
    digest = hashlib.sha256(encoded.data).hexdigest()[:6]
    return f"{slugify(source.stem) or 'image'}-{digest}.{encoded.extension}"


def cache_dir(config: Config) -> Path:
    return config.folder / CACHE_DIR


def _load_cache(path: Path) -> dict[str, list[Any]]:
    if os.environ.get(NO_CACHE_ENV) == "1":
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("settings") != SETTINGS:
        return {}
    sources = data.get("sources")
    return sources if isinstance(sources, dict) else {}


def _save_cache(config: Config, sources: dict[str, list[Any]]) -> None:
    """Write the index atomically; a folder that cannot hold it simply goes without."""
    data = json.dumps({"settings": SETTINGS, "sources": sources}).encode()
    with contextlib.suppress(OSError, ValueError):
        private_write(config, cache_dir(config) / CACHE_NAME, data)


def private_write(config: Config, path: Path, data: bytes) -> None:
    """A file of `.lettre/`, written atomically (no fsync: a lost one is made again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = cache_dir(config) / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# lettre's caches: safe to delete, never to commit\n*\n")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _entry(cached: Any) -> tuple[int, int, str, str, int, int, int, str] | None:
    """A cache row as (size, mtime_ns, source sha256, name, width, height, bytes, mime)."""
    if not (isinstance(cached, list) and len(cached) == 8):
        return None
    size, mtime, digest, name, width, height, weight, mime = cached
    if not all(isinstance(v, int) for v in (size, mtime, width, height, weight)):
        return None
    if not all(isinstance(v, str) for v in (digest, name, mime)):
        return None
    if "/" in name or name.startswith("."):
        return None
    return size, mtime, digest, name, width, height, weight, mime


class Preparer:
    """Prepares the local images of a folder's items, through the cache of `.lettre/`."""

    def __init__(self, config: Config):
        self.config = config
        self.folder = config.folder
        self.out = cache_dir(config) / IMAGES_DIR
        self.sources = _load_cache(cache_dir(config) / CACHE_NAME)
        self.changed = False

    def prepare(self, item: Item) -> PreparedImage:
        """The item's local image, ready; ImageError (file and line of `src`) otherwise."""
        assert item.image is not None
        real, info = locate(self.folder, item)
        key = item.image.src.strip()
        row = _entry(self.sources.get(key))
        if row is not None and row[:2] == (info.st_size, info.st_mtime_ns):
            prepared = self._cached(real, row)
            if prepared is not None:
                return prepared
        data = self._read(item, real)
        digest = hashlib.sha256(data).hexdigest()
        if row is not None and row[2] == digest:  # touched, not changed
            prepared = self._cached(real, row)
            if prepared is not None:
                self._remember(key, info, digest, prepared)
                return prepared
        try:
            encoded = encode(data)
        except Unreadable as err:
            raise image_error(
                item, _("image {src!r}: {message}").format(src=key, message=err)
            ) from None
        name = prepared_name(real, encoded)
        path = self.out / name
        try:
            if not (path.is_file() and path.stat().st_size == len(encoded.data)):
                private_write(self.config, path, encoded.data)
        except OSError as err:
            raise ImageError(
                _(
                    "cannot write the prepared image: {value} (lettre keeps prepared photos in "
                    ".lettre/: make the folder writable)"
                ).format(value=err.strerror or err),
                path,
            ) from None
        prepared = PreparedImage(
            real, name, path, encoded.width, encoded.height, len(encoded.data), encoded.mime
        )
        self._remember(key, info, digest, prepared)
        return prepared

    def _read(self, item: Item, real: Path) -> bytes:
        try:
            return read_bytes(real, MAX_SOURCE_BYTES)
        except LettreError as err:
            src = item.image.src.strip()  # type: ignore[union-attr]
            raise image_error(
                item, _("image {src!r}: {message}").format(src=src, message=err.message)
            ) from None

    def _cached(
        self, real: Path, row: tuple[int, int, str, str, int, int, int, str]
    ) -> PreparedImage | None:
        _size, _mtime, _digest, name, width, height, weight, mime = row
        path = self.out / name
        try:
            if path.stat().st_size != weight:
                return None
        except OSError:
            return None
        return PreparedImage(real, name, path, width, height, weight, mime)

    def _remember(
        self, key: str, info: os.stat_result, digest: str, prepared: PreparedImage
    ) -> None:
        self.sources[key] = [
            info.st_size,
            info.st_mtime_ns,
            digest,
            prepared.name,
            prepared.width,
            prepared.height,
            prepared.size,
            prepared.mime,
        ]
        self.changed = True

    def save(self) -> None:
        if self.changed and os.environ.get(NO_CACHE_ENV) != "1":
            _save_cache(self.config, self.sources)
            self.changed = False


def prepare_images(config: Config, items: Iterable[Item]) -> dict[Path, PreparedImage]:
    """The local image of each item that has one, ready, by item path.

    The first problem is raised (ImageError, naming the item's file and the line of `src`);
    the images prepared before it stay in the cache.
    """
    chosen = local_items(items)
    if not chosen:
        return {}
    preparer = Preparer(config)
    try:
        return {item.path: preparer.prepare(item) for item in chosen}
    finally:
        preparer.save()
