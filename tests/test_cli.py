"""The commands of `lettre` through Typer's CliRunner: outputs, files and exit codes."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
import typer.core
import typer.main
from typer.testing import CliRunner, Result

from conftest import CONFIG, item_text
from lettre.cli import app

ENV = {"COLUMNS": "100", "FORCE_COLOR": None, "NO_COLOR": None, "TTY_COMPATIBLE": None,
       "TTY_INTERACTIVE": None, "VISUAL": None, "EDITOR": None}  # fmt: skip


def run(*args: str | Path, **env: str | None) -> Result:
    runner = CliRunner()
    return runner.invoke(app, [str(a) for a in args], env={**ENV, **env}, catch_exceptions=False)


def flat(text: str) -> str:
    """Table text on one line: box characters and runs of spaces and newlines removed."""
    return re.sub(r"[ \n│─]+", " ", text)


# --- help ------------------------------------------------------------------------------------


def _commands() -> list[str]:
    """The commands of the Typer app, in the order `lettre --help` lists them."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    with typer.Context(group) as ctx:
        return [name for name in group.list_commands(ctx) if not group.commands[name].hidden]


COMMANDS = _commands()
# the commands that compose no letter, and so take no --locale
NO_LETTER = {"serve-unsubscribe": "answers the readers' unsubscribe requests"}


def test_help_lists_every_command_with_one_line() -> None:
    assert {"init", "compose", "check", "send", "archive", "import"} <= set(COMMANDS)
    result = run("--help")
    assert result.exit_code == 0
    block = result.stdout.split("Commands:\n")[1].split("\n\n")[0]
    listed = re.findall(r"^  ([\w-]+) +(\S.*)$", block, re.MULTILINE)
    assert [name for name, _ in listed] == COMMANDS
    for name, line in listed:
        assert not line.endswith("..."), f"{name}: description cut: {line}"
    assert "Exit codes: 0 success, 1" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_examples_dir_and_locale(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "-C, --dir" in result.stdout
    assert ("--locale" in result.stdout) is (command not in NO_LETTER)


def test_version_and_completion() -> None:
    assert re.fullmatch(r"lettre \d+\.\d+\.\d+\n", run("--version").stdout)
    completion = run("--show-completion", "bash", SHELL="/bin/bash")
    assert completion.exit_code == 0
    assert "_LETTRE_COMPLETE" in completion.stdout or "complete" in completion.stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("lettre new co", "communique"),
        ("lettre preview --week l", "last"),
        ("lettre preview --week p", "prochaine"),
        ("lettre compose --week der", "dernière"),
        ("lettre list -C {samples} --kind r", "resultats"),
    ],
)
def test_shell_completion_of_kinds_and_weeks(samples: Path, words: str, expected: str) -> None:
    words = words.format(samples=samples)
    env = {"_LETTRE_COMPLETE": "complete_bash", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - 1)
    result = CliRunner().invoke(app, [], env=env, prog_name="lettre")
    assert result.stdout.split() == [expected]


def test_unknown_option_is_a_usage_error(samples: Path) -> None:
    result = run("list", "--colour", "-C", samples)
    assert result.exit_code == 2
    assert "No such option" in result.stderr


# --- init ------------------------------------------------------------------------------------


