"""Message catalogs, `--locale`, per-locale section labels and the letter in English."""

from __future__ import annotations

import datetime as dt
import gettext
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.dates import format_date as babel_date

from conftest import CONFIG, ROOT, item_text
from lettre.french import format_period
from lettre.i18n import DOMAIN, locale_dir

LOCALE_DIR = Path(locale_dir())
LANGUAGES = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
NB = "\u00a0"
NN = "\u202f"


def _catalog(language: str):  # type: ignore[no-untyped-def]
    from babel.messages.pofile import read_po

    with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as handle:
        return read_po(handle, locale=language)


def _extracted() -> set[str]:
    """The msgids of the code and the templates, as `pybabel extract -F babel.cfg` sees them."""
    from babel.messages.extract import extract_from_dir

    try:
        from babel.messages.frontend import parse_mapping_cfg
    except ImportError:  # Babel before 2.16 names it parse_mapping
        from babel.messages.frontend import parse_mapping as parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for folder in (ROOT / "src" / "lettre", ROOT / "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map, options_map
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_french_english_and_german_catalogs_exist() -> None:
    assert {"fr", "en", "de"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_po(language: str) -> None:
    """The committed .mo says what the .po says: run scripts/catalogs after editing a .po."""
    catalog = _catalog(language)
    with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected: dict[object, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for index, text in enumerate(message.string):
                # an untranslated plural is compiled as its English forms
                expected[(message.id[0], index)] = text or message.id[min(index, 1)]
        elif message.string:
            expected[message.id] = message.string
    actual = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert actual == expected, f"run scripts/catalogs: {language}/LC_MESSAGES/{DOMAIN}.mo is stale"


def _letter_words() -> set[str]:
    """The words of the letter: those of the templates, and those the code looks up in the
    catalog of the letter's locale (`translations(locale)`, bound to a name or called on).
    The page of `lettre serve` (templates/serve/) speaks the command line's language: not
    the letter's words."""
    import ast

    words = {
        m[2][0] if isinstance(m[2], tuple) else m[2]
        for m in _from(ROOT / "templates")
        if Path(m[0]).parts[0] != "serve"
    }
    for path in sorted((ROOT / "src" / "lettre").glob("*.py")):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue

            def looks_up(node: ast.AST) -> bool:
                return any(
                    isinstance(n, ast.Call) and getattr(n.func, "id", "") == "translations"
                    for n in ast.walk(node)
                )

            bound = {
                target.id
                for node in ast.walk(function)
                if isinstance(node, ast.Assign) and looks_up(node.value)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for node in ast.walk(function):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                letter = (isinstance(func, ast.Name) and func.id in bound) or (
                    isinstance(func, ast.Attribute)
                    and func.attr in ("gettext", "ngettext")
                    and (getattr(func.value, "id", "") in bound or looks_up(func.value))
                )
                first = node.args[0]
                if letter and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    words.add(first.value)
    return words


def _from(folder: Path) -> list[tuple[object, ...]]:
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    return list(extract_from_dir(folder, method_map, options_map))


def _untranslated(language: str) -> set[str]:
    return {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in _catalog(language)
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_word_of_code_and_templates_is_in_every_catalog(language: str) -> None:
    """New `_()` words must reach every catalog: run scripts/catalogs."""
    catalog = _catalog(language)
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}
    assert _extracted() == ids, "run scripts/catalogs"


def test_every_message_is_translated_into_french() -> None:
    """The command line's messages (and the letter's words) have a French translation."""
    assert sorted(_untranslated("fr")) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_letters_words_are_translated_in_every_language(language: str) -> None:
    """Every catalog translates the letter's words; the command line's messages may fall
    back to English (the German catalog does: README, "Languages")."""
    assert sorted(_untranslated(language) & _letter_words()) == []


def test_the_letters_words_are_found() -> None:
    words = _letter_words()
    for word in ("Read more", "Press releases", "%(num)d letter", "%(title)s of %(date)s"):
        assert word in words
    assert "invalid YAML: {problem}" not in words  # a message, not a word of the letter


def test_templates_have_no_words_outside_the_catalog() -> None:
    """Template text outside {{ }} / {% %} is only punctuation and markup, never words."""
    for name in ("letter.html.j2", "letter.txt.j2"):
        source = (ROOT / "templates" / name).read_text(encoding="utf-8")
        source = re.sub(r"{{.*?}}|{%.*?%}|{#.*?#}", " ", source, flags=re.DOTALL)
        source = re.sub(r"<style.*?</style>|<[^>]*>", " ", source, flags=re.DOTALL)
        assert re.findall(r"[A-Za-zÀ-ÿ]{2,}", source) == [], name


def test_the_letter_of_13_june_in_english(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("compose", "--week", "2025-06-13", "-C", samples, "--locale", "en_GB")
    result = run(*args, "--format", "text")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    lines = text.splitlines()
    assert lines[0] == "Weekly Communication Newsletter"  # the title of lettre.toml for `en`
    assert lines[1] == babel_date(dt.date(2025, 6, 13), "full", locale="en_GB")
    for words in (
        "PRESS RELEASES",
        "ARMY OF CHAMPIONS",  # the label of lettre.toml for `en`
        "ANNIVERSARIES",
        # the results item's period: Babel's interval, months in full
        f"11 June 2025 · {format_period(dt.date(2025, 5, 26), dt.date(2025, 6, 8), 'en_GB')}",
        "La Lettre hebdomadaire de communication celebrates 5 years",
        "12 June 2025 · 5 years",
        "  1st  Sergent-chef Léa Fontaine",
        "Coupe de France, Cholet (France), 8 June 2025",
        "Read more\u00a0[1]",
        "You receive this letter from Cellule communication de l'état-major.",
        "Unsubscribe: https://lettre.example.org/desabonnement",
        "Links",
    ):
        assert words in text, words
    # none of lettre's own French words remain (the items themselves are written in French)
    for french in (
        "Lire la suite",
        "Se désabonner",
        "Vous recevez",
        "\nLiens\n",
        "fête ses",
        "COMMUNIQUÉS",
        "ANNIVERSAIRES",
        "ARMÉE DE CHAMPIONS",
        "vendredi 13 juin",
    ):
        assert french not in text, french
    # every date lettre writes is in English: « 8 June 2025 », never « 8 juin 2025 »
    title = "les résultats du 26 mai au 8 juin 2025"  # an item's title: the author's words
    assert not re.search(r"\b\d{1,2}(er)? (mai|juin) 2025\b", text.replace(title, ""))
    html = run(*args, "--format", "html").stdout
    assert '<html lang="en"' in html
    assert "Unsubscribe" in html and "Read more" in html and "Se désabonner" not in html
    eml = run(*args, "--format", "eml", "--now", "2025-06-13T08:00").stdout
    assert "Content-Language: en" in eml
    assert "Subject: Weekly Communication Newsletter of 13 June 2025" in eml


def test_results_period_in_french_in_html_and_text(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    from html import unescape

    title = "Armée de champions\u00a0: les résultats du 26 mai au 8 juin 2025"
    for form in ("html", "text"):
        result = run("compose", "--week", "2025-06-13", "-C", samples, "--format", form)
        assert result.exit_code == 0, result.stderr
        shown = unescape(result.stdout) if form == "html" else " ".join(result.stdout.split(" "))
        assert title in shown
        # the period line of the results item, not only the words of its title
        assert "11 juin 2025 · du 26 mai au 8 juin 2025" in shown.replace(title, ""), form


def test_french_footer_words_follow_typography(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    text = run("compose", "--week", "2025-06-13", "-C", samples, "--format", "text").stdout
    assert f"Se désabonner{NB}: https://lettre.example.org/desabonnement" in text
    assert f"Lire la suite{NB}[1]" in text
    assert "\n-- \nVous recevez cette lettre de la part de Cellule communication" in text


def test_plain_text_never_breaks_at_a_no_break_space(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    for week in ("2025-06-13", "2025-06-06", "2025-05-30"):
        text = run("compose", "--week", week, "-C", samples, "--format", "text").stdout
        for line in text.splitlines():
            assert not re.match(r"^\s*[:;!?»%]", line), line
            assert not re.search(r"«\s*$", line), line
            assert len(line) <= 72, line
    from lettre.body import wrap

    sentence = f"Les répétitions auront lieu du 9 au 10 juillet{NN}; venez nombreux{NN}!"
    for width in range(20, 60):
        for line in wrap(sentence, width).splitlines():
            assert not line.startswith((";", "!")), (width, line)


LABELS = """
[[sections]]
kind = "communique"
label = "Annonces"

[[sections]]
kind = "resultats"
label = { fr = "Nos champions", en = "Our champions", fr_CA = "Nos champions du Québec" }

[[sections]]
kind = "vie-des-unites"
label = "Vie des unités"
"""


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        # a plain label is French, the folder's language: English gets the catalog's label
        (None, ["Annonces", "Nos champions", "Vie des unités"]),
        ("fr_CA", ["Annonces", "Nos champions du Québec", "Vie des unités"]),
        ("en_GB", ["Press releases", "Our champions", "Vie des unités"]),
        ("de_DE", ["Pressemitteilungen", "Sportergebnisse", "Vie des unités"]),
    ],
)
def test_section_labels_per_locale(
    run,  # type: ignore[no-untyped-def]
    make_folder: Callable[..., Path],
    locale: str | None,
    expected: list[str],
) -> None:
    folder = make_folder(
        {
            "2025-06-10-a.md": item_text(),
            "2025-06-11-b.md": item_text(kind="resultats", title="Podiums"),
            "2025-06-12-c.md": item_text(kind="vie-des-unites", title="Visite"),
        },
        config=CONFIG + LABELS,
    )
    args = ["compose", "-w", "2025-06-13", "-C", folder, "-f", "json"]
    result = run(*args, *(["--locale", locale] if locale else []))
    assert result.exit_code == 0, result.stderr
    assert [s["label"] for s in json.loads(result.stdout)["sections"]] == expected


@pytest.mark.parametrize(
    ("setting", "line", "message"),
    [
        ("label = { fr = 3 }", 18, "'label' for 'fr' must be a string, not 3"),
        ('label = { "français" = "Annonces" }', 18, "'label': 'français' is not a language"),
        ("label = 3", 18, "section label must be a string or a table by language"),
        ('title = { en = "" }', 1, "'title' for 'en' must be a string, not ''"),
    ],
)
def test_bad_labels_and_titles_name_the_line(
    run,  # type: ignore[no-untyped-def]
    make_folder: Callable[..., Path],
    setting: str,
    line: int,
    message: str,
) -> None:
    if setting.startswith("title"):
        config = CONFIG.replace('title = "Lettre de test"', setting)
    else:
        config = CONFIG + f'\n[[sections]]\nkind = "communique"\n{setting}\n'
    result = run("compose", "-w", "2025-06-13", "-C", make_folder(config=config))
    assert result.exit_code == 1
    assert f"lettre.toml:{line}: {message}" in result.stderr


def test_unknown_locale_option_is_a_usage_error(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "-w", "2025-06-13", "-C", samples, "--locale", "fr_XX")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: --locale: unknown locale 'fr_XX': did you mean fr_FR, fr_YT, fr_WF?\n"
    )


def test_unknown_locale_in_lettre_toml_names_the_line(
    run, make_folder: Callable[..., Path]
) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(config=CONFIG.replace('locale = "fr_FR"', 'locale = "fr_FRA"'))
    result = run("compose", "-w", "2025-06-13", "-C", folder)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {folder}/lettre.toml:2: unknown locale 'fr_FRA': ")
    assert "did you mean fr_FR" in result.stderr


def test_locale_of_lettre_toml_is_used(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(config=CONFIG.replace('locale = "fr_FR"', 'locale = "de_DE"'))
    text = run("compose", "-w", "2025-06-13", "-C", folder, "-f", "text").stdout
    assert text.splitlines()[1] == babel_date(dt.date(2025, 6, 13), "full", locale="de_DE")
    assert "PRESSEMITTEILUNGEN" in text


def test_title_per_language(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace(
        'title = "Lettre de test"', 'title = { fr = "Lettre de test", en = "Test letter" }'
    )
    folder = make_folder(config=config)
    for locale, title in (
        ("fr_FR", "Lettre de test"),
        ("fr_CA", "Lettre de test"),
        ("en_US", "Test letter"),
        ("de_DE", "Lettre de test"),
    ):
        result = run("compose", "-w", "2025-06-13", "-C", folder, "-f", "json", "--locale", locale)
        assert json.loads(result.stdout)["title"] == title, locale


def test_canadian_french_letter(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("compose", "-w", "2025-06-13", "-C", samples, "--locale", "fr-ca")
    data = json.loads(run(*args, "-f", "json").stdout)
    assert data["locale"] == "fr_CA"
    assert data["date_text"] == "vendredi 13 juin 2025"
    text = run(*args, "-f", "text").stdout
    assert "France de cyclisme. Bravo à tous!" in text  # nothing before « ! » in Canada
    assert f"Concours photo des armées{NB}: les lauréats récompensés" in text
    assert f"> «{NB}Se souvenir, c’est transmettre.{NB}»" in text
    assert "Meeting international, Rabat (Maroc), 1er juin 2025" in text
