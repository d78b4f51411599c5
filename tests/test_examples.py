"""Example content never reaches readers: what init and new wrote is named, refused, marked."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from lettre.cli import app
from lettre.scaffold import init_folder

ENV = {"COLUMNS": "100", "FORCE_COLOR": None, "NO_COLOR": None, "VISUAL": None, "EDITOR": None}
TODAY = dt.date(2025, 6, 11)  # a Wednesday: the letter of Friday 13 June
WEEK = "2025-06-13"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV, catch_exceptions=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    init_folder(tmp_path / "ma-lettre", TODAY)
    return tmp_path / "ma-lettre"


def example_items(folder: Path) -> list[Path]:
    return sorted((folder / "items").glob("*.md"))


def config_line(folder: Path, table: str) -> int:
    """The line of `example = true` in `[table]` of the folder's lettre.toml."""
    lines = (folder / "lettre.toml").read_text(encoding="utf-8").split("\n")
    start = lines.index(f"[{table}]")
    return start + 1 + lines[start:].index("example = true")


def own_addresses(folder: Path) -> None:
    """What the user does: their own addresses, and the `example = true` lines deleted."""
    path = folder / "lettre.toml"
    text = path.read_text(encoding="utf-8").replace("example = true\n", "")
    text = text.replace("communication@example.org", "communication@defense.example")
    path.write_text(text, encoding="utf-8")


def test_right_after_init_an_email_is_refused_naming_each_example(folder: Path) -> None:
    items = example_items(folder)
    assert len(items) == 3
    result = run("compose", "-C", folder, "--week", WEEK)
    assert result.exit_code == 1
    assert result.stdout == ""  # nothing reaches sendmail
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"Error: the letter of {WEEK} holds example content, which is never sent to readers:"
    )
    toml = folder / "lettre.toml"
    for table, what in [
        ("sender", "[sender] is an example (example = true)"),
        ("recipients", "[recipients] are examples (example = true)"),
        ("unsubscribe", "[unsubscribe] is an example (example = true)"),
    ]:
        assert any(
            line.startswith(f"  {toml}:{config_line(folder, table)}: {what}") for line in lines
        )
    for item in items:  # `example: true` is the item's line 2
        assert f"  {item}:2: an example item (example: true): write your own items" in (
            result.stderr
        )
    assert len([line for line in lines if line.startswith("  ")]) == 6

    out = folder / "build"
    written = run("compose", "-C", folder, "--week", WEEK, "--out", out)
    assert written.exit_code == 1 and "holds example content" in written.stderr
    assert not out.exists()


def test_init_comments_out_its_anniversaries(folder: Path) -> None:
    text = (folder / "anniversaries.yaml").read_text(encoding="utf-8")
    assert "# - name: L'association sportive" in text
    assert not re.search(r"^- ", text, re.MULTILINE)


def test_the_text_proof_marks_each_example(folder: Path) -> None:
    result = run("compose", "-C", folder, "--week", WEEK, "--format", "text")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith(
        "*** EXEMPLE\u00a0: [sender], [recipients], [unsubscribe] de lettre.toml sont"
    )
    for title in (
        "Bienvenue dans votre lettre hebdomadaire",
        "Tournoi de volley inter-services\u00a0: les résultats",
        "Le club de course à pied a 10\u00a0ans",
    ):
        assert f"[EXEMPLE] {title}\n" in text
    html = run("compose", "-C", folder, "--week", WEEK, "--format", "html").stdout
    assert html.count(">EXEMPLE</span>") == 3


def test_preview_marks_each_example(folder: Path) -> None:
    result = run("preview", "-C", folder, "--week", WEEK)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(" EXEMPLE  ") == 3
    assert "EXEMPLE\u00a0: [sender], [recipients], [unsubscribe]" in result.stdout


