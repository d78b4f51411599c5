"""Dates, periods, ordinals, plurals and typography, per locale (French first)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from .errors import UsageError
from .messages import _

if TYPE_CHECKING:
    from babel import Locale

NBSP = "\u00a0"
NNBSP = "\u202f"


def strip_accents(text: str) -> str:
    """`text` decomposed (NFKD) without its combining marks: `Défilé` → `Defile`."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=32)
def get_locale(name: str) -> Locale:
    """A Babel Locale from `fr_FR`, `fr-FR` or `fr`; UsageError naming close matches."""
    from babel import Locale, UnknownLocaleError

    cleaned = name.strip().replace("-", "_")
    try:
        locale = Locale.parse(cleaned)
    except (UnknownLocaleError, ValueError, TypeError):
        close = close_locales(cleaned)
        hint = (
            _("did you mean {close}?").format(close=", ".join(close))
            if close
            else _("use a code such as fr_FR")
        )
        raise UsageError(
            _("unknown locale {name!r}: {hint}").format(name=name, hint=hint)
        ) from None
    if locale.territory is None and locale.language == "fr":
        # bare `fr` in CLDR has min_week_days 1; France's conventions are the expected ones
        locale = Locale.parse("fr_FR")
    return locale


def close_locales(name: str, limit: int = 3) -> list[str]:
    """Known locale codes that look like `name` (« fr_XX », « frFR », « english »)."""
    from babel import Locale, localedata
    from babel.core import get_global

    known = localedata.locale_identifiers()
    lowered = {k.lower(): k for k in known}
    found: list[str] = []
    # a language's name in English or in French: « English », « allemand »
    for names in (Locale.parse("en").languages, Locale.parse("fr").languages):
        code = next((c for c, n in names.items() if n.lower() == name.lower()), None)
        if code and code.lower() in lowered:
            found.append(lowered[code.lower()])
    # a known language with an unknown territory (fr_XX): its main country first
    language = name.split("_")[0].lower()
    candidates = known
    if language in lowered and "_" in name:
        likely = get_global("likely_subtags").get(language, "")
        parts = likely.split("_")
        main = f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else ""
        if main.lower() in lowered:
            found.append(lowered[main.lower()])
        candidates = [k for k in known if k.lower().startswith(f"{language}_")]
    found += difflib.get_close_matches(name, candidates, n=limit, cutoff=0.6)
    return list(dict.fromkeys(found))[:limit]


def _is_french(locale: str) -> bool:
    return get_locale(locale).language == "fr"


def _first_ordinal(text: str, day: int, locale: str) -> str:
    """Write day 1 as « 1er » in French."""
    if day == 1 and _is_french(locale):
        return re.sub(r"(?<![\d])1(?=[ \u00a0\u202f])", "1er", text, count=1)
    return text


def format_date(day: dt.date, locale: str = "fr_FR", form: str = "full") -> str:
    """« vendredi 13 juin 2025 » (full), « 13 juin 2025 » (long), « 1er juin 2025 »."""
    from babel.dates import format_date as babel_format_date

    return _first_ordinal(babel_format_date(day, form, locale=get_locale(locale)), day.day, locale)


def format_day_month(day: dt.date, locale: str = "fr_FR") -> str:
    """« 13 juin », « 1er juin »: a date without its year."""
    from babel.dates import format_skeleton

    text = format_skeleton("MMMMd", day, locale=get_locale(locale))
    return _first_ordinal(text, day.day, locale)


def format_period(start: dt.date, end: dt.date, locale: str = "fr_FR") -> str:
    """« du 26 mai au 8 juin 2025 », « le 8 juin 2025 »; Babel's intervals elsewhere."""
    if end < start:
        start, end = end, start
    if _is_french(locale):
        if start == end:
            return f"le {format_date(start, locale, 'long')}"
        last = format_date(end, locale, "long")
        if start.year != end.year:
            first = format_date(start, locale, "long")
        elif start.month != end.month:
            first = format_day_month(start, locale)
        else:
            first = "1er" if start.day == 1 else str(start.day)
        return f"du {first} au {last}"
    from babel.dates import format_date as babel_format_date

    loc = get_locale(locale)
    if start == end:
        return babel_format_date(start, "long", locale=loc)
    return _interval(start, end, loc)


