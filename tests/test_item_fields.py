"""An item's `image`, `tags` and `period`: every mistake named with its message and line.

Each case is one item file; `lettre check` reports them all at once, one line each, and
`lettre compose` stops at the week's first one with the same words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CONFIG

SRC = "https://lettre.example.org/defile.jpg"
# file name → (front matter after date, kind and title, the expected line, the message)
CASES: dict[str, tuple[str, int, str]] = {
    "image-text": (
        "image: photos/defile.jpg",
        5,
        "'image' needs 'src' and 'alt' (the text read out in its place)",
    ),
    "image-list": (
        "image: [photos/defile.jpg, Le défilé]",
        5,
        "'image' must be a table with 'src' and 'alt', not a list",
    ),
    "image-without-src": (
        "image: {alt: Le défilé}",
        5,
        "'image' needs 'src' (the picture's address)",
    ),
    "image-blank-src": (
        "image: {src: ' ', alt: Le défilé}",
        5,
        "'image' needs 'src' (the picture's address)",
    ),
    "image-control-character": (  # block style: the line of 'src' itself
        'image:\n  alt: Le défilé\n  src: "photos/d\\u001bfile.jpg"',
        7,
        "'image.src' must be one line, without control characters: 'photos/d\\x1bfile.jpg'",
    ),
    "image-mailto": (
        "image: {src: 'mailto:com@example.org', alt: Le défilé}",
        5,
        "'image.src' must be an http(s) address or a file of the folder, not "
        "'mailto:com@example.org'",
    ),
    "image-data": (
        "image: {src: 'data:image/png;base64,AAAA', alt: Le défilé}",
        5,
        "'image.src' must be an http(s) address or a file of the folder, not "
        "'data:image/png;base64,AAAA'",
    ),
    "image-space-in-address": (
        "image:\n  src: https://lettre.example.org/le defile.jpg\n  alt: Le défilé",
        6,
        "'image.src' must be one address, without spaces: "
        "'https://lettre.example.org/le defile.jpg'",
    ),
    "image-alt-number": (
        f"image: {{src: '{SRC}', alt: 14}}",
        5,
        "'image.alt' must be text, not 14",
    ),
    "image-alt-list": (
        f"image: {{src: '{SRC}', alt: [le, défilé]}}",
        5,
        "'image.alt' must be text, not a list",
    ),
    "image-width-words": (
        f"image: {{src: '{SRC}', alt: Le défilé, width: grand}}",
        5,
        "'image.width' must be a number of pixels, not 'grand'",
    ),
    "image-width-zero": (
        f"image: {{src: '{SRC}', alt: Le défilé, width: 0}}",
        5,
        "'image.width' must be a number of pixels, not 0",
    ),
    "image-height-fraction": (
        f"image: {{src: '{SRC}', alt: Le défilé, height: 2.5}}",
        5,
        "'image.height' must be a number of pixels, not 2.5",
    ),
    "image-width-yes": (
        f"image: {{src: '{SRC}', alt: Le défilé, width: true}}",
        5,
        "'image.width' must be a number of pixels, not true",
    ),
    "tags-table": ("tags: {sport: judo}", 5, "'tags' must be a list of words"),
    "tags-yes": ("tags: [judo, true]", 5, "'tags' must be a list of words"),
    "tags-nested-list": ("tags: [judo, [escrime]]", 5, "'tags' must be a list of words"),
    "period-one-date": ("period: 2025-06-01", 5, "'period' needs 'start' and 'end' dates"),
    "period-list": (
        "period: [2025-06-01, 2025-06-08]",
        5,
        "'period' needs 'start' and 'end' dates",
    ),
    "period-without-end": (
        "period: {start: 2025-06-01}",
        5,
        "'period' needs 'start' and 'end' dates",
    ),
    "period-words": (
        "period: {start: 2025-06-01, end: hier}",
        5,
        "'period': expected a date like 2025-06-13, not 'hier'",
    ),
    "period-impossible-end": (
        "period:\n  start: 2025-06-01\n  end: 2025-06-31",
        7,
        "'period.end': 2025-06-31 is not a date in the calendar (June 2025 has 30 days)",
    ),
}
# what is fine: tags as a list or as words separated by commas, a period of one day
GOOD = {
    "tags-list": "tags: [judo, escrime, 2025]",
    "tags-words": "tags: judo, escrime",
    "period-one-day": "period: {start: 2025-06-08, end: 2025-06-08}",
    "image-sizes": f"image: {{src: '{SRC}', alt: Le défilé, width: 600, height: 400}}",
    "image-local": "image: {src: photos/le défilé.jpg, alt: Le défilé}",  # spaces are fine
}


def _item(name: str, front_matter: str) -> str:
    return (
        f"---\ndate: 2025-06-12\nkind: communique\ntitle: {name}\n{front_matter}\n---\nUn corps.\n"
    )


def _folder(tmp_path: Path, items: dict[str, str]) -> Path:
    folder = tmp_path / "lettre"
    (folder / "items").mkdir(parents=True)
    (folder / "lettre.toml").write_text(CONFIG, encoding="utf-8")
    for name, front_matter in items.items():
        (folder / "items" / f"2025-06-12-{name}.md").write_text(_item(name, front_matter))
    return folder


def test_check_names_every_mistake_at_its_line(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, {name: case[0] for name, case in CASES.items()})
    monkeypatch.chdir(folder)
    result = run("check")
    assert result.exit_code == 1
    expected = sorted(
        f"items/2025-06-12-{name}.md:{line}: error: {message}"
        for name, (_, line, message) in CASES.items()
    )
    assert result.stdout.splitlines() == expected
    assert result.stderr == f"{len(CASES)} files checked: {len(CASES)} errors, 0 warnings\n"


@pytest.mark.parametrize("name", ["image-control-character", "tags-table", "period-words"])
def test_compose_stops_with_the_same_words(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    front_matter, line, message = CASES[name]
    monkeypatch.chdir(_folder(tmp_path, {name: front_matter}))
    result = run("compose", "--week", "2025-06-13")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: items/2025-06-12-{name}.md:{line}: {message}\n"


def test_what_is_allowed_composes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = _folder(tmp_path, GOOD)
    (folder / "photos").mkdir()
    from PIL import Image

    Image.new("RGB", (40, 30), "navy").save(folder / "photos" / "le défilé.jpg")
    result = run("check", "-C", folder)
    assert result.exit_code == 0, result.stdout
    assert " error: " not in result.stdout
    result = run("compose", "--week", "2025-06-13", "-C", folder, "--format", "text")
    assert result.exit_code == 0, result.stderr
    assert "8 juin 2025" in result.stdout  # the period of one day
