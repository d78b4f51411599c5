"""Item files → Items: front matter (YAML) and Markdown body, every problem with file:line."""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml

from . import files
from .body import is_local, safe_scheme
from .config import unknown_kind
from .errors import ItemError, ItemErrors, LettreError, UsageError
from .french import get_locale, strip_accents
from .french import one_line as french_one_line
from .items import Anniversary, Image, Item, Period, ResultRow
from .messages import N_, _
from .weeks import calendar_problem

try:  # libyaml is ~8x faster; the pure-Python loader is the fallback
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - wheels ship libyaml
    _SafeLoader = yaml.SafeLoader

# what Python's datetime says of an impossible date, when calendar_problem does not know
PYTHON_WORDS = (
    N_("day is out of range for month"),
    N_("month must be in 1..12"),
    N_("year 0 is out of range"),
)


class _Loader(_SafeLoader):  # type: ignore[misc]
    """The safe loader, with less Python run per node (a front matter has hundreds).

    PyYAML calls `resolve` and two path-resolver hooks for every node; a safe loader has
    no path resolvers, so these shortcuts give the very same tags.
    """

    _IMPLICIT: ClassVar[dict[Any, list[tuple[str, Any]]]] = {
        first: [*resolvers, *_SafeLoader.yaml_implicit_resolvers.get(None, [])]
        for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
    }
    _WILDCARD: ClassVar[list[tuple[str, Any]]] = _SafeLoader.yaml_implicit_resolvers.get(None, [])

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._IMPLICIT.get(value[:1], self._WILDCARD):
                    if regexp.match(value):
                        return str(tag)
            return "tag:yaml.org,2002:str"
        if kind is yaml.SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


T = TypeVar("T")
R = TypeVar("R")
MAX_ITEM_BYTES = 1_000_000
ITEM_KEYS = (
    "date",
    "kind",
    "title",
    "summary",
    "url",
    "image",
    "tags",
    "period",
    "results",
    "founded",
    "lang",  # the language the item is written in, when it is not the folder's
    "source",  # where `lettre import` took the item from (a feed entry's id or link)
    "draft",  # true: kept out of every letter until it is ready
    "example",  # true: an example that `lettre init` wrote, never sent
)
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
TEXT_KEYS = ("kind", "title", "summary", "url", "lang")
#: publication dates lettre accepts: a year outside them is a typo (0025, 20025…)
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
#: keys written by people who think in French, or in other tools' words (for hints)
KEY_HINTS = {
    "titre": "title",
    "résumé": "summary",
    "resume": "summary",
    "chapo": "summary",
    "chapô": "summary",
    "lien": "url",
    "link": "url",
    "type": "kind",
    "genre": "kind",
    "categorie": "kind",
    "catégorie": "kind",
    "etiquettes": "tags",
    "étiquettes": "tags",
    "tag": "tags",
    "résultats": "results",
    "resultats": "results",
    "periode": "period",
    "période": "period",
    "fondation": "founded",
    "cree": "founded",
    "créé": "founded",
    "langue": "lang",
    "language": "lang",
    "locale": "lang",
    "brouillon": "draft",
    "exemple": "example",
}


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
    node = _compose(text, path, first_line)
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise ItemError(
            _("the front matter must be 'key: value' lines"),
            path,
            first_line + node.start_mark.line,
        )
    loader = _Loader("")
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


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{t}" for t in ("str", "seq", "map"))
_PLAIN_SCALARS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")
)


def construct(loader: Any, node: yaml.Node, memo: dict[int, Any]) -> Any:
    """`loader.construct_object(node, deep=True)`, several times faster on plain data.

    Scalars, lists and mappings with string keys (nearly all of a front matter) are built
    here; anything else (merge keys, sets, binary, other tags) is left to PyYAML. An alias
    gives the very object built for its anchor, as with PyYAML.
    """
    tag, kind = node.tag, type(node)
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _PLAIN_SCALARS:
            return loader.yaml_constructors[tag](loader, node)
        return loader.construct_object(node, deep=True)
    done = memo.get(id(node))
    if done is not None:
        return done
    if tag == _SEQ and kind is yaml.SequenceNode:
        items: list[Any] = []
        memo[id(node)] = items
        for child in node.value:
            items.append(construct(loader, child, memo))
        return items
    if tag == _MAP and kind is yaml.MappingNode:
        for key_node, _value in node.value:
            if key_node.tag != _STR or type(key_node) is not yaml.ScalarNode:
                return loader.construct_object(node, deep=True)
        mapping: dict[str, Any] = {}
        memo[id(node)] = mapping
        for key_node, value_node in node.value:
            mapping[key_node.value] = construct(loader, value_node, memo)
        return mapping
    return loader.construct_object(node, deep=True)


