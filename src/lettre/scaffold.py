"""New things on disk: a newsletter folder (`lettre init`) and an item file (`lettre new`)."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from .configvalues import unknown_kind
from .errors import LettreError, UsageError
from .files import create_numbered, write_error
from .files import write_new as create
from .folding import slugify
from .messages import _

if TYPE_CHECKING:
    from .spreadsheet import SheetResults

#: the comment `lettre new anniversaire` writes after its example `founded` date: while it
#: is there, that date counts as an example (examples.py)
FOUNDED_COMMENT = "# exemple : la date de création"


def write_new(path: Path, data: bytes) -> bool:
    """Write `path` atomically only if it does not exist; False when it does (never replaced)."""
    try:
        create(path, data)
    except FileExistsError:
        return False
    return True


# --- lettre new ------------------------------------------------------------------------------


def _yaml_value(value: str) -> str:
    """A one-line YAML scalar for `value`, quoted only when YAML needs it."""
    import yaml  # heavy

    dumped: str = yaml.safe_dump({"k": value}, allow_unicode=True, width=1_000_000)
    return dumped.removeprefix("k: ").rstrip("\n")


def item_text(
    kind: str,
    title: str,
    day: dt.date,
    results: SheetResults | None = None,
) -> str:
    """The text of a new item: its front matter, commented optional keys, a body to write.

    `results`: the rows of a spreadsheet (`--from`), written in place of the example row;
    their dates give the `period`.
    """
    lines = ["---", f"date: {day.isoformat()}", f"kind: {kind}", f"title: {_yaml_value(title)}"]
    lines += [
        "# summary: Le chapô, en une ou deux phrases (sinon, le début du texte).",
        "# url: https://www.example.org/article",
        "# image: {src: https://www.example.org/photo.jpg, alt: Ce que montre la photo}",
        "# tags: [exemple]",
    ]
    if kind == "resultats" and results is not None:
        monday = day - dt.timedelta(days=day.weekday())
        first, last = results.period or (monday - dt.timedelta(days=7), monday - dt.timedelta(1))
        lines += ["period:", f"  start: {first.isoformat()}", f"  end: {last.isoformat()}"]
        lines += ["results:", *_results_lines(results.rows)]
        body = "Quelques mots sur les résultats de la période."
    elif kind == "resultats":
        monday = day - dt.timedelta(days=day.weekday())
        lines += [
            "period:",
            f"  start: {(monday - dt.timedelta(days=7)).isoformat()}",
            f"  end: {(monday - dt.timedelta(days=1)).isoformat()}",
            "results:",
            "  - sport: Sport",
            "    grade: Grade",
            "    name: Prénom Nom",
            "    rank: 1",
            "    event: Épreuve",
            "    competition: Compétition",
            "    city: Ville",
            "    country: Pays",
            f"    date: {(monday - dt.timedelta(days=1)).isoformat()}",
        ]
        body = "Quelques mots sur les résultats de la période."
    elif kind == "anniversaire":
        lines.append(f"founded: {years_before(day, 10).isoformat()}  {FOUNDED_COMMENT}")
        body = "Ce que cet anniversaire rappelle, en quelques lignes."
    else:
        body = "Le texte de l'article, en Markdown : **gras**, *italique*, [liens](https://www.example.org/)."
    return "\n".join([*lines, "---", body, ""])


def _results_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """`results` rows as YAML lines, each value as it reads back."""
    lines = []
    for row in rows:
        for number, (key, value) in enumerate(row.items()):
            if isinstance(value, list):
                written = "[" + ", ".join(day.isoformat() for day in value) + "]"
            elif isinstance(value, dt.date):
                written = value.isoformat()
            elif isinstance(value, int):
                written = str(value)
            else:
                written = _yaml_value(str(value))
            lines.append(f"{'  - ' if number == 0 else '    '}{key}: {written}")
    return lines


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def new_item(
    items_dir: Path,
    kind: str,
    title: str,
    day: dt.date,
    kinds: Sequence[str],
    results: SheetResults | None = None,
) -> Path:
    """Create `items/YYYY-MM-DD-slug.md` (a numbered suffix if taken); never overwrite.

    `results`: the rows read from a spreadsheet (`lettre new resultats --from FILE`).
    """
    from .readers import FIRST_DATE, LAST_DATE  # heavy (YAML): not for init

    if not FIRST_DATE <= day <= LAST_DATE:  # the reader refuses such a date
        raise UsageError(
            _("--date: {isoformat} is out of range (from {isoformat2} to {isoformat3})").format(
                isoformat=day.isoformat(),
                isoformat2=FIRST_DATE.isoformat(),
                isoformat3=LAST_DATE.isoformat(),
            )
        )
    title = " ".join(title.split())
    if not title:
        raise UsageError(_("--title: the title is empty"))
    if kind not in kinds:
        raise UsageError(unknown_kind(kind, kinds))
    data = item_text(kind, title, day, results).encode("utf-8")
    return create_numbered(items_dir, item_stem(day, title, kind), data)


def item_stem(day: dt.date, title: str, kind: str) -> str:
    """`2025-06-13-defile-du-14-juillet`: an item's file name without `.md` (nor `-2`…);
    the kind when the title has no letter a file name keeps."""
    return f"{day.isoformat()}-{slugify(title) or kind}"


def edit_item(path: Path, kinds: Sequence[str]) -> None:
    """Open `path` in $VISUAL or $EDITOR, then read it back: a broken item is a LettreError."""
    import subprocess  # only for --edit

    from .readers import read_item  # heavy (YAML): not for init

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        editor = next((e for e in ("editor", "nano", "vi") if shutil.which(e)), None)
    if not editor:
        raise UsageError(
            _("--edit: set $EDITOR to your editor (the item is {path})").format(path=path)
        )
    try:
        command = shlex.split(editor)
    except ValueError as err:  # an unclosed quote
        variable = "$VISUAL" if os.environ.get("VISUAL") else "$EDITOR"
        raise UsageError(
            _(
                "--edit: {variable} is not a valid command ({lower}): {editor!r} (the item is "
                "{path})"
            ).format(variable=variable, lower=str(err).lower(), editor=editor, path=path)
        ) from None
    try:
        subprocess.run([*command, str(path)], check=False)
    except OSError as err:
        raise UsageError(
            _("--edit: cannot run {editor!r}: {value}").format(
                editor=editor, value=err.strerror or err
            )
        ) from None
    try:
        read_item(path, kinds)
    except LettreError as err:
        message = _("{message} (the file is kept: fix it, then run 'lettre check')").format(
            message=err.message
        )
        raise LettreError(message, err.path, err.line) from None


# --- lettre init -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scaffold:
    """What `lettre init` did: the files it wrote and those it found and kept."""

    created: tuple[Path, ...]
    kept: tuple[Path, ...]


def folder_files(today: dt.date, locale: str = "fr_FR") -> dict[str, str]:
    """The files of a new newsletter folder, by relative path; its items are dated `today`."""
    week_day = today.isoformat()
    return {
        "lettre.toml": CONFIG_TEMPLATE.replace("{locale}", locale),
        ".gitignore": GITIGNORE,
        "anniversaries.yaml": ANNIVERSARIES_TEMPLATE.replace(
            "{founded}", years_before(today + dt.timedelta(days=0), 5).isoformat()
        ),
        f"items/{week_day}-bienvenue-dans-votre-lettre.md": WELCOME_ITEM.replace(
            "{date}", week_day
        ),
        f"items/{week_day}-tournoi-de-volley-inter-services.md": RESULTS_ITEM.replace(
            "{date}", week_day
        )
        .replace("{start}", (today - dt.timedelta(days=6)).isoformat())
        .replace("{end}", week_day),
        f"items/{week_day}-le-club-de-course-a-pied-a-10-ans.md": ANNIVERSARY_ITEM.replace(
            "{date}", week_day
        ).replace("{founded}", years_before(today, 10).isoformat()),
    }


def init_folder(
    folder: Path, today: dt.date | None = None, *, force: bool = False, locale: str = "fr_FR"
) -> Scaffold:
    """Create a newsletter folder that composes at once; existing files are never touched.

    Its example items are dated `today` (by default, today in Paris: the configuration's
    time zone), so that this week's letter holds them.
    """
    if today is None:
        today = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    if folder.exists() and not folder.is_dir():
        raise LettreError(_("not a folder"), folder)
    try:
        present = [p for p in folder.iterdir() if p.name != ".git"] if folder.is_dir() else []
    except OSError as err:
        raise LettreError(
            _("cannot read this folder: {value}").format(value=err.strerror or err), folder
        ) from None
    if present and not force:
        raise LettreError(
            _(
                "this folder is not empty: choose an empty or new folder, or add --force to "
                "create only the missing files (existing files are never overwritten)"
            ),
            folder,
        )
    created: list[Path] = []
    kept: list[Path] = []
    for name, text in folder_files(today, locale).items():
        path = folder / name
        try:
            written = write_new(path, text.encode("utf-8"))
        except OSError as err:
            raise write_error(err, path) from None
        (created if written else kept).append(path)
    return Scaffold(tuple(created), tuple(kept))


CONFIG_TEMPLATE = """\
# lettre.toml — la configuration de votre lettre d'information.
# Chaque réglage est commenté ; les lignes qui commencent par « # » sont ignorées.