def _interval(start: dt.date, end: dt.date, loc: Locale) -> str:
    """Babel's interval format with full month names (« 26 May – 8 June 2025 »).

    CLDR often has only an abbreviated-month interval (yMMMd); its matching rules allow
    widening MMM to MMMM (TR35, intervalFormats), which Babel does not do by itself.
    """
    from babel.dates import format_interval, match_skeleton, parse_pattern

    formats = loc.interval_formats
    if _SKELETON in formats:
        return format_interval(start, end, _SKELETON, locale=loc)
    closest = match_skeleton(_SKELETON, formats)
    if start.year != end.year:
        field = "y"
    elif start.month != end.month:
        field = "M"
    else:
        field = "d"
    pieces = formats[closest].get(field) if closest else None
    if not pieces:
        return format_interval(start, end, _SKELETON, locale=loc)
    return "".join(
        parse_pattern(_MONTH_ABBR.sub(r"\1\1\1\1", piece)).apply(day, loc)
        for piece, day in zip(pieces, (start, end), strict=False)
    )


_SKELETON = "yMMMMd"
# an abbreviated month (MMM, or stand-alone LLL) and not a full one
_MONTH_ABBR = re.compile(r"(?<![ML])([ML])\1\1(?![ML])")


def ordinal(number: int, locale: str = "fr_FR") -> str:
    """A rank as the locale writes it: « 1er », « 3e »; 1st, 3rd; 1., 3."""
    language = get_locale(locale).language
    if language == "fr":
        return f"{number}er" if number == 1 else f"{number}e"
    if language == "en":
        if 10 <= number % 100 <= 20:
            return f"{number}th"
        return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"
    if language in (
        "de",
        "da",
        "nb",
        "nn",
        "no",
        "fi",
        "cs",
        "sk",
        "sl",
        "hr",
        "pl",
        "hu",
        "et",
        "lv",
        "lt",
        "is",
        "tr",
    ):
        return f"{number}."
    if language in ("es", "it", "pt", "gl", "ca"):
        return f"{number}º"
    return str(number)


# --- typography --------------------------------------------------------------------------

_PROTECTED = re.compile(
    r"`[^`\n]*`"  # Markdown code spans
    r"|<(?:https?|mailto):[^>\s]*>"  # autolinks
    r"|\b(?:https?|ftp|mailto|tel):[^\s<>\"]*[^\s<>\".,;:!?)»]"  # URLs
    r"|\bwww\.[^\s<>\"]*[^\s<>\".,;:!?)»]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b",  # times
    re.IGNORECASE,
)
_SPACES = "[ \u00a0\u202f\u2009]"
# a mark that takes a space before it is followed by a space, the end, or closing marks
_AFTER = r"(?=$|[\s»\"”’)\]}.,…]|[!?;:])"
# a word before the mark (nothing is added at the very start of a text: « !!! » stays);
# Markdown text that follows emphasis or a link (« **Bravo** ! ») is typeset with
# CONTINUES in front, which stands for the word it follows
_BEFORE = rf"(?<=[^\s!?;:]){_SPACES}*"
CONTINUES = "\ue005"


def _typeset_fr(text: str, canadian: bool) -> str:
    high = "" if canadian else NNBSP  # before ; ! ?
    inner = NBSP if canadian else NNBSP  # inside guillemets, before %
    text = re.sub(rf"{_BEFORE}:(?=$|\s|[»\"”’)\]])", f"{NBSP}:", text)
    text = re.sub(rf"{_BEFORE}([!?;]+){_AFTER}", rf"{high}\1", text)
    text = re.sub(rf"«{_SPACES}*(?=\S|$)", f"«{inner}", text)
    text = re.sub(rf"(?<=\S){_SPACES}*»", f"{inner}»", text)
    # « 20 % »: a space the author typed between a number and % must not break
    return re.sub(rf"(?<=\d){_SPACES}+%", f"{inner}%", text)


_BREAKING_SPACES = re.compile(r"[ \t\n\r\f\v\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Runs of spaces and line breaks as one space; no-break spaces are kept."""
    return _BREAKING_SPACES.sub(" ", text).strip(" ")


def typography(text: str, locale: str = "fr_FR") -> str:
    """French spacing before « : ; ! ? » and inside guillemets; idempotent; URLs untouched."""
    if not text:
        return text
    loc = get_locale(locale)
    if loc.language != "fr":
        return text
    canadian = loc.territory == "CA"
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group())
        return f"\ue000{len(kept) - 1}\ue001"

    masked = _PROTECTED.sub(keep, text)
    typeset = _typeset_fr(masked, canadian)
    return re.sub("\ue000(\\d+)\ue001", lambda m: kept[int(m[1])], typeset)
