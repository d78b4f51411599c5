"""An item file's front matter: its YAML keys with their values, lines and nodes, and typed
access to them that raises ItemError at the right line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from . import files
from .errors import ItemError, ItemErrors, LettreError
from .french import one_line as french_one_line
from .messages import _, close_matches
from .safeyaml import Loader, compose_node, construct, value_error
from .weeks import calendar_problem

T = TypeVar("T")
R = TypeVar("R")
MAX_ITEM_BYTES = 1_000_000
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def decode_text(data: bytes, path: Path, expected: str | None = None) -> str:
    """UTF-8 text (a BOM is dropped, CRLF becomes LF), or an ItemError saying what it is."""
    if expected is None:
        expected = _("an item is Markdown under a YAML front matter")
    return files.decode_text(data, path, ItemError, expected)


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """(front matter, body, line where the body starts) of an item's text."""
    lines = text.split("\n")
    if not text.strip():
        raise ItemError(
            _("empty file: an item starts with a front matter between '---' lines"), path, 1
        )
    if lines[0].rstrip() != "---":
        first = next(n for n, line in enumerate(lines, start=1) if line.strip())
        if lines[first - 1].rstrip() == "---":
            raise ItemError(
                _("the file must start with '---': remove the blank lines above it"), path, 1
            )
        if lines[first - 1].rstrip() == "+++":
            raise ItemError(
                _("a TOML front matter ('+++'): lettre reads YAML between '---' lines"), path, first
            )
        raise ItemError(
            _(
                "no front matter: the file must start with a '---' line, then 'date:', 'kind:' "
                "and 'title:', then '---'"
            ),
            path,
            1,
        )
    for number, line in enumerate(lines[1:], start=2):
        if _FENCE.match(line):
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    raise ItemError(_("front matter never closed: add a '---' line after it"), path, 1)


def load_yaml_mapping(
    text: str, path: Path, first_line: int, text_keys: Iterable[str] = ()
) -> dict[str, tuple[Any, int]]:
    """Parse YAML holding one mapping → {key: (value, line)}; errors name the line.

    The values of `text_keys` are kept as written when YAML would read them as something
    else (`title: 2025` is the text "2025", `title: oui` is "oui").
    """
    return {
        key: (value, line)
        for key, (value, line, _node) in _yaml_nodes(
            text, path, first_line, frozenset(text_keys)
        ).items()
    }


FRONT_LINE = 2  # the line of a front matter's first key: the one after the opening '---'


@dataclass(frozen=True)
class FrontMatter:
    """An item file's front matter as parsed: each key's value, line and YAML node."""

    path: Path
    keys: Mapping[str, tuple[Any, int, Any]]  # key → (value, line, node), in file order
    body: str
    body_line: int  # the line of the file where the body starts
    # with `every`: each value that could not be built (it is BROKEN in `keys`)
    broken: tuple[ItemError, ...] = ()

    def line_of(self, key: str, index: int | None = None, field: str | None = None) -> int:
        """The line of `key` (which is present), or of its `index`-th list entry (and its
        `field`)."""
        _value, line, node = self.keys[key]
        if index is not None and isinstance(node, yaml.SequenceNode) and index < len(node.value):
            entry = node.value[index]
            line = FRONT_LINE + entry.start_mark.line
            if field is not None and isinstance(entry, yaml.MappingNode):
                for key_node, _node in entry.value:
                    if key_node.value == field:
                        line = FRONT_LINE + key_node.start_mark.line
        return line


def parse_front_matter(
    text: str, path: Path, text_keys: Iterable[str] = (), every: bool = False
) -> FrontMatter:
    """The front matter and body of an item's text; ItemError names the line of a problem.

    With `every`, a value that cannot be built is kept in `broken` (see `_yaml_nodes`)
    instead of raised. The values of `text_keys` are kept as written (see
    `load_yaml_mapping`).
    """
    front, body, body_line = split_front_matter(text, path)
    broken: list[ItemError] | None = [] if every else None
    keys = _yaml_nodes(front, path, FRONT_LINE, frozenset(text_keys), broken)
    return FrontMatter(path, keys, body, body_line, tuple(broken or ()))


def read_front_matter(path: Path) -> FrontMatter:
    """The front matter of the item file at `path`, every unreadable value BROKEN."""
    data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    return parse_front_matter(decode_text(data, path), path, every=True)


