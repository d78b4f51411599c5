"""The item index: dates read cheaply, the cache in `.lettre/` never served stale."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import item_text
from lettre import index
from lettre.config import load_config
from lettre.errors import LettreError
from lettre.frontmatter import decode_text
from lettre.index import read_head_fields, scan_items
from lettre.readers import parse_item

KINDS = ("communique", "resultats", "anniversaire")
JUNE_10 = (dt.date(2025, 6, 10), "communique")


@pytest.mark.parametrize(
    "text",
    [
        "---\ndate: 2025-06-10\nkind: communique\ntitle: T\n---\n",
        "---\ntitle: T\nkind: communique\ndate: 2025-06-10\n---\nbody\n",
        "---\ndate: '2025-06-10'\nkind: \"communique\"\ntitle: T\n---\n",
        "---\ndate: 2025-06-10  # publication\nkind: communique # c\ntitle: T\n---\n",
        "---\r\ndate: 2025-06-10\r\nkind: communique\r\ntitle: T\r\n---\r\n",
        "\ufeff---\ndate: 2025-06-10\nkind: communique\ntitle: T\n---\n",
        "---\ndate: 2025-06-10\nkind: communique\nresults:\n  - date: 2024-01-01\n---\n",
        "---\ndate: 2025-06-10\nkind: communique\n---\ndate: 2024-01-01\nkind: resultats\n",
    ],
)
def test_plain_dates_are_read_without_parsing(text: str) -> None:
    assert read_head_fields(text.encode()) == JUNE_10


@pytest.mark.parametrize(
    "text",
    [
        "date: 2025-06-10\nkind: communique\n",  # no front matter
        "---\ndate: 2025-06-10\ndate: 2025-06-11\nkind: communique\n---\n",  # twice
        '---\ndate: 2025-06-10\n"date": 2025-06-11\nkind: communique\n---\n',
        "---\ndate : 2025-06-10\nkind: communique\n---\n",
        "---\n? date\n: 2025-06-10\nkind: communique\n---\n",
        "---\ndate: &d 2025-06-10\nkind: communique\n---\n",
        "---\ndate: 2025-02-30\nkind: communique\n---\n",  # not in the calendar
        "---\ndate: 10/06/2025\nkind: communique\n---\n",
        "---\ndate: 2025-06-10T10:00\nkind: communique\n---\n",
        "---\ndate: 2025-06-10\nkind: yes\n---\n",  # YAML reads a boolean
        "---\ndate: 2025-06-10\n---\n",  # no kind
        "---\nkind: communique\n---\ndate: 2025-06-10\n",  # the date is in the body
        "---\n{date: 2025-06-10, kind: communique}\n---\n",
        "---\ndate: 2025-06-10\nkind: communique\n\0\n---\n",
        "---\rdate: 2025-06-10\rkind: communique\r---\r",  # old Mac line ends
    ],
)
def test_anything_unusual_is_left_to_the_parser(text: str) -> None:
    assert read_head_fields(text.encode()) is None


def test_samples_dates_match_the_parser(samples: Path) -> None:
    for path in sorted((samples / "items").glob("*.md")):
        item = parse_item(decode_text(path.read_bytes(), path), path, KINDS)
        assert read_head_fields(path.read_bytes()) == (item.date, item.kind), path.name


LINES = st.sampled_from(
    [
        "date: 2025-06-10",
        "date: 2025-06-11",
        "date: '2025-06-12'",
        "date : 2025-06-13",
        '"date": 2025-06-14',
        "? date\n: 2025-06-15",
        "date: 2025-06-16 # x",
        "date: |\n  2025-06-17",
        "date:\n  2025-06-18",
        "date: 2025-02-30",
        "kind: communique",
        "kind: resultats",
        "kind : resultats",
        "kind: 'anniversaire'",
        "title: T",
        'title: "a\ndate: 2025-06-19\nb"',
        "title: 'x\ndate: 2025-06-20'",
        "summary: |\n  date: 2025-06-21",
        "summary: >\n date: 2025-06-22",
        "results:\n  - sport: Judo\n    name: X\n    date: 2025-06-23",
        "tags: [a, b]",
        "# date: 2025-06-24",
        "  date: 2025-06-25",
        "---",
        "...",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINES, min_size=1, max_size=7), st.sampled_from(["\n", "\r\n"]))
@example(["title: 'x\ndate: 2025-06-20'", "date : 2025-06-13", "kind: communique"], "\n")
@example(['title: "a\ndate: 2025-06-19\nb"', "? date\n: 2025-06-15", "kind: resultats"], "\n")
@example(["summary: >\n date: 2025-06-22", '"date": 2025-06-14', "kind: resultats"], "\r\n")
def test_a_cheap_date_is_never_wrong(lines: list[str], newline: str) -> None:
    """Whenever the parser accepts an item, the cheap read agrees with it or abstains."""
    text = newline.join(["---", *lines, "---", "body", ""]).replace("\n", newline)
    text = text.replace("\r\r\n", "\r\n")
    path = Path("items/x.md")
    cheap = read_head_fields(text.encode())
    try:
        item = parse_item(decode_text(text.encode(), path), path, KINDS)
    except LettreError:
        return
    assert cheap in (None, (item.date, item.kind))


# The cache, seen through `lettre compose`: edits, additions, renames, deletions.


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a cache however small the folder, and trust files however recent."""
    monkeypatch.setattr(index, "CACHE_MIN_ITEMS", 1)
    monkeypatch.setattr(index, "RACY_NS", 0)
    monkeypatch.delenv(index.NO_CACHE_ENV, raising=False)


