"""Typography: apostrophes, quotes, ellipsis, numbers and units; raw HTML; turning rules off.

The French cases are what the ministry's own pages print (« s’entretient », « d’armée »,
« 3 000 m », « 14 h 30 ») with URLs, times, code, e-mail addresses and HTML around them.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lettre.body import plain_summary, to_html, to_text
from lettre.config import TypographySettings as Rules
from lettre.french import quotation_marks, typography

NB = "\u00a0"  # no-break space: before « : », between a number and its unit
NN = "\u202f"  # narrow no-break space: before « ; ! ? », inside « » and numbers (France)


FRENCH = [
    # (text, what France prints); None: unchanged
    # --- apostrophes
    ("L'armée de Terre", "L’armée de Terre"),
    ("aujourd'hui", "aujourd’hui"),
    ("Le ministre s'entretient avec l'état-major", "Le ministre s’entretient avec l’état-major"),
    ("qu'il vienne", "qu’il vienne"),
    ("presqu'île d'Ouessant", "presqu’île d’Ouessant"),
    ("jusqu'au 3 juin", "jusqu’au 3 juin"),
    ("L'OTAN et l'ONU", "L’OTAN et l’ONU"),
    ("Qu'en pensez-vous ?", f"Qu’en pensez-vous{NN}?"),
    ("'tis the season", "’tis the season"),  # a leading elision that closes nothing
    ("les années '80", "les années ’80"),
    ("Il a dit 'non' hier", "Il a dit ‘non’ hier"),  # a pair around words: single quotes
    ("'Bravo', dit-il", "‘Bravo’, dit-il"),
    ("C'est 'non' pour l'État", "C’est ‘non’ pour l’État"),
    ("Voir l'", "Voir l’"),
    ("L’armée, déjà écrit", None),
    ("un 5'30 au kilomètre", None),  # a prime after a digit stays as typed
    ("C'est à 14:30 qu'on part", "C’est à 14:30 qu’on part"),
    ("Voir https://example.org/l'armee", None),
    ("Écrire à o'brien@example.org", None),
    ("Tapez `git commit -m 'fix'`", None),
    ("Tapez `git commit -m 'fix'` puis l'envoyer", "Tapez `git commit -m 'fix'` puis l’envoyer"),
    # --- straight double quotes
    ('Le mot "défense"', f"Le mot «{NN}défense{NN}»"),
    ('"Servir" est leur devise.', f"«{NN}Servir{NN}» est leur devise."),
    ('Il a dit : "Bravo à tous !"', f"Il a dit{NB}: «{NN}Bravo à tous{NN}!{NN}»"),
    ('"Bravo", a-t-il dit', f"«{NN}Bravo{NN}», a-t-il dit"),
    ('Le "Charles de Gaulle" appareille', f"Le «{NN}Charles de Gaulle{NN}» appareille"),
    ('("opération Sentinelle")', f"(«{NN}opération Sentinelle{NN}»)"),
    ('"oui" et "non"', f"«{NN}oui{NN}» et «{NN}non{NN}»"),
    ('Voir "https://example.org/a"', f"Voir «{NN}https://example.org/a{NN}»"),
    ('un écran de 27"', None),  # an inch mark closes nothing
    ('Le lien <a href="https://example.org">', None),  # an attribute is not a quotation
    ("« déjà »", f"«{NN}déjà{NN}»"),
    ('Tapez `echo "oui"` : ok', f'Tapez `echo "oui"`{NB}: ok'),
    ('"l\'or" olympique', f"«{NN}l’or{NN}» olympique"),
    # --- ellipsis
    ("Attendez...", "Attendez…"),
    ("Et puis... rien", "Et puis… rien"),
    ("[...]", "[…]"),
    ("Quoi...?", f"Quoi…{NN}?"),
    ("etc...", "etc…"),
    ("....", None),  # four dots are not an ellipsis
    ("Voir https://example.org/a...b", None),
    ("`a...b`", None),
    ("Écrire à redaction@example.org...", "Écrire à redaction@example.org…"),
    # --- numbers
    ("3 000 soldats", f"3{NN}000 soldats"),
    ("10 000 000 €", f"10{NN}000{NN}000{NB}€"),
    ("1 234 567", f"1{NN}234{NN}567"),
    ("En 2025, 3 000 personnes", f"En 2025, 3{NN}000 personnes"),
    ("3 000,50 €", f"3{NN}000,50{NB}€"),
    (f"12{NB}345 visiteurs", f"12{NN}345 visiteurs"),
    ("de 1914 à 1918", None),
    ("Tél. 01 23 45 67 89", None),  # a telephone number has no group of three
    ("le 13 juin 2025", None),
    ("version 1.2 300 fois", None),
    ("https://example.org/3 000", None),
    # --- numbers and units
    ("-63 kg", f"-63{NB}kg"),
    ("63 kg", f"63{NB}kg"),
    ("6 h", f"6{NB}h"),
    ("14 h 30", f"14{NB}h{NB}30"),
    ("de 9 h à 17 h 30", f"de 9{NB}h à 17{NB}h{NB}30"),
    ("2 min 30 s", f"2{NB}min{NB}30{NB}s"),
    ("20 ans", f"20{NB}ans"),
    ("1 an", f"1{NB}an"),
    ("10 €", f"10{NB}€"),
    ("90 km/h", f"90{NB}km/h"),
    ("25 °C", f"25{NB}°C"),
    ("120 m²", f"120{NB}m²"),
    ("3 t de fret", f"3{NB}t de fret"),
    ("1,5 L", f"1,5{NB}L"),
    ("250 ml", f"250{NB}ml"),
    ("700 Mo sur 4 Go", f"700{NB}Mo sur 4{NB}Go"),
    ("100 m haies", f"100{NB}m haies"),
    ("3 000 m steeple", f"3{NN}000{NB}m steeple"),
    ("4 x 100 m", f"4 x 100{NB}m"),
    ("30 millions d'euros", f"30{NB}millions d’euros"),
    ("Le A400M vole à 700 km/h", f"Le A400M vole à 700{NB}km/h"),
    ("12 kg.", f"12{NB}kg."),
    ("20 %", f"20{NN}%"),
    ("n° 5", f"n°{NB}5"),
    ("§ 2", f"§{NB}2"),
    ("le 3 mai", None),  # « m » followed by letters is a word, not metres
    ("les 3 maréchaux", None),
    ("5 l'ont vu", "5 l’ont vu"),
    ("2 s'engagent", "2 s’engagent"),
    ("Rendez-vous à 14:30 précises", None),
    (f"63{NN}kg", None),  # a no-break space the writer typed stays
    # --- everything at once, with what is never touched around it
    (
        "L'équipe a gagné \"l'or\" à 14 h 30...",
        f"L’équipe a gagné «{NN}l’or{NN}» à 14{NB}h{NB}30…",
    ),
    ("L'adresse : contact@example.org !", f"L’adresse{NB}: contact@example.org{NN}!"),
    ("Code `3 000 m` et 3 000 m", f"Code `3 000 m` et 3{NN}000{NB}m"),
    ("Voir https://example.org/?q=a...b&x='y'", None),
    ("Voir <https://example.org/l'a>", None),
    ("mailto:l'ami@example.org?subject=3 000", "mailto:l'ami@example.org?subject=3 000"),
    (
        "Départ à 6:45, arrivée vers 14 h : 42 km",
        f"Départ à 6:45, arrivée vers 14{NB}h{NB}: 42{NB}km",
    ),
    ("Le prix&nbsp;: 10 €", f"Le prix&nbsp;{NB}: 10{NB}€"),  # an entity in plain text stays
]

CANADIAN = [
    ('Le mot "défense"', f"Le mot «{NB}défense{NB}»"),
    ("L'armée canadienne", "L’armée canadienne"),
    ("Bravo... à tous !", "Bravo… à tous!"),
    ("3 000 m en 10 min", f"3{NN}000{NB}m en 10{NB}min"),
    ("20 %", f"20{NB}%"),
    ('Il a dit : "oui"', f"Il a dit{NB}: «{NB}oui{NB}»"),
]

OTHERS = [
    # (locale, text, expected); straight double quotes only, nothing else
    ("en_US", 'He said "yes"', "He said “yes”"),
    ("en_GB", 'The "Charles de Gaulle": ready!', "The “Charles de Gaulle”: ready!"),
    ("en_US", 'Visit "https://example.org"', "Visit “https://example.org”"),
    ("en_US", "It's 3 000 m... at 14 h 30 (63 kg)", None),
    ("en_US", 'A 27" screen', None),
    ("en_US", 'Type `echo "yes"`', None),
    ("en_GB", 'Write to "x@example.org"', "Write to “x@example.org”"),
    ("de_DE", 'Er sagte "ja"', "Er sagte „ja“"),
    ("de_AT", '"Servus" und "Grüß Gott"', "„Servus“ und „Grüß Gott“"),
    ("de_CH", 'Er sagte "ja"', "Er sagte «ja»"),
    ("es_ES", 'Dijo "sí"', "Dijo «sí»"),
    ("it_IT", 'Ha detto "sì"', "Ha detto «sì»"),
    ("nl_NL", 'Hij zei "ja"', "Hij zei ‘ja’"),
    ("pl_PL", 'Powiedział "tak"', "Powiedział „tak”"),
    ("sv_SE", 'Han sa "ja"', "Han sa ”ja”"),
    ("ja_JP", 'Sagt "hai"', "Sagt 「hai」"),
    ("pt_BR", 'Disse "sim"', "Disse “sim”"),
    ("pt_PT", 'Disse "sim"', "Disse «sim»"),
    ("ru_RU", 'Он сказал "да"', "Он сказал «да»"),
    ("cs_CZ", 'Řekl "ano"', "Řekl „ano“"),
    ("zh_Hant_TW", '他說"是"', None),  # a quote between letters opens nothing
    ("zh_Hant_TW", '他說 "是" 。', "他說 「是」 。"),
    ("en_US", "Results: two titles! Really? Yes; « quoted »", None),
    ("de_DE", "Ergebnisse: zwei Titel! Wirklich? 3 000 m...", None),
    ("sw", 'Alisema "ndiyo"', None),  # no quotation marks known: as typed
]


@pytest.mark.parametrize(("text", "expected"), FRENCH)
def test_french(text: str, expected: str | None) -> None:
    result = typography(text, "fr_FR")
    assert result == (text if expected is None else expected)
    assert typography(result, "fr_FR") == result


@pytest.mark.parametrize(("text", "expected"), CANADIAN)
def test_canadian_french(text: str, expected: str | None) -> None:
    result = typography(text, "fr_CA")
    assert result == (text if expected is None else expected)
    assert typography(result, "fr_CA") == result


@pytest.mark.parametrize(("locale", "text", "expected"), OTHERS)
def test_other_locales(locale: str, text: str, expected: str | None) -> None:
    result = typography(text, locale)
    assert result == (text if expected is None else expected)
    assert typography(result, locale) == result


def test_the_tables_are_as_large_as_promised() -> None:
    assert len(FRENCH) + len(CANADIAN) >= 80
    assert len(OTHERS) >= 20


def test_quotation_marks_by_locale_then_language() -> None:
    assert quotation_marks("en_GB") == ("“", "”")
    assert quotation_marks("de_DE") == ("„", "“")
    assert quotation_marks("de_CH") == ("«", "»")
    assert quotation_marks("zh_Hant_TW") == ("「", "」")
    assert quotation_marks("sw") is None


# --- each rule can be turned off ---------------------------------------------------------------

SAMPLE = 'L\'équipe a dit "oui"... 3 000 m en 14 h 30, 63 kg, 20 % : bravo !'
RULES_OFF = [
    ("apostrophe", f"L'équipe a dit «{NN}oui{NN}»… 3{NN}000{NB}m en 14{NB}h{NB}30, 63{NB}kg"),
    ("quotes", f'L’équipe a dit "oui"… 3{NN}000{NB}m en 14{NB}h{NB}30, 63{NB}kg'),
    ("ellipsis", f"L’équipe a dit «{NN}oui{NN}»... 3{NN}000{NB}m en 14{NB}h{NB}30, 63{NB}kg"),
    ("numbers", f"L’équipe a dit «{NN}oui{NN}»… 3 000{NB}m en 14{NB}h{NB}30, 63{NB}kg"),
    ("units", f"L’équipe a dit «{NN}oui{NN}»… 3{NN}000 m en 14 h 30, 63 kg"),
]


@pytest.mark.parametrize(("rule", "start"), RULES_OFF)
def test_each_rule_can_be_turned_off(rule: str, start: str) -> None:
    rules = replace(Rules(), **{rule: False})
    result = typography(SAMPLE, "fr_FR", rules)
    percent = "20 %" if rule == "units" else f"20{NN}%"
    assert result == f"{start}, {percent}{NB}: bravo{NN}!"  # the spacing of : ; ! ? stays
    assert typography(result, "fr_FR", rules) == result


def test_all_rules_off_leaves_only_the_spacing_of_punctuation() -> None:
    off = Rules(False, False, False, False, False)
    assert typography(SAMPLE, "fr_FR", off) == SAMPLE.replace(" : bravo !", f"{NB}: bravo{NN}!")
    assert typography('Say "yes"', "en_US", off) == 'Say "yes"'


# --- Markdown and raw HTML ---------------------------------------------------------------------


def fr(text: str) -> str:
    return typography(text, "fr_FR")


MARKDOWN = [
    # (Markdown with raw HTML allowed, the HTML lettre writes)
    ("Voir <code>fix: typo</code>", "<p>Voir <code>fix: typo</code></p>"),
    ("Voir <code>fix: typo</code> : fait", f"<p>Voir <code>fix: typo</code>{NB}: fait</p>"),
    ("<kbd>Ctrl ; C</kbd> puis <samp>l'erreur : 3 000 kg</samp>", None),
    ("<tt>a ! b</tt> et <math><mi>x</mi> : 3</math>", None),
    ("<pre>\nL'armée : 3 000 m...\n</pre>", None),
    (
        '<div>L\'armée "gagne" : 3 000 m</div>',
        f"<div>L’armée «{NN}gagne{NN}»{NB}: 3{NN}000{NB}m</div>",
    ),
    (
        '<p title="l\'armée : x">Texte : ok</p>',
        f'<p title="l\'armée : x">Texte{NB}: ok</p>',
    ),
    ("<span>Bravo</span> !", f"<p><span>Bravo</span>{NN}!</p>"),
    (
        "<p>Prix&nbsp;: 10 € &amp; 3&nbsp;000 kg</p>",
        f"<p>Prix{NB}: 10{NB}€ &amp; 3{NN}000{NB}kg</p>",
    ),
    ("<p>&lt;b&gt; : &quot;x&quot;</p>", f"<p>&lt;b&gt;{NB}: &quot;x&quot;</p>"),
    ("<!-- l'armée : 3 000 m -->", None),
    ("<p>L'<b>armée</b> de l'<i>air</i></p>", "<p>L’<b>armée</b> de l’<i>air</i></p>"),
    (
        '<p>Il a dit <em>"non"</em>...</p>',
        f"<p>Il a dit <em>«{NN}non{NN}»</em>…</p>",
    ),
    ("<script>var a = 'x' : 1;</script>", None),
    (
        "**Bravo** ! et [lien](https://x.org)? « *oui* » : fin",
        f'<p><strong>Bravo</strong>{NN}! et <a href="https://x.org">lien</a>{NN}? '
        f"«{NN}<em>oui</em>{NN}»{NB}: fin</p>",
    ),
    ('"*Servir*" dit-il...', f"<p>«{NN}<em>Servir</em>{NN}» dit-il…</p>"),
    ("l'**armée** de *l'air*", "<p>l’<strong>armée</strong> de <em>l’air</em></p>"),
    ("Tapez `lettre check` : voilà", f"<p>Tapez <code>lettre check</code>{NB}: voilà</p>"),
    ("Poids : **-63** kg", f"<p>Poids{NB}: <strong>-63</strong>{NB}kg</p>"),
    (
        '![L\'image "belle"](https://example.org/i.png)',
        f'<p><img src="https://example.org/i.png" alt="L’image «{NN}belle{NN}»" /></p>',
    ),
    (
        'Le "premier\nparagraphe"',
        f"<p>Le «{NN}premier\nparagraphe{NN}»</p>",
    ),
]


@pytest.mark.parametrize(("markdown", "expected"), MARKDOWN)
def test_markdown_and_raw_html(markdown: str, expected: str | None) -> None:
    html = to_html(markdown, fr, allow_html=True)
    if expected is None:  # as written (inside <p> when Markdown made a paragraph)
        assert html in (markdown, f"<p>{markdown}</p>")
    else:
        assert html == expected
    # typesetting what lettre wrote changes nothing
    assert to_html(markdown, lambda t: fr(fr(t)), allow_html=True) == html


def test_a_link_keeps_its_address_and_its_text_is_typeset() -> None:
    html = to_html("Voir [l'article](https://example.org/l'article)", fr)
    assert html == '<p>Voir <a href="https://example.org/l\'article">l’article</a></p>'


def test_raw_html_is_escaped_and_typeset_as_text_when_not_allowed() -> None:
    assert to_html("<code>fix: typo</code>", fr) == (
        f"<p>&lt;code&gt;fix{NB}: typo&lt;/code&gt;</p>"
    )


def test_the_plain_text_and_the_summary_have_the_same_typography() -> None:
    markdown = "L'équipe a couru le **3 000 m** en 8 min 30 s... `a : b`"
    assert (
        to_text(markdown, fr) == f"L’équipe a couru le 3{NN}000{NB}m en 8{NB}min{NB}30{NB}s… a : b"
    )
    assert plain_summary(markdown, 220, fr) == to_text(markdown, fr)
    # a summary is cut at a space that may break, never inside « 3 000 m »
    assert plain_summary("Un record : 3 000 m", 17, fr) == "Un record…"
    html_body = "<p>L'armée : <code>x : y</code></p>"
    assert plain_summary(html_body, 220, fr, allow_html=True) == f"L’armée{NB}: x : y"


# --- every rule is idempotent ------------------------------------------------------------------

PIECES = [
    *"ab1 :;!?«»\"'()[].,…-%\u00a0\u202f\u2009\n`@/",
    "...",
    "l'",
    " 000",
    " kg",
    " h",
    "3 000",
    "14 h 30",
    "https://example.org/",
    "x@example.org",
    "14:30",
    "&nbsp;",
    "\ue010",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
LOCALES = st.sampled_from(["fr_FR", "fr_CA", "fr_BE", "en_US", "de_DE", "nl_NL"])
RULES = st.builds(Rules, st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans())


@given(TEXTS | st.text(max_size=40), LOCALES, RULES)
@example("'\"a\"'", "fr_FR", Rules())
@example('""a""', "fr_FR", Rules())
@example("''a''", "fr_FR", Rules())
def test_every_rule_is_idempotent(text: str, locale: str, rules: Rules) -> None:
    once = typography(text, locale, rules)
    assert typography(once, locale, rules) == once


@given(TEXTS, LOCALES, RULES)
def test_the_rules_change_only_spaces_and_marks(text: str, locale: str, rules: Rules) -> None:
    once = typography(text, locale, rules)

    def letters(value: str) -> str:
        value = re.sub("[ \u00a0\u202f\u2009]", "", value).replace("…", "...")
        return re.sub("[’‘]", "'", re.sub("[«»“”„「」]", '"', value))

    assert letters(once) == letters(text)


@given(TEXTS, st.sampled_from(["fr_FR", "fr_CA"]))
def test_markdown_typesetting_is_idempotent(text: str, locale: str) -> None:
    def typeset(value: str) -> str:
        return typography(value, locale)

    html = to_html(text, typeset, allow_html=True)
    assert to_html(text, lambda t: typeset(typeset(t)), allow_html=True) == html


# --- in the letter -----------------------------------------------------------------------------

RESULTS = """\
---
date: 2025-06-10
kind: resultats
title: "Judo : l'équipe de France"
summary: "Deux médailles... et 3 000 spectateurs"
results:
  - {sport: judo, name: "Léa O'Neil", rank: 1, event: "-63 kg",
     competition: "Championnats d'Europe", city: "L'Aquila", country: Italie,
     dates: [2025-06-07, 2025-06-08]}
  - {sport: athlétisme, name: "Inès Benali", rank: finaliste, event: "3 000 m steeple",
     competition: "Meeting \\"Ville de Paris\\"", city: Paris}