MAX_DEPTH = 32
MAX_EXPANDED = 100_000
_BLOCK_MARKERS = re.compile(r"[ \t]*(?:[-?][ \t]+)+")
_NESTED_MARKERS = re.compile(r"[-?][ \t]+[-?][ \t]")
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s*]")


def _compose(text: str, path: Path, first_line: int) -> Any:
    """The YAML node tree of `text`, refusing what would crash or swamp the parser."""
    _check_nesting(text, path, first_line)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        raise _yaml_error(err, text, path, first_line) from None
    except yaml.YAMLError as err:
        raise ItemError(
            _("invalid YAML: {problem}").format(problem=_one_line(str(err))), path, first_line
        ) from None
    except RecursionError:
        raise ItemError(
            _("invalid YAML: nested more than {max_depth} levels deep").format(max_depth=MAX_DEPTH),
            path,
            first_line,
        ) from None
    finally:
        loader.dispose()
    if node is not None and _ALIAS.search(text):  # without an alias, nothing can expand
        _check_expansion(node, path, first_line)
    return node


def _check_nesting(text: str, path: Path, first_line: int) -> None:
    """Refuse YAML nested absurdly deep before the C parser sees it (it would crash)."""
    brackets = text.count("[") + text.count("{")
    if brackets <= MAX_DEPTH and not _NESTED_MARKERS.search(text):
        return  # the common case, found at once
    depth = 0
    for number, line in enumerate(text.split("\n")):
        markers = _BLOCK_MARKERS.match(line)
        levels = markers.group().count("-") + markers.group().count("?") if markers else 0
        for bracket in re.findall(r"[\[\]{}]", line):
            depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
            levels = max(levels, depth)
        if levels > MAX_DEPTH:
            raise ItemError(
                _("invalid YAML: nested more than {max_depth} levels deep").format(
                    max_depth=MAX_DEPTH
                ),
                path,
                first_line + number,
            )


def _check_expansion(root: Any, path: Path, first_line: int) -> None:
    """Refuse aliases that refer to themselves or expand to a huge tree ("billion laughs")."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            open_nodes.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(node)] > MAX_EXPANDED:
                raise ItemError(
                    _(
                        "invalid YAML: its aliases ('*name') expand to more than "
                        "{max_expanded:,} values"
                    )
                    .format(max_expanded=MAX_EXPANDED)
                    .replace(",", " "),
                    path,
                    first_line + node.start_mark.line,
                )
            continue
        if id(node) in sizes:
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_nodes:
                raise ItemError(
                    _("invalid YAML: an alias ('*name') refers to the value that contains it"),
                    path,
                    first_line + child.start_mark.line,
                )
            stack.append((child, False))


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _one_line(text: str) -> str:
    """PyYAML's message without its 'in "<unicode string>", line 3' parts."""
    kept = [line for line in text.split("\n") if not line.strip().startswith('in "<')]
    return " ".join(" ".join(kept).split())


