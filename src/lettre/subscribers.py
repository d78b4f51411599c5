"""Who receives the letter: the readers' CSV, and the suppression file of those who left.

The CSV is read as a spreadsheet exports it: UTF-8 (a BOM is fine), `;`, `,` or tab
between values (sniffed from the first line), a first line naming the columns. `email` is
required; `name` and `locale` are optional; every column reaches the templates as
`reader.<column>`. It is read twice, as a stream, so that memory does not grow with the
number of readers: once to check every row (`check_readers`), once to send
(`iter_readers`).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .configvalues import is_address
from .errors import ItemErrors, LettreError, ReadersError, UsageError
from .files import os_problem
from .french import get_locale
from .messages import _

#: a cell longer than this is a mistake (a whole file pasted into one cell)
MAX_CELL = 1000
#: the suppression file's columns
SUPPRESSION_COLUMNS = ("email", "date", "source")
KNOWN_COLUMNS = ("email", "name", "locale")


def address_key(address: str) -> str:
    """The form two addresses are compared in: `Lea@Example.net` is `lea@example.net`."""
    return address.strip().lower()


@dataclass(frozen=True)
class Reader:
    """One row of the readers' CSV: an address, and what the templates may say of them."""

    address: str
    name: str = ""
    locale: str | None = None  # None: the folder's locale
    columns: tuple[tuple[str, str], ...] = ()  # every column of the row, by lower-case name
    line: int = 0

    @property
    def key(self) -> str:
        return address_key(self.address)

    def fields(self) -> dict[str, str]:
        """`reader.*` of the templates: every column, and email, name and locale."""
        values = dict(self.columns)
        values.update(email=self.address, name=self.name, locale=self.locale or "")
        return values


@dataclass(frozen=True)
class Duplicate:
    """An address met again further down the CSV: it is sent once, at its first line."""

    address: str
    line: int
    first_line: int


