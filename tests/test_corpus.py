"""The error corpus: every broken input through the real CLI, `lettre compose` and `lettre check`.

Each case is a newsletter folder holding one good item and one mistake (tests/corpus/ holds
the broken files byte for byte). For each, the test asserts the exact message (file, line,
sentence), the exit code, that no traceback is printed, and that no file of the folder
changed. See tests/corpus/README.md to add a case.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CONFIG, item_text, skip_without
from lettre.render import environment

CORPUS = Path(__file__).resolve().parent / "corpus"
GOOD_ITEM = "2025-06-12-un-bon-item.md"
WEEK = ("--week", "2025-06-13", "-C", ".")


NB, NNB = "\u00a0", "\u202f"
LANGUAGES = ("en", "fr")


def french(text: str) -> str:
    """French typography as the catalog writes it: the plain space written here before « : »
    is a no-break space, before « ; ? ! » a narrow one."""
    for plain, typeset in (
        (" :", f"{NB}:"),
        (" ;", f"{NNB};"),
        (" ?", f"{NNB}?"),
        (" !", f"{NNB}!"),
    ):
        text = text.replace(plain, typeset)
    return text


@dataclass(frozen=True)
class Case:
    """A mistake, where lettre must say it is, and what it must say in English and French."""

    where: str  # "items/x.md:4", "lettre.toml", or "" for a usage error
    message: str
    exit_code: int = 1
    fr: str = ""  # the message under LETTRE_LANG=fr, typography as `french()` makes it

    def text(self, language: str) -> str:
        return self.message if language == "en" else french(self.fr)

    def compose_line(self, language: str = "en") -> str:
        message = self.text(language)
        if language == "en":
            return f"Error: {self.where}: {message}" if self.where else f"Error: {message}"
        return (
            f"Erreur{NB}: {self.where}{NB}: {message}" if self.where else f"Erreur{NB}: {message}"
        )

    def check_lines(self, language: str = "en") -> set[str]:
        """The line `lettre check` prints: a finding on stdout, or a fatal error on stderr."""
        message = self.text(language)
        error = "error: " if language == "en" else f"erreur{NB}: "
        colon = ": " if language == "en" else f"{NB}: "
        finding = f"{self.where}{colon}{error}{message}" if self.where else message
        return {finding, self.compose_line(language)}


# --- items/*.md: the files of tests/corpus/items, copied into items/ ------------------------

ITEMS: dict[str, Case | None] = {  # None: the file must work
    "bom.md": None,
    "crlf.md": None,
    "binary.md": Case(
        "items/binary.md",
        "binary file, not text (an item is Markdown under a YAML front matter)",
        fr="fichier binaire, pas du texte (un article est du Markdown sous un en-tête YAML)",
    ),
    "blank.md": Case(
        "items/blank.md:1",
        "empty file: an item starts with a front matter between '---' lines",
        fr="fichier vide : un article commence par un en-tête entre des lignes '---'",
    ),
    "empty.md": Case(
        "items/empty.md:1",
        "empty file: an item starts with a front matter between '---' lines",
        fr="fichier vide : un article commence par un en-tête entre des lignes '---'",
    ),
    "control-character.md": Case(
        "items/control-character.md:6",
        "an invisible control character U+000B (a line break pasted from Word?) at column 13: "
        "delete it",
        fr=(
            "un caractère de contrôle invisible U+000B (un saut de ligne collé depuis Word ?) à "
            "la colonne 13 : supprimez-le"
        ),
    ),
    "latin-1.md": Case(
        "items/latin-1.md:4",
        "not UTF-8: byte 0xC9 at position 45 cannot be decoded "
        "(it looks like Latin-1 / ISO-8859-1); re-save the file as UTF-8",
        fr=(
            "pas en UTF-8 : l'octet 0xC9 à la position 45 ne se décode pas (il semble être en "
            "Latin-1 / ISO-8859-1) ; réenregistrez le fichier en UTF-8"
        ),
    ),
    "windows-1252.md": Case(
        "items/windows-1252.md:4",
        "not UTF-8: byte 0x92 at position 46 cannot be decoded (it looks like Windows-1252); "
        "re-save the file as UTF-8",
        fr=(
            "pas en UTF-8 : l'octet 0x92 à la position 46 ne se décode pas (il semble être en "
            "Windows-1252) ; réenregistrez le fichier en UTF-8"
        ),
    ),
    "no-front-matter.md": Case(
        "items/no-front-matter.md:1",
        "no front matter: the file must start with a '---' line, then 'date:', 'kind:' and "
        "'title:', then '---'",
        fr=(
            "pas d'en-tête : le fichier doit commencer par une ligne '---', puis 'date:', "
            "'kind:' et 'title:', puis '---'"
        ),
    ),
    "front-matter-unclosed.md": Case(
        "items/front-matter-unclosed.md:1",
        "front matter never closed: add a '---' line after it",
        fr="en-tête jamais fermé : ajoutez une ligne '---' après lui",
    ),
    "front-matter-after-blank-line.md": Case(
        "items/front-matter-after-blank-line.md:1",
        "the file must start with '---': remove the blank lines above it",
        fr="le fichier doit commencer par '---' : supprimez les lignes vides au-dessus",
    ),
    "front-matter-toml.md": Case(
        "items/front-matter-toml.md:1",
        "a TOML front matter ('+++'): lettre reads YAML between '---' lines",
        fr="un en-tête TOML ('+++') : lettre lit du YAML entre des lignes '---'",
    ),
    "yaml-unclosed-bracket.md": Case(
        "items/yaml-unclosed-bracket.md:4",
        "invalid YAML: the '[' is never closed; if the brackets are part of the text, "
        "put the whole value in quotes",
        fr=(
            "YAML invalide : le '[' n'est jamais fermé ; si les crochets font partie du texte, "
            "mettez toute la valeur entre guillemets"
        ),
    ),
    "yaml-unclosed-quote.md": Case(
        "items/yaml-unclosed-quote.md:4",
        "invalid YAML: a quote is never closed",
        fr="YAML invalide : un guillemet n'est jamais fermé",
    ),
    "yaml-colon-in-title.md": Case(
        "items/yaml-colon-in-title.md:4",
        "invalid YAML: a ': ' inside a value: put the value in quotes",
        fr="YAML invalide : un ': ' dans une valeur : mettez la valeur entre guillemets",
    ),
    "yaml-tab-indent.md": Case(
        "items/yaml-tab-indent.md:6",
        "invalid YAML: a tab character: YAML needs spaces for indentation",
        fr="YAML invalide : une tabulation : YAML demande des espaces pour l'indentation",
    ),
    "yaml-bad-indent.md": Case(
        "items/yaml-bad-indent.md:5",
        "invalid YAML: this line is indented more than the key above it: align the keys",
        fr="YAML invalide : cette ligne est plus indentée que la clé au-dessus : alignez les clés",
    ),
    "yaml-duplicate-key.md": Case(
        "items/yaml-duplicate-key.md:6",
        "duplicate key 'title' (first on line 4)",
        fr="clé 'title' en double (d'abord à la ligne 4)",
    ),
    "yaml-not-a-mapping.md": Case(
        "items/yaml-not-a-mapping.md:2",
        "the front matter must be 'key: value' lines",
        fr="l'en-tête doit être fait de lignes 'clé: valeur'",
    ),
    "yaml-alias-bomb.md": Case(
        "items/yaml-alias-bomb.md:9",
        "invalid YAML: its aliases ('*name') expand to more than 100 000 values",
        fr="YAML invalide : ses alias ('*name') se développent en plus de 100 000 valeurs",
    ),
    "yaml-deep-nesting.md": Case(
        "items/yaml-deep-nesting.md:5",
        "invalid YAML: nested more than 32 levels deep",
        fr="YAML invalide : plus de 32 niveaux d'imbrication",
    ),
    "yaml-python-tag.md": Case(
        "items/yaml-python-tag.md:4",
        "'title': the YAML tag '!!python/object/apply:os.system' is not allowed "
        "(write plain values)",
        fr=(
            "'title' : l'étiquette YAML '!!python/object/apply:os.system' n'est pas permise "
            "(écrivez des valeurs simples)"
        ),
    ),
    "date-as-text.md": Case(
        "items/date-as-text.md:2",
        "'date': expected a date like 2025-06-13, not 'demain'",
        fr="'date' : une date comme 2025-06-13 est attendue, et non 'demain'",
    ),
    "date-day-first.md": Case(
        "items/date-day-first.md:2",
        "'date': write the date '10/06/2025' as 2025-06-10 (year-month-day)",
        fr="'date' : écrivez la date '10/06/2025' sous la forme 2025-06-10 (année-mois-jour)",
    ),
    "date-impossible.md": Case(
        "items/date-impossible.md:2",
        "'date': 2025-02-30 is not a date in the calendar (February 2025 has 28 days)",
        fr="'date' : 2025-02-30 n'est pas une date du calendrier (février 2025 compte 28 jours)",
    ),
    "date-bad-month.md": Case(
        "items/date-bad-month.md:2",
        "'date': 2025-13-01 is not a date in the calendar (there is no month 13: months go "
        "from 01 to 12)",
        fr=(
            "'date' : 2025-13-01 n'est pas une date du calendrier (il n'y a pas de mois 13 : les "
            "mois vont de 01 à 12)"
        ),
    ),
    "date-out-of-range.md": Case(
        "items/date-out-of-range.md:2",
        "'date': 0025-06-10 is out of range (a year from 1900 to 2999)",
        fr="'date' : 0025-06-10 est hors limites (une année de 1900 à 2999)",
    ),
    "date-missing.md": Case(
        "items/date-missing.md:1",
        "missing 'date:' in the front matter (e.g. 'date: 2025-06-13')",
        fr="'date:' manque dans l'en-tête (par exemple 'date: 2025-06-13')",
    ),
    "title-missing.md": Case(
        "items/title-missing.md:1",
        "missing 'title:' in the front matter",
        fr="'title:' manque dans l'en-tête",
    ),
    "title-empty.md": Case(
        "items/title-empty.md:4",
        "'title' has no value",
        fr="'title' n'a pas de valeur",
    ),
    "title-list.md": Case(
        "items/title-list.md:4",
        "'title' must be text, not a list",
        fr="'title' doit être du texte, et non une liste",
    ),
    "key-misspelt.md": Case(
        "items/key-misspelt.md:4",
        "missing 'title:' in the front matter (did you mean it by 'titre:'?)",
        fr="'title:' manque dans l'en-tête (est-ce ce que veut dire 'titre:' ?)",
    ),
    "kind-unknown-typo.md": Case(
        "items/kind-unknown-typo.md:3",
        "unknown kind 'comunique' (did you mean 'communique'?); "
        "known kinds: communique, resultats, anniversaire",
        fr=(
            "genre inconnu 'comunique' (vouliez-vous dire 'communique' ?) ; genres connus : "
            "communique, resultats, anniversaire"
        ),
    ),
    "kind-unknown.md": Case(
        "items/kind-unknown.md:3",
        "unknown kind 'breve'; known kinds: communique, resultats, anniversaire",
        fr="genre inconnu 'breve' ; genres connus : communique, resultats, anniversaire",
    ),
    "results-not-a-list.md": Case(
        "items/results-not-a-list.md:5",
        "'results' must be a list of rows ('- sport: …' lines), not 'Judo, 1er, Léa Fontaine'",
        fr=(
            "'results' doit être une liste de lignes (des lignes '- sport: …'), et non 'Judo, "
            "1er, Léa Fontaine'"
        ),
    ),
    "results-row-not-a-table.md": Case(
        "items/results-row-not-a-table.md:7",
        "'results' row 2 must be a table (sport, name, rank, ...)",
        fr="'results', ligne 2 doit être une table (sport, name, rank, ...)",
    ),
    "results-row-without-sport.md": Case(
        "items/results-row-without-sport.md:6",
        "'results' row 1 needs 'sport'",
        fr="'results', ligne 1 a besoin de 'sport'",
    ),
    "results-bad-rank.md": Case(
        "items/results-bad-rank.md:6",
        "'results' row 1: 'rank' must be a number from 1, not 0",
        fr="'results', ligne 1 : 'rank' doit être un nombre à partir de 1, et non 0",
    ),
    "lang-unknown.md": Case(
        "items/lang-unknown.md:5",
        "'lang': unknown locale 'anglais': did you mean en?",
        fr="'lang' : locale inconnue 'anglais' : vouliez-vous dire en ?",
    ),
    "image-without-alt.md": Case(
        "items/image-without-alt.md:5",
        "'image' needs 'alt' (the text read out in its place)",
        fr="'image' a besoin de 'alt' (le texte lu à sa place)",
    ),
    "image-javascript-src.md": Case(
        "items/image-javascript-src.md:5",
        "'image.src' must be an http(s) address or a file of the folder, not 'javascript:alert(1)'",
        fr=(
            "'image.src' doit être une adresse http(s) ou un fichier du dossier, et non "
            "'javascript:alert(1)'"
        ),
    ),
    "url-javascript.md": Case(
        "items/url-javascript.md:5",
        "'url' must be an http(s) or mailto address, not 'javascript:alert(document.cookie)'",
        fr=(
            "'url' doit être une adresse http(s) ou mailto, et non "
            "'javascript:alert(document.cookie)'"
        ),
    ),
    "period-backwards.md": Case(
        "items/period-backwards.md:5",
        "'period' ends (2025-05-26) before it starts (2025-06-08)",
        fr="'period' finit (2025-05-26) avant de commencer (2025-06-08)",
    ),
}


# --- mistakes that cannot be stored as a file in git ----------------------------------------


def _huge(folder: Path) -> None:
    body = "Un paragraphe de texte, répété bien trop de fois.\n\n" * 30_000
    (folder / "items" / "huge.md").write_text(item_text(body=body), encoding="utf-8")


def _symlink_loop(folder: Path) -> None:
    (folder / "items" / "loop.md").symlink_to("loop.md")


def _symlink_cycle(folder: Path) -> None:
    (folder / "items" / "ping.md").symlink_to("pong.md")
    (folder / "items" / "pong.md").symlink_to("ping.md")


def _broken_symlink(folder: Path) -> None:
    (folder / "items" / "moved.md").symlink_to("../archives/moved.md")


def _unreadable(folder: Path) -> None:
    path = folder / "items" / "secret.md"
    path.write_text(item_text(), encoding="utf-8")
    path.chmod(0)


def _folder(folder: Path) -> None:
    (folder / "items" / "photos.md").mkdir()


def _fifo(folder: Path) -> None:
    os.mkfifo(folder / "items" / "pipe.md")


def _items_is_a_file(folder: Path) -> None:
    shutil.rmtree(folder / "items")
    (folder / "items").write_text("2025-06-12 un bon item\n", encoding="utf-8")


def _items_is_a_loop(folder: Path) -> None:
    shutil.rmtree(folder / "items")
    (folder / "items").symlink_to("items")


def _duplicate_slug(folder: Path) -> None:
    for name in ("2025-06-10-Concours-photo.md", "2025-06-10-concours-photo.md"):
        (folder / "items" / name).write_text(item_text(), encoding="utf-8")


def _anniversaries(folder: Path) -> None:
    (folder / "anniversaries.yaml").write_text(
        "- name: Service d'infrastructure de la Défense\n  founded: 2005-06-05\n"
        "- name: Base aérienne\n  founded: 1995-02-30\n",
        encoding="utf-8",
    )


def _config_binary(folder: Path) -> None:
    shutil.copyfile(CORPUS / "items" / "binary.md", folder / "lettre.toml")


def _anniversaries_mapping(folder: Path) -> None:
    (folder / "anniversaries.yaml").write_text(
        "name: Base aérienne\nfounded: 1995-06-10\n", encoding="utf-8"
    )


def _config(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        shutil.copyfile(CORPUS / "config" / name, folder / "lettre.toml")

    return setup


def _templates(name: str) -> Callable[[Path], None]:
    def setup(folder: Path) -> None:
        shutil.copytree(CORPUS / "templates" / name, folder / "templates")

    return setup


PHOTO_ITEM = "items/2025-06-12-photo.md"


def _photo_item(folder: Path, src: str, block: bool = False) -> None:
    """An item of the week whose image is `src`: flow style (line 5), or block style with
    `src` under `alt` (line 7), to show that the line named is the one of `src`."""
    image = f"\n  alt: Le défilé\n  src: {src}" if block else f"{{src: '{src}', alt: Le défilé}}"
    text = item_text(date="2025-06-12", title="Une photo", image=image)
    (folder / PHOTO_ITEM).write_text(text, encoding="utf-8")


def _image(name: str, src: str) -> Callable[[Path], None]:
    """A broken picture of tests/corpus/images, at `src` in the folder, named by an item."""

    def setup(folder: Path) -> None:
        target = folder / src
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / "images" / name, target)
        _photo_item(folder, src)

    return setup


def _image_missing(folder: Path) -> None:
    _photo_item(folder, "photos/defile.jpg", block=True)


def _image_src(src: str) -> Callable[[Path], None]:
    return lambda folder: _photo_item(folder, src)


def _image_link_out(folder: Path) -> None:
    from PIL import Image as PIL

    outside = folder.parent / "ailleurs.jpg"
    PIL.new("RGB", (64, 48), (40, 90, 160)).save(outside)
    (folder / "photos").mkdir()
    (folder / "photos" / "lien.jpg").symlink_to(outside)
    _photo_item(folder, "photos/lien.jpg")


def _image_folder(folder: Path) -> None:
    (folder / "photo.jpg").mkdir()
    _photo_item(folder, "photo.jpg")


IMAGES: dict[str, tuple[Callable[[Path], None], Case | None]] = {
    "image-missing": (
        _image_missing,
        Case(
            f"{PHOTO_ITEM}:7",
            "image 'photos/defile.jpg': no such file (the path is read from the newsletter "
            "folder, where lettre.toml is)",
            fr=(
                "image 'photos/defile.jpg' : fichier introuvable (le chemin se lit depuis le "
                "dossier de la lettre, là où est lettre.toml)"
            ),
        ),
    ),
    "image-empty": (
        _image("vide.jpg", "photos/vide.jpg"),
        Case(
            f"{PHOTO_ITEM}:5",
            "image 'photos/vide.jpg': an empty file (0 bytes): copy the picture again",
            fr="image 'photos/vide.jpg' : un fichier vide (0 octet) : copiez l'image de nouveau",
        ),
    ),
    "image-text-named-jpg": (
        _image("texte.jpg", "photos/texte.jpg"),
        Case(
            f"{PHOTO_ITEM}:5",
            "image 'photos/texte.jpg': not a picture lettre can read (JPEG, PNG, GIF, WebP, "
            "TIFF, or HEIC with lettre[heif])",
            fr=(
                "image 'photos/texte.jpg' : pas une image que lettre sait lire (JPEG, PNG, GIF, "
                "WebP, TIFF, ou HEIC avec lettre[heif])"
            ),
        ),
    ),
    "image-truncated-jpeg": (
        _image("tronquee.jpg", "photos/tronquee.jpg"),
        Case(
            f"{PHOTO_ITEM}:5",
            "image 'photos/tronquee.jpg': a damaged or incomplete picture (it cannot be decoded "
            "to the end): copy or export it again",
            fr=(
                "image 'photos/tronquee.jpg' : une image abîmée ou incomplète (elle ne se décode "
                "pas jusqu'au bout) : copiez-la ou exportez-la de nouveau"
            ),
        ),
    ),
    "image-decompression-bomb": (
        _image("bombe.png", "photos/bombe.png"),
        Case(
            f"{PHOTO_ITEM}:5",
            "image 'photos/bombe.png': too many pixels (over Pillow's limit against "
            "decompression bombs): export the picture at a smaller size",
            fr=(
                "image 'photos/bombe.png' : trop de pixels (au-delà de la limite de Pillow "
                "contre les bombes de décompression) : exportez l'image en plus petit"
            ),
        ),
    ),
    "image-leaves-the-folder": (
        _image_src("../../etc/passwd"),
        Case(
            f"{PHOTO_ITEM}:5",
            "image '../../etc/passwd': outside the newsletter folder: copy the picture into "
            "the folder (photos/…) and give its path from there",
            fr=(
                "image '../../etc/passwd' : hors du dossier de la lettre : copiez l'image dans "
                "le dossier (photos/…) et donnez son chemin depuis celui-ci"
            ),
        ),
    ),
    "image-absolute-path": (
        _image_src("/home/com/photos/defile.jpg"),
        Case(
            f"{PHOTO_ITEM}:5",
            "image '/home/com/photos/defile.jpg': an absolute path: give the path from the "
            "newsletter folder (photos/defile.jpg), where lettre.toml is",
            fr=(
                "image '/home/com/photos/defile.jpg' : un chemin absolu : donnez le chemin "
                "depuis le dossier de la lettre (photos/defile.jpg), là où est lettre.toml"
            ),
        ),
    ),
    "image-symlink-out-of-the-folder": (
        _image_link_out,
        Case(
            f"{PHOTO_ITEM}:5",
            "image 'photos/lien.jpg': a symbolic link to a file outside the newsletter "
            "folder: copy the picture into the folder",
            fr=(
                "image 'photos/lien.jpg' : un lien symbolique vers un fichier hors du dossier de "
                "la lettre : copiez l'image dans le dossier"
            ),
        ),
    ),
    "image-folder-named-jpg": (
        _image_folder,
        Case(
            f"{PHOTO_ITEM}:5",
            "image 'photo.jpg': a folder, not a picture file",
            fr="image 'photo.jpg' : un dossier, pas un fichier d'image",
        ),
    ),
    "image-heic-without-the-extra": (
        _image("iphone.heic", "photos/iphone.heic"),  # run where `import pillow_heif` fails
        Case(
            f"{PHOTO_ITEM}:5",
            "image 'photos/iphone.heic': a HEIC photo, which lettre reads with its optional "
            "HEIC support: pip install 'lettre[heif]' (or export the photo as JPEG)",
            fr=(
                "image 'photos/iphone.heic' : une photo HEIC, que lettre lit avec sa prise en "
                "charge facultative de HEIC : pip install 'lettre[heif]' (ou exportez la photo "
                "en JPEG)"
            ),
        ),
    ),
    "image-heic-with-the-extra": (_image("iphone.heic", "photos/iphone.heic"), None),
}


SETUPS: dict[str, tuple[Callable[[Path], None], Case]] = {
    "huge": (
        _huge,
        Case(
            "items/huge.md",
            "file too large (1 620 kB; at most 1 000 kB)",
            fr="fichier trop gros (1 620 kB ; au plus 1 000 kB)",
        ),
    ),
    "symlink-loop": (
        _symlink_loop,
        Case(
            "items/loop.md",
            "symbolic link loop: the link never reaches a file; remove it or fix its target",
            fr=(
                "boucle de liens symboliques : le lien n'atteint jamais un fichier ; "
                "supprimez-le ou corrigez sa cible"
            ),
        ),
    ),
    "unreadable": (
        _unreadable,
        Case(
            "items/secret.md",
            "permission denied: lettre may not read this file (see its owner and mode)",
            fr=(
                "permission refusée : lettre n'a pas le droit de lire ce fichier (voir son "
                "propriétaire et ses droits)"
            ),
        ),
    ),
    "broken-symlink": (
        _broken_symlink,
        Case(
            "items/moved.md",
            "broken symbolic link: its target '../archives/moved.md' does not exist",
            fr="lien symbolique cassé : sa cible '../archives/moved.md' n'existe pas",
        ),
    ),
    "folder-named-md": (
        _folder,
        Case(
            "items/photos.md",
            "a folder, not a file",
            fr="un dossier, pas un fichier",
        ),
    ),
    "named-pipe": (
        _fifo,
        Case(
            "items/pipe.md",
            "not a regular file (a device, a pipe or a socket)",
            fr="pas un fichier ordinaire (un périphérique, un tube ou une socket)",
        ),
    ),
    "items-is-a-file": (
        _items_is_a_file,
        Case(
            "items",
            "not a folder: item files go in a folder named items/",
            fr="pas un dossier : les fichiers d'articles vont dans un dossier nommé items/",
        ),
    ),
    "items-is-a-link-loop": (
        _items_is_a_loop,
        Case(
            "items",
            "symbolic link loop: the link never reaches a file; remove it or fix its target",
            fr=(
                "boucle de liens symboliques : le lien n'atteint jamais un fichier ; "
                "supprimez-le ou corrigez sa cible"
            ),
        ),
    ),
    "duplicate-slug": (
        _duplicate_slug,
        Case(
            "items/2025-06-10-concours-photo.md",
            "same slug '2025-06-10-concours-photo' as items/2025-06-10-Concours-photo.md: "
            "the two would be one file on macOS, on Windows and in the web archive; "
            "rename one of them",
            fr=(
                "même slug '2025-06-10-concours-photo' que items/2025-06-10-Concours-photo.md : "
                "les deux ne feraient qu'un fichier sur macOS, sous Windows et dans les archives "
                "web ; renommez l'un des deux"
            ),
        ),
    ),
    "anniversaries-impossible-date": (
        _anniversaries,
        Case(
            "anniversaries.yaml:4",
            "'founded': 1995-02-30 is not a date in the calendar (February 1995 has 28 days)",
            fr=(
                "'founded' : 1995-02-30 n'est pas une date du calendrier (février 1995 compte 28 "
                "jours)"
            ),
        ),
    ),
    "anniversaries-not-a-list": (
        _anniversaries_mapping,
        Case(
            "anniversaries.yaml:1",
            "expected a list of '- name: …' entries",
            fr="une liste d'entrées '- name: …' est attendue",
        ),
    ),
    "lettre-toml-binary": (
        _config_binary,
        Case(
            "lettre.toml",
            "binary file, not text (lettre.toml holds TOML text)",
            fr="fichier binaire, pas du texte (lettre.toml contient du texte TOML)",
        ),
    ),
    "config-unclosed-string": (
        _config("unclosed-string.toml"),
        Case(
            "lettre.toml:1",
            "invalid TOML: a quoted string is not closed on this line",
            fr="TOML invalide : une chaîne entre guillemets n'est pas fermée sur cette ligne",
        ),
    ),
    "config-bad-address": (
        _config("bad-address.toml"),
        Case(
            "lettre.toml:10",
            "'recipients.to': 'abonnes.example.net' is not an e-mail address",
            fr="'recipients.to' : 'abonnes.example.net' n'est pas une adresse électronique",
        ),
    ),
    "config-title-with-newline": (
        _config("title-with-newline.toml"),
        Case(
            "lettre.toml:1",
            "'title' must be one line, without control characters",
            fr="'title' doit tenir sur une ligne, sans caractère de contrôle",
        ),
    ),
    "config-display-name-with-newline": (
        _config("display-name-with-newline.toml"),
        Case(
            "lettre.toml:6",
            "'sender': the display name must be one line, without control characters",
            fr="'sender' : le nom affiché doit tenir sur une ligne, sans caractère de contrôle",
        ),
    ),
    "config-unknown-locale": (
        _config("unknown-locale.toml"),
        Case(
            "lettre.toml:2",
            "unknown locale 'fr_XX': did you mean fr_FR, fr_YT, fr_WF?",
            fr="locale inconnue 'fr_XX' : vouliez-vous dire fr_FR, fr_YT, fr_WF ?",
        ),
    ),
    "config-unknown-timezone": (
        _config("unknown-timezone.toml"),
        Case(
            "lettre.toml:3",
            "unknown time zone 'Paris' (use a name such as 'Europe/Paris')",
            fr="fuseau horaire inconnu 'Paris' (donnez un nom comme 'Europe/Paris')",
        ),
    ),
    "config-wrong-type": (
        _config("wrong-type.toml"),
        Case(
            "lettre.toml:4",
            "'allow_html' must be true or false, not 'oui'",
            fr="'allow_html' doit être true ou false, et non 'oui'",
        ),
    ),
    "config-no-sender": (
        _config("no-sender.toml"),
        Case(
            "lettre.toml",
            "no sender: add a [sender] table with 'address' (and 'name')",
            fr="aucun expéditeur : ajoutez une table [sender] avec 'address' (et 'name')",
        ),
    ),
    "config-latin-1": (
        _config("latin-1.toml"),
        Case(
            "lettre.toml:1",
            "not UTF-8: byte 0xE9 at position 18 cannot be decoded "
            "(it looks like Latin-1 / ISO-8859-1); re-save the file as UTF-8",
            fr=(
                "pas en UTF-8 : l'octet 0xE9 à la position 18 ne se décode pas (il semble être "
                "en Latin-1 / ISO-8859-1) ; réenregistrez le fichier en UTF-8"
            ),
        ),
    ),
    "template-html-syntax-error": (
        _templates("html-syntax-error"),
        Case(
            "templates/letter.html.j2:5",
            "template error: Unexpected end of template. Jinja was looking for the following "
            "tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.",
            fr=(
                "erreur de modèle : Unexpected end of template. Jinja was looking for the "
                "following tags: 'endfor' or 'else'. The innermost block that needs to be closed "
                "is 'for'."
            ),
        ),
    ),
    "template-text-undefined": (
        _templates("text-undefined"),
        Case(
            "templates/letter.txt.j2:2",
            "template error: 'lettre.items.Letter object' has no attribute 'titel' "
            "(did you mean 'title'?)",
            fr=(
                "erreur de modèle : 'lettre.items.Letter object' has no attribute 'titel' "
                "(vouliez-vous dire 'title' ?)"
            ),
        ),
    ),
    "template-css-syntax-error": (
        _templates("css-syntax-error"),
        Case(
            "templates/style.css:2",
            "template error: unexpected '}'",
            fr="erreur de modèle : unexpected '}'",
        ),
    ),
    "template-include-missing": (
        _templates("include-missing"),
        Case(
            "templates/letter.html.j2:2",
            "template not found: entete.html",
            fr="modèle introuvable : entete.html",
        ),
    ),
    "template-division-by-zero": (
        _templates("division-by-zero"),
        Case(
            "templates/letter.txt.j2:2",
            "template error: division by zero",
            fr="erreur de modèle : division by zero",
        ),
    ),
    "template-not-utf8": (
        _templates("not-utf8"),
        Case(
            "templates/letter.txt.j2:2",
            "not UTF-8: byte 0xC9 at position 19 cannot be decoded; re-save the template as UTF-8",
            fr=(
                "pas en UTF-8 : l'octet 0xC9 à la position 19 ne se décode pas ; réenregistrez "
                "le modèle en UTF-8"
            ),
        ),
    ),
}

USAGE: dict[str, tuple[tuple[str, ...], Case]] = {
    "week-as-text": (
        ("--week", "demain", "-C", "."),
        Case(
            "",
            "--week: 'demain' is not a week: use a date (2025-06-13), an ISO week (2025-W24), "
            "or this / last / next (cette / dernière / prochaine)",
            2,
            fr=(
                "--week : 'demain' n'est pas une semaine : donnez une date (2025-06-13), une "
                "semaine ISO (2025-W24), ou cette / dernière / prochaine (this / last / next)"
            ),
        ),
    ),
    "week-too-far": (
        ("--week", "0001-01-01", "-C", "."),
        Case(
            "",
            "--week: '0001-01-01' is too far in the past or the future",
            2,
            fr="--week : '0001-01-01' est trop loin dans le passé ou l'avenir",
        ),
    ),
    "unknown-locale-option": (
        (*WEEK, "--locale", "xx_XX"),
        Case(
            "",
            "--locale: unknown locale 'xx_XX': use a code such as fr_FR",
            2,
            fr="--locale : locale inconnue 'xx_XX' : donnez un code comme fr_FR",
        ),
    ),
}


# --- the runner ------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, object]:
    """Every file of the folder: its kind, mode and bytes (or a link's target).

    `.lettre/` is left out: it is lettre's own cache, not the user's files.
    """
    state: dict[str, object] = {}
    for root, dirs, files in os.walk(folder):
        if Path(root) == folder and ".lettre" in dirs:
            dirs.remove(".lettre")
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            key = str(path.relative_to(folder))
            if stat.S_ISLNK(info.st_mode):
                state[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                readable = os.access(path, os.R_OK)
                state[key] = ("file", info.st_mode, path.read_bytes() if readable else None)
            else:
                state[key] = ("other", info.st_mode)
    return state


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A newsletter folder with one good item, as the current folder."""
    folder = tmp_path / "lettre"
    (folder / "items").mkdir(parents=True)
    (folder / "lettre.toml").write_text(CONFIG, encoding="utf-8")
    good = item_text(date="2025-06-12", title="Un bon item", body="Tout va bien.")
    (folder / "items" / GOOD_ITEM).write_text(good, encoding="utf-8")
    monkeypatch.chdir(folder)
    environment.cache_clear()  # `templates/` is a relative path: one environment per folder
    return folder


def _deny_as_root(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """chmod 000 does not stop root: make opening the unreadable file fail as it would."""
    if os.geteuid() != 0:
        return
    real_open = os.open

    def guarded(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if os.fspath(path).endswith("secret.md"):  # type: ignore[call-overload]
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))  # type: ignore[call-overload]
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded)