def _yaml_error(err: yaml.MarkedYAMLError, text: str, path: Path, first_line: int) -> ItemError:
    mark = err.problem_mark or err.context_mark
    line = first_line + mark.line if mark else first_line
    source = text.split("\n")[mark.line] if mark and mark.line < text.count("\n") + 1 else ""
    problem = _one_line(err.problem or str(err))
    context = err.context or ""
    opened = err.context_mark
    if "\t" in problem or "\t" in source[: mark.column + 1 if mark else 0]:
        problem = _("a tab character: YAML needs spaces for indentation")
    elif "mapping values are not allowed" in problem and re.match(r"\s+[^\s:]+:", source):
        problem = _("this line is indented more than the key above it: align the keys")
    elif "mapping values are not allowed" in problem:
        problem = _("a ': ' inside a value: put the value in quotes")
    elif opened is not None and "flow" in context:
        bracket = "[" if "sequence" in context else "{"
        line = first_line + opened.line
        problem = _(
            "the '{bracket}' is never closed; if the brackets are part of the text, put the "
            "whole value in quotes"
        ).format(bracket=bracket)
    elif opened is not None and "quoted scalar" in context:
        line = first_line + opened.line
        problem = _("a quote is never closed")
    elif "found undefined alias" in problem:
        problem = _("{problem}: write '&name' on the value before using '*name'").format(
            problem=problem
        )
    elif err.context and err.problem:
        problem = f"{problem} ({_one_line(err.context)})"
    return ItemError(_("invalid YAML: {problem}").format(problem=problem), path, line)


def _value_error(
    key: str, node: Any, err: Exception, path: Path, first_line: int, label: str = ""
) -> ItemError:
    label = label or f"'{key}'"
    line = first_line + node.start_mark.line
    mark = getattr(err, "problem_mark", None)
    if mark is not None:
        line = first_line + mark.line
    tag = re.search(r"for the tag '([^']*)'", str(err))
    if tag:
        shown = tag[1].replace("tag:yaml.org,2002:", "!!")
        return ItemError(
            _("{label}: the YAML tag '{shown}' is not allowed (write plain values)").format(
                label=label, shown=shown
            ),
            path,
            line,
        )
    raw = getattr(node, "value", "")
    if isinstance(raw, str) and re.match(r"^\d{4}-\d{1,2}-\d{1,2}", raw):
        problem = calendar_problem(raw) or _(_one_line(str(err)))  # PYTHON_WORDS
        return ItemError(
            _("{label}: {raw} is not a date in the calendar ({problem})").format(
                label=label, raw=raw, problem=problem
            ),
            path,
            line,
        )
    return ItemError(
        _("{label}: invalid value ({one_line})").format(label=label, one_line=_one_line(str(err))),
        path,
        line,
    )


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
        broken.append(_value_error(key, node, err, path, first_line))
        return BROKEN
    bad = list(_bad_scalars(loader, node, []))
    if not bad:
        broken.append(_value_error(key, node, err, path, first_line))
        return BROKEN
    for trail, scalar, problem in bad:
        broken.append(_value_error(key, scalar, problem, path, first_line, _trail(key, trail)))
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


class _Fields:
    """Typed access to the front matter of one file, raising ItemError at the right line."""

    def __init__(
        self,
        path: Path,
        data: dict[str, tuple[Any, int]],
        line: int,
        nodes: dict[str, Any] | None = None,
        first_line: int = 2,
    ):
        self.path, self.data, self.line = path, data, line
        self.nodes, self.first_line = nodes or {}, first_line
        self.errors: list[ItemError] = []
        self.notes: list[tuple[int | None, str]] = []

    def fail(
        self, key: str, message: str, index: int | None = None, field: str | None = None
    ) -> ItemError:
        """An error at the line of `key`, or of its `index`-th list entry (and its `field`)."""
        return ItemError(message, self.path, self.line_of(key, index, field))

    def line_of(self, key: str, index: int | None = None, field: str | None = None) -> int:
        """The line of `key`, or of its `index`-th list entry (and its `field`)."""
        written = key if key in self.data else self.misspelt(key)
        line = self.data[written][1] if written is not None else self.line
        node = self.nodes.get(key)
        if index is not None and isinstance(node, yaml.SequenceNode) and index < len(node.value):
            entry = node.value[index]
            line = self.first_line + entry.start_mark.line
            if field is not None and isinstance(entry, yaml.MappingNode):
                for key_node, _value in entry.value:
                    if key_node.value == field:
                        line = self.first_line + key_node.start_mark.line
        return line

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
            if key in ITEM_KEYS:
                continue
            folded = key.strip().lower()
            close = difflib.get_close_matches(folded, ITEM_KEYS, n=1, cutoff=0.75)
            if KEY_HINTS.get(folded, close[0] if close else None) == wanted:
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
                key, _("'{key}' must be text, not {value}").format(key=key, value=_describe(value))
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
                    key=key, value=_describe(value)
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
        _("expected a date like 2025-06-13, not {value}").format(value=_describe(value))
    )


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a table of keys")
    return repr(value)