@dataclass(frozen=True)
class ReadersFile:
    """A checked readers' CSV: how to read it again, and what the check found."""

    path: Path
    delimiter: str
    columns: tuple[str, ...]
    count: int  # distinct readers
    locales: tuple[str | None, ...]  # the locales the readers ask for (None: the folder's)
    # (locale, has a name) of the readers: the editions of the letter they need
    variants: tuple[tuple[str | None, bool], ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    found: tuple[Reader, ...] = field(default=(), compare=False)  # the rows asked for


def _lines(path: Path) -> Iterator[str]:
    """The file's lines as text, a BOM dropped; a byte that is not UTF-8 names its line."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below, after the generator ends)
    except OSError as err:
        raise ReadersError(os_problem(err, path), path) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ReadersError(
                    _(
                        "not UTF-8: byte 0x{byte:02X} cannot be decoded; export the "
                        "file again as 'CSV UTF-8'"
                    ).format(byte=raw[err.start]),
                    path,
                    number,
                ) from None


def _delimiter(header: str) -> str:
    """`;` (French spreadsheets), `,` or a tab: whichever the first line holds most of."""
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(path: Path) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """The delimiter, and the rows as (line, values), the first one being the header."""
    lines = _lines(path)
    first = ""
    pending: list[str] = []
    for line in lines:
        pending.append(line)
        if line.strip():
            first = line
            break
    delimiter = _delimiter(first)

    def rows() -> Iterator[tuple[int, list[str]]]:
        source = _Chain(pending, lines)
        reader = csv.reader(source, delimiter=delimiter, strict=True)
        start = 1
        try:
            for values in reader:
                yield start, values
                start = reader.line_num + 1
        except csv.Error as err:
            message = str(err)
            if "EOF" in message or "unexpected end" in message:
                message = _("a quoted value is not closed (a '\"' is missing)")
            raise ReadersError(
                _("invalid CSV: {problem}").format(problem=message), path, start
            ) from None

    return delimiter, rows()


class _Chain:
    """The lines already read, then the rest of the iterator (csv.reader takes one)."""

    def __init__(self, head: list[str], rest: Iterator[str]):
        self.head, self.rest = iter(head), rest

    def __iter__(self) -> _Chain:
        return self

    def __next__(self) -> str:
        for line in self.head:
            return line
        return next(self.rest)


def _header(path: Path, values: list[str]) -> tuple[str, ...]:
    names = tuple(v.strip().lower() for v in values)
    if "email" not in names:
        close = [n for n in names if n in ("e-mail", "mail", "courriel", "adresse", "address")]
        hint = _(" (rename '{name}' to 'email')").format(name=close[0]) if close else ""
        shown = ", ".join(f"'{n}'" for n in names if n) or _("nothing")
        raise ReadersError(
            _(
                "no 'email' column: the first line names the columns, and names {shown}{hint}"
            ).format(shown=shown, hint=hint),
            path,
            1,
        )
    for number, name in enumerate(names):
        if not name:
            raise ReadersError(
                _("column {number} has no name on the first line").format(number=number + 1),
                path,
                1,
            )
        if names.count(name) > 1:
            raise ReadersError(
                _("column '{name}' is named twice on the first line").format(name=name), path, 1
            )
    return names


def _reader(path: Path, line: int, names: tuple[str, ...], values: list[str]) -> Reader:
    """One row as a Reader, or ReadersError saying what is wrong with it."""
    if len(values) > len(names):
        raise ReadersError(
            _(
                "{values} values, but the first line names {columns} columns "
                "(a value holding the separator must be in quotes)"
            ).format(values=len(values), columns=len(names)),
            path,
            line,
        )
    cells = {n: v.strip() for n, v in zip(names, values, strict=False)}
    for name in names[len(values) :]:  # trailing empty cells some exports leave out
        cells[name] = ""
    for name, value in cells.items():
        if len(value) > MAX_CELL:
            raise ReadersError(
                _("'{name}' is over {limit} characters").format(name=name, limit=MAX_CELL),
                path,
                line,
            )
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in value):
            raise ReadersError(
                _("'{name}' holds a line break or a control character: one line per value").format(
                    name=name
                ),
                path,
                line,
            )
    address = cells["email"]
    if not address:
        raise ReadersError(_("no e-mail address (the 'email' cell is empty)"), path, line)
    if not is_address(address):
        raise ReadersError(
            _("{address!r} is not an e-mail address").format(address=address), path, line
        )
    locale = cells.get("locale") or None
    if locale is not None:
        try:
            locale = str(get_locale(locale))
        except UsageError as err:
            raise ReadersError(
                _("'locale': {problem}").format(problem=err.message), path, line
            ) from None
    columns = tuple((n, v) for n, v in cells.items() if n not in KNOWN_COLUMNS)
    return Reader(address, cells.get("name", ""), locale, columns, line)


def _each_row(path: Path) -> tuple[str, tuple[str, ...], Iterator[Reader | ReadersError]]:
    delimiter, rows = _rows(path)
    try:
        _first, header = next(rows)
    except StopIteration:
        message = _("empty file: the first line names the columns (email, name…)")
        raise ReadersError(message, path) from None
    names = _header(path, header)

    def readers() -> Iterator[Reader | ReadersError]:
        for line, values in rows:
            if not any(v.strip() for v in values):
                continue  # blank lines, and rows of empty cells spreadsheets leave behind
            try:
                yield _reader(path, line, names, values)
            except ReadersError as err:
                yield err

    return delimiter, names, readers()


def check_readers(path: Path, wanted: Iterable[str] = ()) -> ReadersFile:
    """Check every row of the readers' CSV; all bad rows at once as ItemErrors.

    `wanted`: address keys whose rows are kept in `found` (a reader left in doubt).
    """
    wanted = set(wanted)
    delimiter, names, readers = _each_row(path)
    errors: list[LettreError] = []
    first_lines: dict[str, int] = {}
    duplicates: list[Duplicate] = []
    locales: dict[str | None, None] = {}
    variants: dict[tuple[str | None, bool], None] = {}
    found: list[Reader] = []
    for reader in readers:
        if isinstance(reader, ReadersError):
            errors.append(reader)
            continue
        first = first_lines.setdefault(reader.key, reader.line)
        if first != reader.line:
            duplicates.append(Duplicate(reader.address, reader.line, first))
            continue
        locales[reader.locale] = None
        variants[(reader.locale, bool(reader.name))] = None
        if reader.key in wanted:
            found.append(reader)
    if errors:
        raise ItemErrors.of(errors)
    return ReadersFile(
        path,
        delimiter,
        names,
        len(first_lines),
        tuple(locales),
        tuple(variants),
        tuple(duplicates),
        tuple(found),
    )


def iter_readers(path: Path, seen: set[str] | None = None) -> Iterator[Reader]:
    """The readers of a checked CSV, each address once (at its first row), in file order.

    `seen`: the address keys to leave out, and to which each reader's is added (`send`
    passes those its journal has, so that one set serves both).
    """
    _delimiter, _names, readers = _each_row(path)
    seen = set() if seen is None else seen
    for reader in readers:
        if isinstance(reader, ReadersError):
            raise reader  # the file changed since it was checked
        if reader.key not in seen:
            seen.add(reader.key)
            yield reader


# --- the suppression file ----------------------------------------------------------------


class Suppression:
    """The suppression file, read again whenever it changes: who asked to leave, and when."""

    def __init__(self, path: Path):
        self.path = path
        self._stamp: tuple[int, int, int] | None = None
        self._dates: dict[str, str] = {}

    def refresh(self) -> None:
        """Read the file again if it changed since the last look (one stat otherwise)."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            self._stamp, self._dates = None, {}
            return
        except OSError as err:
            raise ReadersError(os_problem(err, self.path), self.path) from None
        stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
        if stamp != self._stamp:
            self._dates = read_suppression(self.path)
            self._stamp = stamp

    def date_of(self, address: str) -> str | None:
        """When `address` unsubscribed ('' if the file does not say), or None."""
        return self._dates.get(address_key(address))

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and address_key(address) in self._dates

    def __len__(self) -> int:
        return len(self._dates)


