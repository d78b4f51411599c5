"""An item file read into an Item (readers.py): every field, a BOM and Windows line ends,
encodings, and the first problem named with its file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lettre.config import BUILTIN_KINDS
from lettre.errors import ItemError
from lettre.readers import parse_item, read_item

P = Path("items/2025-06-10-x.md")


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_item(text, P, BUILTIN_KINDS)


def error(text: str) -> str:
    with pytest.raises(ItemError) as info:
        parse(text)
    return str(info.value)


def test_a_complete_results_item() -> None:
    item = parse(
        "---\ndate: 2025-06-11\nkind: resultats\ntitle: 'Armée de champions : résultats'\n"
        "period: {start: 2025-05-26, end: 2025-06-08}\n"
        "results:\n"
        "  - {sport: Judo, grade: Sergent, name: Léa Fontaine, rank: 1, event: '-63 kg',\n"
        "     competition: Europe, city: Podgorica, country: Monténégro,\n"
        "     dates: [2025-05-29, 2025-06-01]}\n"
        "  - {sport: Tir, name: R. Faure, rank: finaliste, date: 2025-06-02}\n"
        "---\nBravo !\n"
    )
    assert item.date == dt.date(2025, 6, 11)
    assert item.period is not None and item.period.start == dt.date(2025, 5, 26)
    first, second = item.results
    assert (first.rank, first.start, first.end) == (1, dt.date(2025, 5, 29), dt.date(2025, 6, 1))
    assert (second.rank, second.rank_text, second.start) == (None, "finaliste", dt.date(2025, 6, 2))
    assert item.body == "Bravo !"
    assert item.body_line == 12


def test_bom_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(
        b"\xef\xbb\xbf---\r\ndate: 2025-06-10\r\nkind: communique\r\n"
        b"title: Titre\r\n---\r\nCorps\r\n"
    )
    item = read_item(path, BUILTIN_KINDS)
    assert (item.title, item.body) == ("Titre", "Corps")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "---\ndate: 2025-06-10\nkind: communique\ntitle: [oops\n---\n",
            "items/2025-06-10-x.md:4: invalid YAML: the '[' is never closed",
        ),
        (
            "---\ndate: 2025-06-10\nkind: communique\n---\nbody\n",
            "items/2025-06-10-x.md:1: missing 'title:' in the front matter",
        ),
        (
            "---\ndate: 2025-02-30\nkind: communique\ntitle: T\n---\n",
            "items/2025-06-10-x.md:2: 'date': 2025-02-30 is not a date in the calendar",
        ),
        (
            "---\ndate: demain\nkind: communique\ntitle: T\n---\n",
            "items/2025-06-10-x.md:2: 'date': expected a date like 2025-06-13, not 'demain'",
        ),
        (
            "---\ndate: 2025-06-10\nkind: comunique\ntitle: T\n---\n",
            "items/2025-06-10-x.md:3: unknown kind 'comunique' (did you mean 'communique'?)",
        ),
        (
            "---\ndate: 2025-06-10\nkind: communique\ntitle: A : B\n---\n",
            "items/2025-06-10-x.md:4: invalid YAML: a ': ' inside a value: put the value in quotes",
        ),
        (
            "---\ndate: 2025-06-10\ntitle: T\nkind: communique\ntitle: U\n---\n",
            "items/2025-06-10-x.md:5: duplicate key 'title' (first on line 3)",
        ),
        ("date: 2025-06-10\n", "items/2025-06-10-x.md:1: no front matter"),
        ("---\ndate: 2025-06-10\n", "items/2025-06-10-x.md:1: front matter never closed"),
        ("", "items/2025-06-10-x.md:1: empty file"),
        (
            "---\ndate: 2025-06-10\nkind: communique\ntitle: T\nimage: {src: a.jpg}\n---\n",
            "items/2025-06-10-x.md:5: 'image' needs 'alt'",
        ),
        (
            "---\ndate: 2025-06-10\nkind: resultats\ntitle: T\nresults: oui\n---\n",
            "items/2025-06-10-x.md:5: 'results' must be a list of rows",
        ),
        (
            "---\ndate: 2025-06-10\nkind: communique\ntitle: T\nurl: javascript:alert(1)\n---\n",
            "items/2025-06-10-x.md:5: 'url' must be an http(s) or mailto address",
        ),
    ],
)
def test_errors_name_file_and_line(text: str, message: str) -> None:
    assert error(text).startswith(message)


def test_latin1_is_refused_with_position(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes("---\ndate: 2025-06-10\nkind: communique\ntitle: Été\n---\n".encode("latin-1"))
    with pytest.raises(ItemError) as info:
        read_item(path, BUILTIN_KINDS)
    assert str(info.value) == (
        f"{path}:4: not UTF-8: byte 0xC9 at position 45 cannot be decoded "
        "(it looks like Latin-1 / ISO-8859-1); re-save the file as UTF-8"
    )


def test_an_image_address_with_a_leading_space_is_still_vetted() -> None:
    text = (
        "---\ndate: 2025-06-10\nkind: communique\ntitle: T\n"
        "image: {src: ' javascript:x', alt: a}\n---\n"
    )
    assert error(text).startswith(
        "items/2025-06-10-x.md:5: 'image.src' must be an http(s) address or a file of the "
        "folder, not 'javascript:x'"
    )


def test_a_no_break_space_typed_in_a_title_stays() -> None:
    item = parse(
        '---\ndate: 2025-06-10\nkind: communique\ntitle: "Les 5\u00a0ans  du\\n club"\n---\n'
    )
    assert item.title == "Les 5\u00a0ans du club"