def run_case(
    run, folder: Path, case: Case | None, args: tuple[str, ...] = WEEK, language: str = "en"
) -> None:  # type: ignore[no-untyped-def]
    """`lettre compose` and `lettre check` on the folder: message, exit code, files kept."""
    env = {"LETTRE_LANG": language}
    before = snapshot(folder)
    result = run("compose", *args, env=env)
    assert "Traceback" not in result.stdout + result.stderr
    if case is None:
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    else:
        expected = case.compose_line(language) + "\n"
        assert (result.exit_code, result.stderr) == (case.exit_code, expected)
        assert result.stdout == ""
    assert snapshot(folder) == before, "lettre compose changed a file of the folder"

    result = run("check", *args, env=env)  # with --week, check composes the letter too
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    if case is None:
        assert result.exit_code == 0, output
    else:
        assert result.exit_code == case.exit_code, output
        assert case.check_lines(language) & set(output.splitlines()), output
    assert snapshot(folder) == before, "lettre check changed a file of the folder"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(ITEMS))
def test_broken_item(run, folder: Path, name: str, language: str) -> None:  # type: ignore[no-untyped-def]
    shutil.copyfile(CORPUS / "items" / name, folder / "items" / name)
    run_case(run, folder, ITEMS[name], language=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(SETUPS))
