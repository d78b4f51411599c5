"""Properties over many generated inputs (hypothesis, fixed seed: see conftest.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import CONFIG, SAMPLES
from lettre.compose import compose, open_folder
from lettre.config import BUILTIN_KINDS
from lettre.errors import LettreError
from lettre.french import typography
from lettre.frontmatter import decode_text
from lettre.readers import ITEM_KEYS, parse_item
from lettre.weeks import parse_week, week_of, weeks_between

P = Path("items/2025-06-10-x.md")

# --- any front matter: an Item or lettre's own error, nothing else ---------------------------

YAML_PIECES = [
    *(f"{key}:" for key in ITEM_KEYS),
    " 2025-06-10", " 2025-02-30", " communique", " resultats", " Titre", "\n", "\n  ", "- ",
    "[", "]", "{", "}", ", ", ": ", "&a ", "*a", "!!python/object ", "!!binary ", "'", '"',
    "\t", "#", "|", ">", "~", "null", "1e400", "-1", "0", "---", "...", "? ", "\\", "\ufeff",
    "src: ", "alt: ", "start: ", "end: ", "sport: ", "name: ", "rank: ", "é", "«", "🎉",
]  # fmt: skip

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.dates(), st.datetimes(), st.sampled_from(["2025-06-10", "demain", "javascript:x"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from([*ITEM_KEYS, "src", "alt", "sport", "name", "rank"]), inner
        )
    ),
    max_leaves=12,
)


def parses_or_refuses(front: str) -> None:
    """The front matter gives an Item or a LettreError with this file's path."""
    try:
        item = parse_item(f"---\n{front}\n---\nCorps.\n", P, BUILTIN_KINDS)
    except LettreError as err:
        assert err.path == P and str(err).startswith(str(P))
        assert "\n" not in str(err), "one error, one line"
    else:
        assert item.kind in BUILTIN_KINDS and item.title


@given(st.text())
@example("date: 2025-06-10\nkind: communique\ntitle: [x")
@example("a: &a [*a]")
def test_any_front_matter_text(front: str) -> None:
    parses_or_refuses(front)


@given(st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
def test_any_yaml_like_front_matter(front: str) -> None:
    parses_or_refuses(front)


@given(
    st.fixed_dictionaries(
        {
            "date": st.one_of(st.dates(), values),
            "kind": st.one_of(st.sampled_from(BUILTIN_KINDS), values),
            "title": st.one_of(st.text(min_size=1), values),
        },
        optional={key: values for key in ITEM_KEYS[3:]},
    )
)
def test_any_front_matter_values(data: dict[str, object]) -> None:
    parses_or_refuses(yaml.safe_dump(data, allow_unicode=True))


@given(st.binary(max_size=300))
@example(b"---\ndate: 2025-06-10\nkind: communique\ntitle: \xe9t\xe9\n---\n")
def test_any_bytes(data: bytes) -> None:
    try:
        text = decode_text(data, P)
    except LettreError as err:
        assert err.path == P and "\n" not in str(err)
        return
    parses_or_refuses(text.removeprefix("---\n").split("\n---\n")[0])


# --- typography is idempotent ------------------------------------------------------------------

TYPO = st.lists(
    st.sampled_from([*"ab1 :;!?«»\"'()[].,…-\u00a0\u202f\u2009\n`@/", "http://", "www.", "a@b.fr"]),
    max_size=30,
).map("".join)


@given(TYPO | st.text(max_size=60), st.sampled_from(["fr_FR", "fr_CA", "fr_CH", "en_GB"]))
@example("Il a dit : « oui » !", "fr_FR")
def test_typography_is_idempotent(text: str, locale: str) -> None:
    once = typography(text, locale)
    assert typography(once, locale) == once


# --- every date belongs to exactly one letter --------------------------------------------------


@given(
    st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9998, 12, 1)),
    st.integers(min_value=1, max_value=7),
)
def test_every_date_belongs_to_exactly_one_letter(day: dt.date, publication_day: int) -> None:
    week = week_of(day, publication_day)
    assert day in week
    assert week.end.isoweekday() == publication_day
    assert week.end - week.start == dt.timedelta(days=6)
    around = weeks_between(
        day - dt.timedelta(days=20), day + dt.timedelta(days=20), publication_day
    )
    assert [w for w in around if day in w] == [week]
    assert all(b.start - a.end == dt.timedelta(days=1) for a, b in itertools.pairwise(around))
    assert parse_week(day.isoformat(), dt.date(2025, 1, 1), publication_day) == week


# --- composing is deterministic ----------------------------------------------------------------

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]),
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(max_examples=15)  # each example composes three letters
@given(st.lists(st.tuples(words, words, st.integers(7, 13)), min_size=1, max_size=4))
def test_composing_is_deterministic(items: list[tuple[str, str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "items").mkdir()
        (folder / "lettre.toml").write_text(CONFIG, encoding="utf-8")
        for number, (title, body, day) in enumerate(items):
            front = yaml.safe_dump(
                {"date": dt.date(2025, 6, day), "kind": "communique", "title": title},
                allow_unicode=True,
            )
            text = f"---\n{front}---\n{body}\n"
            (folder / "items" / f"item-{number}.md").write_text(text, encoding="utf-8")
        config = open_folder(folder)
        week = week_of(dt.date(2025, 6, 13))
        now = dt.datetime(2025, 6, 13, 8, tzinfo=dt.UTC)
        first = compose(config, week, now=now, seed="s")
        second = compose(config, week, now=now, seed="s")
        assert first.eml() == second.eml()
        later = compose(config, week, now=now + dt.timedelta(hours=1), seed="s")
        differ = [
            (a, b)
            for a, b in zip(first.eml().split(b"\n"), later.eml().split(b"\n"), strict=True)
            if a != b
        ]
        assert [a.split(b":")[0] for a, _ in differ] == [b"Date"]


def test_same_bytes_from_two_processes() -> None:
    """Hash randomisation and process start-up do not change a composed message."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [
        sys.executable, "-m", "lettre", "compose", "-C", str(SAMPLES),
        "--week", "2025-06-13", "--now", "2025-06-13T08:00", "--seed", "x",
    ]  # fmt: skip
    outputs = [
        subprocess.run(
            command, env={**env, "PYTHONHASHSEED": seed}, capture_output=True, check=True
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and outputs[0].startswith(b"From: ")
