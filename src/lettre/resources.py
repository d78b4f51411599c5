"""Where the packaged templates, CSS and message catalogs are."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def templates_dir() -> Path:
    """The packaged `templates/`: inside the installed package, or at the repository's top."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent.parent / "templates"):
        if (candidate / "letter.html.j2").is_file():
            return candidate
    raise RuntimeError(f"lettre's templates are missing (looked in {here / 'templates'})")
