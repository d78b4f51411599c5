"""Draw `docs/preview.svg`, the README's picture of `lettre preview`.

Run from the repository's top after a change to the preview or the samples:

    PYTHONPATH=src python docs/preview_svg.py
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from rich.console import Console

from lettre.compose import letter_of, open_folder
from lettre.preview import letter_view
from lettre.weeks import parse_week

ROOT = Path(__file__).resolve().parent.parent
COMMAND = "lettre preview --week 2025-06-13 -C samples"


def main() -> None:
    """Render the sample letter of 13 June 2025 at 80 columns and save it as SVG."""
    config = open_folder(ROOT / "samples")
    week = parse_week("2025-06-13", dt.date(2025, 6, 13), config.publication_day)
    console = Console(
        record=True, width=80, force_terminal=True, color_system="truecolor", file=io.StringIO()
    )
    console.print(letter_view(letter_of(config, week), allow_html=config.allow_html))
    console.save_svg(str(ROOT / "docs" / "preview.svg"), title=COMMAND)


if __name__ == "__main__":
    main()