def read_suppression(path: Path) -> dict[str, str]:
    """{address key: date} of the suppression file; a line that is not an address is an error."""
    dates: dict[str, str] = {}
    try:
        delimiter, rows = _rows(path)
    except ReadersError:
        raise
    del delimiter
    email_at, date_at = 0, 1
    for line, values in rows:
        cells = [v.strip() for v in values]
        if not any(cells):
            continue
        if line == 1 and "email" in [c.lower() for c in cells]:
            lowered = [c.lower() for c in cells]
            email_at = lowered.index("email")
            date_at = lowered.index("date") if "date" in lowered else -1
            continue
        address = cells[email_at] if email_at < len(cells) else ""
        if not is_address(address):
            raise ReadersError(
                _(
                    "{address!r} is not an e-mail address (one address per line, in the "
                    "'email' column)"
                ).format(address=address),
                path,
                line,
            )
        date = cells[date_at] if 0 <= date_at < len(cells) else ""
        dates.setdefault(address_key(address), date)
    return dates


def suppress(path: Path, address: str, source: str, now: dt.datetime) -> bool:
    """Add `address` to the suppression file, under a file lock; False if already there.

    The lock (flock on the file itself) makes two unsubscriptions at the same moment (two
    one-click POSTs, a POST and `lettre unsubscribe`) both land, each on its own line.
    """
    import fcntl  # POSIX only

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if address_key(address) in read_suppression(path):
            return False
        size = os.fstat(fd).st_size
        lines = []
        if size == 0:
            lines.append(",".join(SUPPRESSION_COLUMNS))
        else:
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":  # a last line cut short, or written by hand
                lines.append("")
        lines.append(",".join((address.strip(), now.isoformat(timespec="seconds"), source)))
        os.write(fd, ("\n".join(lines) + "\n").encode("utf-8"))
        os.fsync(fd)
        return True
    finally:
        os.close(fd)  # releases the lock