def test_broken_folder(
    run, folder: Path, name: str, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    setup, case = SETUPS[name]
    setup(folder)
    if name == "unreadable":
        _deny_as_root(monkeypatch, folder)
    run_case(run, folder, case, language=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(IMAGES))
def test_broken_image(
    run, folder: Path, name: str, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The ten bad pictures an item may name, and a phone's HEIC photo read with the extra."""
    setup, case = IMAGES[name]
    if name == "image-heic-with-the-extra":
        try:
            import pillow_heif  # noqa: F401
        except ImportError:
            skip_without("pillow-heif is not installed (pip install '.[heif]')")
    if name == "image-heic-without-the-extra":  # lettre installed without its extra
        monkeypatch.setitem(sys.modules, "pillow_heif", None)
    setup(folder)
    run_case(run, folder, case, language=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(USAGE))
def test_usage_error(run, folder: Path, name: str, language: str) -> None:  # type: ignore[no-untyped-def]
    args, case = USAGE[name]
    run_case(run, folder, case, args, language)


def test_every_case_says_its_message_in_french() -> None:
    cases = [c for c in ITEMS.values() if c is not None] + [c for _, c in SETUPS.values()]
    cases += [c for _, c in USAGE.values()] + [c for _, c in IMAGES.values() if c is not None]
    assert [c.message for c in cases if not c.fr or c.fr == c.message] == []


def test_corpus_files_all_have_a_case() -> None:
    assert sorted(p.name for p in (CORPUS / "items").iterdir()) == sorted(ITEMS)
    used = {p.name for p in (CORPUS / "config").iterdir()}
    assert used == {f"{n.removeprefix('config-')}.toml" for n in SETUPS if n.startswith("config-")}
    used = {p.name for p in (CORPUS / "templates").iterdir()}
    assert used == {n.removeprefix("template-") for n in SETUPS if n.startswith("template-")}
    assert {p.name for p in (CORPUS / "images").iterdir()} == {
        "vide.jpg",
        "texte.jpg",
        "tronquee.jpg",
        "bombe.png",
        "iphone.heic",
    }


def test_corpus_is_large_enough() -> None:
    broken = [c for c in ITEMS.values() if c is not None] + [c for _, c in SETUPS.values()]
    assert len(broken) >= 30
    assert len([c for _, c in IMAGES.values() if c is not None]) == 10


@pytest.mark.parametrize("lang", ["C.UTF-8", "fr_FR.UTF-8"])
@pytest.mark.parametrize("name", ["yaml-tab-indent.md", "binary.md", "latin-1.md"])
def test_a_real_process_prints_no_traceback(folder: Path, name: str, lang: str) -> None:
    """The console entry point, in its own process, as a user runs it: in French under a
    French LANG, though no French locale is installed on the machine."""
    shutil.copyfile(CORPUS / "items" / name, folder / "items" / name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "LANG": lang}
    for variable in ("LETTRE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(variable, None)
    result = subprocess.run(
        [sys.executable, "-m", "lettre", "compose", *WEEK],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    case = ITEMS[name]
    assert case is not None
    language = "fr" if lang.startswith("fr") else "en"
    assert (result.returncode, result.stderr) == (1, case.compose_line(language) + "\n")
    assert result.stdout == ""