def test_init_then_new_then_compose_in_an_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ma-lettre"
    created = run("init", folder)
    assert created.exit_code == 0, created.stderr
    names = sorted(str(Path(p).relative_to(folder)) for p in created.stdout.split())
    assert "lettre.toml" in names and "anniversaries.yaml" in names
    kinds = sorted(
        re.search(r"^kind: (\w+)$", (folder / n).read_text(), re.MULTILINE)[1]  # type: ignore[index]
        for n in names
        if n.startswith("items/")
    )
    assert kinds == ["anniversaire", "communique", "resultats"]
    assert "# " in (folder / "lettre.toml").read_text(encoding="utf-8")  # commented config

    new = run("new", "communique", "--title", "Portes ouvertes : venez nombreux", "-C", folder)
    assert new.exit_code == 0, new.stderr
    path = Path(new.stdout.strip())
    assert path.parent == folder / "items"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-portes-ouvertes-venez-nombreux\.md", path.name)

    # the examples of init are never sent: the e-mail is refused, a proof marks them
    refused = run("compose", "-C", folder)  # the default week: this one
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "holds example content" in refused.stderr
    proof = run("compose", "-C", folder, "--format", "text")
    assert proof.exit_code == 0, proof.stderr
    text = proof.stdout
    assert "Portes ouvertes\u00a0: venez nombreux" in text
    assert "[EXEMPLE] Bienvenue dans votre lettre hebdomadaire" in text
    assert "[EXEMPLE] Tournoi de volley inter-services" in text
    assert "[EXEMPLE] Le club de course à pied a 10\u00a0ans" in text
    assert "fête ses" not in text  # init's anniversaries are commented out
    checked = run("check", "-C", folder)
    assert checked.exit_code == 1, checked.stdout
    # the body that `lettre new` wrote as an example is named with the rest
    assert (
        f"{path}:10: error: the body still holds the example text of 'lettre new': write your own\n"
        in checked.stdout
    )


def test_init_refuses_a_non_empty_folder_and_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "lettre.toml").write_text("# mine\n", encoding="utf-8")
    refused = run("init", "-C", tmp_path)
    assert refused.exit_code == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lettre.toml"]

    forced = run("init", "--force", "-C", tmp_path)
    assert forced.exit_code == 0, forced.stderr
    assert (tmp_path / "lettre.toml").read_text(encoding="utf-8") == "# mine\n"
    assert f"kept {tmp_path / 'lettre.toml'}" in forced.stderr
    assert (tmp_path / "anniversaries.yaml").is_file()
    assert len(list((tmp_path / "items").glob("*.md"))) == 3
    assert not list(tmp_path.rglob("*.tmp"))


def test_init_ignores_a_git_folder_and_takes_a_locale(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    result = run("init", "--locale", "fr-be", "-C", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert 'locale = "fr_BE"' in (tmp_path / "lettre.toml").read_text(encoding="utf-8")
    bad = run("init", tmp_path / "autre", "--locale", "xx")
    assert bad.exit_code == 2 and not (tmp_path / "autre").exists()
    assert bad.stderr.startswith("Error: --locale: unknown locale 'xx'")


# --- new -------------------------------------------------------------------------------------


def test_new_writes_the_front_matter_of_its_kind(samples: Path, tmp_path: Path) -> None:
    folder = tmp_path / "f"
    run("init", folder)
    result = run(
        "new", "resultats", "--title", "Armée de champions", "--date", "2025-06-11", "-C", folder
    )
    assert result.exit_code == 0, result.stderr
    path = folder / "items" / "2025-06-11-armee-de-champions.md"
    assert result.stdout == f"{path}\n"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ndate: 2025-06-11\nkind: resultats\ntitle: Armée de champions\n")
    assert "results:\n  - sport:" in text and "period:\n  start: 2025-06-02\n" in text
    listed = run("list", "--week", "2025-06-13", "-C", folder)
    assert "Armée de champions" in listed.stdout

    birthday = run("new", "anniversaire", "-t", "Les 20 ans", "-d", "2025-06-05", "-C", folder)
    assert "founded: 2015-06-05" in Path(birthday.stdout.strip()).read_text(encoding="utf-8")


def test_new_never_overwrites_and_adds_a_suffix(make_folder: Callable[..., Path]) -> None:
    folder = make_folder()
    mine = folder / "items" / "2025-06-10-defile-du-14-juillet.md"
    mine.write_text("mine", encoding="utf-8")
    paths = [
        run(
            "new", "communique", "-t", "Défilé du 14 Juillet !", "-d", "2025-06-10", "-C", folder
        ).stdout.strip()
        for _ in range(2)
    ]
    assert [Path(p).name for p in paths] == [
        "2025-06-10-defile-du-14-juillet-2.md",
        "2025-06-10-defile-du-14-juillet-3.md",
    ]
    assert mine.read_text(encoding="utf-8") == "mine"


def test_new_title_with_quotes_and_colons_reads_back(make_folder: Callable[..., Path]) -> None:
    folder = make_folder()
    title = "« Cordée » : l'image d'un 'stage' # de montagne"
    result = run("new", "communique", "-t", title, "-d", "2025-06-12", "-C", folder)
    assert result.exit_code == 0, result.stderr
    text = run("compose", "-w", "2025-06-13", "-C", folder, "-f", "json").stdout
    assert "«\u202fCordée\u202f»\u00a0: l’image d’un ‘stage’ # de montagne" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "comunique", "-t", "T"], "unknown kind 'comunique' (did you mean 'communique'?)"),
        (["new", "communique", "-t", "  "], "--title: the title is empty"),
        (
            ["new", "communique", "-t", "T", "-d", "2025-02-30"],
            "--date: 2025-02-30 is not a date in the calendar (February 2025 has 28 days)",
        ),
        (["new", "communique"], "Missing option '--title'"),
        (["new", "anniversaire", "-t", "T", "-d", "0005-01-01"], "--date: 0005-01-01 is out of"),
        (["new", "resultats", "-t", "T", "-d", "0001-01-02"], "--date: 0001-01-02 is out of"),
        (["new", "communique", "-t", "T", "-d", "0500-01-01"], "--date: 0500-01-01 is out of"),
        (["new", "communique", "-t", "T", "-d", "3000-01-01"], "--date: 3000-01-01 is out of"),
    ],
)
def test_new_usage_errors(make_folder: Callable[..., Path], args: list[str], message: str) -> None:
    folder = make_folder()
    result = run(*args, "-C", folder)
    assert result.exit_code == 2
    assert message in result.stderr
    assert sorted(p.name for p in (folder / "items").iterdir()) == ["2025-06-10-un-titre.md"]