def test_check_reports_each_example(folder: Path) -> None:
    result = run("check", "-C", folder)
    assert result.exit_code == 1
    toml = folder / "lettre.toml"
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 6
    for item in example_items(folder):
        assert f"{item}:2: error: an example item (example: true)" in result.stdout
    for table in ("sender", "recipients", "unsubscribe"):
        assert f"{toml}:{config_line(folder, table)}: error: [{table}]" in result.stdout


def test_without_the_example_items_the_addresses_are_still_named(folder: Path) -> None:
    for item in example_items(folder):
        item.unlink()
    result = run("compose", "-C", folder, "--week", WEEK)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Error: this folder holds example content" in result.stderr
    assert result.stderr.count("(example = true)") == 3
    assert f"and no item for the letter of {WEEK}" in result.stderr
    assert "fête" not in result.stderr  # no invented anniversary, ever

    own_addresses(folder)
    empty = run("compose", "-C", folder, "--week", WEEK)
    assert empty.exit_code == 1
    assert empty.stderr.startswith(f"Error: no item for the letter of {WEEK}")


def test_an_anniversary_of_an_older_init_is_named(folder: Path) -> None:
    """The active entries that lettre init wrote before: found, never composed."""
    (folder / "anniversaries.yaml").write_text(
        "- name: L'association sportive\n"
        "  founded: 2020-06-12\n"
        "  url: https://www.example.org/association\n"
        "- name: Le foyer des cadets\n"
        "  founded: 1975-09-15\n",
        encoding="utf-8",
    )
    own_addresses(folder)
    for item in example_items(folder):
        item.unlink()
    (folder / "items" / "2025-06-10-mine.md").write_text(
        "---\ndate: 2025-06-10\nkind: communique\ntitle: Le mien\n---\nMon texte.\n",
        encoding="utf-8",
    )
    result = run("compose", "-C", folder, "--week", WEEK)
    assert result.exit_code == 1
    path = folder / "anniversaries.yaml"
    assert (
        f"  {path}:1: the anniversary 'L'association sportive fête ses 5\u00a0ans' comes "
        "from an example entry" in result.stderr
    )
    checked = run("check", "-C", folder)
    assert f"{path}:1: error: the anniversary of 'L'association sportive'" in checked.stdout
    assert f"{path}:4: error: the anniversary of 'Le foyer des cadets'" in checked.stdout


