"""Items + config + week → the Letter both templates render."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial

from . import body
from .config import BUILTIN_KINDS, Config, Section, letter_url
from .errors import LettreError
from .french import format_date, format_period, one_line, ordinal, typography
from .i18n import anniversary_title, translations
from .i18n import years_text as years_text_of
from .items import Anniversary, Entry, Item, Letter, LetterSection, Week

SUMMARY_LIMIT = 220
PREHEADER_LIMIT = 110


def default_label(kind: str, locale: str) -> str:
    """The locale's label for a built-in kind; the kind itself for the others."""
    _ = translations(locale).gettext
    labels = {
        "communique": _("Press releases"),
        "resultats": _("Sports results"),
        "anniversaire": _("Anniversaries"),
    }
    return labels.get(kind, kind.replace("_", " ").replace("-", " ").capitalize())


def section_label(kind: str, section: Section | None, locale: str) -> str:
    """The label of a section in `locale`.

    A label written for the locale or its language wins; then the catalog's label of a
    built-in kind; then any label of the section (a custom kind has no other name).
    """
    written = section.label_for(locale) if section else None
    if written:
        return written
    if kind in BUILTIN_KINDS or section is None or not section.label:
        return default_label(kind, locale)
    return section.label


def anniversary_years(config: Config) -> frozenset[int] | None:
    """The round numbers of years celebrated; None means 1 and every multiple of 5."""
    return frozenset(config.anniversary_years) if config.anniversary_years else None


def _celebrated(years: int, wanted: frozenset[int] | None) -> bool:
    if years <= 0:
        return False
    return years in wanted if wanted is not None else years == 1 or years % 5 == 0


def anniversary_date(founded: dt.date, year: int) -> dt.date:
    """The anniversary of `founded` in `year`; 29 February falls on the 28th otherwise."""
    if founded.month == 2 and founded.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return founded.replace(year=year)


def anniversaries_in(entries: Iterable[Anniversary], week: Week, config: Config) -> list[Item]:
    """The anniversaries of `anniversaries.yaml` that fall in `week`, as items."""
    wanted = anniversary_years(config)
    found = []
    for entry in entries:
        for year in sorted({week.start.year, week.end.year}):
            day = anniversary_date(entry.founded, year)
            years = year - entry.founded.year
            if day in week and _celebrated(years, wanted):
                title = anniversary_title(entry.name, years, config.locale)
                path = entry.source or config.anniversaries_path
                found.append(
                    Item(
                        path=path,
                        date=day,
                        kind="anniversaire",
                        title=title,
                        body=entry.text or "",
                        url=entry.url,
                        founded=entry.founded,
                        body_line=entry.line or 1,
                    )
                )
    return found