@pytest.mark.parametrize("kind", ["communique", "resultats", "anniversaire"])
@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_new_items_at_the_date_bounds_read_back(
    make_folder: Callable[..., Path], kind: str, day: str
) -> None:
    folder = make_folder()
    result = run("new", kind, "-t", "Aux bornes", "-d", day, "-C", folder)
    assert result.exit_code == 0, result.stderr
    checked = run("check", "-C", folder).stdout.splitlines()
    # it reads back: the only errors are its example text, left to write
    assert checked and all("of 'lettre new'" in line for line in checked)


def test_new_edit_with_an_unclosed_quote_in_the_editor(make_folder: Callable[..., Path]) -> None:
    folder = make_folder()
    result = run("new", "communique", "-t", "T", "-d", "2025-06-11", "-e", "-C", folder,
                 EDITOR='vim "-c')  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --edit: $EDITOR is not a valid command (no closing quotation): 'vim \"-c' "
        f"(the item is {result.stdout.strip()})\n"
    )


def test_new_edit_opens_the_editor(make_folder: Callable[..., Path], tmp_path: Path) -> None:
    folder = make_folder()
    log = tmp_path / "editor.log"
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys\nopen({str(log)!r}, 'w').write(sys.argv[1])\n")
    result = run(
        "new", "communique", "-t", "Édité", "-d", "2025-06-10", "--edit", "-C", folder,
        EDITOR=f"{sys.executable} {editor}",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert log.read_text() == result.stdout.strip()


def test_new_edit_reports_a_file_broken_in_the_editor(
    make_folder: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_folder()
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'w').write('---\\ndate: 2025-06-10\\n---\\n')\n"
    )
    result = run(
        "new", "communique", "-t", "Cassé", "-d", "2025-06-10", "-e", "-C", folder,
        VISUAL=f"{sys.executable} {editor}",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "2025-06-10-casse.md:1: missing 'kind:'" in result.stderr
    assert (folder / "items" / "2025-06-10-casse.md").exists()


# --- list and weeks --------------------------------------------------------------------------


def test_list_a_week(samples: Path) -> None:
    result = run("list", "--week", "2025-06-13", "-C", samples)
    assert result.exit_code == 0, result.stderr
    out = flat(result.stdout)
    assert out.startswith(" Date Rubrique Titre ")
    assert out.index("dimanche 8 juin 2025") < out.index("jeudi 12 juin 2025")
    assert "mardi 10 juin 2025 Communiqués Concours photo des armées\u00a0: les" in out
    assert "mercredi 11 juin 2025 Armée de champions Armée de champions" in out
    assert "2025-06-12-repetitions-du-14-juillet.md" in out
    assert "2025-06-16" not in out and "6 juin 2025" not in out.replace("16 juin", "")


def test_list_filters(samples: Path) -> None:
    results = flat(run("list", "--all", "--kind", "resultats", "-C", samples).stdout)
    assert results.count("Armée de champions\u00a0: les résultats") == 3
    assert "Communiqués" not in results
    may = flat(run("list", "--since", "2025-05-20", "--until", "2025-05-28", "-C", samples).stdout)
    assert re.findall(r"\w+di \d+ mai 2025", may) == [
        "jeudi 22 mai 2025",
        "lundi 26 mai 2025",
        "mercredi 28 mai 2025",
    ]
    narrowed = flat(run("list", "-w", "2025-06-13", "--since", "2025-06-10", "-C", samples).stdout)
    assert "dimanche 8 juin" not in narrowed and "jeudi 12 juin" in narrowed


def test_list_empty_and_bad_options(samples: Path) -> None:
    empty = run("list", "--week", "2024-01-05", "-C", samples)
    assert empty.exit_code == 0 and empty.stdout == ""
    assert "no item from 2023-12-30 to 2024-01-05" in empty.stderr
    kind = run("list", "--kind", "sport", "-C", samples)
    assert kind.exit_code == 2 and "--kind: unknown kind 'sport'" in kind.stderr
    since = run("list", "--since", "hier", "-C", samples)
    assert since.exit_code == 2 and "--since: 'hier' is not a date" in since.stderr


def test_weeks(samples: Path) -> None:
    result = run("weeks", "-C", samples)
    assert result.exit_code == 0, result.stderr
    out = flat(result.stdout)
    assert "Lettre du Communiqués Armée de champions Anniversaires Total" in out
    english = flat(run("weeks", "-C", samples, "--locale", "en_GB").stdout)
    assert "Letter of Press releases Army of Champions Anniversaries Total" in english
    assert "13 June 2025 3 1 1 5" in english
    assert "13 juin 2025 3 1 1 5 du 7 au 13 juin 2025" in out
    assert "6 juin 2025 2 1 3 du 31 mai au 6 juin 2025" in out
    assert "30 juillet 2021 1 1 du 24 au 30 juillet 2021" in out
    dates = re.findall(r"^ +(\d+ \w+ \d{4}) ", result.stdout, re.MULTILINE)
    assert dates[0] == "30 juillet 2021" and dates[-1] == "20 juin 2025"
    june = run("weeks", "--since", "2025-06-01", "--until", "2025-06-10", "-C", samples)
    dates = re.findall(r"^ +(\d+ \w+ \d{4}) ", june.stdout, re.MULTILINE)
    assert dates == ["6 juin 2025", "13 juin 2025"]


def test_list_and_weeks_report_broken_files_and_show_the_rest(
    make_folder: Callable[..., Path],
) -> None:
    folder = make_folder(
        {"2025-06-10-ok.md": item_text(), "2025-06-11-bad.md": item_text(date="2025-13-01")}
    )
    for command in (["list", "--all"], ["weeks"]):
        result = run(*command, "-C", folder)
        assert result.exit_code == 1
        assert "Un titre" in result.stdout or "1" in result.stdout
        assert f"Error: {folder / 'items' / '2025-06-11-bad.md'}:2: 'date'" in result.stderr


# --- check -----------------------------------------------------------------------------------


def test_check_samples_is_clean(samples: Path) -> None:
    result = run("check", "-C", samples)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert result.stderr == "18 files checked: no problem\n"
    with_week = run("check", "--week", "2025-06-13", "-C", samples)
    assert with_week.exit_code == 0, with_week.stdout


def test_check_lists_all_broken_items_with_file_and_line(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(
        {
            "2025-06-10-ok.md": item_text(),
            "2025-02-30-date.md": "---\ndate: 2025-02-30\nkind: communique\ntitle: T\n---\n",
            "2025-06-11-kind.md": "---\ndate: 2025-06-11\nkind: comunique\ntitle: T\n---\n",
            "2025-06-12-yaml.md": "---\ndate: 2025-06-12\nkind: communique\ntitle: [x\n---\n",
            "2025-06-13-keys.md": item_text(date="2025-06-14", sumary="Un chapô"),
        }
    )
    (folder / "items" / "notes.txt").write_text("idées", encoding="utf-8")
    (folder / "items" / "2024").mkdir()
    result = run("check", "-C", folder)
    assert result.exit_code == 1
    items = folder / "items"
    assert result.stdout.splitlines() == [
        f"{items}/2025-02-30-date.md:2: error: 'date': 2025-02-30 is not a date in the calendar "
        "(February 2025 has 28 days)",
        f"{items}/2025-06-11-kind.md:3: error: unknown kind 'comunique' (did you mean "
        "'communique'?); known kinds: communique, resultats, anniversaire",
        f"{items}/2025-06-12-yaml.md:4: error: invalid YAML: the '[' is never closed; if the "
        "brackets are part of the text, put the whole value in quotes",
        f"{items}/2024: warning: not read: items in sub-folders are left out "
        "(move them up to items/)",
        f"{items}/2025-06-13-keys.md:2: warning: the file name says 2025-06-13 but 'date:' is "
        "2025-06-14",
        f"{items}/2025-06-13-keys.md:5: warning: unknown key 'sumary' ignored "
        "(did you mean 'summary'?)",
        f"{items}/notes.txt: warning: not read: item files end in '.md' (rename it to use it)",
    ]
    assert result.stderr == "5 files checked: 3 errors, 4 warnings\n"


def test_check_week_reports_a_letter_that_cannot_be_composed(
    make_folder: Callable[..., Path],
) -> None:
    folder = make_folder()
    empty = run("check", "--week", "2024-01-05", "-C", folder)
    assert empty.exit_code == 1
    assert empty.stdout.startswith("error: no item for the letter of 2024-01-05")
    (folder / "templates").mkdir()
    (folder / "templates" / "letter.txt.j2").write_text("{{ letter.nope }}\n", encoding="utf-8")
    broken = run("check", "--week", "2025-06-13", "-C", folder)
    assert broken.exit_code == 1
    assert re.match(rf"{folder}/templates/letter\.txt\.j2:1: error: template error", broken.stdout)


def test_check_warns_about_duplicates_and_empty_alt(make_folder: Callable[..., Path]) -> None:
    image = "{src: https://example.org/a.jpg, alt: ''}"
    folder = make_folder(
        {
            "2025-06-10-a.md": item_text(title="Même titre"),
            "2025-06-10-b.md": item_text(title="Même titre", image=image),
            "2025-06-11-c.md": item_text(date="2025-06-11", kind="anniversaire", title="Fête"),
        }
    )
    result = run("check", "-C", folder)
    assert result.exit_code == 0
    out = result.stdout
    assert "2025-06-10-b.md:1: warning: same date and title as 2025-06-10-a.md" in out
    assert "2025-06-10-b.md:5: warning: 'image.alt' is empty" in out
    assert "2025-06-11-c.md:3: warning: an 'anniversaire' without 'founded:'" in out


def test_check_broken_anniversaries_and_config(
    make_folder: Callable[..., Path], tmp_path: Path
) -> None:
    folder = make_folder()
    (folder / "anniversaries.yaml").write_text("- name: X\n  founded: hier\n", encoding="utf-8")
    result = run("check", "-C", folder)
    assert result.exit_code == 1
    assert f"{folder}/anniversaries.yaml:2: error: 'founded'" in result.stdout
    (folder / "items" / "2025-06-10-un-titre.md").unlink()
    (folder / "items").rmdir()
    no_items = run("check", "-C", folder)
    assert f"{folder}/items: warning: no items folder" in no_items.stdout
    no_config = run("check", "-C", tmp_path)
    assert no_config.exit_code == 1 and "no lettre.toml here" in no_config.stderr


def test_init_in_a_folder_that_cannot_be_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "secret"
    folder.mkdir()

    def refuse(path: Path) -> None:  # as a folder without read permission would, even for root
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(Path, "iterdir", refuse)
    result = run("init", folder)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {folder}: cannot read this folder: Permission denied\n"


def test_check_fails_where_compose_fails_on_a_broken_anniversaries_link(
    make_folder: Callable[..., Path],
) -> None:
    folder = make_folder()
    (folder / "anniversaries.yaml").symlink_to("ailleurs.yaml")
    message = (
        f"{folder}/anniversaries.yaml: error: broken symbolic link: "
        "its target 'ailleurs.yaml' does not exist\n"
    )
    checked = run("check", "-C", folder)
    assert checked.exit_code == 1
    assert message in checked.stdout
    composed = run("compose", "-C", folder, "--week", "2025-06-10")
    assert composed.exit_code == 1
    assert composed.stderr == "Error: " + message.replace("error: ", "")


def test_today_is_the_default_week(make_folder: Callable[..., Path]) -> None:
    today = dt.date.today().isoformat()
    folder = make_folder({f"{today}-a.md": item_text(date=today, title="Aujourd'hui")})
    assert "Aujourd’hui" in run("list", "-C", folder).stdout
    assert "Aujourd’hui" in run("preview", "-C", folder).stdout


def test_check_output_carries_no_escape_sequence(make_folder: Callable[..., Path]) -> None:
    bad = '---\ndate: 2025-06-10\nkind: "x\\e[2J"\ntitle: T\n---\n'
    folder = make_folder({"2025-06-10-a.md": bad})
    result = run("check", "-C", folder)
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "unknown kind 'x\\x1b[2J'" in result.stdout


def test_errors_carry_no_escape_sequence_from_a_file_name(make_folder: Callable[..., Path]) -> None:
    name = "2025-06-10-\x1b[31mrouge.md"
    folder = make_folder({name: item_text(kind="inconnu")})
    listed = run("list", "-C", folder, "--all")
    composed = run("compose", "-C", folder, "--week", "2025-06-10")
    for result in (listed, composed):
        assert result.exit_code == 1
        assert "\x1b" not in result.stderr
        assert "2025-06-10-\\x1b[31mrouge.md" in result.stderr
        assert "Traceback" not in result.stderr


def test_progress_lines_carry_no_escape_sequence(samples: Path, tmp_path: Path) -> None:
    out = tmp_path / "sortie-\x1b[2J"
    result = run("compose", "-C", samples, "--week", "2025-06-13", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr
    assert "sortie-\\x1b[2J/lettre-2025-06-13.eml" in result.stderr


# --- what a new user meets first (#14) -------------------------------------------------------

WIDE_CONFIG = """\
title = "Lettre"
[sender]
address = "communication@example.org"
[recipients]
to = ["abonnes@example.net"]
[[sections]]
kind = "communique"
label = "Communiqués de presse"
[[sections]]
kind = "resultats"
label = "Armée de champions"
[[sections]]
kind = "vie-des-unites"
label = "Vie des unités"
[[sections]]
kind = "agenda"
label = "Agenda des manifestations"
"""


def test_weeks_in_a_file_keeps_every_column_whole(make_folder: Callable[..., Path]) -> None:
    """Not on a terminal (`> file`, cron), the table is as wide as it needs."""
    folder = make_folder(
        {
            f"2025-06-10-{kind}.md": item_text(kind=kind, title=kind)
            for kind in ("communique", "resultats", "vie-des-unites", "agenda")
        },
        config=WIDE_CONFIG.replace("Lettre", "Lettre"),
    )
    result = run("weeks", "-C", folder, COLUMNS=None)
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header[-4:] == ["Agenda", "des", "manifestations", "Total"]
    assert result.stdout.splitlines()[2].split()[-2:] == ["1", "4"]


def test_init_hint_is_shell_quoted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "Lettre d'été")
    assert result.exit_code == 0, result.stderr
    assert "Next: lettre preview -C 'Lettre d'\"'\"'été', then lettre new -C " in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compose", "--week", "2025-06-31"], "--week: 2025-06-31 is not a date in the calendar "
         "(June 2025 has 30 days)"),
        (["new", "communique", "-t", "T", "--date", "2025-06-31"], "--date: 2025-06-31 is not a "
         "date in the calendar (June 2025 has 30 days)"),
        (["list", "--since", "2025-00-10"], "--since: 2025-00-10 is not a date in the calendar "
         "(there is no month 0: months go from 01 to 12)"),
    ],
)  # fmt: skip
def test_a_day_that_does_not_exist_is_named(
    make_folder: Callable[..., Path], args: list[str], message: str
) -> None:
    result = run(*args, "-C", make_folder())
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"


