"""`anniversaries.yaml` → Anniversaries: a list of {name, founded, url?, text?}, each
problem at its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from . import files
from .body import safe_scheme
from .errors import ItemError
from .frontmatter import MAX_ITEM_BYTES, decode_text, describe, read_each, to_date
from .items import Anniversary
from .messages import _
from .safeyaml import Loader, compose_node, one_line, value_error


def read_anniversaries(path: Path, every: bool = False) -> list[Anniversary]:
    """`anniversaries.yaml`: a list of {name, founded, url?, text?}; [] when absent.

    With `every`, all the bad entries are reported (ItemErrors when there are several).
    """
    if not path.exists() and not path.is_symlink():
        return []
    data = files.read_bytes(path, MAX_ITEM_BYTES, ItemError)
    text = decode_text(data, path, _("a YAML list of '- name: …' entries"))
    node = compose_node(text, path, 1)
    loader = Loader("")
    try:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise ItemError(_("expected a list of '- name: …' entries"), path, 1)
        return read_each(node.value, lambda entry: _anniversary(loader, entry, path), every)
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
                raise value_error(key, value_node, err, path, 1) from None
    try:
        value = loader.construct_object(entry, deep=True)
    except (ValueError, TypeError, OverflowError, yaml.YAMLError) as err:
        raise ItemError(
            _("invalid entry ({one_line})").format(one_line=one_line(str(err))), path, line
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
            example=describe(example)
        )
        raise ItemError(message, path, lines.get("example", line))
    return Anniversary(" ".join(name.split()), founded, url, text_value, path, line, example)
