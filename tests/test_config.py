"""lettre.toml → Config: every setting read into its field, every mistake at its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CONFIG
from lettre.config import (
    Address,
    ImageSettings,
    ImportSettings,
    SendSettings,
    TypographySettings,
    load_config,
)

TO = 'to = ["abonnes@example.net"]'
SENDER = 'address = "communication@example.org"'

FULL = (
    CONFIG.replace(
        SENDER, SENDER + '\nfooter_name = "la Cellule communication de l\'état-major"'
    ).replace(TO, TO + '\nreaders = "abonnes.csv"\nlist = "hebdo@lists.example.org"')
    + """
[send]
mode = "list"
via = "msmtp -C 'mon fichier' -t"  # split as a shell would, run without one
rate = 2.5

[images]
mode = "embed"

[typography]
apostrophe = false
units = false

[archive]
url = "https://www.example.org/lettre-hebdo"

[import]
kind = "resultats"
[import.categories]
"Défense  Nationale" = "communique"
"""
)


def _error(run, make_folder, config: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    folder = make_folder(config=config)
    result = run("check", "-C", folder)
    return result.exit_code, result.stderr.replace(str(folder) + "/", "")


def test_every_new_setting_is_read(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(config=FULL)
    config = load_config(folder)
    assert config.footer_name == "la Cellule communication de l'état-major"
    assert config.readers_path == folder.absolute() / "abonnes.csv"
    assert config.list_address == Address("hebdo@lists.example.org")
    assert config.to == (Address("abonnes@example.net"),)
    assert config.send == SendSettings("list", ("msmtp", "-C", "mon fichier", "-t"), 2.5)
    assert config.images == ImageSettings("embed")
    assert config.typography == TypographySettings(apostrophe=False, units=False)
    assert config.typography.quotes and config.typography.numbers
    assert config.archive_url == "https://www.example.org/lettre-hebdo/"
    assert config.import_settings == ImportSettings(
        "resultats", {"defense nationale": "communique"}
    )
    assert config.path == folder / "lettre.toml"
    assert config.state_dir == folder / "state"
    assert config.line_of("send.via") == 21
    assert config.line_of("send") == 19
    assert config.line_of("import.categories.Défense  Nationale") == 37
    assert config.line_of("recipients.to.0") == 12
    assert config.line_of("images.nothing") == 24  # a key not set: its table's line
    assert config.line_of("nothing") is None


def test_defaults_of_the_new_settings(make_folder: Callable[..., Path]) -> None:
    config = load_config(make_folder())
    assert config.footer_name is None and config.readers_path is None
    assert config.list_address is None
    assert config.send == SendSettings(None, ("sendmail", "-t", "-oi"), None)
    assert config.images.mode == "publish"
    assert config.typography == TypographySettings(True, True, True, True, True)
    assert config.archive_url == "https://lettre.example.org/lettres/"  # from base_url
    assert config.import_settings == ImportSettings("communique", {})


def test_without_any_base_url_there_is_no_archive_url(make_folder: Callable[..., Path]) -> None:
    config = load_config(
        make_folder(config=CONFIG.replace('base_url = "https://lettre.example.org/"\n', ""))
    )
    assert config.archive_url is None


@pytest.mark.parametrize(
    ("recipients", "mode", "readers", "listed"),
    [
        ('readers = "/srv/abonnes.csv"', "readers", Path("/srv/abonnes.csv"), None),
        ('list = { address = "hebdo@lists.example.org", name = "Hebdo" }', "list", None, "Hebdo"),
    ],
)
def test_readers_or_list_alone_need_no_to_and_choose_the_mode(  # type: ignore[no-untyped-def]
    make_folder, recipients, mode, readers, listed
) -> None:
    config = load_config(make_folder(config=CONFIG.replace(TO, recipients)))
    assert config.to == ()
    assert config.send.mode == mode
    assert config.readers_path == readers
    assert (config.list_address.name if config.list_address else None) == listed


def test_a_relative_folder_still_gives_an_absolute_readers_path(
    make_folder: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_folder(config=CONFIG.replace(TO, 'readers = "listes/abonnes.csv"'))
    monkeypatch.chdir(folder.parent)
    config = load_config(Path(folder.name))
    assert config.readers_path == folder / "listes" / "abonnes.csv"
    assert config.readers_path is not None and config.readers_path.is_absolute()


# lines 1–14 are CONFIG; these tables start at line 16
@pytest.mark.parametrize(
    ("added", "message"),
    [
        (
            '[send]\nmode = "reader"',
            "lettre.toml:17: '[send] mode' must be \"readers\" or \"list\", not 'reader' "
            "(did you mean 'readers'?)",
        ),
        (
            '[send]\nmode = "post"',
            "lettre.toml:17: '[send] mode' must be \"readers\" or \"list\", not 'post'",
        ),
        ("[send]\nmode = 3", "lettre.toml:17: '[send] mode' must be a string, not 3"),
        (
            '[send]\nmode = "list"',
            "lettre.toml:17: '[send] mode' is \"list\" but [recipients] sets no 'list' address",
        ),
        (
            '[send]\nmode = "readers"',
            "lettre.toml:17: '[send] mode' is \"readers\" but [recipients] sets no 'readers' file",
        ),
        (
            '[send]\nvia = "  "',
            "lettre.toml:17: '[send] via' must be a command such as \"sendmail -t -oi\", not '  '",
        ),
        (
            '[send]\nvia = "sendmail -f \\"x"',
            "lettre.toml:17: '[send] via': 'sendmail -f \"x' cannot be split into a command "
            "(No closing quotation)",
        ),
        (
            '[send]\nvia = ["sendmail"]',
            "lettre.toml:17: '[send] via' must be a string, not ['sendmail']",
        ),
        (
            '[send]\nvia = "sendmail\\n-t"',
            "lettre.toml:17: '[send] via' must be a command such as \"sendmail -t -oi\" "
            "on one line",
        ),
        (
            "[send]\nrate = 0",
            "lettre.toml:17: '[send] rate' must be a positive number of messages per second, not 0",
        ),
        (
            "[send]\nrate = -2.5",
            "lettre.toml:17: '[send] rate' must be a positive number of messages per second, "
            "not -2.5",
        ),
        (
            "[send]\nrate = inf",
            "lettre.toml:17: '[send] rate' must be a positive number of messages per second, "
            "not inf",
        ),
        ('[send]\nrate = "10"', "lettre.toml:17: '[send] rate' must be a number, not '10'"),
        ("[send]\nrate = true", "lettre.toml:17: '[send] rate' must be a number, not True"),
        (
            '[send]\nmoed = "list"',
            "lettre.toml:17: unknown key 'moed' in [send] (did you mean 'mode'?)",
        ),
        (
            '[images]\nmode = "embedded"',
            "lettre.toml:17: '[images] mode' must be \"publish\" or \"embed\", not 'embedded' "
            "(did you mean 'embed'?)",
        ),
        (
            '[images]\nmod = "embed"',
            "lettre.toml:17: unknown key 'mod' in [images] (did you mean 'mode'?)",
        ),
        (
            '[typography]\nquotes = "non"',
            "lettre.toml:17: '[typography] quotes' must be true or false, not 'non'",
        ),
        (
            "[typography]\nquote = false",
            "lettre.toml:17: unknown key 'quote' in [typography] (did you mean 'quotes'?)",
        ),
        (
            '[archive]\nulr = "https://x"',
            "lettre.toml:17: unknown key 'ulr' in [archive] (did you mean 'url'?)",
        ),
        (
            '[import]\nkinds = "communique"',
            "lettre.toml:17: unknown key 'kinds' in [import] (did you mean 'kind'?)",
        ),
        (
            '[import.categories]\n"Sport" = "resultat"',
            "lettre.toml:17: 'import.categories': unknown kind 'resultat' (did you mean "
            "'resultats'?); known kinds: communique, resultats, anniversaire",
        ),
        (
            "[anniversaries]\nyears = [\n  1,\n  5,\n  0,\n]",
            "lettre.toml:20: 'anniversaries.years' must be a list of positive numbers",
        ),
        (
            "[anniversaries]\nyears = [1, 5, 2.5]",
            "lettre.toml:17: 'anniversaries.years' must be a list of positive numbers",
        ),
        (
            '[anniversaries]\nyears = "5"',
            "lettre.toml:17: 'anniversaries.years' must be a list, not '5'",
        ),
        (
            '[[sections]]\nkind = "communique"\n\n[[sections]]\nkind = "resultats"\n\n'
            '[[sections]]\nkind = "communique"',
            "lettre.toml:22: section kind 'communique' is listed twice",
        ),
    ],
)
def test_a_bad_value_in_a_table_is_an_error_at_its_line(run, make_folder, added, message) -> None:  # type: ignore[no-untyped-def]
    assert CONFIG.count("\n") == 14
    assert _error(run, make_folder, CONFIG + "\n" + added + "\n") == (1, f"Error: {message}\n")


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (
            TO,
            'to = ["abonnes@example.net"]\nreaders = 3',
            "lettre.toml:12: '[recipients] readers' must be a string, not 3",
        ),
        (
            TO,
            'readers = ""',
            "lettre.toml:11: '[recipients] readers' must be the path of a file, relative to the "
            "folder or absolute, such as \"abonnes.csv\", not ''",
        ),
        (
            TO,
            'list = "hebdo.example.org"',
            "lettre.toml:11: '[recipients] list': 'hebdo.example.org' is not an e-mail address",
        ),
        (
            TO,
            'readers = "abonnes.csv"\nlist = "hebdo@lists.example.org"',
            "lettre.toml:12: [recipients] sets both 'readers' and 'list': say which one lettre "
            "sends to with 'mode = \"readers\"' or 'mode = \"list\"' in [send]",
        ),
        (
            TO,
            'readers = "abonnes.csv"\nlist = "hebdo@lists.example.org"\n[send]\nrate = 2',
            "lettre.toml:13: [recipients] sets both 'readers' and 'list': say which one lettre "
            "sends to with 'mode = \"readers\"' or 'mode = \"list\"' in [send]",
        ),
        (
            TO,
            'list = { adress = "hebdo@lists.example.org" }',
            "lettre.toml:11: unknown key 'adress' in '[recipients] list' (did you mean 'address'?)",
        ),
        (
            TO,
            'reader = "abonnes.csv"',
            "lettre.toml:11: unknown key 'reader' in [recipients] (did you mean 'readers'?)",
        ),
        (
            TO,
            "",
            "lettre.toml: no recipients: add a [recipients] table with 'to = [...]', "
            "'readers = \"abonnes.csv\"' (a file of readers) or 'list = \"…\"' (a list's address)",
        ),
        (
            SENDER,
            SENDER + '\nfooter_name = "Cellule\\nBcc: tous@example.net"',
            "lettre.toml:9: '[sender] footer_name' must be one line, without control characters",
        ),
        (
            SENDER,
            SENDER + "\nfooter_name = 3",
            "lettre.toml:9: '[sender] footer_name' must be a string, not 3",
        ),
        (
            SENDER,
            SENDER + '\nfooter_nom = "Cellule"',
            "lettre.toml:9: unknown key 'footer_nom' in [sender] (did you mean 'footer_name'?)",
        ),
        (
            'base_url = "https://lettre.example.org/"',
            'base_url = "lettre.example.org"',
            "lettre.toml:4: 'base_url' must be an http(s) URL, not 'lettre.example.org'",
        ),
        (
            'url = "https://lettre.example.org/desabonnement"',
            'url = "http://lettre.example.org/desabonnement"',
            "lettre.toml:14: 'unsubscribe.url' must be an https URL: "
            "'http://lettre.example.org/desabonnement'",
        ),
        (
            'locale = "fr_FR"',
            'locale = "fr_FR"\npublication_day = "vendredie"',
            "lettre.toml:3: unknown publication day 'vendredie' "
            "(use a day name such as 'vendredi')",
        ),
        (
            'locale = "fr_FR"',
            'locale = "fr_FR"\npublication_day = 8',
            "lettre.toml:3: unknown publication day 8 (use a day name such as 'vendredi')",
        ),
        (
            'locale = "fr_FR"',
            'locale = "fr_FR"\nsections = ["communique", "resultats", "communique"]',
            "lettre.toml:3: section kind 'communique' is listed twice",
        ),
    ],
)
def test_a_bad_value_is_an_error_at_its_line(run, make_folder, before, after, message) -> None:  # type: ignore[no-untyped-def]
    assert before in CONFIG
    code, stderr = _error(run, make_folder, CONFIG.replace(before, after, 1))
    assert (code, stderr) == (1, f"Error: {message}\n")


def test_a_wrong_archive_url_stops_every_command_at_its_line(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(config=CONFIG + '\n[archive]\nurl = "ftp://x"\n')
    result = run("compose", "-C", folder, "-w", "2025-06-13")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder}/lettre.toml:17: 'archive.url' must be an http(s) URL, not 'ftp://x'\n"
    )