def test_the_folder_is_found_upward_like_git(
    make_folder: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_folder()
    (folder / "items" / "photos").mkdir()
    monkeypatch.chdir(folder / "items" / "photos")
    listed = run("list", "--all")
    assert listed.exit_code == 0, listed.stderr
    assert "Un titre" in listed.stdout
    new = run("new", "communique", "-t", "Trouvé plus haut", "-d", "2025-06-11")
    assert new.exit_code == 0, new.stderr
    assert new.stdout == "../../items/2025-06-11-trouve-plus-haut.md\n"
    assert (folder / "items" / "2025-06-11-trouve-plus-haut.md").is_file()
    monkeypatch.chdir(folder.parent)
    lost = run("list", "--all")
    assert lost.exit_code == 1
    assert lost.stderr.startswith(
        "Error: lettre.toml: no lettre.toml here nor in the folders above"
    )


def test_list_suggests_a_kind(samples: Path) -> None:
    result = run("list", "--kind", "resultat", "-C", samples)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --kind: unknown kind 'resultat' (did you mean 'resultats'?); "
        "known kinds: communique, resultats, anniversaire\n"
    )


def test_a_local_address_is_accepted_with_a_warning(make_folder: Callable[..., Path]) -> None:
    config = (
        'title = "Lettre"\n[sender]\naddress = "root@localhost"\n'
        '[recipients]\nto = ["abonnes@example.net", "lettre@intranet"]\n'
    )
    folder = make_folder(config=config)
    composed = run("compose", "-C", folder, "-w", "2025-06-13")
    assert composed.exit_code == 0, composed.stderr
    message = email.message_from_bytes(composed.stdout_bytes, policy=email.policy.default)
    assert message["From"] == "root@localhost"
    checked = run("check", "-C", folder)
    assert checked.exit_code == 0
    toml = folder / "lettre.toml"
    assert checked.stdout == (
        f"{toml}:3: warning: 'sender.address': root@localhost is a local address (no domain): "
        "the mail relay of this machine delivers it, but nobody elsewhere can write to it\n"
        f"{toml}:5: warning: 'recipients.to': lettre@intranet is a local address (no domain): "
        "the mail relay of this machine delivers it, but nobody elsewhere can write to it\n"
    )


