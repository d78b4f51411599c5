"""The language of lettre's own messages (help, errors, warnings, progress), not the letter's.

The user's language is read once per run from the environment as gettext reads it —
`LETTRE_LANG` first (lettre's own override), then `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
`LANG` — and never through `setlocale`, which fails where no French locale is installed.
The words come from the same catalogs as the letter's (`templates/locale/`, domain
`lettre`); a language without a catalog, or a message without a translation, is English.

Mark a message with `_()` and named placeholders, formatted after translation:
`_("unknown kind '{kind}'").format(kind=kind)`; `ngettext` for plurals; `N_()` marks a
word for extraction where it is defined and `_()` translates it where it is shown.
Only the standard library is imported here: `lettre --help` stays quick.
"""

from __future__ import annotations

import difflib
import gettext
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

DOMAIN = "lettre"
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order
OVERRIDE = "LETTRE_LANG"

_current: gettext.NullTranslations | None = None


def _locale_dir() -> str:
    from .resources import templates_dir  # importlib.resources: not for --help

    return str(templates_dir() / "locale")


def languages(environ: Mapping[str, str] | None = None) -> list[str]:
    """The languages asked for, best first: `LETTRE_LANG`, else the first of gettext's
    variables that is set (`LANGUAGE` may list several, `fr:de`)."""
    env = os.environ if environ is None else environ
    for name in (OVERRIDE, *ENVIRONMENT):
        value = env.get(name, "").strip()
        if value:
            return [part for part in value.split(":") if part]
    return []


@lru_cache(maxsize=8)
def _catalog(asked: tuple[str, ...]) -> gettext.NullTranslations:
    # gettext.translation normalises `fr_FR.UTF-8` into fr_FR.UTF-8, fr_FR, fr.UTF-8, fr;
    # "C" (or no language) ends the search: English, the msgids themselves
    # English is the msgids' own language: like "C", it ends the list (`LANGUAGE=en:fr` means
    # English, not French for every message the English catalog has no entry for)
    wanted = []
    for name in asked:
        if name in ("C", "POSIX") or name.split(".")[0].split("_")[0] in ("C", "en"):
            break
        wanted.append(name)
    if not wanted:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, _locale_dir(), languages=wanted, fallback=True)


def use(environ: Mapping[str, str] | None = None) -> str:
    """Pick the messages' language from the environment (each run of the CLI calls it);
    returns the language of the catalog in use ('fr', or 'en' for English)."""
    global _current
    _current = _catalog(tuple(languages(environ)))
    return language()


@contextmanager
def speaking(environ: Mapping[str, str] | None = None) -> Iterator[str]:
    """The messages in the environment's language for one run of the CLI, then as before
    (tests run the CLI in-process, in several languages)."""
    global _current
    previous = _current
    try:
        yield use(environ)
    finally:
        _current = previous


def catalog() -> gettext.NullTranslations:
    """The catalog of the messages' language (picked from the environment at first use)."""
    if _current is None:
        use()
    assert _current is not None
    return _current


def language() -> str:
    """'fr', 'de'… — the language of the messages, 'en' when they are English."""
    info = catalog().info()
    return info.get("language", "en") or "en"


def _(message: str) -> str:
    """`message` in the user's language."""
    return catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """`singular` or `plural` for `n`, in the user's language with its plural rules."""
    return catalog().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalogs without translating it (`_()` translates it later)."""
    return message


def locale_dir() -> Path:
    """The folder of the catalogs."""
    return Path(_locale_dir())


def close_matches(word: str, choices: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The `n` choices most like `word`, best first (difflib's ratio at least `cutoff`):
    how every "did you mean" of lettre picks its suggestions."""
    return difflib.get_close_matches(word, list(choices), n=n, cutoff=cutoff)


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """` (did you mean 'title'?)` when one of `choices` is close to `word`, else ''."""
    close = close_matches(word, choices, 1, cutoff)
    return _(" (did you mean '{value}'?)").format(value=close[0]) if close else ""
