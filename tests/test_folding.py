"""Accent folding and file-name slugs: the one rule behind categories, headers and names."""

from __future__ import annotations

import unicodedata

from lettre.folding import fold, fold_letters, fold_words, letters, slugify, strip_accents


def test_fold_takes_accents_off_then_case() -> None:
    assert strip_accents("Défilé Œuvre") == "Defile Œuvre"  # œ is a letter, not an accent
    assert fold("DÉFILÉ") == fold("défilé") == "defile"
    assert fold("ᴬ") == "a" and fold("™") == "tm"  # compatibility letters fold to lower case
    assert fold("Straße") == "strasse"


def test_fold_is_stable_on_every_letter() -> None:
    for code in range(0x20, 0x3000):
        char = chr(code)
        if unicodedata.category(char).startswith(("L", "M", "N", "S")):
            assert fold(fold(char)) == fold(char), repr(char)


def test_the_folds_built_on_fold() -> None:
    assert fold_words("  Défilé   du 14\tJuillet ") == "defile du 14 juillet"
    assert fold_letters("Date de début") == fold_letters("DATE_DE_DEBUT") == "datededebut"
    assert letters("IMG_1234.JPG") == "img1234jpg"
    assert letters("défilé") != letters("defile")  # accents kept: an alt text says more


def test_slugify_keeps_ascii_only() -> None:
    assert slugify("Défilé du 14 Juillet : répétitions") == "defile-du-14-juillet-repetitions"
    assert slugify("Cœur d’Œdipe, Łódź") == "coeur-d-oedipe-lodz"
    assert slugify("Ελληνικά") == ""  # no ASCII letter: the caller picks another name
    assert slugify("a" * 70) == "a" * 60
