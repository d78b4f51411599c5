"""Text folded for comparison, and file-name slugs: the one home of accent folding.

Two spellings that differ only by case or accents (`Défilé`, `DEFILE`) are the same feed
category, spreadsheet column or title; `fold` is that rule, the others build on it.
`slugify` is a different rule on the same base: a name lettre writes keeps ASCII only.
"""

from __future__ import annotations

import re
import unicodedata

SLUG_LIMIT = 60
# letters that NFKD does not split into a base letter and an accent
_SPELT_OUT = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
     "ł": "l", "Ł": "L", "’": "-", "'": "-"}
)  # fmt: skip


def strip_accents(text: str) -> str:
    """`text` decomposed (NFKD) without its combining marks: `Défilé` → `Defile`."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """`Défilé` → `defile`: accents off first, then case-folded (so `ᴬ` and `ᾀ` fold too)."""
    return strip_accents(text).casefold()


def fold_words(text: str) -> str:
    """`  Défilé   Militaire ` → `defile militaire`: folded, words one space apart."""
    return " ".join(fold(text).split())


def fold_letters(text: str) -> str:
    """`Date de début` → `datededebut`: folded, letters and digits only (a spreadsheet's
    column header)."""
    return letters(strip_accents(text))


def letters(text: str) -> str:
    """`IMG_1234.JPG` → `img1234jpg`: case-folded letters and digits only, accents kept
    (an alt text `défilé` says more than the file name `defile.jpg`)."""
    return re.sub(r"[\W_]+", "", text.casefold())


def slugify(title: str, limit: int = SLUG_LIMIT) -> str:
    """`Défilé du 14 Juillet : répétitions` → `defile-du-14-juillet-repetitions`.

    Not `fold`: a file name keeps ASCII only (ligatures spelt out, other letters dropped).
    """
    ascii_text = strip_accents(title.translate(_SPELT_OUT)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        cut = slug[: limit + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[:limit] else slug[:limit]
    return slug.strip("-")
