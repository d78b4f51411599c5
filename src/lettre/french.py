"""Dates, periods, ordinals, plurals and typography, per locale (French first)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from .errors import UsageError
from .messages import _, close_matches

if TYPE_CHECKING:
    from babel import Locale

NBSP = "\u00a0"
NNBSP = "\u202f"


@lru_cache(maxsize=32)
def get_locale(name: str) -> Locale:
    """A Babel Locale from `fr_FR`, `fr-FR` or `fr`; UsageError naming close matches."""
    from babel import Locale, UnknownLocaleError  # heavy (Babel)

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


def locale_option(name: str) -> str:
    """The canonical code of a `--locale` value (`fr-fr` → `fr_FR`); UsageError naming the
    option and close matches."""
    try:
        return str(get_locale(name))
    except UsageError as err:
        raise UsageError(_("--locale: {message}").format(message=err.message)) from None


def close_locales(name: str, limit: int = 3) -> list[str]:
    """Known locale codes that look like `name` (« fr_XX », « frFR », « english »)."""
    from babel import Locale, localedata  # heavy (Babel)
    from babel.core import get_global  # heavy (Babel)

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
    found += close_matches(name, candidates, n=limit, cutoff=0.6)
    return list(dict.fromkeys(found))[:limit]


def _is_french(locale: str) -> bool:
    return get_locale(locale).language == "fr"


def _first_ordinal(text: str, day: int, locale: str) -> str:
    """Write day 1 as « 1er » in French."""
    if day == 1 and _is_french(locale):
        return re.sub(r"(?<![\d])1(?=[ \u00a0\u202f])", "1er", text, count=1)
    return text


@lru_cache(maxsize=4096)  # an archive's letters write the same days again and again
def format_date(day: dt.date, locale: str = "fr_FR", form: str = "full") -> str:
    """« vendredi 13 juin 2025 » (full), « 13 juin 2025 » (long), « 1er juin 2025 »."""
    from babel.dates import format_date as babel_format_date  # heavy (Babel)

    return _first_ordinal(babel_format_date(day, form, locale=get_locale(locale)), day.day, locale)


def format_day_month(day: dt.date, locale: str = "fr_FR") -> str:
    """« 13 juin », « 1er juin »: a date without its year."""
    from babel.dates import format_skeleton  # heavy (Babel)

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
    from babel.dates import format_date as babel_format_date  # heavy (Babel)

    loc = get_locale(locale)
    if start == end:
        return babel_format_date(start, "long", locale=loc)
    return _interval(start, end, loc)


def _interval(start: dt.date, end: dt.date, loc: Locale) -> str:
    """Babel's interval format with full month names (« 26 May – 8 June 2025 »).

    CLDR often has only an abbreviated-month interval (yMMMd); its matching rules allow
    widening MMM to MMMM (TR35, intervalFormats), which Babel does not do by itself.
    """
    from babel.dates import format_interval, match_skeleton, parse_pattern  # heavy (Babel)

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


class TypographyRules(Protocol):
    """The rules a writer can turn off (`[typography]` of lettre.toml); all on by default."""

    @property
    def apostrophe(self) -> bool: ...
    @property
    def quotes(self) -> bool: ...
    @property
    def ellipsis(self) -> bool: ...
    @property
    def numbers(self) -> bool: ...
    @property
    def units(self) -> bool: ...


# Text handed to typography() may hold MARK where a piece that is not text stood (a tag,
# the edge of emphasis or of a link, inline code): it counts as part of the word it
# touches, so « **Bravo** ! » gets its space and « "*oui*" » its guillemets. A line break
# ("\n") counts as a space.
MARK = "\ue010"
# WORD stands for a piece read as a word but never typeset (inline code, an image)
WORD = "\ue011"
_M = MARK

# Spans never touched, each replaced by one private-use character while the rules run
_PROTECTED = re.compile(
    r"`[^`\n]*`"  # Markdown code spans
    r"|<(?:https?|mailto):[^>\s]*>"  # autolinks
    rf"|\b(?:https?|ftp|mailto|tel):[^\s<>\"{_M}]*[^\s<>\".,;:!?)»'’{_M}]"  # URLs
    rf"|\bwww\.[^\s<>\"{_M}]*[^\s<>\".,;:!?)»'’{_M}]"
    r"|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses (o'brien@example.org)
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"  # times
    r"|&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});",  # HTML entities
    re.IGNORECASE,
)
_MAY_PROTECT = re.compile(r"[:@`&]|www\.", re.IGNORECASE)
_KEPT_BASE = 0xF0000  # Supplementary Private Use Area-A: one character per protected span
_KEPT = re.compile("[\U000f0000-\U000ffffd]")

_SPACES = "[ \u00a0\u202f\u2009]"
# a mark that takes a space before it is followed by a space, the end, or closing marks
_AFTER = rf"(?={_M}*(?:$|[\s»\"”’)\]}}.,…]|[!?;:]))"
# a word before the mark (nothing is added at the very start of a text: « !!! » stays)
_WORD_BEFORE = rf"(?<=[^\s!?;:{_M}])({_M}*){_SPACES}*"
_COLON = re.compile(rf"{_WORD_BEFORE}:(?={_M}*(?:$|\s|[»\"”’)\]]))")
_HIGH = re.compile(rf"{_WORD_BEFORE}([!?;]+){_AFTER}")
_OPEN_GUILLEMET = re.compile(rf"«({_M}*){_SPACES}*(?=\S|$)")
_CLOSE_GUILLEMET = re.compile(rf"(?<=[^\s{_M}])({_M}*){_SPACES}*»")
_PERCENT = re.compile(rf"(?<=\d)({_M}*){_SPACES}+([%‰])")
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
# « 3 000 », « 10 000 000 »: groups of three digits after a space (never a year's 4 digits)
_NUMBER = re.compile(r"(?<![\d])(?<!\d[.,])\d{1,3}(?:[ \u00a0\u2009\u202f]\d{3})+(?![\d])")

# units and abbreviations that follow a number; the longest first (km/h before km)
UNITS = (
    # length, area, volume
    *("km", "m", "dm", "cm", "mm", "µm", "nm", "NM", "nq"),
    *("km²", "m²", "cm²", "mm²", "ha", "m³", "cm³", "L", "l", "mL", "ml", "cL", "cl", "hL"),
    # mass, time, speed, temperature
    *("t", "kg", "g", "mg", "h", "min", "s", "ms", "km/h", "m/s", "kt", "nœuds", "°C", "°F", "°"),
    # energy, electricity, data
    *("W", "kW", "MW", "GW", "Wh", "kWh", "MWh", "GWh", "V", "kV", "mA", "Hz", "kHz", "MHz"),
    *("GHz", "ch", "ko", "Mo", "Go", "To", "kB", "MB", "GB", "TB", "kbit/s", "Mbit/s", "Gbit/s"),
    # money
    *("€", "k€", "M€", "Md€", "$", "£", "CHF", "EUR", "USD"),
    # words
    *("an", "ans", "mois", "semaines", "jours", "heures", "minutes", "secondes", "euros"),
    *("dollars", "mètres", "kilomètres", "kilos", "kilogrammes", "tonnes", "litres", "degrés"),
    *("millions", "milliards"),
)
_UNIT_NAMES = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_UNIT = re.compile(rf"(?<=\d)({_M}*)[ \u2009](?={_M}*(?:{_UNIT_NAMES})(?![\w²³'’]))")
# « 14 h 30 », « 2 min 30 s »: the space after the hour also keeps the minutes
_CLOCK = re.compile(r"(?<=\d[\u00a0\u202f])(h|min)[ \u2009](?=\d{1,2}(?!\d))")
# « n° 5 », « § 3 »: an abbreviation before a number
_NUMBERED = re.compile(r"(?<![\w])([nN][°º]|§)[ \u2009](?=\d)")

_OPENERS = "([{«‹“‘„—–-/"
_CLOSERS = ".,;:!?…)]}»›”’—–-/"


def _neighbours(text: str, index: int) -> tuple[str, str]:
    """The characters around text[index], marks skipped ("" at either end)."""
    before = index - 1
    while before >= 0 and text[before] == MARK:
        before -= 1
    after = index + 1
    while after < len(text) and text[after] == MARK:
        after += 1
    return (text[before] if before >= 0 else "", text[after] if after < len(text) else "")


def _positions(text: str, char: str) -> list[int]:
    """Where `char` is in `text`, in order."""
    found = []
    index = text.find(char)
    while index >= 0:
        found.append(index)
        index = text.find(char, index + 1)
    return found


def _quote_pairs(text: str, quote: str, inside: set[int] | None = None) -> list[tuple[int, int]]:
    """Pairs of `quote` characters that open before a word and close after one."""
    pairs: list[tuple[int, int]] = []
    pending: int | None = None
    for index in _positions(text, quote):
        if inside is not None and index in inside:
            continue
        before, after = _neighbours(text, index)
        opens = (not before or before.isspace() or before in _OPENERS) and bool(after)
        opens = opens and not after.isspace()
        closes = bool(before) and not before.isspace()
        closes = closes and (not after or after.isspace() or after in _CLOSERS)
        if pending is not None and closes:
            pairs.append((pending, index))
            pending = None
        elif opens:
            pending = index
    return pairs


def _straight_quotes(text: str, start: str, end: str) -> str:
    """Straight double quotes around words → the locale's quotation marks."""
    if '"' not in text:
        return text
    chars = list(text)
    for first, last in _quote_pairs(text, '"'):
        chars[first], chars[last] = start, end
    return "".join(chars)


