"""Item file names: `YYYY-MM-DD-slug.md`, the slug drawn from the title, accents folded."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Container
from pathlib import Path

SLUG_MAX = 60
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o"})


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """« Défilé du 14 Juillet : répétitions » → `defile-du-14-juillet-repetitions`."""
    folded = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[1:] else cut[:max_length]
        slug = slug.strip("-")
    return slug or "item"


def item_name(day: dt.date, title: str, number: int = 1) -> str:
    """`2025-06-13-slug.md`, or `2025-06-13-slug-2.md` for the second of the same name."""
    suffix = f"-{number}" if number > 1 else ""
    return f"{day.isoformat()}-{slugify(title)}{suffix}.md"


def free_item_path(
    items_dir: Path, day: dt.date, title: str, taken: Container[str] = frozenset()
) -> Path:
    """The first `items/YYYY-MM-DD-slug[-N].md` that neither exists nor is in `taken`."""
    number = 1
    while True:
        path = items_dir / item_name(day, title, number)
        if path.name not in taken and not path.exists():
            return path
        number += 1