def parse_item(text: str, path: Path, kinds: Sequence[str], every: bool = False) -> Item:
    """An Item from the text of its file; ItemError names the line of the first problem.

    With `every`, all the problems of the file are found: ItemErrors when there are several.
    """
    front, body, body_line = split_front_matter(text, path)
    broken: list[ItemError] | None = [] if every else None
    nodes = _yaml_nodes(front, path, 2, frozenset(TEXT_KEYS), broken)
    data = {key: (value, line) for key, (value, line, _node) in nodes.items()}
    f = _Fields(path, data, 1, {key: node for key, (_v, _l, node) in nodes.items()})
    f.errors.extend(broken or ())

    def first() -> None:
        """Stop at the first problem, unless every problem is wanted."""
        if f.errors and not every:
            raise f.errors[0]

    date = f.attempt(lambda: _item_date(f), None)
    first()
    kind = f.attempt(lambda: _kind(f, kinds), None)
    first()
    title = f.attempt(lambda: f.text("title", required=True, one_line=True), None)
    first()
    url = f.attempt(lambda: _url(f), None)
    first()
    period = f.attempt(lambda: _period(f), None)
    first()
    no_rows: tuple[ResultRow, ...] = ()
    results = f.attempt(lambda: _results(f, every), no_rows)
    first()
    if every and results:  # the warnings of `lettre check`
        f.notes += _row_notes(f, f.raw("results"))
    if kind == "resultats" and "results" not in data and not body.strip():
        f.errors.append(f.fail("kind", _("a 'resultats' item needs 'results:' rows or a body")))
    first()
    summary = f.attempt(lambda: f.text("summary", one_line=True), None)
    image = f.attempt(lambda: _image(f), None)
    no_tags: tuple[str, ...] = ()
    tags = f.attempt(lambda: _tags(f), no_tags)
    founded = f.attempt(lambda: f.date("founded"), None)
    lang = f.attempt(lambda: _lang(f), None)
    draft = f.attempt(lambda: f.flag("draft"), False)
    example = f.attempt(lambda: f.flag("example"), False)
    first()
    if f.errors:
        errors = sorted(f.errors, key=lambda e: e.line or 0)
        raise errors[0] if len(errors) == 1 else ItemErrors(errors)
    assert date is not None and kind is not None and title is not None
    return Item(
        path=path,
        date=date,
        kind=kind,
        title=title,
        body=body.strip("\n"),
        summary=summary,
        url=url,
        image=image,
        tags=tags,
        period=period,
        results=results,
        founded=founded,
        lang=lang,
        draft=draft,
        example=example,
        body_line=body_line,
        key_lines=tuple((key, line) for key, (_value, line) in data.items()),
        notes=tuple(f.notes),
    )


def _item_date(f: _Fields) -> dt.date:
    date = f.date("date", required=True)
    assert date is not None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise f.fail(
            "date",
            _("'date': {isoformat} is out of range (a year from 1900 to 2999)").format(
                isoformat=date.isoformat()
            ),
        )
    return date


def _kind(f: _Fields, kinds: Sequence[str]) -> str:
    kind = f.text("kind", required=True)
    assert kind is not None
    if kind not in kinds:
        raise f.fail("kind", unknown_kind(kind, kinds))
    return kind


def _url(f: _Fields) -> str | None:
    url = f.text("url")
    if url is not None and not safe_scheme(url):
        raise f.fail(
            "url", _("'url' must be an http(s) or mailto address, not {url!r}").format(url=url)
        )
    # not files.CONTROL: any white space (tab, line feed too) splits an address; C1 not refused
    if url is not None and re.search(r"[\s\x00-\x1f\x7f]", url):
        raise f.fail(
            "url",
            _("'url' must be one address, without spaces or line breaks: {url!r}").format(url=url),
        )
    return url