def test_what_new_wrote_counts_until_replaced(folder: Path) -> None:
    own_addresses(folder)
    for item in example_items(folder):
        item.unlink()
    made = {}
    for kind in ("communique", "resultats", "anniversaire"):
        result = run("new", kind, "--title", f"Mon {kind}", "--date", "2025-06-10", "-C", folder)
        assert result.exit_code == 0, result.stderr
        made[kind] = Path(result.stdout.strip())
    refused = run("compose", "-C", folder, "--week", WEEK)
    assert refused.exit_code == 1
    communique, resultats, anniversaire = made.values()
    assert f"  {communique}:10: the body still holds the example text of 'lettre new'" in (
        refused.stderr
    )
    assert (
        f"  {resultats}:13: 'results' row 1 still holds the example text of 'lettre new' in "
        in (refused.stderr)
    )
    assert (
        f"  {anniversaire}:9: 'founded' is still the example date of 'lettre new' "
        "(2015-06-10, ten years before the item)" in refused.stderr
    )

    # the user writes their own words
    body = communique.read_text(encoding="utf-8").split("---\n")[-1]
    communique.write_text(
        communique.read_text(encoding="utf-8").replace(body, "Notre texte à nous.\n"),
        encoding="utf-8",
    )
    text = resultats.read_text(encoding="utf-8")
    for old, new in [
        ("sport: Sport", "sport: Judo"),
        ("grade: Grade", "grade: Sergent"),
        ("name: Prénom Nom", "name: Léa Fontaine"),
        ("event: Épreuve", "event: -63 kg"),
        ("competition: Compétition", "competition: Championnats de France"),
        ("city: Ville", "city: Paris"),
        ("country: Pays", "country: France"),
        ("Quelques mots sur les résultats de la période.", "Une belle moisson."),
    ]:
        text = text.replace(old, new)
    resultats.write_text(text, encoding="utf-8")
    replace(
        anniversaire, "founded: 2015-06-10  # exemple : la date de création", "founded: 2005-06-12"
    )
    replace(anniversaire, "Ce que cet anniversaire rappelle, en quelques lignes.", "Vingt ans.")

    sent = run("compose", "-C", folder, "--week", WEEK)
    assert sent.exit_code == 0, sent.stderr
    message = email.message_from_bytes(sent.stdout_bytes, policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Notre texte à nous." in plain and "Léa Fontaine" in plain
    assert "EXEMPLE" not in plain
    assert message["From"] == "Cellule communication <communication@defense.example>"


def test_the_example_founded_date_counts_only_with_its_comment(folder: Path) -> None:
    """A real foundation ten years to the day before the item is the user's, comment gone."""
    own_addresses(folder)
    for item in example_items(folder):
        item.unlink()
    made = run("new", "anniversaire", "--title", "Dix ans", "--date", "2025-06-10", "-C", folder)
    path = Path(made.stdout.strip())
    replace(path, "Ce que cet anniversaire rappelle, en quelques lignes.", "Dix ans déjà.")
    assert run("compose", "-C", folder, "--week", WEEK).exit_code == 1
    replace(path, "  # exemple : la date de création", "")
    assert run("compose", "-C", folder, "--week", WEEK).exit_code == 0


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_archive_refuses_examples_and_writes_nothing(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the archive holds example content")
    assert result.stderr.count(":2: an example item (example: true)") == 3
    assert not out.exists()


def test_check_warns_when_the_title_years_differ(make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(
        {
            "2025-06-10-club.md": "---\ndate: 2025-06-10\nkind: anniversaire\n"
            "title: Le club a 10 ans\nfounded: 2005-06-10\n---\nTexte.\n",
            "2025-06-11-base.md": "---\ndate: 2025-06-11\nkind: anniversaire\n"
            "title: La base fête ses 20 ans\nfounded: 2005-06-11\n---\nTexte.\n",
        }
    )
    result = run("check", "-C", folder)
    assert result.exit_code == 0
    assert result.stdout == (
        f"{folder / 'items' / '2025-06-10-club.md'}:4: warning: the title says 10 years but "
        "'founded' (2005-06-10) makes 20 on 2025-06-10: check the title or 'founded'\n"
    )


def test_list_and_json_mark_the_examples(folder: Path) -> None:
    import json

    listed = run("list", "-C", folder, "--week", WEEK)
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.count(" EXEMPLE ") == 3
    data = json.loads(run("compose", "-C", folder, "-w", WEEK, "-f", "json").stdout)
    entries = [entry for section in data["sections"] for entry in section["items"]]
    assert [(e["example"], e["marks"], e["draft"]) for e in entries] == [
        (True, ["EXEMPLE"], False)
    ] * 3
    assert data["notices"][0].startswith("EXEMPLE\u00a0: [sender], [recipients], [unsubscribe]")


def test_once_the_user_makes_them_theirs_the_letter_composes(folder: Path) -> None:
    own_addresses(folder)
    for item in example_items(folder):  # kept, edited, the example line deleted
        lines = item.read_text(encoding="utf-8").split("\n")
        item.write_text("\n".join(t for t in lines if not t.startswith("example:")), "utf-8")
    result = run("compose", "-C", folder, "--week", WEEK)
    assert result.exit_code == 0, result.stderr
    message = email.message_from_bytes(result.stdout_bytes, policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bienvenue dans votre lettre hebdomadaire" in plain
    assert "EXEMPLE" not in plain and "fête ses" not in plain
    assert run("check", "-C", folder).exit_code == 0