@pytest.mark.parametrize("written", ["2005", '"2005"'])
def test_a_year_alone_says_what_to_write(make_folder: Callable[..., Path], written: str) -> None:
    folder = make_folder(
        {"2025-06-10-club.md": item_text(kind="anniversaire", title="Vingt ans", founded=written)}
    )
    result = run("check", "-C", folder)
    assert result.exit_code == 1
    assert result.stdout == (
        f"{folder / 'items' / '2025-06-10-club.md'}:5: error: 'founded': 2005 is a year, not a "
        "date: write the whole date, year-month-day (2005-06-13), or 2005-01-01 when only the "
        "year is known\n"
    )


def test_the_footer_names_the_sender_as_footer_name_says(make_folder: Callable[..., Path]) -> None:
    config = CONFIG.replace(
        'name = "Cellule communication"\n',
        'name = "Cellule communication"\n'
        'footer_name = "la Cellule communication du commandement"\n',
    )
    folder = make_folder(config=config)
    said = "Vous recevez cette lettre de la part de la Cellule communication du commandement."
    text = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "text")
    assert text.exit_code == 0, text.stderr
    assert said in flat(text.stdout)
    html = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "html").stdout
    assert f"{said}</p>" in html
    assert said in flat(run("preview", "-C", folder, "-w", "2025-06-13").stdout)
    # without it, the display name
    plain = run("compose", "-C", make_folder(name="autre"), "-w", "2025-06-13", "-f", "text")
    assert "de la part de Cellule communication." in flat(plain.stdout)