def titles(run, folder: Path, week: str = "2025-06-13") -> list[str]:  # type: ignore[no-untyped-def]
    result = run("compose", "--week", week, "-C", folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    letter = json.loads(result.stdout)
    return sorted(i["title"] for s in letter["sections"] for i in s["items"])


def cache_of(folder: Path) -> dict[str, list[object]]:
    return json.loads((folder / ".lettre" / "items.json").read_text())["items"]


def rewrite(path: Path, old: str, new: str) -> None:
    """Edit a file in place, keeping its size and its modification time."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old) == len(new)
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


@pytest.fixture
def folder(make_folder: Callable[..., Path]) -> Path:
    return make_folder(
        {
            "2025-06-10-a.md": item_text("2025-06-10", title="Alpha"),
            "2025-06-11-b.md": item_text("2025-06-11", title="Bravo"),
            "2025-05-10-c.md": item_text("2025-05-10", title="Charlie"),
        }
    )


def test_cache_is_kept_and_used(
    run, folder: Path, cached: None, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, folder) == ["Alpha", "Bravo"]
    entries = cache_of(folder)
    assert sorted(entries) == ["2025-05-10-c.md", "2025-06-10-a.md", "2025-06-11-b.md"]
    assert entries["2025-05-10-c.md"][4:7] == ["2025-05-10", "communique", False]
    assert (folder / ".lettre" / ".gitignore").read_text().endswith("*\n")
    assert not list((folder / "items").glob(".*"))  # nothing written among the items

    def no_reading(*args: object) -> None:
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(index, "_read_fields", no_reading)
    assert titles(run, folder) == ["Alpha", "Bravo"]


def test_edited_date_moves_an_item_out_of_and_into_the_week(
    run, folder: Path, cached: None
) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, folder) == ["Alpha", "Bravo"]
    rewrite(folder / "items" / "2025-06-10-a.md", "date: 2025-06-10", "date: 2025-05-10")
    rewrite(folder / "items" / "2025-05-10-c.md", "date: 2025-05-10", "date: 2025-06-12")
    assert titles(run, folder) == ["Bravo", "Charlie"]
    assert cache_of(folder)["2025-06-10-a.md"][4] == "2025-05-10"
    assert titles(run, folder, "2025-05-10") == ["Alpha"]


def test_edited_title_changes_the_letter(run, folder: Path, cached: None) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, folder) == ["Alpha", "Bravo"]
    rewrite(folder / "items" / "2025-06-11-b.md", "title: Bravo", "title: Delta")
    assert titles(run, folder) == ["Alpha", "Delta"]


def test_added_item_joins_the_letter(run, folder: Path, cached: None) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, folder) == ["Alpha", "Bravo"]
    (folder / "items" / "2025-06-12-e.md").write_text(item_text("2025-06-12", title="Echo"))
    (folder / "items" / "2025-05-12-f.md").write_text(item_text("2025-05-12", title="Foxtrot"))
    assert titles(run, folder) == ["Alpha", "Bravo", "Echo"]
    assert "2025-06-12-e.md" in cache_of(folder)


def test_renamed_items(run, folder: Path, cached: None) -> None:  # type: ignore[no-untyped-def]
    items = folder / "items"
    assert titles(run, folder) == ["Alpha", "Bravo"]
    # swapped names: same names, same sizes, other contents
    (items / "2025-06-10-a.md").rename(items / "tmp.md.part")
    (items / "2025-05-10-c.md").rename(items / "2025-06-10-a.md")
    (items / "tmp.md.part").rename(items / "2025-05-10-c.md")
    assert titles(run, folder) == ["Alpha", "Bravo"]
    result = run("compose", "--week", "2025-06-13", "-C", folder, "--format", "json")
    files = [i["file"] for s in json.loads(result.stdout)["sections"] for i in s["items"]]
    assert sorted(Path(f).name for f in files) == ["2025-05-10-c.md", "2025-06-11-b.md"]
    # renamed out of `items/*.md`, then back
    (items / "2025-06-11-b.md").rename(items / "2025-06-11-b.md.bak")
    assert titles(run, folder) == ["Alpha"]
    (items / "2025-06-11-b.md.bak").rename(items / "2025-06-11-bravo.md")
    assert titles(run, folder) == ["Alpha", "Bravo"]
    assert "2025-06-11-b.md" not in cache_of(folder)


def test_deleted_item_leaves_the_letter(run, folder: Path, cached: None) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, folder) == ["Alpha", "Bravo"]
    (folder / "items" / "2025-06-10-a.md").unlink()
    assert titles(run, folder) == ["Bravo"]
    assert sorted(cache_of(folder)) == ["2025-05-10-c.md", "2025-06-11-b.md"]
    (folder / "items" / "2025-06-11-b.md").unlink()
    result = run("compose", "--week", "2025-06-13", "-C", folder)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no item for the letter of 2025-06-13")


def test_recent_files_are_read_again(run, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """A file changed in the last seconds may change again within the same clock tick."""
    monkeypatch.setattr(index, "CACHE_MIN_ITEMS", 1)
    assert titles(run, folder) == ["Alpha", "Bravo"]
    assert not (folder / ".lettre" / "items.json").exists()
    rewrite(folder / "items" / "2025-06-10-a.md", "title: Alpha", "title: Omega")
    assert titles(run, folder) == ["Bravo", "Omega"]


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"format": 1, "items": []}', b"[]"])
def test_a_broken_cache_is_rebuilt(run, folder: Path, cached: None, garbage: bytes) -> None:  # type: ignore[no-untyped-def]
    (folder / ".lettre").mkdir()
    (folder / ".lettre" / "items.json").write_bytes(garbage)
    assert titles(run, folder) == ["Alpha", "Bravo"]
    assert len(cache_of(folder)) == 3


def test_a_wrong_cache_entry_does_no_harm(run, folder: Path, cached: None) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, folder) == ["Alpha", "Bravo"]
    path = folder / ".lettre" / "items.json"
    data = json.loads(path.read_text())
    data["items"]["2025-05-10-c.md"][4] = "2025-06-12"  # the week's items are parsed anyway
    data["items"]["2025-06-10-a.md"][4:] = ["2025-05-10"]  # a short entry is not used
    path.write_text(json.dumps(data))
    assert titles(run, folder) == ["Alpha", "Bravo"]


def test_a_folder_that_cannot_hold_a_cache_still_composes(run, folder: Path, cached: None) -> None:  # type: ignore[no-untyped-def]
    (folder / ".lettre").write_text("not a folder")
    assert titles(run, folder) == ["Alpha", "Bravo"]
    assert (folder / ".lettre").read_text() == "not a folder"


def test_small_folders_and_lettre_no_cache_keep_no_cache(
    run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    assert titles(run, folder) == ["Alpha", "Bravo"]
    assert not (folder / ".lettre").exists()
    monkeypatch.setattr(index, "CACHE_MIN_ITEMS", 1)
    monkeypatch.setattr(index, "RACY_NS", 0)
    monkeypatch.setenv("LETTRE_NO_CACHE", "1")
    assert titles(run, folder) == ["Alpha", "Bravo"]
    assert not (folder / ".lettre").exists()


def test_an_undated_file_stops_compose_a_broken_file_of_another_week_does_not(
    run, folder: Path, cached: None
) -> None:  # type: ignore[no-untyped-def]
    items = folder / "items"
    (items / "2024-01-05-old.md").write_text(item_text("2024-01-05", title="[x"))
    assert titles(run, folder) == ["Alpha", "Bravo"]
    (items / "undated.md").write_text(item_text("13/06/2025", title="Undated"))
    result = run("compose", "--week", "2025-06-13", "-C", folder)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {items / 'undated.md'}:2: 'date'")
    check = scan_items(load_config(folder))
    assert [e.path.name for e in check.errors] == ["undated.md"]
    assert "2024-01-05-old.md" in [e.name for e in check.entries]


def test_index_groups_items_by_week(folder: Path) -> None:
    weeks = scan_items(load_config(folder)).by_week(5)
    assert [(w.end.isoformat(), [e.name for e in es]) for w, es in weeks.items()] == [
        ("2025-05-16", ["2025-05-10-c.md"]),
        ("2025-06-13", ["2025-06-10-a.md", "2025-06-11-b.md"]),
    ]


def test_dated_items_parse_only_anniversaries(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(
        {
            "a.md": item_text("2025-06-10", kind="anniversaire", title="A", founded="2005-06-10"),
            "b.md": item_text("2025-06-11", kind="anniversaire", title="[broken"),
            "c.md": item_text("2025-06-12", title="[broken but dated"),
            "d.md": item_text("2025-06-12", kind="comunique", title="A typo in the kind"),
        }
    )
    entries, errors = index.dated_items(load_config(folder))
    assert [(e.name, e.kind, e.founded) for e in entries] == [
        ("a.md", "anniversaire", dt.date(2005, 6, 10)),
        ("c.md", "communique", None),
        ("d.md", "comunique", None),
    ]
    assert [e.path for e in errors] == [folder / "items" / "b.md"]


def test_weeks_counts_from_the_index(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(
        {
            "a.md": item_text("2025-06-10", title="A"),
            "b.md": item_text("2025-06-11", kind="resultats", title="B"),
            "c.md": item_text("2025-05-10", title="C"),
        }
    )
    result = run("weeks", "-C", folder, "--locale", "en_GB")
    assert result.exit_code == 0, result.stderr
    rows = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert any(r.startswith("16 May 2025 1 1") for r in rows), rows
    assert any(r.startswith("13 June 2025 1 1 2") for r in rows), rows


def test_list_and_preview_read_only_their_week(run, folder: Path) -> None:  # type: ignore[no-untyped-def]
    (folder / "items" / "2024-01-05-old.md").write_text(item_text("2024-01-05", title="[x"))
    listed = run("list", "--week", "2025-06-13", "-C", folder)
    assert listed.exit_code == 0, listed.stderr
    assert "Alpha" in listed.stdout and "Bravo" in listed.stdout
    assert "Charlie" not in listed.stdout
    shown = run("preview", "--week", "2025-06-13", "-C", folder)
    assert shown.exit_code == 0, shown.stderr
    everything = run("list", "--all", "-C", folder)
    assert everything.exit_code == 1
    assert f"Error: {folder / 'items' / '2024-01-05-old.md'}:4" in everything.stderr


def test_a_file_name_that_is_not_utf8_does_not_break_the_cache(
    run, folder: Path, cached: None
) -> None:  # type: ignore[no-untyped-def]
    name = os.fsdecode(b"2025-06-12-caf\xe9.md")  # Latin-1 bytes in a file name
    (folder / "items" / name).write_text(item_text("2025-06-12", title="Latin"))
    for _ in range(2):
        result = run("compose", "--week", "2025-06-13", "-C", folder, "--format", "text")
        assert result.exit_code == 0, result.stderr
        assert "Latin" in result.stdout
    assert name in cache_of(folder)
