"""Message catalogs: the words lettre writes around the items, per locale.

The catalogs live in `templates/locale/<language>/LC_MESSAGES/lettre.po` (and `.mo`);
msgids are English. `scripts/catalogs` extracts, updates and compiles them.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache

from .french import get_locale, typography
from .resources import templates_dir

DOMAIN = "lettre"


def locale_dir() -> str:
    """The folder of the packaged catalogs."""
    return str(templates_dir() / "locale")


@lru_cache(maxsize=16)
def translations(locale: str) -> gettext.NullTranslations:
    """The catalog for `locale` (fr_CA → fr_CA, then fr), English msgids when there is none."""
    from babel.support import Translations  # heavy (Babel)

    loc = get_locale(locale)
    names = [str(loc), loc.language]
    found: gettext.NullTranslations = Translations.load(locale_dir(), names, DOMAIN)
    return found


def typeset_gettext(
    locale: str,
) -> tuple[Callable[[str], str], Callable[[str, str, int], str]]:
    """gettext and ngettext whose translations follow the locale's typography."""
    catalog = translations(locale)

    def _gettext(message: str) -> str:
        return typography(catalog.gettext(message), locale)

    def _ngettext(singular: str, plural: str, n: int) -> str:
        return typography(catalog.ngettext(singular, plural, n), locale)

    return _gettext, _ngettext


def years_text(years: int, locale: str) -> str:
    """« 1 an », « 20 ans », "20 years": a number of years with the locale's plural."""
    return translations(locale).ngettext("%(num)d year", "%(num)d years", years) % {"num": years}


def anniversary_title(name: str, years: int, locale: str) -> str:
    """« … fête ses 20 ans », "… celebrates 20 years": the title of a computed anniversary."""
    message = translations(locale).ngettext(
        "%(name)s celebrates %(num)d year", "%(name)s celebrates %(num)d years", years
    )
    return message % {"name": name, "num": years}
