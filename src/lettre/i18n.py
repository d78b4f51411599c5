"""Message catalogs: the words lettre writes around the items, per locale."""

from __future__ import annotations

import gettext
from functools import lru_cache

from .french import get_locale
from .resources import templates_dir

DOMAIN = "lettre"


@lru_cache(maxsize=16)
def translations(locale: str) -> gettext.NullTranslations:
    """The catalog for `locale` (fr_FR → fr), English msgids when there is none."""
    from babel.support import Translations

    loc = get_locale(locale)
    names = [str(loc), loc.language]
    found: gettext.NullTranslations = Translations.load(
        str(templates_dir() / "locale"), names, DOMAIN
    )
    return found