def _lang(f: _Fields) -> str | None:
    """`lang: en`, `lang: de_CH`: the item's language, checked like a locale (`fr-ca` → `fr_CA`)."""
    name = f.text("lang", one_line=True)
    if name is None:
        return None
    try:
        return str(get_locale(name))
    except UsageError as err:
        raise f.fail("lang", _("'lang': {message}").format(message=err.message)) from None


def _image(f: _Fields) -> Image | None:
    value = f.raw("image")
    if value is None:
        return None
    if isinstance(value, str):
        raise f.fail("image", _("'image' needs 'src' and 'alt' (the text read out in its place)"))
    if not isinstance(value, dict):
        raise f.fail(
            "image",
            _("'image' must be a table with 'src' and 'alt', not {value}").format(
                value=_describe(value)
            ),
        )
    src, alt = value.get("src"), value.get("alt")
    line = _image_src_line(f)
    if not isinstance(src, str) or not src.strip():
        raise f.fail("image", _("'image' needs 'src' (the picture's address)"))
    src = src.strip()
    if is_local(src):  # a photo of the folder (images.locate vets the path): spaces are fine
        if re.search(r"[\x00-\x1f\x7f]", src):
            message = _("'image.src' must be one line, without control characters: {src!r}")
            raise ItemError(message.format(src=src), f.path, line)
    elif not safe_scheme(src) or src.lower().startswith("mailto:"):
        raise ItemError(
            _("'image.src' must be an http(s) address or a file of the folder, not {src!r}").format(
                src=src
            ),
            f.path,
            line,
        )
    elif re.search(r"[\s\x00-\x1f\x7f]", src):
        raise ItemError(
            _("'image.src' must be one address, without spaces: {src!r}").format(src=src),
            f.path,
            line,
        )
    if alt is None:
        raise f.fail("image", _("'image' needs 'alt' (the text read out in its place)"))
    if not isinstance(alt, str):
        raise f.fail("image", _("'image.alt' must be text, not {alt}").format(alt=_describe(alt)))
    sizes = []
    for key in ("width", "height"):
        size = value.get(key)
        if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size <= 0):
            raise f.fail(
                "image",
                _("'image.{key}' must be a number of pixels, not {size!r}").format(
                    key=key, size=size
                ),
            )
        sizes.append(size)
    return Image(src, " ".join(alt.split()), sizes[0], sizes[1], line)


def _image_src_line(f: _Fields) -> int:
    """The line of `src` inside `image` (block or flow style), else the line of `image`."""
    node = f.nodes.get("image")
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if key_node.value == "src":
                return int(f.first_line + key_node.start_mark.line)
    return f.line_of("image")