def _yaml_nodes(
    text: str,
    path: Path,
    first_line: int,
    text_keys: frozenset[str] = frozenset(),
    broken: list[ItemError] | None = None,
) -> dict[str, tuple[Any, int, Any]]:
    """{key: (value, line, node)} of a YAML mapping, checked for bombs and depth first.

    With `broken`, a value that cannot be built is reported there (each bad scalar at its
    own line) and replaced by BROKEN (or, in a list, its bad entries are), instead of raising.
    """
    node = compose_node(text, path, first_line)
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise ItemError(
            _("the front matter must be 'key: value' lines"),
            path,
            first_line + node.start_mark.line,
        )
    loader = Loader("")
    try:
        result: dict[str, tuple[Any, int, Any]] = {}
        for key_node, value_node in node.value:
            line = first_line + key_node.start_mark.line
            if not isinstance(key_node, yaml.ScalarNode):
                raise ItemError(_("a key must be a plain word"), path, line)
            key = str(key_node.value)
            if key in result:
                raise ItemError(
                    _("duplicate key '{key}' (first on line {value})").format(
                        key=key, value=result[key][1]
                    ),
                    path,
                    line,
                )
            try:
                value = construct(loader, value_node, {})
            except (ValueError, TypeError, OverflowError, yaml.YAMLError) as err:
                if key in text_keys and isinstance(value_node, yaml.ScalarNode):
                    result[key] = (value_node.value, line, value_node)  # `title: 2025-02-30`
                    continue
                found: list[ItemError] = [] if broken is None else broken
                value = _salvage(loader, key, value_node, err, path, first_line, found)
                if broken is None:
                    raise found[0] from None
            if (
                key in text_keys
                and isinstance(value_node, yaml.ScalarNode)
                and value is not None
                and not isinstance(value, str)
            ):
                value = value_node.value
            result[key] = (value, line, value_node)
        return result
    finally:
        loader.dispose()


class _Broken:
    """A value already reported as unreadable: the checks of its key are skipped."""

    def __repr__(self) -> str:
        return "BROKEN"


BROKEN: Any = _Broken()


class _Reported(Exception):
    """Raised for a key whose value was already reported (it is BROKEN)."""


def _salvage(
    loader: Any,
    key: str,
    node: Any,
    err: Exception,
    path: Path,
    first_line: int,
    broken: list[ItemError],
) -> Any:
    """The value of `node` with its unreadable parts BROKEN, each reported in `broken`."""
    if not isinstance(node, yaml.SequenceNode | yaml.MappingNode):
        broken.append(value_error(key, node, err, path, first_line))
        return BROKEN
    bad = list(_bad_scalars(loader, node, []))
    if not bad:
        broken.append(value_error(key, node, err, path, first_line))
        return BROKEN
    for trail, scalar, problem in bad:
        broken.append(value_error(key, scalar, problem, path, first_line, _trail(key, trail)))
    if not isinstance(node, yaml.SequenceNode):
        return BROKEN
    rows: list[Any] = []
    for child in node.value:
        try:
            rows.append(construct(loader, child, {}))
        except (ValueError, TypeError, OverflowError, yaml.YAMLError):
            rows.append(BROKEN)
    return rows


def _bad_scalars(
    loader: Any, node: Any, trail: list[Any]
) -> Iterator[tuple[list[Any], Any, Exception]]:
    """(path, scalar node, error) of every scalar under `node` that cannot be built."""
    if isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            yield from _bad_scalars(loader, child, [*trail, index])
    elif isinstance(node, yaml.MappingNode):
        for key_node, child in node.value:
            yield from _bad_scalars(loader, child, [*trail, str(key_node.value)])
    else:
        try:
            construct(loader, node, {})
        except (ValueError, TypeError, OverflowError, yaml.YAMLError) as err:
            yield trail, node, err


def _trail(key: str, trail: list[Any]) -> str:
    """`results`, [2, 'date'] → `'results' row 3, 'date'`; `image`, ['w'] → `'image.w'`."""
    text, quoted = f"'{key}", True
    for n, step in enumerate(trail):
        if isinstance(step, int):
            text += "'" if quoted else ""
            row = _(" row {number}") if key == "results" and n == 0 else _(", entry {number}")
            text += row.format(number=step + 1)
            quoted = False
        elif quoted:
            text += f".{step}"
        else:
            text += f", '{step}"
            quoted = True
    return text + ("'" if quoted else "")


