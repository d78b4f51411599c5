"""A synthetic but realistic newsletter folder: years of weekly items around `samples/`.

The archive holds `count` items spread over `years` years of weekly letters (20–40 items a
week for the default 20,000 items over ten years): communiqués of a few hundred bytes to a
few kilobytes (lists, links, quotes, images, tags), `resultats` items with 6–40 rows and
`anniversaire` items. The items of `samples/` are copied in unchanged and the week of
Friday 13 June 2025 gets no synthetic item, so that composing that week on the archive
makes exactly the letter it makes on `samples/`: the difference in time is the cost of
the archive's size alone.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_WEEK = (dt.date(2025, 6, 7), dt.date(2025, 6, 13))  # kept as in samples/
LAST_DAY = dt.date(2026, 11, 20)  # a Friday

PLACES = [
    ("Toulon", "France"), ("Brest", "France"), ("Lyon", "France"), ("Metz", "France"),
    ("Bordeaux", "France"), ("Madrid", "Espagne"), ("Plovdiv", "Bulgarie"),
    ("Podgorica", "Monténégro"), ("Budapest", "Hongrie"), ("Oslo", "Norvège"),
    ("Varsovie", "Pologne"), ("Rome", "Italie"), ("Munich", "Allemagne"), ("Gand", "Belgique"),
]  # fmt: skip
SPORTS = {
    "Judo": ["-52 kg", "-63 kg", "-73 kg", "-81 kg", "+100 kg", "Par équipes"],
    "Escrime": ["Sabre individuel", "Épée individuelle", "Fleuret par équipes"],
    "Athlétisme": ["100 m", "400 m haies", "3 000 m steeple", "Saut à la perche", "Marathon"],
    "Aviron": ["Deux de couple", "Skiff", "Quatre sans barreur"],
    "Natation": ["100 m papillon", "200 m quatre nages", "1 500 m nage libre"],
    "Tir": ["Carabine 10 m", "Pistolet 25 m", "Fosse olympique"],
    "Ski": ["Slalom géant", "Biathlon 10 km", "Descente"],
    "Cyclisme": ["Poursuite individuelle", "Course en ligne", "Contre-la-montre"],
    "Boxe": ["-57 kg", "-69 kg", "-80 kg"],
    "Voile": ["ILCA 7", "470 mixte", "Kite-foil"],
}
COMPETITIONS = [
    "Coupe du monde", "Championnats d'Europe", "Championnats du monde", "Jeux mondiaux militaires",
    "Championnats de France", "Coupe d'Europe", "Grand Prix", "Open international",
]  # fmt: skip
GRADES = [
    "Matelot", "Caporal", "Caporal-chef", "Sergent", "Sergent-chef", "Second maître",
    "Adjudant", "Aviateur", "Lieutenant", "Enseigne de vaisseau", "Capitaine",
]  # fmt: skip
FIRST = [
    "Léa", "Hugo", "Élodie", "Jules", "Camille", "Mathis", "Inès", "Louis", "Chloé", "Nathan",
    "Manon", "Théo", "Sarah", "Lucas", "Zoé", "Gabriel", "Anaïs", "Maël", "Jade", "Noé",
]  # fmt: skip
LAST = [
    "Fontaine", "Garnier", "Marchand", "Lefèvre", "Perrin", "Moreau", "Girard", "Roux", "Morel",
    "Bonnet", "Dupont", "Lambert", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry",
]  # fmt: skip
SUBJECTS = [
    "Exercice interarmées", "Cérémonie de passation de commandement", "Journée portes ouvertes",
    "Forum des métiers de la défense", "Visite du chef d'état-major", "Entraînement amphibie",
    "Campagne de recrutement", "Remise de décorations", "Mission de secours en montagne",
    "Escale d'une frégate", "Formation des réservistes", "Concours photo des armées",
    "Déploiement d'un hôpital de campagne", "Commémoration", "Stage d'aguerrissement",
    "Exercice de cyberdéfense", "Salon aéronautique", "Journée défense et citoyenneté",
]  # fmt: skip
WHERE = [
    "en Champagne", "à Brest", "à Toulon", "en Normandie", "dans les Alpes", "à Lyon",
    "en Guyane", "à Djibouti", "en Bretagne", "au camp de Canjuers", "à Metz", "en Corse",
]  # fmt: skip
SENTENCES = [
    "Les unités de l'armée de Terre, de la Marine nationale et de l'armée de l'Air et de "
    "l'Espace ont travaillé ensemble pendant plusieurs jours.",
    "Objectif : vérifier que les postes de commandement savent coordonner leurs actions, "
    "de jour comme de nuit.",
    "Les familles étaient nombreuses à assister à la cérémonie, suivie d'un défilé.",
    "Le général a rappelé « l'exigence et la fierté » attachées à cette mission.",
    "Plus de 400 métiers sont ouverts, du combattant au cuisinier, de l'informaticien au "
    "pilote.",
    "Les enseignements seront partagés avec les écoles de formation dès la rentrée.",
    "L'entrée est libre, sur présentation d'une pièce d'identité.",
    "Les conseillers répondent aussi par courriel à recrutement@example.org.",
    "Pourquoi pas vous ? Les inscriptions sont ouvertes jusqu'à la fin du mois.",
    "Les équipages ont présenté leurs appareils et répondu aux questions du public.",
    "Une évacuation sanitaire simulée a mobilisé une vingtaine de soignants.",
    "Les réservistes apportent chaque année des milliers de jours d'activité aux forces.",
    "Cette rencontre a permis de faire le point sur les engagements conduits ensemble.",
    "Les ateliers consacrés à la cyberdéfense ont affiché complet ; une nouvelle session est "
    "prévue à l'automne.",
    "Un hommage particulier a été rendu aux soldats tombés en opération.",
]  # fmt: skip
TAGS = ["entraînement", "interarmées", "recrutement", "mémoire", "sport", "réserve", "marine",
        "air", "terre", "santé", "cyber", "jeunesse", "patrimoine", "international"]  # fmt: skip

CONFIG_EXTRA = "\n# Synthetic archive made by bench/archive.py\n"


def slugify(text: str) -> str:
    """The file-name slug of a title: accents folded, lower case, dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in ascii_text.lower()).split()
    return "-".join(words[:8]) or "item"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _paragraphs(rng: random.Random, size: int) -> str:
    """Markdown body of about `size` characters: paragraphs, sometimes a list or a quote."""
    parts: list[str] = []
    total = 0
    while total < size:
        roll = rng.random()
        if roll < 0.12:
            block = "\n".join(f"- {rng.choice(SENTENCES)}" for _ in range(rng.randint(2, 5)))
        elif roll < 0.18:
            block = f"> « {rng.choice(SENTENCES)} »"
        elif roll < 0.25:
            n = rng.randint(1000, 9999)
            block = (
                f"{rng.choice(SENTENCES)} Les informations sont sur "
                f"[le site](https://lettre.example.org/infos/{n})."
            )
        else:
            block = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 5)))
        parts.append(block)
        total += len(block) + 2
    return "\n\n".join(parts)