def build_letter(
    items: Sequence[Item],
    config: Config,
    week: Week,
    anniversaries: Iterable[Anniversary] = (),
) -> Letter:
    """The letter of `week`: sections in configured order, everything in words."""
    locale = config.locale
    catalog = translations(locale)
    typeset = partial(typography, locale=locale, rules=config.typography)
    chosen = [i for i in items if i.date in week]
    # an anniversary written by hand replaces the one computed for the same founding date
    written = {i.founded for i in chosen if i.kind == "anniversaire" and i.founded}
    chosen += [a for a in anniversaries_in(anniversaries, week, config) if a.founded not in written]
    if not chosen:
        raise LettreError(
            f"no item for the letter of {week.end.isoformat()} "
            f"({week.start.isoformat()} to {week.end.isoformat()}): "
            "add items with 'lettre new' or choose another --week (see 'lettre weeks')"
        )
    refs = body.References()
    configured = {s.kind: s for s in config.sections}
    # configured sections first, then the other kinds that have items, each once
    order = dict.fromkeys([*configured, *BUILTIN_KINDS, *sorted({i.kind for i in chosen})])
    sections = []
    for kind in order:
        members = sorted((i for i in chosen if i.kind == kind), key=lambda i: (i.date, i.title))
        if not members:
            continue
        entries = tuple(_entry(item, config, typeset, refs) for item in members)
        label = section_label(kind, configured.get(kind), locale)
        sections.append(LetterSection(kind, typeset(label), entries))

    date_text = format_date(week.end, locale, "full")
    subject = catalog.gettext("%(title)s of %(date)s") % {
        "title": config.title,
        "date": format_date(week.end, locale, "long"),
    }
    first_summary = next((e.summary for s in sections for e in s.entries if e.summary), "")
    preheader = typeset(config.preheader) if config.preheader else first_summary
    return Letter(
        title=typeset(config.title),
        subject=one_line(typeset(subject)),
        week=week,
        date=week.end,
        date_text=date_text,
        period_text=format_period(week.start, week.end, locale),
        locale=locale,
        lang=str(_lang(locale)),
        sections=tuple(sections),
        preheader=body.cut(preheader, PREHEADER_LIMIT),
        sender_name=config.sender.name,
        sender_address=config.sender.address,
        base_url=config.base_url,
        web_url=letter_url(config, week.end),
        unsubscribe_url=config.unsubscribe_url,
        unsubscribe_mailto=config.unsubscribe_mailto,
        links=tuple(refs.urls),
    )


def _lang(locale: str) -> str:
    from .french import get_locale

    return get_locale(locale).language


def _entry(item: Item, config: Config, typeset: partial[str], refs: body.References) -> Entry:
    locale = config.locale
    base = config.base_url
    html = body.to_html(item.body, typeset, base, config.allow_html) if item.body else ""
    text = body.to_text(item.body, typeset, refs, base, 72, config.allow_html) if item.body else ""
    url = body.safe_url(item.url, base) if item.url else None
    if item.summary:
        summary = typeset(item.summary)
    elif item.body:
        summary = body.plain_summary(item.body, SUMMARY_LIMIT, typeset, config.allow_html)
    else:
        summary = ""
    years = item.date.year - item.founded.year if item.founded else None
    years_text = years_text_of(years, locale) if years is not None and years > 0 else None
    image = item.image
    if image is not None:
        src = body.safe_url(image.src, base)
        image = (
            None if src is None else type(image)(src, typeset(image.alt), image.width, image.height)
        )
    return Entry(
        item=item,
        title=typeset(item.title),
        date_text=format_date(item.date, locale, "long"),
        summary=summary,
        lead=typeset(item.summary) if item.summary else "",
        body_html=html,
        body_text=text,
        url=url,
        url_ref=refs.number(url) if url else None,
        period_text=format_period(item.period.start, item.period.end, locale)
        if item.period
        else None,
        years=years,
        years_text=years_text,
        results=_results(item, locale, typeset),
        image=image,
    )


def _results(
    item: Item, locale: str, typeset: partial[str]
) -> tuple[tuple[str, tuple[dict[str, str], ...]], ...]:
    groups: dict[str, list[dict[str, str]]] = {}
    spellings: dict[str, str] = {}
    for row in item.results:
        place = row.city
        if row.country:
            place = f"{row.city} ({row.country})" if row.city else row.country
        dates = ""
        if row.start and row.end:
            dates = format_period(row.start, row.end, locale)
            if row.start == row.end:
                dates = format_date(row.start, locale, "long")
        # sports spelt with other capitals (judo, Judo) are one group, under the first spelling
        sport = spellings.setdefault(row.sport.casefold(), row.sport)
        groups.setdefault(sport, []).append(
            {
                "rank": ordinal(row.rank, locale) if row.rank else row.rank_text,
                "grade": row.grade,
                "name": row.name,
                "event": typeset(row.event),
                "competition": typeset(row.competition),
                "place": place,
                "dates": dates,
            }
        )
    return tuple((typeset(sport), tuple(rows)) for sport, rows in groups.items())
