"""The installed package: console script, `python -m lettre`, templates in the wheel."""

from __future__ import annotations

import email
import email.policy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import lettre
from lettre.resources import templates_dir

PACKAGE = Path(lettre.__file__).resolve().parent
INSTALLED = "site-packages" in PACKAGE.parts or "dist-packages" in PACKAGE.parts


@pytest.mark.skipif(not INSTALLED, reason="lettre runs from the source tree (not installed)")
def test_templates_ship_inside_the_package() -> None:
    assert templates_dir() == PACKAGE / "templates"
    for name in ("letter.html.j2", "letter.txt.j2", "style.css",
                 "locale/fr/LC_MESSAGES/lettre.mo", "locale/en/LC_MESSAGES/lettre.mo",
                 "locale/de/LC_MESSAGES/lettre.mo", "serve/page.html.j2", "serve/serve.css",
                 "serve/serve.js"):  # fmt: skip
        assert (PACKAGE / "templates" / name).is_file(), name


def test_console_script_composes_from_another_folder(samples: Path, tmp_path: Path) -> None:
    exe = shutil.which("lettre")
    command = [exe] if exe else [sys.executable, "-m", "lettre"]
    result = subprocess.run(
        [*command, "compose", "--week", "2025-06-13", "-C", str(samples)],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    msg = email.message_from_bytes(result.stdout, policy=email.policy.default)
    assert msg["Subject"] == "Lettre hebdomadaire de communication du 13 juin 2025"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]


def test_python_dash_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lettre", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout == f"lettre {lettre.__version__}\n"


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from lettre.cli import app\n"
        "from typer.main import get_command\n"
        "heavy = {'premailer', 'babel.dates', 'markdown_it', 'jinja2', 'cssutils'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
