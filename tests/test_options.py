"""The options' values as Typer reads them: plain ones without pydantic, the others and
every error as Typer says them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLES


def test_a_wrong_value_is_refused_in_typers_words(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a_file = tmp_path / "a-file"
    a_file.write_text("", encoding="utf-8")
    cases = [
        (
            ["serve", "--port", "abc"],
            "Invalid value for '--port' / '-p': Input should be a valid integer, "
            "unable to parse string as an integer",
        ),
        (
            ["serve", "--port", "70000"],
            "Invalid value for '--port' / '-p': Input should be less than or equal to 65535",
        ),
        (["compose", "-C", a_file], f"Invalid value for '--dir' / '-C': dir '{a_file}' is a file."),
        (
            ["compose", "--format", "pdf"],
            "Invalid value for '--format' / '-f': Value error, 'pdf' is not one of 'eml', "
            "'html', 'text', 'json'.",
        ),
    ]
    for args, message in cases:
        result = run(*args, env={"LETTRE_LANG": "en"})
        assert result.exit_code == 2, result.output
        assert f"Error: {message}" in result.stderr


def test_plain_values_reach_the_command(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sortie"
    result = run("compose", "-C", SAMPLES, "-w", "2025-06-13", "-f", "text", "--now",
                 "2025-06-13T08:00")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "13 juin 2025" in result.stdout
    result = run("compose", "-C", SAMPLES, "-w", "2025-W24", "--out", out, "--seed", "s")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.suffix for p in out.iterdir() if p.is_file()) == [
        ".eml", ".html", ".json", ".txt"
    ]  # fmt: skip
    result = run("list", "-C", SAMPLES, "--all", "-k", "resultats", "-k", "anniversaire")
    assert result.exit_code == 0, result.stderr
    assert "2025-06-19-armee-de-champions-9-15-juin.md" in result.stdout
    assert "portes-ouvertes-base-aerienne" not in result.stdout  # a communique


def test_a_command_reads_its_options_without_pydantic() -> None:
    """typer 0.29 converts the options' values with pydantic: importing it costs a third of
    a `lettre compose`, for values lettre reads as they are."""
    code = (
        "import sys, atexit; from lettre.cli import main; "
        "atexit.register(lambda: print('pydantic' in sys.modules, file=sys.stderr)); "
        "sys.argv = ['lettre', *sys.argv[1:]]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "compose", "-C", SAMPLES, "-w", "2025-06-13", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == "False"
