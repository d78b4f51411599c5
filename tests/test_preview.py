"""`lettre preview`: the letter in the terminal, pinned by a golden file at 80 columns.

Regenerate it after a deliberate change (with every other golden file), then review its diff:

    LETTRE_REGENERATE=1 python -m pytest -m golden
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from conftest import Golden, item_text
from lettre.cli import app

GOLDEN = Path(__file__).parent / "data" / "preview-2025-06-13.txt"
# Rich reads these: unset them so that the output depends on the arguments only
PLAIN_ENV = {"COLUMNS": "80", "LINES": None, "FORCE_COLOR": None, "NO_COLOR": None,
             "TTY_COMPATIBLE": None, "TTY_INTERACTIVE": None, "JUPYTER_COLUMNS": None,
             "TERM": "xterm-256color", "PAGER": None}  # fmt: skip


def preview(*args: str | Path, **env: str | None) -> Result:
    runner = CliRunner()
    result = runner.invoke(
        app, ["preview", *map(str, args)], env={**PLAIN_ENV, **env}, catch_exceptions=False
    )
    return result


def test_golden_preview_of_13_june_2025(samples: Path, golden: Golden) -> None:
    result = preview("--week", "2025-06-13", "-C", samples)
    assert result.exit_code == 0, result.stderr
    golden.check(GOLDEN, result.stdout)


def test_preview_shows_title_date_items_and_results(samples: Path) -> None:
    out = preview("--week", "2025-06-13", "-C", samples).stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) == 80
    assert "\x1b" not in out, "no escape codes when not a terminal"
    assert "Lettre hebdomadaire de communication" in out
    assert "vendredi 13 juin 2025 · du 7 au 13 juin 2025" in out
    flat = re.sub(r"[ \n│╭╮╰╯─]+", " ", out)  # no-break spaces stay
    for title in (
        "Journée d’hommage aux morts pour la France en Indochine",
        "Concours photo des armées\u00a0: les lauréats récompensés",
        "Armée de champions\u00a0: les résultats du 26 mai au 8 juin 2025",
        "Défilé du 14 Juillet\u00a0: premières répétitions",
        "La Lettre hebdomadaire de communication fête ses 5\u00a0ans",
    ):
        assert title in flat
    # sections as panels, in the configured order
    panels = re.findall(r"^╭─ (.+?) ─", out, re.MULTILINE)
    assert panels == ["Communiqués", "Armée de champions", "Anniversaires"]
    # the results table: ranks as French ordinals, grouped by sport, details below
    assert re.search(r"│  1er  Sergent-chef Léa Fontaine — -63\u00a0kg\s+│", out)
    assert re.search(r"│   3e  Caporal Mathis Garnier — -81\u00a0kg\s+│", out)
    assert out.index("Judo") < out.index("Athlétisme") < out.index("Cyclisme")
    assert "Meeting international, Rabat (Maroc), 1er juin 2025" in out
    # links are spelt out when they cannot be clicked
    assert "Lire la suite\u00a0: https://lettre.example.org/actualites/concours-photo-2025" in out
    assert "<https://lettre.example.org/sport/calendrier>" in out
    # the item of 5 June belongs to the letter of 6 June
    assert "Service d'infrastructure" not in out


def test_terminal_gets_colours_and_clickable_links(samples: Path) -> None:
    out = preview("--week", "2025-06-13", "-C", samples, FORCE_COLOR="1").stdout
    assert "\x1b]8;" in out  # OSC 8 hyperlinks
    assert "https://lettre.example.org/actualites/concours-photo-2025\x1b\\" in out
    assert re.search(r"\x1b\[[0-9;]*3[0-9]m|\x1b\[[0-9;]*38;", out), "colours expected"
    # a link the terminal makes clickable is not repeated in brackets
    assert "<https://lettre.example.org/sport/calendrier>" not in out


def test_no_color_keeps_links_but_drops_colours(samples: Path) -> None:
    out = preview("--week", "2025-06-13", "-C", samples, FORCE_COLOR="1", NO_COLOR="1").stdout
    assert "\x1b]8;" in out
    assert not re.search(r"\x1b\[[0-9;]*(3[0-7]|38;[0-9;]+)m", out), "no colour with NO_COLOR"


def test_width_follows_the_terminal(samples: Path) -> None:
    out = preview("--week", "2025-06-13", "-C", samples, COLUMNS="60").stdout
    assert max(len(line) for line in out.splitlines()) == 60
    wide = preview("--week", "2025-06-13", "-C", samples, COLUMNS="120").stdout
    assert max(len(line) for line in wide.splitlines()) == 120


def test_pager_prints_when_not_a_terminal(samples: Path) -> None:
    result = preview("--week", "2025-06-13", "-C", samples, "--pager")
    assert result.exit_code == 0
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_pager_pipes_through_PAGER_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lettre import preview as module

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    paged = tmp_path / "paged.txt"
    monkeypatch.setenv("PAGER", f"cat > {paged}")
    monkeypatch.delenv("LESS", raising=False)
    monkeypatch.setattr(module.sys, "stdin", Tty())
    screen = Tty()
    module.page("« vendredi 13 juin 2025 »\n", screen)
    assert paged.read_text(encoding="utf-8") == "« vendredi 13 juin 2025 »\n"
    assert screen.getvalue() == ""


def test_markdown_body_in_the_terminal(make_folder: Callable[..., Path]) -> None:
    body = (
        "Un **gras**, un *italique* et un [lien](https://example.org/a) ;"
        " un [piège](javascript:alert(1)).\n\n"
        "- premier point\n- second point\n\n"
        "> Une citation.\n\n"
        "<script>alert(1)</script>\n"
    )
    folder = make_folder({"2025-06-10-a.md": item_text(body=body)})
    out = preview("--week", "2025-06-13", "-C", folder).stdout
    # typography across the edges of links; the javascript: link is dropped, its text kept
    assert "Un gras, un italique et un lien <https://example.org/a>\u202f; un piège." in out
    assert "javascript" not in out
    assert "•" in out and "premier point" in out and "second point" in out
    assert "Une citation." in out
    assert "<script>alert(1)</script>" in out  # shown as text, never run


def test_english_locale(samples: Path) -> None:
    out = preview("--week", "2025-06-13", "-C", samples, "--locale", "en_GB").stdout
    assert "Friday, 13 June 2025" in out or "Friday 13 June 2025" in out
    assert "Read more: https://" in out
    assert "1st  Sergent-chef Léa Fontaine" in out


def test_errors(samples: Path, make_folder: Callable[..., Path]) -> None:
    empty = preview("--week", "2024-01-05", "-C", make_folder())
    assert empty.exit_code == 1
    assert empty.stderr.startswith("Error: no item for the letter of 2024-01-05")
    bad = preview("--week", "demain", "-C", samples)
    assert bad.exit_code == 2 and "--week: 'demain' is not a week" in bad.stderr
    locale = preview("--week", "2025-06-13", "-C", samples, "--locale", "xx_YY")
    assert locale.exit_code == 2 and "unknown locale 'xx_YY'" in locale.stderr


@pytest.mark.parametrize("week", ["2025-W24", "2025-06-09"])
def test_week_forms(samples: Path, week: str) -> None:
    assert preview("--week", week, "-C", samples).stdout == GOLDEN.read_text(encoding="utf-8")


def test_escape_sequences_in_a_body_never_reach_the_terminal(
    make_folder: Callable[..., Path],
) -> None:
    body = "Texte \x1b[2J\x1b]8;;https://evil.example.net\x1b\\piège\x1b]8;;\x1b\\ fin.\n"
    folder = make_folder({"2025-06-10-a.md": item_text(body=body)})
    result = preview("--week", "2025-06-13", "-C", folder, FORCE_COLOR="1")
    out = result.stdout + result.stderr
    assert "\x1b]8;;https://evil" not in out
    assert "\x1b[2J" not in out
    # the reader refuses control characters with the file and line (issue 6)
    assert result.exit_code == 1
    assert "2025-06-10-a.md:6: an invisible control character U+001B" in result.stderr


def test_no_break_spaces_never_break_a_line(samples: Path) -> None:
    out = preview("--week", "2025-06-13", "-C", samples, COLUMNS="44").stdout
    assert "maniement d’armes\u00a0: rien" in re.sub(r" *│?\n│? *", " ", out)
    for line in out.splitlines():
        inner = line.strip("│ ")
        assert not inner.startswith((":", ";", "!", "?", "»")), line


def test_square_brackets_are_text_not_markup(make_folder: Callable[..., Path]) -> None:
    folder = make_folder(
        {"2025-06-10-a.md": item_text(title='"[bold red]Alerte[/] [link=https://x.example.net]"')}
    )
    out = preview("--week", "2025-06-13", "-C", folder).stdout
    assert "[bold red]Alerte[/] [link=https://x.example.net]" in out
    runner = CliRunner()
    listed = runner.invoke(app, ["list", "-w", "2025-06-13", "-C", str(folder)], env=PLAIN_ENV)
    assert "[bold red]Alerte[/]" in listed.stdout
