"""Typos in lettre.toml: every unknown key is an error naming its line and the likely key."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CONFIG, SAMPLES


def _error(run, make_folder, config: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    folder = make_folder(config=config)
    result = run("check", "-C", folder)
    return result.exit_code, result.stderr.replace(str(folder) + "/", "")


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (
            'title = "Lettre de test"',
            'titre = "Lettre de test"',
            "lettre.toml:1: unknown key 'titre' (did you mean 'title'?)",
        ),
        (
            'locale = "fr_FR"',
            "alow_html = true",
            "lettre.toml:2: unknown key 'alow_html' (did you mean 'allow_html'?)",
        ),
        ('locale = "fr_FR"', "unknown_top = 3", "lettre.toml:2: unknown key 'unknown_top'"),
        ("[sender]", "[sendr]", "lettre.toml:6: unknown key 'sendr' (did you mean 'sender'?)"),
        (
            'address = "communication',
            'adress = "communication',
            "lettre.toml:8: unknown key 'adress' in [sender] (did you mean 'address'?)",
        ),
        (
            'to = ["abonnes@example.net"]',
            'to = [{ adresse = "abonnes@example.net" }]',
            "lettre.toml:11: unknown key 'adresse' in 'recipients.to' (did you mean 'address'?)",
        ),
        (
            'url = "https://lettre.example.org/desabonnement"',
            'ulr = "https://lettre.example.org/desabonnement"',
            "lettre.toml:14: unknown key 'ulr' in [unsubscribe] (did you mean 'url'?)",
        ),
    ],
)
def test_a_typo_is_an_error_at_its_line(run, make_folder, before, after, message) -> None:  # type: ignore[no-untyped-def]
    assert before in CONFIG
    code, stderr = _error(run, make_folder, CONFIG.replace(before, after, 1))
    assert code == 1
    assert stderr == f"Error: {message}\n"


def test_a_typo_in_a_section_or_an_anniversary_setting(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG + '\n[[sections]]\nkind = "communique"\nlable = "Nouvelles"\n'
    code, stderr = _error(run, make_folder, config)
    assert (code, stderr) == (
        1,
        "Error: lettre.toml:18: unknown key 'lable' in [sections] (did you mean 'label'?)\n",
    )


def test_a_sender_table_without_address_says_so(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace('address = "communication@example.org"\n', "")
    code, stderr = _error(run, make_folder, config)
    assert (code, stderr) == (1, "Error: lettre.toml:6: missing 'address' in 'sender'\n")


def test_archive_and_import_tables_stay_accepted(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    config = (
        CONFIG
        + '\n[archive]\nurl = "https://www.example.net/hebdo"\n[import]\nkind = "communique"\n'
    )
    code, stderr = _error(run, make_folder, config)
    assert (code, stderr) == (0, "1 file checked: no problem\n")


def test_generated_and_sample_configs_load_cleanly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("init", tmp_path / "neuve").exit_code == 0
    result = run("check", "-C", SAMPLES)
    assert result.exit_code == 0, result.stderr
    # a new folder loads: its only errors are the examples it holds, for the user to replace
    new = run("check", "-C", tmp_path / "neuve").stdout.splitlines()
    assert len(new) == 6
    assert all("(example = true)" in line or "(example: true)" in line for line in new)


def test_a_dotted_typo_is_found_at_its_line(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    table = '[sender]\nname = "Cellule communication"\naddress = "communication@example.org"\n'
    assert table in CONFIG
    dotted = 'sender.nom = "Cellule"\nsender.address = "communication@example.org"\n'
    config = dotted + CONFIG.replace(table, "")
    code, stderr = _error(run, make_folder, config)
    assert (code, stderr) == (1, "Error: lettre.toml:1: unknown key 'nom' in [sender]\n")


def test_a_typo_in_the_second_section_is_found_at_its_own_line(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    first = '\n[[sections]]\nkind = "communique"\nlabel = "Nouvelles"\n'
    second = '\n[[sections]]\nkind = "resultats"\nurl = "y"\n'
    code, stderr = _error(run, make_folder, CONFIG + first + second)
    # not line 14, the 'url' of [unsubscribe]
    assert (code, stderr) == (1, "Error: lettre.toml:22: unknown key 'url' in [sections]\n")