# Le titre de la lettre, repris dans l'objet du message.
title = "Lettre hebdomadaire"

# La langue et les conventions (dates, typographie) : fr_FR, fr_BE, fr_CA, en_GB…
locale = "{locale}"

# Le fuseau horaire des dates du message et de « cette semaine ».
timezone = "Europe/Paris"

# Le jour de parution : la lettre réunit les éléments des sept jours qui finissent ce jour-là.
publication_day = "vendredi"

# L'adresse de votre site : les liens relatifs des articles (/actualites/…) partent
# d'ici, et le lien « Voir la version en ligne » mène à {base_url}lettres/.
# base_url = "https://www.example.org/"

# L'identifiant de la liste de diffusion (en-tête List-Id), facultatif.
# list_id = "lettre.example.org"

# Le texte d'aperçu affiché par les messageries après l'objet (sinon, le premier chapô).
# preheader = "Les nouvelles de la semaine"

# Mettre à true pour garder le HTML écrit dans les articles (sinon, il est affiché tel quel).
# allow_html = false

# Les adresses ci-dessous sont des exemples : tant qu'une rubrique porte la ligne
# « example = true », lettre refuse d'envoyer la lettre (lettre compose, lettre archive),
# et l'aperçu les signale « EXEMPLE ». Écrivez vos propres adresses, puis supprimez
# la ligne « example = true » de la rubrique.

