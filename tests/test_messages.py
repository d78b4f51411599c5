"""The language of lettre's own messages: help, errors, Click's and Typer's words."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
import typer.core
from typer.main import get_command

from lettre import cliwords, messages
from lettre.cli import app

NB, NNB = "\u00a0", "\u202f"
# the user's environment: only what a test sets counts
CLEAN: dict[str, str | None] = {
    "LETTRE_LANG": None,
    "LANGUAGE": None,
    "LC_ALL": None,
    "LC_MESSAGES": None,
    "LANG": None,
}
FRENCH = {**CLEAN, "LANG": "fr_FR.UTF-8"}


def _french() -> gettext.NullTranslations:
    return gettext.translation(messages.DOMAIN, str(messages.locale_dir()), ["fr"])


def _help_texts() -> list[tuple[str, str]]:
    """(where, text) of every help text of the app: commands, options, arguments, epilog."""
    group: Any = get_command(app)
    found = []
    for name, command in [("lettre", group), *group.commands.items()]:
        for attribute in ("help", "short_help", "epilog"):
            text = getattr(command, attribute, None)
            if text:
                found.append((f"{name} {attribute}", text))
        for param in command.params:
            for attribute in ("help", "show_default"):
                text = getattr(param, attribute, None)
                if isinstance(text, str) and text:
                    found.append((f"{name} {param.name} {attribute}", text))
    return found


def test_every_help_text_has_a_french_translation() -> None:
    """A command or an option added without N_() or without its French fails here."""
    french = _french()
    missing = [(where, text) for where, text in _help_texts() if french.gettext(text) == text]
    assert missing == []


def test_lettre_help_is_french_throughout(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--help", env=FRENCH)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"Utilisation{NB}: lettre [OPTIONS] COMMAND [ARGS]...\n")
    for words in (
        f"Options{NB}:",
        f"Commandes{NB}:",
        "Afficher ce message et quitter.",
        "Afficher la version.",
        "Installer la complétion pour le shell courant.",
        "Codes de sortie",
    ):
        assert words in out, words
    # each command's one line, in French (Click cuts the long ones with "...")
    group: Any = get_command(app)
    french = _french()
    for name, command in group.commands.items():
        if command.short_help:
            short = french.gettext(command.short_help)
        else:
            short = french.gettext(command.help).split("\n")[0]
        line = next(line for line in out.splitlines() if line.startswith(f"  {name} "))
        assert short[:30].strip() in line, name
    for english in ("Usage", "Show this message", "Commands", "Options:", "Compose the week"):
        assert english not in out, english


@pytest.mark.parametrize("command", sorted(get_command(app).commands))  # type: ignore[attr-defined]
def test_each_commands_help_is_french(run, command: str) -> None:  # type: ignore[no-untyped-def]
    out = run(command, "--help", env=FRENCH).stdout
    assert out.startswith(f"Utilisation{NB}: lettre {command} ")
    assert f"Options{NB}:" in out and "Afficher ce message et quitter." in out
    assert "Show this message" not in out and "Usage" not in out and "[default:" not in out


def test_lettre_lang_overrides_lang(run) -> None:  # type: ignore[no-untyped-def]
    out = run("--help", env={**FRENCH, "LETTRE_LANG": "en"}).stdout
    assert out.startswith("Usage: lettre [OPTIONS] COMMAND [ARGS]...\n")
    assert "Show this message and exit." in out and "Afficher" not in out
    out = run("--help", env={**CLEAN, "LANG": "en_US.UTF-8", "LETTRE_LANG": "fr"}).stdout
    assert out.startswith(f"Utilisation{NB}:")


@pytest.mark.parametrize(
    ("environment", "language"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_CA.UTF-8"}, "fr"),
        ({"LANG": "fr"}, "fr"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "fr_FR.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "fr"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "fr", "LC_ALL": "en_US.UTF-8"}, "fr"),  # LANGUAGE first, as gettext does
        ({"LANGUAGE": "en:fr", "LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANGUAGE": "de:fr", "LANG": "C"}, "fr"),  # German falls back to the next language
        ({"LANG": "de_DE.UTF-8"}, "en"),  # no German messages: English
        ({"LETTRE_LANG": "en", "LANGUAGE": "fr"}, "en"),
    ],
)
def test_the_language_is_read_as_gettext_reads_it(
    run,  # type: ignore[no-untyped-def]
    environment: dict[str, str],
    language: str,
) -> None:
    result = run("frob", env={**CLEAN, **environment})
    assert result.exit_code == 2
    last = result.stderr.splitlines()[-1]
    if language == "fr":
        assert last == f"Erreur{NB}: Commande inconnue{NB}: 'frob'."
    else:
        assert last == "Error: No such command 'frob'."


def test_the_language_of_messages_is_not_the_letters(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    """English messages about a French letter, and French messages about an English one."""
    args = ("compose", "-C", samples, "--week", "2025-06-13", "--format", "text")
    result = run(*args, "--locale", "en_GB", env=FRENCH)
    assert result.exit_code == 0 and "Read more" in result.stdout
    result = run(*args, env={**CLEAN, "LANG": "en_GB.UTF-8"})
    assert result.exit_code == 0 and "Lire la suite" in result.stdout


CLICK_ERRORS = [
    (
        ("compose", "--bogus"),
        [
            f"Utilisation{NB}: lettre compose [OPTIONS]",
            "Essayez 'lettre compose -h' pour de l'aide.",
            "",
            f"Erreur{NB}: Option inconnue{NB}: --bogus (options possibles{NB}: --out)",
        ],
    ),
    (
        ("new", "communique"),
        [
            f"Utilisation{NB}: lettre new [OPTIONS] {{kind}}",
            "Essayez 'lettre new -h' pour de l'aide.",
            "",
            f"Erreur{NB}: Option manquante{NB}: '--title' / '-t'.",
        ],
    ),
    (("new",), [f"Erreur{NB}: Argument manquant{NB}: 'kind'."]),
    (
        ("compose", "--format", "pdf"),
        [
            f"Erreur{NB}: Valeur invalide pour '--format' / '-f'{NB}: 'pdf' ne fait pas partie "
            "de 'eml', 'html', 'text', 'json'."
        ],
    ),
    (("compose", "extra"), [f"Erreur{NB}: Argument(s) en trop inattendu(s) (extra)"]),
    (("compose", "--week"), [f"Erreur{NB}: L'option '--week' demande un argument."]),
    (("init", "--force=yes"), [f"Erreur{NB}: L'option '--force' ne prend pas de valeur."]),
    (
        ("archive", "--out", "pyproject.toml"),
        [
            f"Erreur{NB}: Valeur invalide pour '--out' / '-o'{NB}: "
            "'pyproject.toml' est un fichier, pas un dossier."
        ],
    ),
]


@pytest.mark.parametrize(("args", "lines"), CLICK_ERRORS)
def test_clicks_errors_in_french(run, args: tuple[str, ...], lines: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = run(*args, env=FRENCH)
    assert result.exit_code == 2
    got = result.stderr.splitlines()
    assert got[-len(lines) :] == lines


def test_clicks_errors_in_english_unchanged(run) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "--bogus")
    assert result.stderr.splitlines() == [
        "Usage: lettre compose [OPTIONS]",
        "Try 'lettre compose -h' for help.",
        "",
        "Error: No such option: --bogus (Possible options: --out)",
    ]


def test_lettres_own_messages_in_french(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "-C", samples, env=FRENCH)
    assert re.fullmatch(rf"\d+ fichiers vérifiés{NB}: .+\n", result.stderr), result.stderr
    result = run(
        "list", "-C", samples, "--since", "2025-06-30", "--until", "2025-06-01", env=FRENCH
    )
    assert result.stderr == (
        f"Erreur{NB}: --since 2025-06-30 est après --until 2025-06-01{NB}: inversez-les "
        "(l'intervalle est à l'envers)\n"
    )


def test_lettre_sends_errors_in_french(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    """`lettre send` speaks French too: no readers configured, then a rate it cannot read."""
    result = run("send", "-C", samples, "--week", "2025-06-13", env=FRENCH)
    assert result.exit_code != 0
    assert result.stderr == (
        f"Erreur{NB}: {samples / 'lettre.toml'}{NB}: aucun lecteur{NB}: indiquez [recipients] "
        'readers = "abonnes.csv" dans lettre.toml, ou donnez --readers\n'
    )
    args = ("--readers", samples / "abonnes.csv", "--rate", "vite")
    result = run("send", "-C", samples, "--week", "2025-06-13", *args, env=FRENCH)
    assert result.exit_code != 0
    assert result.stderr == (
        f"Erreur{NB}: --rate{NB}: 'vite' n’est pas un débit (écrivez 10/s, 600/min ou 3600/h)\n"
    )


def test_the_cli_leaves_the_language_as_it_found_it(run) -> None:  # type: ignore[no-untyped-def]
    run("--help", env=FRENCH)
    assert messages._("Error: {message}") == "Error: {message}"  # the suite speaks English


# --- Typer's and Click's words: an upgrade that changes them fails here ----------------------


def _typer_source(name: str) -> str:
    return (Path(typer.core.__file__).parent / name).read_text(encoding="utf-8")


def test_every_gettext_word_of_typer_core_is_in_the_catalogs() -> None:
    tree = ast.parse(_typer_source("core.py"))
    words = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert words and words <= set(cliwords.TYPER_WORDS)


def test_clicks_english_templates_are_still_in_typers_source() -> None:
    """Each template lettre translates is still written so by the installed Typer."""
    evidence = {  # templates Click composes from two pieces
        "Option {name} requires an argument.": "an argument.",
        "Option {name} requires {count} arguments.": "arguments.",
        "Value error, {message}": "",  # Pydantic's prefix of a ValueError
        "Missing option {name}.": 'f"Missing {param_type}{param_hint}."',
        "Missing argument {name}.": 'f"Missing {param_type}{param_hint}."',
        "Missing parameter {name}.": 'f"Missing {param_type}{param_hint}."',
    }
    source = "".join(
        path.read_text(encoding="utf-8")
        for path in sorted(Path(typer.core.__file__).parent.rglob("*.py"))
    )
    for template in (
        *cliwords.CLICK_MESSAGES,
        cliwords.INVALID_VALUE,
        cliwords.INVALID,
        *cliwords.MISSING.values(),
        cliwords.POSSIBLE,
        cliwords.TRY_HELP,
        cliwords.HELP_OPTION,
        cliwords.USAGE,
        cliwords.ERROR,
    ):
        if template in evidence:
            assert evidence[template] in source, template
            continue
        # the longest fixed part of each template appears in the source
        parts = [p for p in re.split(r"\{[^}]*\}", template) if p.strip()]
        longest = max(parts, key=len).strip(" .")
        if template.startswith(("file ", "dir ", "path ")):
            longest = longest.removeprefix("file").removeprefix("dir").removeprefix("path")
        assert longest.strip() in source, template


def test_typer_core_words_go_through_lettres_catalog(run) -> None:  # type: ignore[no-untyped-def]
    run("--help", env=FRENCH)
    assert typer.core._ is messages._  # type: ignore[attr-defined]


def test_messages_module_reads_the_environment() -> None:
    assert messages.languages({"LANGUAGE": "fr:de", "LANG": "en_US"}) == ["fr", "de"]
    assert messages.languages({"LETTRE_LANG": "de", "LANGUAGE": "fr"}) == ["de"]
    assert messages.languages({"LANG": "", "LC_ALL": "fr_FR.UTF-8"}) == ["fr_FR.UTF-8"]
    assert messages.languages({}) == []


def test_did_you_mean_is_one_hint_in_each_language() -> None:
    keys = ("title", "date", "summary")
    with messages.speaking({}):
        assert messages.did_you_mean("titel", keys) == " (did you mean 'title'?)"
        assert messages.did_you_mean("zzz", keys) == ""
        assert messages.did_you_mean("sumary", keys, cutoff=0.95) == ""
    with messages.speaking({"LANG": "fr_FR.UTF-8"}):
        assert messages.did_you_mean("titel", keys) == f" (vouliez-vous dire 'title'{NNB}?)"
    assert messages.close_matches("fr_XX", ["fr_FR", "fr_BE", "de_DE"], n=2) == [
        "fr_FR",
        "fr_BE",
    ]


def test_item_errors_of_one_is_that_error() -> None:
    from lettre.errors import ItemError, ItemErrors

    one = ItemError("bad date", "items/a.md", 2)
    two = ItemError("no title", "items/b.md", 1)
    assert ItemErrors.of([one]) is one
    both = ItemErrors.of([one, two])
    assert isinstance(both, ItemErrors) and both.errors == [one, two]
    assert str(both) == "items/a.md:2: bad date\nitems/b.md:1: no title"
