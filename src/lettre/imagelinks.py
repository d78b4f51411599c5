"""Where each output points at a prepared photo, and whether the published copy is there.

The e-mail points at `cid:` (embed) or at the web archive's copy (publish); a page beside
the copied images, at `images/NAME`; a preview, at the prepared file. `lettre archive`
records what it published, and `send` refuses a letter whose published photo is missing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ImageError
from .imagecache import IMAGES_DIR, cache_dir, private_write
from .items import PreparedImage
from .messages import _

if TYPE_CHECKING:
    from .config import Config
    from .items import Letter

# --- where each output points -------------------------------------------------------------

Link = Callable[[PreparedImage], str]


def content_id(photo: PreparedImage, config: Config) -> str:
    """The Content-ID of an embedded image, without its angle brackets."""
    return f"{photo.name}@{config.sender.domain}"


def email_link(config: Config) -> Link:
    """Where the e-mail points: `cid:` (embed), or the published copy (publish).

    Without an archive address, publish mode can only give a relative path: `lettre check
    --week` says so.
    """
    if config.images.mode == "embed":
        return lambda photo: "cid:" + content_id(photo, config)
    base = config.archive_url or ""
    return lambda photo: f"{base}{IMAGES_DIR}/{photo.name}"


def relative_link(photo: PreparedImage) -> str:
    """From a page beside the copied images (the web archive, `compose --out`)."""
    return f"{IMAGES_DIR}/{photo.name}"


def file_link(photo: PreparedImage) -> str:
    """The prepared file itself (`--format html`, previews)."""
    return photo.path.resolve().as_uri()


def files_of(photos: Iterable[PreparedImage]) -> dict[str, bytes]:
    """{`images/NAME`: bytes} of prepared photos, to copy beside a page that points at them."""
    return {relative_link(photo): photo.read() for photo in photos}


def with_links(letter: Letter, link: Link) -> Letter:
    """The same letter, its photos pointed at by `link` (another output)."""

    def entry(e: Any) -> Any:
        if e.photo is None or e.image is None:
            return e
        return replace(e, image=replace(e.image, src=link(e.photo)))

    sections = tuple(
        replace(s, entries=tuple(entry(e) for e in s.entries)) for s in letter.sections
    )
    return replace(letter, sections=sections)


# --- publishing ------------------------------------------------------------------------------

ARCHIVE_RECORD = "archive.json"


def record_archive(config: Config, out_dir: Path, names: Iterable[str]) -> None:
    """Remember where `lettre archive` wrote and which images: `send` checks it."""
    data = {"out": str(out_dir.resolve()), "images": sorted(names)}
    with contextlib.suppress(OSError):
        private_write(config, cache_dir(config) / ARCHIVE_RECORD, json.dumps(data).encode())


def last_archive(config: Config) -> Path | None:
    """The folder of the last `lettre archive --out`, when it is known."""
    try:
        data = json.loads((cache_dir(config) / ARCHIVE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    out = data.get("out") if isinstance(data, dict) else None
    return Path(out) if isinstance(out, str) and out else None


@dataclass(frozen=True)
class Missing:
    """A photo of the letter that the last archive does not hold."""

    item: Path  # the item file
    line: int | None  # the line of its `src`
    src: str  # as the item writes it
    name: str  # the prepared file's name, `defile-3fa2c1.jpg`

    def error(self) -> ImageError:
        return ImageError(
            _(
                "image {src!r} is not in the web archive yet ({images_dir}/{name}): run 'lettre "
                "archive --out DIR' and publish it before sending"
            ).format(src=self.src, images_dir=IMAGES_DIR, name=self.name),
            self.item,
            self.line,
        )


def missing_from_archive(config: Config, letter: Letter) -> list[Missing]:
    """In publish mode, the letter's photos that the last `lettre archive` did not write.

    The e-mail points at `{archive url}images/NAME`: a photo missing there would be a broken
    picture in every reader's mailbox. Empty in embed mode (the photos travel inside).
    """
    if config.images.mode != "publish":
        return []
    out = last_archive(config)
    missing = []
    for entry in letter.entries:
        photo, image = entry.photo, entry.item.image
        if photo is None or image is None:
            continue
        copy = out / IMAGES_DIR / photo.name if out is not None else None
        try:
            present = copy is not None and copy.stat().st_size == photo.size
        except OSError:
            present = False
        if not present:
            missing.append(Missing(entry.item.path, image.line, image.src.strip(), photo.name))
    return missing


def require_archived(config: Config, letter: Letter) -> None:
    """ImageError for the first photo missing from the last archive (publish mode)."""
    missing = missing_from_archive(config, letter)
    if missing:
        raise missing[0].error()