class Fields:
    """Typed access to the front matter of one file, raising ItemError at the right line.

    `known` are the keys the file may have and `hints` the words people write for them
    (`titre` for `title`): a missing key's message names the key it was likely written as.
    """

    def __init__(
        self, front: FrontMatter, known: Sequence[str] = (), hints: Mapping[str, str] | None = None
    ):
        self.front, self.path, self.known, self.hints = front, front.path, known, hints or {}
        self.data = {key: (value, line) for key, (value, line, _node) in front.keys.items()}
        self.line = 1  # where a problem without a key of its own is reported
        self.first_line = FRONT_LINE
        self.errors: list[ItemError] = [*front.broken]

    def fail(
        self, key: str, message: str, index: int | None = None, field: str | None = None
    ) -> ItemError:
        """An error at the line of `key`, or of its `index`-th list entry (and its `field`)."""
        return ItemError(message, self.path, self.line_of(key, index, field))

    def line_of(self, key: str, index: int | None = None, field: str | None = None) -> int:
        """The line of `key` (or of the key it was likely written as), or of its `index`-th
        list entry (and its `field`)."""
        if key in self.data:
            return self.front.line_of(key, index, field)
        written = self.misspelt(key)
        return self.data[written][1] if written is not None else self.line

    def node(self, key: str) -> Any:
        """The YAML node of `key`'s value, or None."""
        found = self.front.keys.get(key)
        return found[2] if found is not None else None

    def attempt(self, step: Callable[[], T], default: T) -> T:
        """`step()`, or `default` when it fails: its error is kept in `self.errors`."""
        try:
            return step()
        except _Reported:
            return default
        except ItemErrors as err:
            self.errors.extend(e for e in err.errors if isinstance(e, ItemError))
            return default
        except ItemError as err:
            self.errors.append(err)
            return default

    def missing(self, key: str, example: str = "") -> str:
        if key in self.data:
            return _("'{key}' has no value").format(key=key)
        written = self.misspelt(key)
        if written is not None:
            return _(
                "missing '{key}:' in the front matter (did you mean it by '{written}:'?)"
            ).format(key=key, written=written)
        hint = _(" (e.g. '{key}: {example}')").format(key=key, example=example) if example else ""
        return _("missing '{key}:' in the front matter{hint}").format(key=key, hint=hint)

    def misspelt(self, wanted: str) -> str | None:
        """An unknown key of the file that looks like `wanted` (`titre`, `Title`, `tilte`)."""
        for key in self.data:
            if key in self.known:
                continue
            folded = key.strip().lower()
            close = close_matches(folded, self.known, n=1, cutoff=0.75)
            if self.hints.get(folded, close[0] if close else None) == wanted:
                return key
        return None

    def raw(self, key: str) -> Any:
        value = self.data[key][0] if key in self.data else None
        if value is BROKEN:
            raise _Reported(key)
        return value

    def text(self, key: str, *, required: bool = False, one_line: bool = False) -> str | None:
        value = self.raw(key)
        if value is None:
            if required:
                raise self.fail(key, self.missing(key))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(
                key, _("'{key}' must be text, not {value}").format(key=key, value=describe(value))
            )
        value = str(value).strip()
        if one_line:  # line breaks and runs of spaces go; no-break spaces stay
            value = french_one_line(value)
        if required and not value:
            raise self.fail(key, _("'{key}' is empty").format(key=key))
        return value or None

    def flag(self, key: str) -> bool:
        """`key: true` or `key: false` (absent: false)."""
        value = self.raw(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(
                key,
                _("'{key}' must be true or false, not {value}").format(
                    key=key, value=describe(value)
                ),
            )
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.raw(key)
        if value is None:
            if required:
                raise self.fail(key, self.missing(key, "2025-06-13"))
            return None
        try:
            return to_date(value)
        except ValueError as err:
            raise self.fail(
                key, _("{label}: {message}").format(label=f"'{key}'", message=err)
            ) from None


def to_date(value: Any) -> dt.date:
    """A date from YAML: a date, a datetime or ISO text; ValueError says what is wrong."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as err:
            problem = calendar_problem(value) or _(str(err))  # PYTHON_WORDS
            raise ValueError(
                _("{strip} is not a date in the calendar ({problem})").format(
                    strip=value.strip(), problem=problem
                )
            ) from None
    if isinstance(value, str) and (match := _DAY_FIRST.match(value.strip())):
        day, month, year = match.groups()
        iso = f"{year}-{int(month):02d}-{int(day):02d}"
        raise ValueError(
            _("write the date {strip!r} as {iso} (year-month-day)").format(
                strip=value.strip(), iso=iso
            )
        )
    year = value.strip() if isinstance(value, str) else value
    if isinstance(year, str) and re.fullmatch(r"\d{4}", year):
        year = int(year)
    if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 2999:
        raise ValueError(
            _(
                "{year} is a year, not a date: write the whole date, year-month-day "
                "({year}-06-13), or {year}-01-01 when only the year is known"
            ).format(year=year)
        )
    raise ValueError(
        _("expected a date like 2025-06-13, not {value}").format(value=describe(value))
    )


def describe(value: Any) -> str:
    """A value as a message shows it: `a list`, `a table of keys`, `true` and `false` as
    YAML writes them, else its repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a table of keys")
    return repr(value)


def read_each(values: Iterable[T], read: Callable[[T], R], every: bool) -> list[R]:
    """`read` each value; the first ItemError stops it, or with `every` all are raised."""
    results: list[R] = []
    errors: list[LettreError] = []
    for value in values:
        try:
            results.append(read(value))
        except ItemError as err:
            if not every:
                raise
            errors.append(err)
    if errors:
        raise ItemErrors.of(errors)
    return results