# L'expéditeur, et l'adresse des réponses.
[sender]
example = true
name = "Cellule communication"
address = "communication@example.org"
# reply_to = "redaction@example.org"
# Le nom que donne le pied de la lettre (« Vous recevez cette lettre de la part de… »).
# footer_name = "la Cellule communication"

# Les destinataires : to, cc et bcc (copie cachée).
[recipients]
example = true
to = [{ name = "Abonnés de la lettre", address = "abonnes@example.org" }]
# bcc = ["archives@example.org"]
# Pour « lettre send » : un message par lecteur, lus dans un fichier CSV (colonnes email,
# name, locale… ; il reste hors de git, voir .gitignore).
# readers = "abonnes.csv"

# Le désabonnement : une page https (désabonnement en un clic) et/ou une adresse.
[unsubscribe]
example = true
url = "https://www.example.org/desabonnement"
# mailto = "desabonnement@example.org"

# Les rubriques, dans l'ordre de la lettre. « label » remplace le nom par défaut ;
# une rubrique d'un autre genre (kind) crée un nouveau genre d'article.
[[sections]]
kind = "communique"
label = "Communiqués"

[[sections]]
kind = "resultats"
label = "Résultats sportifs"

[[sections]]
kind = "anniversaire"

# Les anniversaires calculés à partir de anniversaries.yaml : nombres d'années fêtés
# (par défaut 1 an puis tous les 5 ans).
[anniversaries]
# years = [1, 5, 10, 20, 25, 50, 75, 100]
"""

#: what a newsletter folder kept in git must never publish
GITIGNORE = """\
# Ce que lettre garde pour lui, à ne jamais publier :
# - state/ : le secret des liens de désabonnement, les journaux d'envoi et la liste des
#   désabonnés (à sauvegarder, mais pas dans git) ;
state/
# - la liste des lecteurs : des données personnelles ;
abonnes.csv
# - .lettre/ : des caches, que l'on peut effacer à tout moment.
.lettre/
"""

ANNIVERSARIES_TEMPLATE = """\
# Les dates de création dont lettre calcule les anniversaires.
# Chaque entrée : name (le nom), founded (la date de création), url et text facultatifs.
# Un anniversaire rejoint la lettre de la semaine où il tombe, pour un nombre rond d'années
# (la lettre de cette semaine doit avoir au moins un article).
#
# Les deux entrées ci-dessous sont des exemples, inactifs : écrivez les vôtres sur ce
# modèle, sans le « # » du début des lignes.
#
# - name: L'association sportive
#   founded: {founded}
#   url: https://www.example.org/association
#   text: >-
#     Cinq ans de tournois, de courses et de rencontres : merci à tous les bénévoles
#     qui font vivre l'association.
# - name: Le foyer des cadets
#   founded: 1975-09-15
"""

WELCOME_ITEM = """\
---
example: true  # un exemple de lettre init : jamais envoyé ; écrivez les vôtres
date: {date}
kind: communique
title: Bienvenue dans votre lettre hebdomadaire
summary: >-
  Chaque article est un fichier texte du dossier items ; lettre en fait une lettre
  d'information.
