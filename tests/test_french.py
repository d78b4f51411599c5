"""Dates, periods, ordinals, plurals and typography in fr_FR, fr_CA, en_US, en_GB, de_DE."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lettre.body import to_html
from lettre.errors import UsageError
from lettre.french import (
    format_date,
    format_day_month,
    format_period,
    get_locale,
    ordinal,
    typography,
)
from lettre.i18n import anniversary_title, years_text

D = dt.date
NB = "\u00a0"  # no-break space: before « : » in French
NN = "\u202f"  # narrow no-break space: before « ; ! ? » and inside « » in France

DATES = [
    # (locale, date, form, expected): French, with lettre's « 1er »
    ("fr_FR", D(2025, 6, 13), "full", "vendredi 13 juin 2025"),
    ("fr_FR", D(2025, 6, 13), "long", "13 juin 2025"),
    ("fr_FR", D(2025, 6, 1), "full", "dimanche 1er juin 2025"),
    ("fr_FR", D(2025, 6, 1), "long", "1er juin 2025"),
    ("fr_FR", D(2025, 6, 11), "long", "11 juin 2025"),
    ("fr_FR", D(2026, 1, 21), "long", "21 janvier 2026"),
    ("fr_CA", D(2025, 6, 13), "full", "vendredi 13 juin 2025"),
    ("fr_CA", D(2025, 7, 1), "long", "1er juillet 2025"),
]

# Other locales: Babel's own format, untouched by lettre (compared with Babel itself)
OTHER_DATES = [
    ("en_US", D(2025, 6, 13), "full"),
    ("en_US", D(2025, 6, 1), "long"),
    ("en_GB", D(2025, 6, 13), "full"),
    ("en_GB", D(2025, 6, 1), "long"),
    ("de_DE", D(2025, 6, 13), "full"),
    ("de_DE", D(2025, 6, 1), "long"),
]

DAY_MONTHS = [
    ("fr_FR", D(2025, 6, 1), "1er juin"),
    ("fr_FR", D(2025, 6, 13), "13 juin"),
    ("fr_CA", D(2025, 10, 1), "1er octobre"),
    ("en_US", D(2025, 6, 1), "June 1"),
    ("en_GB", D(2025, 6, 1), "1 June"),
    ("de_DE", D(2025, 6, 1), "1. Juni"),
]

PERIODS = [
    # (locale, start, end, expected): what lettre composes itself, in French
    ("fr_FR", D(2025, 5, 26), D(2025, 6, 8), "du 26 mai au 8 juin 2025"),
    ("fr_FR", D(2025, 6, 2), D(2025, 6, 8), "du 2 au 8 juin 2025"),
    ("fr_FR", D(2025, 12, 29), D(2026, 1, 4), "du 29 décembre 2025 au 4 janvier 2026"),
    ("fr_FR", D(2025, 6, 8), D(2025, 6, 8), "le 8 juin 2025"),
    ("fr_FR", D(2025, 6, 1), D(2025, 6, 7), "du 1er au 7 juin 2025"),
    ("fr_FR", D(2025, 5, 1), D(2025, 6, 1), "du 1er mai au 1er juin 2025"),
    ("fr_FR", D(2025, 6, 1), D(2025, 6, 1), "le 1er juin 2025"),
    ("fr_FR", D(2025, 6, 8), D(2025, 5, 26), "du 26 mai au 8 juin 2025"),  # ends swapped
    ("fr_CA", D(2025, 5, 26), D(2025, 6, 8), "du 26 mai au 8 juin 2025"),
    ("fr_CA", D(2025, 12, 29), D(2026, 1, 4), "du 29 décembre 2025 au 4 janvier 2026"),
]

# Other locales: lettre hands the interval to Babel (CLDR's own pattern and spacing, which
# change between Babel releases) and widens its abbreviated months to full names. Compared
# with Babel's own abbreviated interval, month names widened by the test itself.
OTHER_PERIODS = [
    # (locale, start, end, the words that must be there, whatever CLDR's spacing)
    ("en_US", D(2025, 5, 26), D(2025, 6, 8), ["May 26", "June 8, 2025"]),
    ("en_US", D(2025, 6, 2), D(2025, 6, 8), ["June 2", "8, 2025"]),
    ("en_US", D(2025, 12, 29), D(2026, 1, 4), ["December 29, 2025", "January 4, 2026"]),
    ("en_GB", D(2025, 5, 26), D(2025, 6, 8), ["26 May", "8 June 2025"]),
    ("en_GB", D(2025, 6, 2), D(2025, 6, 8), ["2", "8 June 2025"]),
    ("en_GB", D(2025, 12, 29), D(2026, 1, 4), ["29 December 2025", "4 January 2026"]),
    ("en_GB", D(2025, 6, 1), D(2025, 6, 7), ["1", "7 June 2025"]),
    ("de_DE", D(2025, 5, 26), D(2025, 6, 8), ["26. Mai", "8. Juni 2025"]),
    ("de_DE", D(2025, 6, 2), D(2025, 6, 8), ["2.", "8. Juni 2025"]),
    ("de_DE", D(2025, 12, 29), D(2026, 1, 4), ["29. Dezember 2025", "4. Januar 2026"]),
]

OTHER_SAME_DAY = [("en_US", D(2025, 6, 8)), ("en_GB", D(2025, 6, 1)), ("de_DE", D(2025, 6, 8))]

ORDINALS = [
    ("fr_FR", 1, "1er"),
    ("fr_FR", 3, "3e"),
    ("fr_FR", 21, "21e"),
    ("fr_CA", 1, "1er"),
    ("en_US", 1, "1st"),
    ("en_US", 2, "2nd"),
    ("en_GB", 3, "3rd"),
    ("en_GB", 11, "11th"),
    ("en_GB", 22, "22nd"),
    ("de_DE", 1, "1."),
]

PLURALS = [
    # (locale, years, the years of an item, the title of a computed anniversary)
    ("fr_FR", 1, f"1{NB}an", "Le SID fête son premier anniversaire"),
    ("fr_FR", 2, f"2{NB}ans", f"Le SID fête ses 2{NB}ans"),
    ("fr_FR", 20, f"20{NB}ans", f"Le SID fête ses 20{NB}ans"),
    ("fr_CA", 1, f"1{NB}an", "Le SID fête son premier anniversaire"),
    ("fr_CA", 25, f"25{NB}ans", f"Le SID fête ses 25{NB}ans"),
    ("en_US", 1, "1 year", "Le SID celebrates one year"),
    ("en_US", 20, "20 years", "Le SID celebrates 20 years"),
    ("en_GB", 5, "5 years", "Le SID celebrates 5 years"),
    ("de_DE", 1, f"1{NB}Jahr", "Ein Jahr Le SID"),
    ("de_DE", 20, f"20{NB}Jahre", "20 Jahre Le SID"),
]

TYPOGRAPHY = [
    # (locale, text, expected)
    ("fr_FR", "Armée de champions : les résultats", f"Armée de champions{NB}: les résultats"),
    ("fr_FR", "Armée de champions: les résultats", f"Armée de champions{NB}: les résultats"),
    ("fr_FR", "Bravo à tous !", f"Bravo à tous{NN}!"),
    ("fr_FR", "Bravo à tous!", f"Bravo à tous{NN}!"),
    ("fr_FR", "Qui gagne ? Lui ; elle aussi", f"Qui gagne{NN}? Lui{NN}; elle aussi"),
    ("fr_FR", "Vraiment ?!", f"Vraiment{NN}?!"),
    ("fr_FR", "Bravo  !", f"Bravo{NN}!"),  # a doubled space is not kept
    ("fr_FR", "« Se souvenir, c'est transmettre. »", f"«{NN}Se souvenir, c’est transmettre.{NN}»"),
    ("fr_FR", "«Se souvenir»", f"«{NN}Se souvenir{NN}»"),
    ("fr_FR", "Il a dit : « oui ! »", f"Il a dit{NB}: «{NN}oui{NN}!{NN}»"),
    ("fr_FR", "20 % des effectifs", f"20{NN}% des effectifs"),
    # already correct: unchanged, never doubled
    ("fr_FR", f"Note{NB}: voir{NN}; «{NN}oui{NN}»{NN}!", f"Note{NB}: voir{NN}; «{NN}oui{NN}»{NN}!"),
    ("fr_FR", f"Concours{NB}:{NB}les lauréats", f"Concours{NB}:{NB}les lauréats"),
    # untouched: URLs, e-mail addresses, times, code
    ("fr_FR", "Voir https://example.org/a?b=1;c=2 !", f"Voir https://example.org/a?b=1;c=2{NN}!"),
    ("fr_FR", "Voir <https://example.org/x:y?z>", "Voir <https://example.org/x:y?z>"),
    ("fr_FR", "Sur www.example.org/p?q ?", f"Sur www.example.org/p?q{NN}?"),
    (
        "fr_FR",
        "Écrire à redaction@example.org : merci",
        f"Écrire à redaction@example.org{NB}: merci",
    ),
    (
        "fr_FR",
        "mailto:redaction@example.org?subject=a:b",
        "mailto:redaction@example.org?subject=a:b",
    ),
    ("fr_FR", "Rendez-vous à 14:30 : accueil", f"Rendez-vous à 14:30{NB}: accueil"),
    ("fr_FR", "De 8:00 à 12:45:30", "De 8:00 à 12:45:30"),
    ("fr_FR", "Tapez `lettre compose --week 2025-W24 ; echo ok !`", None),
    ("fr_FR", "ratio 3:2, a;b, x!y", "ratio 3:2, a;b, x!y"),
    # Canadian French: nothing before ; ! ?, a no-break space before : and inside « »
    ("fr_CA", "Bravo à tous !", "Bravo à tous!"),
    ("fr_CA", "Qui gagne ? Lui ; elle aussi", "Qui gagne? Lui; elle aussi"),
    ("fr_CA", "Les résultats : deux titres", f"Les résultats{NB}: deux titres"),
    ("fr_CA", "«Se souvenir»", f"«{NB}Se souvenir{NB}»"),
    ("fr_CA", f"Bravo{NN}!", "Bravo!"),
    (
        "fr_CA",
        "Voir https://example.org/a?b=1 ! À 14:30 : ok",
        f"Voir https://example.org/a?b=1! À 14:30{NB}: ok",
    ),
    # other languages: no change at all
    ("en_US", "Results: two titles! Really? Yes; « quoted »", None),
    ("en_GB", "Team Defence : results !", None),
    ("de_DE", "Ergebnisse: zwei Titel! Wirklich?", None),
]


@pytest.mark.parametrize(("locale", "day", "form", "expected"), DATES)
def test_format_date(locale: str, day: dt.date, form: str, expected: str) -> None:
    assert format_date(day, locale, form) == expected


@pytest.mark.parametrize(("locale", "day", "form"), OTHER_DATES)
def test_format_date_other_locales(locale: str, day: dt.date, form: str) -> None:
    from babel.dates import format_date as babel_format_date

    assert format_date(day, locale, form) == babel_format_date(day, form, locale=locale)


@pytest.mark.parametrize(("locale", "day", "expected"), DAY_MONTHS)
def test_format_day_month(locale: str, day: dt.date, expected: str) -> None:
    assert format_day_month(day, locale) == expected


@pytest.mark.parametrize(("locale", "start", "end", "expected"), PERIODS)
def test_format_period(locale: str, start: dt.date, end: dt.date, expected: str) -> None:
    assert format_period(start, end, locale) == expected


def _widened(text: str, locale: str) -> str:
    """Babel's text with every abbreviated month name written in full (the test's own way)."""
    loc = get_locale(locale)
    for month in range(1, 13):
        short = loc.months["format"]["abbreviated"][month]
        wide = loc.months["format"]["wide"][month]
        text = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", wide, text)
    return text


@pytest.mark.parametrize(("locale", "start", "end", "words"), OTHER_PERIODS)
def test_format_period_other_locales(
    locale: str, start: dt.date, end: dt.date, words: list[str]
) -> None:
    from babel.dates import format_interval

    babel_own = format_interval(start, end, "yMMMd", locale=get_locale(locale))
    period = format_period(start, end, locale)
    assert period == _widened(babel_own, locale)
    assert format_period(end, start, locale) == period  # ends swapped
    position = 0
    for word in words:  # full month names, in order
        position = period.index(word, position) + len(word)


@pytest.mark.parametrize(("locale", "day"), OTHER_SAME_DAY)
def test_format_period_one_day_other_locales(locale: str, day: dt.date) -> None:
    from babel.dates import format_date as babel_format_date

    assert format_period(day, day, locale) == babel_format_date(day, "long", locale=locale)


@pytest.mark.parametrize(("locale", "number", "expected"), ORDINALS)
def test_ordinal(locale: str, number: int, expected: str) -> None:
    assert ordinal(number, locale) == expected


@pytest.mark.parametrize(("locale", "years", "duration", "title"), PLURALS)
def test_plurals_follow_the_locale(locale: str, years: int, duration: str, title: str) -> None:
    assert years_text(years, locale) == duration
    assert anniversary_title("Le SID", years, locale) == title


@pytest.mark.parametrize(("locale", "text", "expected"), TYPOGRAPHY)
def test_typography(locale: str, text: str, expected: str | None) -> None:
    result = typography(text, locale)
    assert result == (text if expected is None else expected)
    assert typography(result, locale) == result, "typography must be idempotent"


@pytest.mark.parametrize("text", [t for _, t, _ in TYPOGRAPHY])
def test_typography_never_doubles_a_space(text: str) -> None:
    for locale in ("fr_FR", "fr_CA"):
        assert not re.search(f"[ {NB}{NN}]{{2}}", typography(text, locale))
        assert not re.search(f"[ {NB}{NN}]{{2}}", typography(typography(text, locale), locale))


def test_typography_at_the_edges_of_markdown_tokens() -> None:
    # the text after **Bravo** or a link starts with the mark: it gets its space there
    def html(text: str, locale: str = "fr_FR") -> str:
        return to_html(text, lambda t: typography(t, locale))

    assert html("**Bravo** ! et [lien](https://x.org)? « *oui* » : fin") == (
        f'<p><strong>Bravo</strong>{NN}! et <a href="https://x.org">lien</a>{NN}? '
        f"«{NN}<em>oui</em>{NN}»{NB}: fin</p>"
    )
    assert html("**Bravo** ! *Quoi* ?", "fr_CA") == "<p><strong>Bravo</strong>! <em>Quoi</em>?</p>"
    assert html("! début") == "<p>! début</p>"


def test_nothing_is_added_before_a_mark_that_starts_the_text() -> None:
    assert typography("!!!", "fr_FR") == "!!!"
    assert typography("?! Quiz", "fr_FR") == "?! Quiz"
    assert typography(": deux points", "fr_FR") == ": deux points"
    assert typography("» fin", "fr_FR") == "» fin"


def test_bare_fr_is_france() -> None:
    assert str(get_locale("fr")) == "fr_FR"
    assert str(get_locale("fr-ca")) == "fr_CA"
    assert str(get_locale("en_GB")) == "en_GB"


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("fr_FRR", "did you mean fr_FR"),
        ("fr_XX", "did you mean fr_FR"),
        ("frFR", "did you mean fr_FR"),
        ("de_XX", "did you mean de_DE"),
        ("english", "did you mean en?"),
        ("allemand", "did you mean de?"),
        ("xx", "use a code such as fr_FR"),
    ],
)
def test_unknown_locale_names_close_matches(name: str, hint: str) -> None:
    with pytest.raises(UsageError) as caught:
        get_locale(name)
    assert str(caught.value).startswith(f"unknown locale {name!r}: ")
    assert hint in str(caught.value)


_PIECES = [*"ab1 :;!?«»%@.-/`\n", NB, NN, "https://example.org/", "14:30", "x@example.org"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=25).map("".join),
    st.sampled_from(["fr_FR", "fr_CA"]),
)
def test_typography_only_moves_spaces_and_is_idempotent(text: str, locale: str) -> None:
    once = typography(text, locale)
    assert typography(once, locale) == once
    spaces = f"[ {NB}{NN}]"
    # besides spaces, only three dots become « … » (test_typography.py has the other marks)
    assert re.sub(spaces, "", once) == re.sub(r"(?<!\.)\.\.\.(?!\.)", "…", re.sub(spaces, "", text))
