"""The `lettre` command line: options, output streams and exit codes — no logic.

The app and what its commands share are in cli_app.py; the commands, by what they work
on, in cli_folder.py (the items), cli_letter.py (the letter and its archive) and
cli_send.py (the readers). Importing this module registers them all on `app`.
"""

from __future__ import annotations

from . import cli_folder, cli_letter, cli_send
from .cli_app import app

__all__ = ["app", "cli_folder", "cli_letter", "cli_send", "main"]


def main() -> None:
    """The console script."""
    app()