def _front(lines: list[str], rng: random.Random) -> list[str]:
    """The front matter lines, the date not always first nor always written the same way."""
    date_line, rest = lines[0], lines[1:]
    roll = rng.random()
    if roll < 0.05:
        date_line = date_line.replace("date: ", "date: '") + "'"
    elif roll < 0.08:
        date_line += "  # date de publication"
    if rng.random() < 0.15:
        return [rest[0], rest[1], date_line, *rest[2:]]  # kind, title, then date
    return [date_line, *rest]


def communique(rng: random.Random, day: dt.date, number: int) -> tuple[str, str]:
    subject = f"{rng.choice(SUBJECTS)} {rng.choice(WHERE)}"
    title = subject if rng.random() < 0.7 else f"{subject} : {rng.choice(SENTENCES)[:40].strip()}"
    lines = [f"date: {day}", "kind: communique", f"title: {_quote(title)}"]
    if rng.random() < 0.6:
        lines.append(f"summary: {_quote(rng.choice(SENTENCES))}")
    lines.append(f"url: https://lettre.example.org/actualites/{day.year}/{number}")
    if rng.random() < 0.25:
        lines += [
            "image:",
            f"  src: https://lettre.example.org/images/{day.year}/{number}.jpg",
            f"  alt: {_quote(rng.choice(SENTENCES)[:70])}",
            "  width: 552",
            "  height: 368",
        ]
    if rng.random() < 0.4:
        lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]")
    size = int(min(6000, max(200, rng.lognormvariate(6.6, 0.6))))  # median ~700 characters
    return title, "\n".join(["---", *_front(lines, rng), "---", _paragraphs(rng, size), ""])


