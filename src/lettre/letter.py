"""Items + config + week → the Letter both templates render."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import body
from .config import BUILTIN_KINDS, Config, Section, letter_url
from .errors import EmptyLetterError
from .examples import anniversary_is_example, is_example
from .french import format_date, format_period, get_locale, one_line, ordinal, typography
from .i18n import anniversary_title, translations, typeset_gettext
from .i18n import years_text as years_text_of
from .items import Anniversary, Entry, Image, Item, Letter, LetterSection, PreparedImage, Week
from .messages import _, ngettext

if TYPE_CHECKING:
    from .settings import TypographySettings

#: where a letter points at a prepared photo (imagelinks.py gives one per output)
PhotoLink = Callable[[PreparedImage], str]

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
                        example=anniversary_is_example(entry),
                        body_line=entry.line or 1,
                    )
                )
    return found


def letter_items(
    items: Iterable[Item],
    config: Config,
    week: Week,
    anniversaries: Iterable[Anniversary] = (),
    *,
    drafts: bool = False,
) -> list[Item]:
    """What the letter of `week` holds: its items, and the anniversaries of
    anniversaries.yaml that fall in it; nothing at all when it has no item.

    Drafts are left out, unless `drafts` (a proof). An anniversary written as an item
    replaces the one computed for the same founding date. Anniversaries join a letter;
    they do not make one: `compose`, `list`, `weeks` and `archive` all count this way.
    """
    chosen = [i for i in items if i.date in week and (drafts or not i.draft)]
    if not chosen:
        return []
    return chosen + unwritten_anniversaries(chosen, anniversaries, week, config)


class _Founded(Protocol):
    """What replacing a computed anniversary needs of an item (an Item, an index entry)."""

    @property
    def kind(self) -> str: ...

    @property
    def founded(self) -> dt.date | None: ...


def unwritten_anniversaries(
    items: Iterable[_Founded], anniversaries: Iterable[Anniversary], week: Week, config: Config
) -> list[Item]:
    """The anniversaries of anniversaries.yaml that fall in `week`, but for those `items`
    write: an anniversary written as an item replaces the one computed for the same
    founding date."""
    written = {i.founded for i in items if i.kind == "anniversaire" and i.founded}
    return [a for a in anniversaries_in(anniversaries, week, config) if a.founded not in written]


def build_letter(
    items: Sequence[Item],
    config: Config,
    week: Week,
    anniversaries: Iterable[Anniversary] = (),
    *,
    drafts: bool = False,
    photos: Mapping[Path, PreparedImage] | None = None,
    link: PhotoLink | None = None,
    text: bool = True,
) -> Letter:
    """The letter of `week`: sections in configured order, everything in words.

    `drafts`: a proof that shows the drafts too, marked « BROUILLON ». Example content
    is marked « EXEMPLE » (see examples.py): such a letter is never sent.
    `photos`: the prepared local image of each item that has one, by item path (see
    imagecache.prepare_images), and `link` where the letter points at them; an item whose local
    image is not among them shows none.
    `text`: False leaves out what only the plain text shows (the entries' `body_text` and
    `url_ref`, the letter's `links`), for a page made of the HTML alone.
    """
    locale = config.locale
    catalog = translations(locale)
    typeset = partial(_typeset, locale=locale, rules=config.typography)
    anniversaries = list(anniversaries)
    chosen = letter_items(items, config, week, anniversaries, drafts=drafts)
    # computed from anniversaries.yaml: their titles are the catalog's sentence
    computed = anniversaries_in(anniversaries, week, config)
    if not chosen:
        raise EmptyLetterError(_empty_message(items, config, week, anniversaries))
    refs = body.References() if text else None
    lang = _lang(locale)
    marks = _marks(locale)
    configured = {s.kind: s for s in config.sections}
    # configured sections first, then the other kinds that have items, each once
    order = dict.fromkeys([*configured, *BUILTIN_KINDS, *sorted({i.kind for i in chosen})])
    sections = []
    for kind in order:
        members = sorted((i for i in chosen if i.kind == kind), key=lambda i: (i.date, i.title))
        if not members:
            continue
        entries = tuple(
            _entry(
                item,
                config,
                typeset,
                refs,
                marks,
                _photo(item, photos),
                link,
                computed=item in computed,
                letter_lang=lang,
            )
            for item in members
        )
        section = configured.get(kind)
        label = section_label(kind, section, locale)
        sections.append(
            LetterSection(
                kind, typeset(label), entries, _unless(label_lang(kind, section, config), lang)
            )
        )

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
        lang=lang,
        sections=tuple(sections),
        preheader=body.cut(preheader, PREHEADER_LIMIT),
        sender_name=config.sender.name,
        sender_address=config.sender.address,
        base_url=config.base_url,
        web_url=letter_url(config, week.end),
        unsubscribe_url=config.unsubscribe_url,
        unsubscribe_mailto=config.unsubscribe_mailto,
        links=tuple(refs.urls) if refs is not None else (),
        notices=_notices(config, typeset),
        footer_name=config.footer_name,  # `[sender] footer_name`
    )


SHORT_TEXT = 200


@lru_cache(maxsize=4096)
def _typeset_short(text: str, locale: str, rules: TypographySettings) -> str:
    return typography(text, locale, rules)


def _typeset(text: str, locale: str, rules: TypographySettings) -> str:
    """`typography`; short texts are kept, since letters repeat them (labels, sports,
    events, competitions)."""
    if len(text) > SHORT_TEXT:
        return typography(text, locale, rules)
    return _typeset_short(text, locale, rules)


def _marks(locale: str) -> dict[str, str]:
    """The words that mark an entry in a proof, in the letter's language."""
    gettext = typeset_gettext(locale)[0]
    return {"example": gettext("EXAMPLE"), "draft": gettext("DRAFT")}


def _notices(config: Config, typeset: partial[str]) -> tuple[str, ...]:
    """A proof's warnings above the letter: the example tables of lettre.toml."""
    if not config.examples:
        return ()
    tables = ", ".join(f"[{table}]" for table in config.examples)
    message = translations(config.locale).gettext(
        "EXAMPLE: %(tables)s of lettre.toml are examples: this letter cannot be sent "
        "until you write your own."
    )
    return (typeset(message % {"tables": tables}),)


def _empty_message(
    items: Sequence[Item], config: Config, week: Week, anniversaries: Sequence[Anniversary]
) -> str:
    """Why the letter of `week` is empty, and what to do."""
    message = _(
        "no item for the letter of {isoformat} ({isoformat2} to {isoformat}): add items with "
        "'lettre new' or choose another --week (see 'lettre weeks')"
    ).format(isoformat=week.end.isoformat(), isoformat2=week.start.isoformat())
    drafts = sum(1 for i in items if i.date in week and i.draft)
    if drafts:
        message += ngettext(
            "; {count} draft (see them with --drafts)",
            "; {count} drafts (see them with --drafts)",
            drafts,
        ).format(count=drafts)
    computed = anniversaries_in(anniversaries, week, config)
    if computed:
        names = ", ".join(f"'{a.title}'" for a in computed)
        message += _(
            " (anniversaries.yaml's {names}: an anniversary joins a letter, it makes none)"
        ).format(names=names)
    return message


def _lang(locale: str) -> str:
    return get_locale(locale).language


def _unless(lang: str, letter_lang: str) -> str | None:
    """`lang` when a block's language is not the letter's, else None (no attribute)."""
    return None if lang == letter_lang else lang


def label_lang(kind: str, section: Section | None, config: Config) -> str:
    """The language (`fr`) a section's label is written in, as `section_label` chose it."""
    locale = config.locale
    if section is not None and section.label_for(locale):
        return _lang(locale)
    if kind in BUILTIN_KINDS or section is None or not section.label:
        # the catalog's words; a locale without a catalog gets its English msgids
        return _lang(locale) if translations(locale).info() else "en"
    return _lang(config.items_locale or locale)  # a plain label: the folder's language


def _photo(item: Item, photos: Mapping[Path, PreparedImage] | None) -> PreparedImage | None:
    return photos.get(item.path) if photos and item.image is not None else None


def _image(
    item: Item,
    base: str | None,
    typeset: partial[str],
    photo: PreparedImage | None,
    link: PhotoLink | None,
) -> Image | None:
    """The item's image as shown: a web address as written, or the prepared local photo."""
    image = item.image
    if image is None:
        return None
    alt = typeset(image.alt)
    if body.is_local(image.src):
        if photo is None or link is None:
            return None
        return Image(link(photo), alt, photo.width, photo.height, image.line)
    src = body.safe_url(image.src, base, image=True)
    return None if src is None else Image(src, alt, image.width, image.height, image.line)


def _entry(
    item: Item,
    config: Config,
    typeset: partial[str],
    refs: body.References | None,
    marks: dict[str, str],
    photo: PreparedImage | None = None,
    link: PhotoLink | None = None,
    computed: bool = False,
    letter_lang: str | None = None,
) -> Entry:

    locale = config.locale
    lang = _unless(item_lang(item, config), letter_lang or _lang(locale))
    letter_typeset = typeset
    if lang is not None:  # the item's words follow its own language's typography
        words = item.lang or config.items_locale or locale
        typeset = partial(_typeset, locale=words, rules=config.typography)
    base = config.base_url
    # the body parsed and typeset once for its three uses; the HTML last, as it changes it
    tokens = body.typeset_parse(item.body, typeset, config.allow_html) if item.body else []
    # no references: the letter has no plain text
    text = body.tokens_text(tokens, refs, base, 72) if tokens and refs is not None else ""
    url = body.safe_url(item.url, base) if item.url else None
    if item.summary:
        summary = typeset(item.summary)
    elif tokens:
        summary = body.tokens_summary(tokens, SUMMARY_LIMIT)
    else:
        summary = ""
    html = body.tokens_html(tokens, base, config.allow_html) if tokens else ""
    years = item.date.year - item.founded.year if item.founded else None
    years_text = years_text_of(years, locale) if years is not None and years > 0 else None
    image = _image(item, base, typeset, photo, link)
    return Entry(
        item=item,
        # a computed anniversary's title is the catalog's sentence, in the letter's language
        title=(letter_typeset if computed else typeset)(item.title),
        date_text=format_date(item.date, locale, "long"),
        summary=summary,
        lead=typeset(item.summary) if item.summary else "",
        body_html=html,
        body_text=text,
        url=url,
        url_ref=refs.number(url) if url and refs is not None else None,
        period_text=format_period(item.period.start, item.period.end, locale)
        if item.period
        else None,
        years=years,
        years_text=years_text,
        results=_results(item, locale, typeset),
        image=image,
        lang=lang,
        # a computed anniversary's title is the catalog's sentence around the entry's name
        title_lang=None if computed else lang,
        photo=photo if image is not None else None,
        marks=tuple(
            word
            for key, word in marks.items()
            if (key == "example" and is_example(item)) or (key == "draft" and item.draft)
        ),
    )


def item_lang(item: Item, config: Config) -> str:
    """The language (`fr`) an item is written in: its `lang:`, else the folder's."""
    return _lang(item.lang or config.items_locale or config.locale)


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
                "rank": row.rank_text or (ordinal(row.rank, locale) if row.rank else ""),
                "grade": row.grade,
                "name": row.name,
                "event": typeset(row.event),
                "competition": typeset(row.competition),
                "place": place,
                "dates": dates,
            }
        )
    return tuple((typeset(sport), tuple(rows)) for sport, rows in groups.items())
