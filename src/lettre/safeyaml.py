"""YAML text → nodes and values, refusing what would crash or swamp the parser; every error
names its line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, ClassVar

import yaml

from .errors import ItemError
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


class Loader(_SafeLoader):  # type: ignore[misc]
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


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{t}" for t in ("str", "seq", "map"))
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
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
        if tag == _TIMESTAMP and _DAY.match(node.value):  # a date: most timestamps
            try:
                return dt.date.fromisoformat(node.value)
            except ValueError:  # not in the calendar: PyYAML's constructor says why
                pass
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


def compose_node(text: str, path: Path, first_line: int) -> Any:
    """The YAML node tree of `text`, refusing what would crash or swamp the parser."""
    _check_nesting(text, path, first_line)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        raise _yaml_error(err, text, path, first_line) from None
    except yaml.YAMLError as err:
        raise ItemError(
            _("invalid YAML: {problem}").format(problem=one_line(str(err))), path, first_line
        ) from None
    except RecursionError:
        raise ItemError(
            _("invalid YAML: nested more than {max_depth} levels deep").format(max_depth=MAX_DEPTH),
            path,
            first_line,
        ) from None
    finally:
        loader.dispose()
    # without an alias, nothing can expand (`in` first: the search costs a tenth of a parse)
    if node is not None and "*" in text and _ALIAS.search(text):
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


def one_line(text: str) -> str:
    """PyYAML's message without its 'in "<unicode string>", line 3' parts."""
    kept = [line for line in text.split("\n") if not line.strip().startswith('in "<')]
    return " ".join(" ".join(kept).split())


def _yaml_error(err: yaml.MarkedYAMLError, text: str, path: Path, first_line: int) -> ItemError:
    mark = err.problem_mark or err.context_mark
    line = first_line + mark.line if mark else first_line
    source = text.split("\n")[mark.line] if mark and mark.line < text.count("\n") + 1 else ""
    problem = one_line(err.problem or str(err))
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
        problem = f"{problem} ({one_line(err.context)})"
    return ItemError(_("invalid YAML: {problem}").format(problem=problem), path, line)


def value_error(
    key: str, node: Any, err: Exception, path: Path, first_line: int, label: str = ""
) -> ItemError:
    """The ItemError of a value of `key` that YAML cannot build, at its line (a tag, a date
    that is not in the calendar, ...)."""
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
        problem = calendar_problem(raw) or _(one_line(str(err)))  # PYTHON_WORDS
        return ItemError(
            _("{label}: {raw} is not a date in the calendar ({problem})").format(
                label=label, raw=raw, problem=problem
            ),
            path,
            line,
        )
    return ItemError(
        _("{label}: invalid value ({one_line})").format(label=label, one_line=one_line(str(err))),
        path,
        line,
    )
