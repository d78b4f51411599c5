"""The language of each part of the letter: `lang` on the blocks not in the letter's.

An item is written in the folder's language (lettre.toml's `locale`) unless it says
`lang:`. When a letter is composed in another language (`--locale en_GB`), or an item is
written in another one, the HTML marks each such block with its own `lang`, so that
screen readers read it with the right voice (WCAG 3.1.2). The plain text has nothing to
mark and stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from conftest import CONFIG, SAMPLES, Run, item_text


class _Langs(HTMLParser):
    """(tag, class, lang) of every element that has a `lang` attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("lang"):
            self.found.append((tag, a.get("class") or "", str(a["lang"])))


def langs(html: str) -> list[tuple[str, str, str]]:
    parser = _Langs()
    parser.feed(html)
    return parser.found


def compose(run: Run, folder: Path, *args: str, fmt: str = "html") -> str:
    result = run("compose", "-C", folder, "--week", "2025-06-13", "--format", fmt, *args)
    assert result.exit_code == 0, result.stderr
    return str(result.stdout)


def test_french_items_in_an_english_letter_are_marked_french(run: Run) -> None:
    html = compose(run, SAMPLES, "--locale", "en_GB")
    found = langs(html)
    assert found[0] == ("html", "", "en")
    marked = {(tag, cls) for tag, cls, lang in found if lang == "fr"}
    # the items' own words: titles, summaries, bodies, the image, the results
    assert ("h3", "entry-title") in marked and ("div", "body") in marked
    assert ("p", "summary") in marked and ("p", "figure") in marked
    assert ("table", "results") in marked and ("p", "sport") in marked
    # 4 of the 5 titles: the anniversary of anniversaries.yaml is titled in English
    assert sum(1 for tag, _, lang in found if tag == "h3" and lang == "fr") == 4
    assert "La Lettre hebdomadaire de communication celebrates 5 years</a></h3>" in html
    # lettre's own words stay in the letter's language: the date line, « Read more »,
    # the section labels (from the catalog and lettre.toml's `en` labels), ranks and dates
    assert not any(cls in ("entry-meta", "more", "section-title") for _, cls, _ in found)
    assert ("td", "rank", "en") in found
    assert re.search(r'<span lang="en">\d+ May – \d+ June 2025</span>', html.replace("\u2009", " "))


def test_a_letter_in_the_folders_language_has_one_lang(run: Run) -> None:
    html = compose(run, SAMPLES)
    assert langs(html) == [("html", "", "fr")]


def test_an_item_in_another_language(run: Run, make_folder: Callable[..., Path]) -> None:
    english = item_text(
        title="Visit of the British delegation", body="The delegation visited the base."
    )
    folder = make_folder(
        {
            "2025-06-10-visit.md": english.replace("title:", "lang: en_GB\ntitle:"),
            "2025-06-11-visite.md": item_text(date="2025-06-11", title="Visite du ministre"),
        }
    )
    html = compose(run, folder)
    found = langs(html)
    assert ("h3", "entry-title", "en") in found and ("div", "body", "en") in found
    assert [lang for tag, _, lang in found if tag == "h3"] == ["en"]  # the French one has none
    # the same letter in English: now the French item is the one marked
    found = langs(compose(run, folder, "--locale", "en"))
    assert [lang for tag, _, lang in found if tag == "h3"] == ["fr"]


def test_the_plain_text_is_unchanged(run: Run, make_folder: Callable[..., Path]) -> None:
    text = item_text(title="Visit of the British delegation", body="The delegation came.")
    marked = make_folder({"2025-06-10-visit.md": text.replace("title:", "lang: en\ntitle:")})
    plain = make_folder({"2025-06-10-visit.md": text}, name="plain")
    assert compose(run, marked, fmt="text") == compose(run, plain, fmt="text")
    assert "lang" not in compose(run, marked, fmt="text")


def test_a_plain_label_is_in_the_folders_language(
    run: Run, make_folder: Callable[..., Path]
) -> None:
    config = CONFIG + '\n[[sections]]\nkind = "agenda"\nlabel = "À vos agendas"\n'
    folder = make_folder({"2025-06-10-x.md": item_text(kind="agenda")}, config=config)
    html = compose(run, folder, "--locale", "en_GB")
    assert ("h2", "section-title", "fr") in langs(html)
    assert ("h2", "section-title", "fr") not in langs(compose(run, folder))


def test_a_computed_anniversary_title_is_the_letters(
    run: Run, make_folder: Callable[..., Path]
) -> None:
    folder = make_folder()
    (folder / "anniversaries.yaml").write_text(
        "- {name: La base aérienne 000, founded: 2005-06-12, text: Une fête est prévue.}\n",
        encoding="utf-8",
    )
    html = compose(run, folder, "--locale", "en_GB")
    assert "La base aérienne 000 celebrates 20 years" in html
    found = langs(html)
    # two items: the folder's (French title) and the anniversary (English sentence)
    assert [lang for tag, _, lang in found if tag == "h3"] == ["fr"]
    assert [lang for tag, _, lang in found if tag == "div"] == ["fr", "fr"]


def test_lang_is_checked_like_a_locale(run: Run, make_folder: Callable[..., Path]) -> None:
    folder = make_folder({"2025-06-10-x.md": item_text(lang="anglais")})
    result = run("compose", "-C", folder, "--week", "2025-06-13")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder / 'items' / '2025-06-10-x.md'}:5: "
        "'lang': unknown locale 'anglais': did you mean en?\n"
    )
    # `lang: no` is Norwegian, not YAML's false
    folder = make_folder({"2025-06-10-x.md": item_text(lang="no", title="Besøk")}, name="norsk")
    assert ("h3", "entry-title", "no") in langs(compose(run, folder))


def test_an_items_words_follow_its_own_typography(
    run: Run, make_folder: Callable[..., Path]
) -> None:
    english = item_text(title="'Open day: the base welcomes the public'", body="Come and see!")
    folder = make_folder(
        {
            "2025-06-10-open-day.md": english.replace("title:", "lang: en\ntitle:"),
            "2025-06-11-portes.md": item_text(date="2025-06-11", title="'Portes ouvertes : venez'"),
        }
    )
    text = compose(run, folder, fmt="text")
    assert "Open day: the base welcomes the public" in text  # no space before an English colon
    assert "Come and see!" in text
    assert "Portes ouvertes\u00a0: venez" in text  # the French item keeps French rules
    # composed in English, the French item still follows French rules
    text = compose(run, folder, "--locale", "en_GB", fmt="text")
    assert "Portes ouvertes\u00a0: venez" in text
    assert "Open day: the base welcomes the public" in text