---
Le 3 000 m s'est couru à 14 h 30.
"""


def test_results_rows_event_and_competition_are_typeset_names_places_and_dates_not(  # type: ignore[no-untyped-def]
    run, make_folder
) -> None:
    import json

    folder = make_folder({"2025-06-10-judo.md": RESULTS})
    result = run("compose", "-C", folder, "--week", "2025-06-13", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (entry,) = [e for s in json.loads(result.stdout)["sections"] for e in s["items"]]
    assert entry["title"] == f"Judo{NB}: l’équipe de France"
    assert entry["summary"] == f"Deux médailles… et 3{NN}000 spectateurs"
    rows = [row for group in entry["results"] for row in group["rows"]]
    assert [(r["name"], r["event"], r["competition"], r["place"], r["rank"]) for r in rows] == [
        ("Léa O'Neil", f"-63{NB}kg", "Championnats d’Europe", "L'Aquila (Italie)", "1er"),
        (
            "Inès Benali",
            f"3{NN}000{NB}m steeple",
            f"Meeting «{NN}Ville de Paris{NN}»",
            "Paris",
            "finaliste",
        ),
    ]
    assert rows[0]["dates"] == "du 7 au 8 juin 2025"
    html = run("compose", "-C", folder, "--week", "2025-06-13", "--format", "html").stdout
    assert f"Le 3{NN}000{NB}m s’est couru à 14{NB}h{NB}30." in html


def test_typography_settings_of_lettre_toml_turn_rules_off(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    from conftest import CONFIG, item_text

    item = item_text(title='"L\'équipe : 63 kg"', body='Le 3 000 m... "enfin" !')
    on = make_folder({"2025-06-10-a.md": item}, name="on")
    off = make_folder(
        {"2025-06-10-a.md": item},
        config=CONFIG + "\n[typography]\napostrophe = false\nunits = false\nquotes = false\n",
        name="off",
    )
    week = ("--week", "2025-06-13", "--format", "text")
    text_on = run("compose", "-C", on, *week).stdout
    assert f"L’équipe{NB}: 63{NB}kg" in text_on
    assert f"Le 3{NN}000{NB}m… «{NN}enfin{NN}»{NN}!" in text_on
    text_off = run("compose", "-C", off, *week).stdout
    assert f"L'équipe{NB}: 63 kg" in text_off
    assert f'Le 3{NN}000 m… "enfin"{NN}!' in text_off  # numbers and ellipsis stay on
    preview = run("preview", "-C", off, "--week", "2025-06-13").stdout
    assert "L'équipe" in preview and "L’équipe" not in preview
    assert "L'équipe" in run("list", "-C", off, "--week", "2025-06-13").stdout
