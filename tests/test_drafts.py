"""Drafts, files put aside, and what a week holds: compose, list, weeks and archive agree."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conftest import item_text
from lettre.cli import app

ENV = {"COLUMNS": "120", "FORCE_COLOR": None, "NO_COLOR": None}


def run(*args: str | Path, **env: str | None) -> Result:
    return CliRunner().invoke(
        app, [str(a) for a in args], env={**ENV, **env}, catch_exceptions=False
    )


def flat(text: str) -> str:
    return re.sub(r"[ \n│─]+", " ", text)


@pytest.fixture
def folder(make_folder: Callable[..., Path]) -> Path:
    folder = make_folder(
        {
            "2025-06-10-pret.md": item_text("2025-06-10", title="Article prêt"),
            "2025-06-11-brouillon.md": item_text("2025-06-11", title="Pas fini", draft="true"),
            # a week whose only item is a draft: no letter
            "2025-06-18-seul.md": item_text("2025-06-18", title="Brouillon seul", draft="true"),
            # put aside: never read, even broken
            "_notes.md": "des notes, pas un article\n",
            ".cache.md": "\x00\x01",
            "_2025-06-12-ancien.md": item_text("2025-06-12", title="Mis de côté"),
        }
    )
    (folder / "anniversaries.yaml").write_text(
        "- name: Le club\n  founded: 2020-06-12\n- name: La base\n  founded: 2015-06-19\n",
        encoding="utf-8",
    )
    return folder


def test_a_draft_is_in_no_letter(folder: Path) -> None:
    text = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "text")
    assert text.exit_code == 0, text.stderr
    assert "Article prêt" in text.stdout
    assert "Pas fini" not in text.stdout and "Mis de côté" not in text.stdout
    eml = run("compose", "-C", folder, "-w", "2025-06-13")
    assert eml.exit_code == 0 and b"Pas fini" not in eml.stdout_bytes


def test_compose_drafts_is_a_marked_proof(folder: Path) -> None:
    proof = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "text", "--drafts")
    assert proof.exit_code == 0, proof.stderr
    assert "[BROUILLON] Pas fini\n" in proof.stdout
    assert "[BROUILLON] Article prêt" not in proof.stdout
    html = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "html", "--drafts")
    assert '<span class="mark"' in html.stdout and ">BROUILLON</span> Pas fini" in html.stdout
    for refused in (
        run("compose", "-C", folder, "-w", "2025-06-13", "--drafts"),
        run("compose", "-C", folder, "-w", "2025-06-13", "--drafts", "--out", folder / "b"),
    ):
        assert refused.exit_code == 2
        assert refused.stderr.startswith("Error: --drafts makes a proof")
    assert not (folder / "b").exists()


def test_a_week_of_drafts_only_has_no_letter(folder: Path) -> None:
    result = run("compose", "-C", folder, "-w", "2025-06-20", "-f", "text")
    assert result.exit_code == 1
    assert "no item for the letter of 2025-06-20" in result.stderr
    assert "1 draft (see them with --drafts)" in result.stderr
    assert (
        "(anniversaries.yaml's 'La base fête ses 10\u00a0ans': an anniversary joins a letter, "
        "it makes none)\n" in result.stderr
    )
    proof = run("compose", "-C", folder, "-w", "2025-06-20", "-f", "text", "--drafts")
    assert proof.exit_code == 0 and "[BROUILLON] Brouillon seul" in proof.stdout
    # the anniversary of that week joins the proof: it has an item then
    assert "La base fête ses 10\u00a0ans" in proof.stdout


def test_list_shows_drafts_marked_and_the_anniversaries(folder: Path) -> None:
    result = run("list", "-C", folder, "--since", "2025-01-01", "--until", "2025-12-31")
    assert result.exit_code == 0, result.stderr
    shown = flat(result.stdout)
    assert "BROUILLON Pas fini" in shown and "BROUILLON Brouillon seul" in shown
    assert "BROUILLON Article prêt" not in shown
    assert "Mis de côté" not in shown
    # the anniversary that the letter of 13 June shows; not the one of a week of drafts
    assert "Le club fête ses 5\u00a0ans anniversaries.yaml" in shown
    assert "La base" not in shown


def test_list_all_piped_marks_drafts_in_its_plain_lines(folder: Path) -> None:
    result = run("list", "-C", folder, "--all")  # piped: one plain line per item
    assert result.exit_code == 0, result.stderr
    shown = flat(result.stdout)
    assert "[BROUILLON] Pas fini" in shown and "[BROUILLON] Brouillon seul" in shown
    assert "[BROUILLON] Article prêt" not in shown and "Article prêt" in shown
    assert "Mis de côté" not in shown
    assert "anniversaries.yaml Le club fête ses 5\u00a0ans" in shown
    assert "La base" not in shown


def test_weeks_counts_what_the_letters_hold(folder: Path) -> None:
    result = run("weeks", "-C", folder)
    assert result.exit_code == 0, result.stderr
    shown = flat(result.stdout)
    # one letter: an item and the anniversary; the draft is not counted, its week not listed
    assert "13 juin 2025 1 1 2 du 7 au 13 juin 2025" in shown
    assert "20 juin" not in shown


def test_archive_leaves_drafts_out(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.glob("2*.html")) == ["2025-06-13.html"]
    page = (out / "2025-06-13.html").read_text(encoding="utf-8")
    assert "Article prêt" in page and "Pas fini" not in page


def test_check_still_checks_drafts_and_ignores_files_put_aside(
    make_folder: Callable[..., Path],
) -> None:
    folder = make_folder(
        {
            "2025-06-11-brouillon.md": item_text("2025-06-11", draft="true", url="ftp://x"),
            "2025-06-12-oui.md": item_text("2025-06-12", draft="oui"),
            "_notes.md": "pas un article\n",
            "~2025-06-12-oui.md": "sauvegarde\n",
        }
    )
    result = run("check", "-C", folder)
    assert result.exit_code == 1
    items = folder / "items"
    assert result.stdout == (
        f"{items / '2025-06-11-brouillon.md'}:6: error: 'url' must be an http(s) or mailto "
        "address, not 'ftp://x'\n"
        f"{items / '2025-06-12-oui.md'}:5: error: 'draft' must be true or false, not 'oui'\n"
    )


@pytest.mark.parametrize("cache", ["0", "1"])
def test_the_index_knows_drafts(
    make_folder: Callable[..., Path], cache: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`weeks` dates items from their first lines (or the cache): drafts too."""
    from lettre import index

    monkeypatch.setattr(index, "CACHE_MIN_ITEMS", 1)
    monkeypatch.setattr(index, "RACY_NS", 0)
    items = {
        f"2025-06-{day:02d}-a.md": item_text(f"2025-06-{day:02d}", title=f"A{day}")
        for day in range(1, 28)
    }
    items["2025-06-11-b.md"] = item_text("2025-06-11", title="B", draft="true")
    items["2025-07-02-c.md"] = item_text("2025-07-02", title="C", draft="true  # pas prêt")
    folder = make_folder(items)
    env = {"LETTRE_NO_CACHE": "1" if cache == "0" else ""}
    for _ in range(2):  # the second run reads the cache, when there is one
        result = run("weeks", "-C", folder, **env)
        shown = flat(result.stdout)
        assert "13 juin 2025 7 7 du 7 au 13 juin 2025" in shown
        assert "juillet" not in shown
    assert (folder / ".lettre" / "items.json").exists() == (cache == "1")