url: https://www.example.org/actualites/bienvenue
tags: [exemple]
---
Cet article est un exemple : modifiez-le, ou supprimez-le quand vous aurez écrit les vôtres.

Un article commence par un en-tête entre deux lignes `---` : la **date**, le **genre**
(`communique`, `resultats` ou `anniversaire`) et le **titre**. Le texte suit, en Markdown :

- `lettre new communique --title "Mon titre"` crée un nouvel article ;
- `lettre preview` montre la lettre de la semaine dans le terminal ;
- `lettre check` vérifie tous les articles ;
- `lettre compose | sendmail -t` l'envoie.

Pour en savoir plus, voyez [la documentation](https://www.example.org/documentation).
"""

RESULTS_ITEM = """\
---
example: true  # un exemple de lettre init : jamais envoyé ; écrivez les vôtres
date: {date}
kind: resultats
title: "Tournoi de volley inter-services : les résultats"
summary: Trois équipes sur le podium après une journée de matchs disputés.
period:
  start: {start}
  end: {end}
results:
  - sport: Volley-ball
    name: Équipe des transmissions
    rank: 1
    competition: Tournoi inter-services
    city: Lyon
    date: {end}
  - sport: Volley-ball
    name: Équipe du service de santé
    rank: 2
    competition: Tournoi inter-services
    city: Lyon
    date: {end}
  - sport: Course à pied
    grade: Sergent
    name: Camille Martin
    rank: 3
    event: 10 km
    competition: Foulées de la Saône
    city: Lyon
    date: {start}
---
Huit équipes se sont affrontées tout au long de la journée. Bravo aux vainqueurs, et
merci aux arbitres bénévoles !
"""

ANNIVERSARY_ITEM = """\
---
example: true  # un exemple de lettre init : jamais envoyé ; écrivez les vôtres
date: {date}
kind: anniversaire
title: Le club de course à pied a 10 ans
founded: {founded}
---
Créé par une poignée de passionnés, le club compte aujourd'hui une soixantaine de
coureurs. Rendez-vous pour la sortie anniversaire, dimanche matin.
"""