def resultats(rng: random.Random, day: dt.date, number: int) -> tuple[str, str]:
    start = day - dt.timedelta(days=rng.choice([7, 14]) + rng.randint(2, 5))
    end = start + dt.timedelta(days=rng.choice([6, 13]))
    title = f"Armée de champions : les résultats du {start:%d/%m} au {end:%d/%m/%Y}"
    lines = [
        f"date: {day}",
        "kind: resultats",
        f"title: {_quote(title)}",
        f"summary: {_quote('Les sportifs de la défense sur les podiums internationaux.')}",
        "period:",
        f"  start: {start}",
        f"  end: {end}",
        f"url: https://lettre.example.org/sport/resultats/{day.year}/{number}",
        "tags: [sport, armée de champions]",
        "results:",
    ]
    for _ in range(rng.randint(6, 40)):
        sport = rng.choice(list(SPORTS))
        city, country = rng.choice(PLACES)
        first = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        last = min(end, first + dt.timedelta(days=rng.randint(0, 3)))
        lines += [
            f"  - sport: {sport}",
            f"    grade: {rng.choice(GRADES)}",
            f"    name: {rng.choice(FIRST)} {rng.choice(LAST)}",
            f"    rank: {rng.choice([1, 1, 2, 3, 3, 4, 5, 8])}",
            f"    event: {_quote(rng.choice(SPORTS[sport]))}",
            f"    competition: {rng.choice(COMPETITIONS)}",
            f"    city: {city}",
            f"    country: {country}",
            f"    dates: [{first}, {last}]" if last != first else f"    date: {first}",
        ]
    body = _paragraphs(rng, rng.randint(100, 400))
    return title, "\n".join(["---", *_front(lines, rng), "---", body, ""])


def anniversaire(rng: random.Random, day: dt.date, number: int) -> tuple[str, str]:
    years = rng.choice([5, 10, 20, 25, 50, 75, 100])
    name = f"{rng.choice(['Le', 'La'])} {rng.choice(SUBJECTS).split()[0]} n° {number % 97 + 1}"
    title = f"{name} : {years} ans"
    founded = day.replace(year=day.year - years) if (day.month, day.day) != (2, 29) else day
    lines = [
        f"date: {day}",
        "kind: anniversaire",
        f"title: {_quote(title)}",
        f"founded: {founded}",
        f"url: https://lettre.example.org/anniversaires/{day.year}/{number}",
    ]
    if rng.random() < 0.5:
        lines += [
            "image:",
            f"  src: https://lettre.example.org/images/anniversaires/{number}.jpg",
            f"  alt: {_quote(rng.choice(SENTENCES)[:70])}",
        ]
    body = _paragraphs(rng, rng.randint(300, 1500))
    return title, "\n".join(["---", *_front(lines, rng), "---", body, ""])


def make_archive(
    folder: Path, count: int = 20_000, years: int = 10, seed: int = 2025, samples: Path = SAMPLES
) -> Path:
    """Write the archive into `folder` (created; must not hold items yet); return it."""
    rng = random.Random(seed)
    items = folder / "items"
    items.mkdir(parents=True, exist_ok=False)
    config = (samples / "lettre.toml").read_text(encoding="utf-8")
    (folder / "lettre.toml").write_text(config + CONFIG_EXTRA, encoding="utf-8")
    shutil.copy(samples / "anniversaries.yaml", folder / "anniversaries.yaml")
    for path in sorted((samples / "items").glob("*.md")):
        shutil.copy(path, items / path.name)
    first = LAST_DAY - dt.timedelta(days=round(365.25 * years))
    span = (LAST_DAY - first).days
    makers = [(communique, 0.84), (resultats, 0.12), (anniversaire, 0.04)]
    written = 0
    seen: set[tuple[dt.date, str]] = set()
    while written < count:
        day = first + dt.timedelta(days=rng.randint(0, span))
        if SAMPLE_WEEK[0] <= day <= SAMPLE_WEEK[1]:
            continue
        maker = rng.choices([m for m, _ in makers], [w for _, w in makers])[0]
        title, text = maker(rng, day, written)
        if (day, title) in seen:
            continue  # the same news twice on one day: `lettre check` would warn
        seen.add((day, title))
        path = items / f"{day}-{slugify(title)}-{written}.md"
        path.write_text(text, encoding="utf-8")
        written += 1
    return folder


def busiest_week(folder: Path) -> dt.date:
    """The Friday of the synthetic week with the most items (for a full-size letter)."""
    counts: dict[dt.date, int] = {}
    for path in (folder / "items").glob("*.md"):
        day = dt.date.fromisoformat(path.name[:10])
        friday = day + dt.timedelta(days=(4 - day.weekday()) % 7)
        counts[friday] = counts.get(friday, 0) + 1
    return max(sorted(counts), key=lambda d: counts[d])


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    make_archive(args.folder, args.items, args.years)
    print(f"{args.items} items in {args.folder}")
