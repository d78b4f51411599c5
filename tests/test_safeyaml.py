"""safeyaml.construct builds exactly what PyYAML's own constructor builds, only faster."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lettre.safeyaml import construct

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def both(text: str) -> tuple[Any, Any]:
    """(construct's result, PyYAML's result) for the document `text`."""
    results = []
    for fast in (True, False):
        loader = LOADER(text)
        try:
            node = loader.get_single_node()
            results.append(construct(loader, node, {}) if fast else loader.construct_document(node))
        finally:
            loader.dispose()
    return results[0], results[1]


@pytest.mark.parametrize(
    "text",
    [
        "title: Un titre\ntags: [a, b]\n",
        "date: 2025-06-13\nrank: 1\nnone: ~\nyes: yes\nratio: 1.5\nhex: 0x1F\nsexa: 1:30\n",
        "results:\n  - {sport: Judo, rank: 3, dates: [2025-05-29, 2025-06-01]}\n",
        "base: &b {city: Brest, country: France}\nrow:\n  <<: *b\n  name: X\n",
        "a: &x [1, 2]\nb: *x\nc: *x\n",
        "1: un\n2025-06-13: date\n? 'multi word key'\n: liste\n",
        "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\nbin: !!binary aGVsbG8=\n",
        "'quoted': \"text\"\n? |\n  block key\n: v\n",
        "= : value\n",
        "dup: 1\ndup: 2\n",
        "- 2025-06-13T10:00:00+02:00\n- '2025-06-13'\n- null\n",
        "a: 0025-06-13\nb: 2025-6-13\nc: !!timestamp 2025-06-13\nd: 9999-12-31\ne: 2024-02-29\n",
    ],
)
def test_same_as_pyyaml(text: str) -> None:
    fast, slow = both(text)
    assert fast == slow
    assert type(fast) is type(slow)


def test_aliases_share_one_object_and_recursion_works() -> None:
    fast, _ = both("a: &x [1]\nb: *x\n")
    assert fast["a"] is fast["b"]
    loop, _ = both("&r [1, *r]\n")
    assert loop[1] is loop


def test_errors_are_pyyaml_errors() -> None:
    with pytest.raises(yaml.YAMLError):
        both("a: !!python/object:os.system x\n")
    for day in ("2025-02-30", "2025-13-01", "0000-01-01"):
        with pytest.raises(ValueError):
            both(f"date: {day}\n")
    with pytest.raises(yaml.YAMLError, match="unhashable"):
        both("? [a, b]\n: liste\n")


SCALARS = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.none(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.floats(allow_nan=False),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), DATA, max_size=6))
def test_any_front_matter_data(data: dict[str, Any]) -> None:
    fast, slow = both(yaml.safe_dump(data, allow_unicode=True))
    assert fast == slow


def tags(node: Any) -> Any:
    """The tree of tags of a composed YAML node."""
    if isinstance(node, yaml.ScalarNode):
        return node.tag
    if isinstance(node, yaml.SequenceNode):
        return [node.tag, *(tags(child) for child in node.value)]
    return [node.tag, *((tags(k), tags(v)) for k, v in node.value)]


def compose_with(loader_class: Any, text: str) -> Any:
    loader = loader_class(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=10), DATA, min_size=1, max_size=6))
def test_the_quicker_resolver_gives_the_same_tags(data: dict[str, Any]) -> None:
    from lettre.safeyaml import Loader

    text = yaml.safe_dump(data, allow_unicode=True) + "x: [yes, ~, 0o17, 1_000, .inf, 2025-06-13]\n"
    assert tags(compose_with(Loader, text)) == tags(compose_with(LOADER, text))