def _apostrophes(text: str) -> str:
    """' → ’ (« l’armée », « aujourd’hui », « ’tis »); 'a word' between them → ‘a word’.

    A ' after a digit that closes nothing stays as typed (« 5'30 », a prime).
    """
    if "'" not in text:
        return text
    chars = list(text)
    quotes = _positions(text, "'")
    inside: set[int] = set()
    for index in quotes:
        before, after = _neighbours(text, index)
        if before.isalpha() and after.isalpha():
            inside.add(index)  # an elision inside a word
            chars[index] = "’"
    paired: set[int] = set()
    for first, last in _quote_pairs(text, "'", inside):
        chars[first], chars[last] = "‘", "’"
        paired.update((first, last))
    for index in quotes:
        if index not in inside and index not in paired:
            before, after = _neighbours(text, index)
            if before.isdigit():
                continue  # « 5'30 »: a prime, or a measure: as typed
            if after.isalnum() or before.isalpha():
                chars[index] = "’"  # « ’tis », « ’80 », « les Jones’ »
    return "".join(chars)


_DIGIT = re.compile(r"\d")


def _numbers_and_units(text: str, inner: str, rules: TypographyRules | None) -> str:
    if not _DIGIT.search(text):
        return text
    if rules is None or rules.numbers:
        text = _NUMBER.sub(lambda m: re.sub("[ \u00a0\u2009]", NNBSP, m[0]), text)
    if rules is None or rules.units:
        text = _UNIT.sub(rf"\1{NBSP}", text)
        if "h" in text or "min" in text:
            text = _CLOCK.sub(rf"\1{NBSP}", text)
        if "°" in text or "º" in text or "§" in text:
            text = _NUMBERED.sub(rf"\1{NBSP}", text)
        if "%" in text or "‰" in text:
            # « 20 % »: a space the author typed between a number and % must not break
            text = _PERCENT.sub(rf"\1{inner}\2", text)
    return text


