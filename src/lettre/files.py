"""Reading user files safely and writing outputs atomically: nothing is ever lost."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from .errors import LettreError
from .messages import N_, _

# C0 controls but tab and line feed, DEL and C1 controls: invisible, and unsafe in a terminal
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PASTED = {"\x0b": N_(" (a line break pasted from Word?)"), "\x0c": N_(" (a page break?)")}


def printable(text: str) -> str:
    """`text` safe for a terminal: each control character but tab and line feed as `\\xNN`."""
    return CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def read_bytes(path: Path, limit: int, error: type[LettreError] = LettreError) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is `error`."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)  # non-blocking: a named pipe must not hang lettre
    except OSError as err:
        raise error(os_problem(err, path), path) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(_("a folder, not a file"), path)
        if not stat.S_ISREG(info.st_mode):
            raise error(_("not a regular file (a device, a pipe or a socket)"), path)
        if info.st_size > limit:
            raise error(_too_large(info.st_size, limit), path)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # the file grew while lettre read it
            raise error(_too_large(size, limit), path)
        return b"".join(chunks)
    except OSError as err:
        raise error(os_problem(err, path), path) from None
    finally:
        os.close(fd)


def _too_large(size: int, limit: int) -> str:
    return _("file too large ({size}; at most {limit})").format(size=_kb(size), limit=_kb(limit))


def _kb(size: int) -> str:
    return f"{size / 1000:,.0f} kB".replace(",", " ")


def os_problem(err: OSError, path: Path) -> str:
    """One sentence for an operating-system error on `path`."""
    if err.errno == errno.ELOOP:
        return _("symbolic link loop: the link never reaches a file; remove it or fix its target")
    if err.errno == errno.ENOENT and path.is_symlink():
        return _("broken symbolic link: its target {path!r} does not exist").format(
            path=os.readlink(path)
        )
    if err.errno == errno.ENOENT:
        return _("no such file (was it moved or deleted meanwhile?)")
    if err.errno in (errno.EACCES, errno.EPERM):
        return _("permission denied: lettre may not read this file (see its owner and mode)")
    if err.errno == errno.EISDIR:
        return _("a folder, not a file")
    return _("cannot read: {value}").format(value=err.strerror or err)


def decode_text(
    data: bytes, path: Path, error: type[LettreError] = LettreError, expected: str = ""
) -> str:
    """UTF-8 text (a BOM is dropped, CRLF and CR become LF), or `error` saying what it is.

    `expected` says what the file should hold, for the message about a binary file.
    """
    if b"\0" in data[:8192]:
        raise error(
            _("binary file, not text{value}").format(value=f" ({expected})" if expected else ""),
            path,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise error(
            _(
                "not UTF-8: byte 0x{value:02X} at position {start} cannot be decoded{data}; "
                "re-save the file as UTF-8"
            ).format(value=data[err.start], start=err.start, data=_guess_encoding(data)),
            path,
            line,
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        char = control.group()
        raise error(
            _(
                "an invisible control character U+{char:04X}{char2} at column {column}: delete it"
            ).format(
                char=ord(char), char2=_(_PASTED[char]) if char in _PASTED else "", column=column
            ),
            path,
            line,
        )
    return text


def _guess_encoding(data: bytes) -> str:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    if re.search(rb"[\x80-\x9f]", data):
        return _(" (it looks like Windows-1252)")
    return _(" (it looks like Latin-1 / ISO-8859-1)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary(path: Path, data: bytes) -> Path:
    """A temporary file next to `path` holding `data`, flushed to disk, mode as a new file's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:  # mkstemp makes 0600 files; an output is as readable as any other new file
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file through a temporary file in the same folder, then rename it."""
    tmp = _temporary(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_new(path: Path, data: bytes) -> None:
    """Create `path` atomically, never replacing a file: FileExistsError if it exists."""
    tmp = _temporary(path, data)
    try:
        try:
            os.link(tmp, path)  # fails if `path` exists, even if it appeared a moment ago
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system: create it exclusively
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IMODE(tmp.stat().st_mode)
            )
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        tmp.unlink(missing_ok=True)


def write_error(err: OSError, path: Path) -> LettreError:
    """`cannot write: …` for an operating-system error while writing `path`."""
    return LettreError(_("cannot write: {value}").format(value=err.strerror or err), path)


def numbered(stem: str, number: int) -> str:
    """`stem.md` for 1, then `stem-2.md`, `stem-3.md`…: the names of items of one stem."""
    return f"{stem}.md" if number == 1 else f"{stem}-{number}.md"


def create_numbered(folder: Path, stem: str, data: bytes, first: int = 1) -> Path:
    """Create the first free name of `stem.md`, `stem-2.md`… (from `first` on) in `folder`,
    atomically and never over a file, even one that appears meanwhile; returns its path."""
    for number in range(first, first + 1000):
        path = folder / numbered(stem, number)
        try:
            write_new(path, data)
        except FileExistsError:
            continue
        except OSError as err:
            raise write_error(err, path) from None
        return path
    raise LettreError(_("too many items named {stem}-N.md").format(stem=stem), folder)


def stage(path: Path, data: bytes) -> Path:
    """A temporary file next to `path` holding `data`, for `commit` to rename onto `path`."""
    if path.is_dir():
        raise LettreError(_("cannot write: a folder has this name"), path)
    try:
        return _temporary(path, data)
    except OSError as err:
        raise write_error(err, path) from None


def commit(staged: Mapping[Path, Path]) -> None:
    """Rename each staged temporary file onto its path ({path: temporary file})."""
    for path, tmp in staged.items():
        try:
            os.replace(tmp, path)
        except OSError as err:
            raise write_error(err, path) from None


def write_all(outputs: Mapping[Path, bytes]) -> list[Path]:
    """Write several files atomically: all temporary files first, then the renames.

    A failure before the renames leaves every earlier file as it was; LettreError names
    the file that could not be written.
    """
    for path in outputs:  # what would fail the renames is found before any write
        if path.is_dir():
            raise LettreError(_("cannot write: a folder has this name"), path)
    staged: dict[Path, Path] = {}
    try:
        for path, data in outputs.items():
            staged[path] = stage(path, data)
        commit(staged)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
    return list(outputs)