def _tags(f: _Fields) -> tuple[str, ...]:
    value = f.raw("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [t for t in re.split(r"[,\s]+", value) if t]
    if not isinstance(value, list) or not all(isinstance(t, str | int) for t in value):
        raise f.fail("tags", _("'tags' must be a list of words"))
    return tuple(str(t).strip() for t in value)


def _period(f: _Fields) -> Period | None:
    value = f.raw("period")
    if value is None:
        return None
    if not isinstance(value, dict) or "start" not in value or "end" not in value:
        raise f.fail("period", _("'period' needs 'start' and 'end' dates"))
    try:
        start, end = to_date(value["start"]), to_date(value["end"])
    except ValueError as err:
        raise f.fail(
            "period", _("{label}: {message}").format(label="'period'", message=err)
        ) from None
    if end < start:
        raise f.fail(
            "period",
            _("'period' ends ({end}) before it starts ({start})").format(end=end, start=start),
        )
    return Period(start, end)


def _results(f: _Fields, every: bool = False) -> tuple[ResultRow, ...]:
    """The rows of `results`; with `every`, the problems of all rows (ItemErrors)."""
    value = f.raw("results")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise f.fail(
            "results",
            _("'results' must be a list of rows ('- sport: …' lines), not {value}").format(
                value=_describe(value)
            ),
        )
    numbered = [(n, row) for n, row in enumerate(value, start=1) if row is not BROKEN]
    # a BROKEN row's unreadable value is reported already
    return tuple(_read_each(numbered, lambda pair: _row(f, *pair), every))


def _read_each(values: Iterable[T], read: Callable[[T], R], every: bool) -> list[R]:
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
        raise errors[0] if len(errors) == 1 else ItemErrors(errors)
    return results


def _row(f: _Fields, number: int, row: Any) -> ResultRow:
    """One row of `results`, checked; ItemError at the line of the wrong field."""
    where = _("'results' row {number}").format(number=number)
    index = number - 1
    if not isinstance(row, dict):
        raise f.fail(
            "results",
            _("{where} must be a table (sport, name, rank, ...)").format(where=where),
            index,
        )
    for key in ("sport", "name"):
        if not isinstance(row.get(key), str | int) or not str(row[key]).strip():
            raise f.fail(
                "results", _("{where} needs '{key}'").format(where=where, key=key), index, key
            )
    try:
        rank, rank_text = parse_rank(row.get("rank"))
    except ValueError as err:
        raise f.fail("results", f"{where}: {err}", index, "rank") from None
    if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
        raise f.fail(
            "results",
            _("{where}: 'rank' must be a number from 1, not {rank!r}").format(
                where=where, rank=rank
            ),
            index,
            "rank",
        )
    try:
        start, end, backwards = _row_dates(row)
    except ValueError as err:
        field = "date" if row.get("date") is not None else "dates"
        raise f.fail(
            "results", _("{label}: {message}").format(label=where, message=err), index, field
        ) from None
    if backwards:
        f.notes.append(
            (
                f.line_of("results", index, "dates"),
                _(
                    "{where}: 'dates' are in reverse order ({end} before {start}): write the "
                    "first day first"
                ).format(where=where, end=end, start=start),
            )
        )
    texts = {}
    for key in ("grade", "event", "competition", "city", "country"):
        item = row.get(key, "")
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise f.fail(
                "results",
                _("{where}: '{key}' must be text").format(where=where, key=key),
                index,
                key,
            )
        texts[key] = " ".join(str(item).split())
    return ResultRow(
        sport=" ".join(str(row["sport"]).split()),
        name=" ".join(str(row["name"]).split()),
        rank=rank,
        rank_text=rank_text,
        start=start,
        end=end,
        **texts,
    )


ROW_KEYS = (
    "sport",
    "name",
    "rank",
    "grade",
    "event",
    "competition",
    "city",
    "country",
    "date",
    "dates",
)
#: ranks written as words that the letter shows as they are
TEXT_RANKS = frozenset(
    r.casefold()
    for r in (
        "finaliste",
        "demi-finaliste",
        "quart de finaliste",
        "huitième de finaliste",
        "vainqueur",
        "vainqueure",
        "champion",
        "championne",
        "vice-champion",
        "vice-championne",
        "podium",
        "médaille d'or",
        "médaille d'argent",
        "médaille de bronze",
        "or",
        "argent",
        "bronze",
        "qualifié",
        "qualifiée",
        "éliminé",
        "éliminée",
        "participant",
        "participante",
        "participation",
        "abandon",
        "forfait",
        "disqualifié",
        "disqualifiée",
        "hors concours",
        "ex aequo",
        "finalist",
        "winner",
        "DNF",
        "DNS",
        "DSQ",
        "NC",
        "HC",
    )
)
_ORDINAL = re.compile(
    r"^(\d+)\s*(er|re|ère|ere|e|ème|eme|ième|ieme|è|nd|nde|st|rd|th)\.?$", re.IGNORECASE
)


_ROW_KEY_SET = frozenset(ROW_KEYS)


def _row_notes(f: _Fields, rows: Any) -> list[tuple[int | None, str]]:
    """Unknown keys, odd text ranks, sports spelt two ways: what `check` warns of in rows."""
    notes: list[tuple[int | None, str]] = []
    first_spelling: dict[str, tuple[str, int]] = {}
    for number, row in enumerate(rows if isinstance(rows, list) else [], 1):
        if not isinstance(row, dict):
            continue
        where, index = _("'results' row {number}").format(number=number), number - 1
        for key in row:
            if key not in _ROW_KEY_SET:
                close = difflib.get_close_matches(str(key).casefold(), ROW_KEYS, n=1)
                hint = _(" (did you mean '{value}'?)").format(value=close[0]) if close else ""
                line = f.line_of("results", index, key)
                notes.append(
                    (
                        line,
                        _("{where}: unknown key '{key}' ignored{hint}").format(
                            where=where, key=key, hint=hint
                        ),
                    )
                )
        rank = row.get("rank")
        text = rank.strip() if isinstance(rank, str) and not rank.strip().isdigit() else ""
        if text and text.casefold() not in TEXT_RANKS and not _ORDINAL.match(text):
            message = _(
                "{where}: 'rank' {text!r} is neither a number, an ordinal (1re, 2e) nor a known "
                "rank (finaliste, abandon, DNF…): shown as written"
            ).format(where=where, text=text)
            notes.append((f.line_of("results", index, "rank"), message))
        sport = " ".join(str(row.get("sport", "")).split())
        folded = sport.casefold()
        if folded in first_spelling and first_spelling[folded][0] != sport:
            spelling, row_number = first_spelling[folded]
            message = _(
                "{where}: sport {sport!r} differs from {spelling!r} (row {row_number}) only by "
                "case: both are shown under {spelling!r}"
            ).format(where=where, sport=sport, spelling=spelling, row_number=row_number)
            notes.append((f.line_of("results", index, "sport"), message))
        first_spelling.setdefault(folded, (sport, number))
    return notes


def results_lines(path: Path) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The keys of each `results` row of the item at `path` and their lines (reads it)."""
    data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    front, _body, _line = split_front_matter(decode_text(data, path), path)
    nodes = _yaml_nodes(front, path, 2, broken=[])
    f = _Fields(path, {}, 1, {key: node for key, (_v, _l, node) in nodes.items()})
    return _row_lines(f)


def _row_lines(f: _Fields) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The keys of each `results` row and their lines."""
    node = f.nodes.get("results")
    if not isinstance(node, yaml.SequenceNode):
        return ()
    return tuple(
        tuple(
            (str(key.value), f.first_line + key.start_mark.line)
            for key, _value in (row.value if isinstance(row, yaml.MappingNode) else ())
        )
        for row in node.value
    )


def parse_rank(value: Any) -> tuple[Any, str]:
    """(number, text as shown) of a rank: `1` → (1, ""), `"1re"` → (1, "1re") kept as
    written, `"finaliste"` → (None, "finaliste"); anything else is returned as it is."""
    if isinstance(value, str):
        text = " ".join(value.split())
        if text.isdigit():
            return int(text), ""
        ordinal = _ORDINAL.match(text)
        if ordinal:
            if int(ordinal[1]) < 1:
                raise ValueError(
                    _("'rank' must be a number from 1, not {value!r}").format(value=value)
                )
            return int(ordinal[1]), text
        return None, text
    if isinstance(value, float) and value.is_integer():
        return int(value), ""
    return value, ""


def _row_dates(row: dict[str, Any]) -> tuple[dt.date | None, dt.date | None, bool]:
    """(first day, last day, whether `dates` gave them last day first) of a row."""
    if "date" in row and row["date"] is not None:
        day = to_date(row["date"])
        return day, day, False
    dates = row.get("dates")
    if dates is None:
        return None, None, False
    if isinstance(dates, dict):
        dates = [dates.get("start"), dates.get("end")]
    if not isinstance(dates, list) or not dates:
        raise ValueError(_("'dates' must be two dates (first and last day)"))
    days = [to_date(d) for d in dates]
    start, end = min(days), max(days)
    return start, end, any(a > b for a, b in itertools.pairwise(days))


def read_item(path: Path, kinds: Sequence[str], every: bool = False) -> Item:
    """Read and parse one item file (with `every`, finding all of its problems)."""
    data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    return parse_item(decode_text(data, path), path, kinds, every)


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
    if not items_dir.is_dir():
        if not items_dir.is_symlink() and not items_dir.exists():
            return []
        try:
            items_dir.stat()
        except OSError as err:
            raise ItemError(files.os_problem(err, items_dir), items_dir) from None
        raise ItemError(_("not a folder: item files go in a folder named items/"), items_dir)
    with os.scandir(items_dir) as entries:  # names only: no stat per file
        names = sorted(e.name for e in entries if is_item_name(e.name))
    return [items_dir / name for name in names]


def slug_key(name: str) -> str:
    """A file name as a web address would spell it: accents folded, lower case, dashes."""
    # accents off before casefold, unlike importer.fold: 'ᾀ' → 'α' here, 'αι' there
    bare = strip_accents(name).casefold()
    return re.sub(r"[\W_]+", "-", bare).strip("-")


def duplicate_slugs(paths: Iterable[Path]) -> list[ItemError]:
    """Files whose names differ only by case, accents or punctuation: one error each."""
    seen: dict[str, Path] = {}
    errors = []
    for path in paths:
        key = slug_key(path.stem)
        if key in seen:
            errors.append(
                ItemError(
                    _(
                        "same slug '{key}' as {value}: the two would be one file on macOS, on "
                        "Windows and in the web archive; rename one of them"
                    ).format(key=key, value=seen[key]),
                    path,
                )
            )
        else:
            seen[key] = path
    return errors


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


def load_items(items_dir: Path, kinds: Sequence[str]) -> list[Item]:
    """Every item of the folder; raises ItemErrors listing all problems when there are any."""
    items, errors = read_items(items_dir, kinds)
    if errors:
        raise errors[0] if len(errors) == 1 else ItemErrors(errors)
    return items


def read_anniversaries(path: Path, every: bool = False) -> list[Anniversary]:
    """`anniversaries.yaml`: a list of {name, founded, url?, text?}; [] when absent.

    With `every`, all the bad entries are reported (ItemErrors when there are several).
    """
    if not path.exists() and not path.is_symlink():
        return []
    data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    text = decode_text(data, path, _("a YAML list of '- name: …' entries"))
    node = _compose(text, path, 1)
    loader = _Loader("")
    try:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise ItemError(_("expected a list of '- name: …' entries"), path, 1)
        return _read_each(node.value, lambda entry: _anniversary(loader, entry, path), every)
    finally:
        loader.dispose()


def _anniversary(loader: Any, entry: Any, path: Path) -> Anniversary:
    """One entry of `anniversaries.yaml`; ItemError at the line of what is wrong."""
    line = entry.start_mark.line + 1
    lines = {}
    if isinstance(entry, yaml.MappingNode):  # each value alone, for its own line
        for key_node, value_node in entry.value:
            lines[str(key_node.value)] = key_node.start_mark.line + 1
            try:
                loader.construct_object(value_node, deep=True)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError) as err:
                key = str(key_node.value)
                raise _value_error(key, value_node, err, path, 1) from None
    try:
        value = loader.construct_object(entry, deep=True)
    except (ValueError, TypeError, OverflowError, yaml.YAMLError) as err:
        raise ItemError(
            _("invalid entry ({one_line})").format(one_line=_one_line(str(err))), path, line
        ) from None
    if not isinstance(value, dict):
        raise ItemError(_("each entry needs 'name' and 'founded'"), path, line)
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ItemError(_("entry without 'name'"), path, line)
    if value.get("founded") is None:
        written = _("'founded' has no value") if "founded" in value else _("missing 'founded:'")
        example = _(" (e.g. 'founded: 1995-06-13') in the entry of {join!r}").format(
            join=" ".join(name.split())
        )
        raise ItemError(written + example, path, lines.get("founded", line))
    try:
        founded = to_date(value["founded"])
    except ValueError as err:
        raise ItemError(
            _("{label}: {message}").format(label="'founded'", message=err),
            path,
            lines.get("founded", line),
        ) from None
    url = value.get("url")
    if url is not None and (not isinstance(url, str) or not safe_scheme(url)):
        raise ItemError(
            _("'url' must be an http(s) or mailto address, not {url!r}").format(url=url),
            path,
            lines.get("url", line),
        )
    text_value = value.get("text")
    if text_value is not None and not isinstance(text_value, str):
        raise ItemError(_("'text' must be text"), path, lines.get("text", line))
    example = value.get("example", False)
    if not isinstance(example, bool):
        message = _("'example' must be true or false, not {example}").format(
            example=_describe(example)
        )
        raise ItemError(message, path, lines.get("example", line))
    return Anniversary(" ".join(name.split()), founded, url, text_value, path, line, example)
