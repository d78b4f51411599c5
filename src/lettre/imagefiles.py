"""Where an item's local picture is: its path checked, its file found and vetted.

An item's `image.src` may name a file of the newsletter folder (`photos/defile.jpg`): the
path must be relative, stay within the folder once every symbolic link is followed, and lead
to a regular file that is neither empty nor too large. Every problem is an ImageError at the
line of `src`.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .body import is_local
from .errors import ImageError
from .files import os_problem
from .items import Item
from .messages import _

#: a source file larger than this is refused before it is read (a video, a RAW file…)
MAX_SOURCE_BYTES = 100_000_000


def path_problem(src: str) -> str | None:
    """What is wrong with a local `src` as written (absolute, or leaving the folder), before
    any file is looked at; or None."""
    if src.startswith(("/", "\\")) or (len(src) > 2 and src[1] == ":" and src[2] in "/\\"):
        return _(
            "image {src!r}: an absolute path: give the path from the newsletter folder "
            "(photos/defile.jpg), where lettre.toml is"
        ).format(src=src)
    parts = posixpath.normpath(src.replace("\\", "/")).split("/")
    if parts[0] == "..":
        return _(
            "image {src!r}: outside the newsletter folder: copy the picture into the folder "
            "(photos/…) and give its path from there"
        ).format(src=src)
    return None


def image_error(item: Item, message: str) -> ImageError:
    """An ImageError at the line of the item's `src`."""
    line = item.image.line if item.image is not None else None
    return ImageError(message, item.path, line)


def locate(folder: Path, item: Item) -> tuple[Path, os.stat_result]:
    """The file of the item's local image and its status; ImageError at the line of `src`.

    The path must stay within the folder once every symbolic link is followed, and lead to
    a regular file that is not empty.
    """
    assert item.image is not None
    src = item.image.src
    problem = path_problem(src)
    if problem:
        raise image_error(item, problem)
    path = folder / src
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            message = _("a broken symbolic link (its target {target!r} does not exist)").format(
                target=target
            )
            raise image_error(
                item, _("image {src!r}: {message}").format(src=src, message=message)
            ) from None
        raise image_error(
            item,
            _(
                "image {src!r}: no such file (the path is read from the newsletter folder, where "
                "lettre.toml is)"
            ).format(src=src),
        ) from None
    except (OSError, RuntimeError) as err:  # a link loop, a folder that may not be read
        problem = os_problem(err, path) if isinstance(err, OSError) else str(err)
        raise image_error(
            item, _("image {src!r}: {message}").format(src=src, message=problem)
        ) from None
    if not real.is_relative_to(folder.resolve()):
        raise image_error(
            item,
            _(
                "image {src!r}: a symbolic link to a file outside the newsletter folder: copy "
                "the picture into the folder"
            ).format(src=src),
        )
    try:
        info = real.stat()
    except OSError as err:
        raise image_error(
            item, _("image {src!r}: {message}").format(src=src, message=os_problem(err, path))
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise image_error(item, _("image {src!r}: a folder, not a picture file").format(src=src))
    if not stat.S_ISREG(info.st_mode):
        raise image_error(
            item,
            _("image {src!r}: not a regular file (a device, a pipe or a socket)").format(src=src),
        )
    if info.st_size == 0:
        raise image_error(
            item,
            _("image {src!r}: an empty file (0 bytes): copy the picture again").format(src=src),
        )
    if info.st_size > MAX_SOURCE_BYTES:
        size = f"{info.st_size / 1_000_000:,.0f} MB".replace(",", " ")
        limit = f"{MAX_SOURCE_BYTES // 1_000_000} MB"
        raise image_error(
            item,
            _("image {src!r}: file too large ({size}; at most {limit})").format(
                src=src, size=size, limit=limit
            ),
        )
    return real, info


def source_status(folder: Path, src: str) -> list[Any]:
    """What tells that a local image's file changed without reading it: [src, the status
    of the path (a link's own), the status of the file it leads to], each [mode, size,
    mtime, ctime, inode] or None when missing (a path refused whatever is on disk: both
    None). For the caches of `check` and `archive`, compared as JSON."""
    if path_problem(src):
        return [src, None, None]
    path = folder / src

    def status(follow: bool) -> list[int] | None:
        try:
            st = path.stat() if follow else path.lstat()
        except (OSError, ValueError):
            return None
        return [st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    return [src, status(False), status(True)]


def local_items(items: Iterable[Item]) -> list[Item]:
    """The items whose image is a file of the folder."""
    return [i for i in items if i.image is not None and is_local(i.image.src)]