def _typeset_fr(text: str, canadian: bool, rules: TypographyRules | None) -> str:
    high = "" if canadian else NNBSP  # before ; ! ?
    inner = NBSP if canadian else NNBSP  # inside guillemets, before %
    if (rules is None or rules.ellipsis) and "..." in text:
        text = _ELLIPSIS.sub("…", text)
    if rules is None or rules.apostrophe:
        text = _apostrophes(text)
    if rules is None or rules.quotes:
        text = _straight_quotes(text, "«", "»")
    text = _numbers_and_units(text, inner, rules)
    if ":" in text:
        text = _COLON.sub(rf"\1{NBSP}:", text)
    if "!" in text or "?" in text or ";" in text:
        text = _HIGH.sub(rf"\1{high}\2", text)
    if "«" in text:
        text = _OPEN_GUILLEMET.sub(rf"«{inner}\1", text)
    if "»" in text:
        text = _CLOSE_GUILLEMET.sub(rf"\1{inner}»", text)
    return text


_BREAKING_SPACES = re.compile(r"[ \t\n\r\f\v\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Runs of spaces and line breaks as one space; no-break spaces are kept."""
    return _BREAKING_SPACES.sub(" ", text).strip(" ")


# Quotation marks of CLDR 46 (`delimiters/quotationStart`, `quotationEnd`), which Babel's
# data does not carry: by locale, then language-script, then language
QUOTATION_MARKS = {
    **dict.fromkeys(("en", "pt", "da", "tr", "zh", "ko", "ga", "vi", "id", "ms"), ("“", "”")),
    **dict.fromkeys(("de", "cs", "sk", "sl", "hr", "bs", "sr", "bg", "mk", "is", "et"), ("„", "“")),
    **dict.fromkeys(("lt",), ("„", "“")),
    **dict.fromkeys(("pl", "hu", "ro"), ("„", "”")),
    **dict.fromkeys(("es", "it", "ru", "uk", "be", "nb", "nn", "no", "el", "ca"), ("«", "»")),
    **dict.fromkeys(("de_CH", "de_LI", "pt_PT", "fr"), ("«", "»")),
    **dict.fromkeys(("sv", "fi"), ("”", "”")),
    **dict.fromkeys(("nl", "cy"), ("‘", "’")),
    **dict.fromkeys(("ja", "zh_Hant", "zh_TW", "zh_HK"), ("「", "」")),
}


@lru_cache(maxsize=32)
def quotation_marks(locale: str) -> tuple[str, str] | None:
    """The locale's quotation marks (“ ” in English, „ “ in German), None when unknown."""
    loc = get_locale(locale)
    for key in (str(loc), f"{loc.language}_{loc.script}", loc.language):
        if key in QUOTATION_MARKS:
            return QUOTATION_MARKS[key]
    return None


def typography(text: str, locale: str = "fr_FR", rules: TypographyRules | None = None) -> str:
    """The locale's typography; idempotent; URLs, e-mail addresses, times, code untouched.

    French: ’ for ', « » for straight double quotes, … for three dots, narrow no-break
    spaces inside numbers (« 3 000 ») and no-break spaces before units (« 63 kg »), and
    the spaces before « : ; ! ? » and inside guillemets. Other languages: their own
    quotation marks for straight double quotes. `rules` turns rules off (None: all on).
    """
    if not text:
        return text
    loc = get_locale(locale)
    french = loc.language == "fr"
    marks = ("«", "»") if french else quotation_marks(locale)
    if not french and (
        marks is None or '"' not in text or (rules is not None and not rules.quotes)
    ):
        return text
    if _KEPT.search(text):
        return text  # characters of the private area lettre uses for its own marks
    typeset = _once(text, french and loc.territory == "CA", french, marks, rules)
    # a straight quote left alone may pair once its neighbours are typeset: go on until
    # nothing changes, so that typesetting twice never changes a text again
    for _round in range(4):
        if "'" not in typeset and '"' not in typeset:
            break
        again = _once(typeset, french and loc.territory == "CA", french, marks, rules)
        if again == typeset:
            break
        typeset = again
    return typeset


def _once(
    text: str,
    canadian: bool,
    french: bool,
    marks: tuple[str, str] | None,
    rules: TypographyRules | None,
) -> str:
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group())
        return chr(_KEPT_BASE + len(kept) - 1)

    # every protected span holds one of these: skip the search when none is there
    masked = _PROTECTED.sub(keep, text) if _MAY_PROTECT.search(text) else text
    if len(kept) > 0xFFFD:
        return text
    typeset = masked
    if french:
        typeset = _typeset_fr(masked, canadian, rules)
    elif marks is not None:
        typeset = _straight_quotes(masked, *marks)
    if not kept:
        return typeset
    return _KEPT.sub(lambda m: kept[ord(m[0]) - _KEPT_BASE], typeset)
