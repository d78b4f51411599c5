"""Example content: what `lettre init` and `lettre new` wrote for the user to replace.

None of it may reach readers. `example_content(config, letter)` names each piece, with its
file and line; `compose` (an e-mail message), `archive` and `send` refuse a letter that
holds any (`refuse_examples`), `check` reports them, and proofs (`preview`,
`compose --format html|text`) mark them « EXEMPLE ».

What counts as an example:
- a table of lettre.toml marked `example = true` (`[sender]`, `[recipients]`,
  `[unsubscribe]`: `lettre init` writes example.org addresses there);
- an item marked `example: true` (the items `lettre init` writes);
- an item that `lettre new` wrote, while its placeholder text is there: the body's
  example lines, the example values of a `results` row, the example `founded` date;
- an entry of anniversaries.yaml marked `example: true`, or one of the two entries that
  the first versions of `lettre init` wrote there, active.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ExampleContentError, location
from .messages import N_, _
from .scaffold import FOUNDED_COMMENT, item_text, years_before

if TYPE_CHECKING:
    from .config import Config
    from .items import Anniversary, Item, Letter

#: the tables of lettre.toml that may be marked `example = true`, and what to write there
EXAMPLE_TABLES = {
    "sender": N_("[sender] is an example (example = true): write your own address and name"),
    "recipients": N_("[recipients] are examples (example = true): write your readers' addresses"),
    "unsubscribe": N_(
        "[unsubscribe] is an example (example = true): write your own unsubscribe page or address"
    ),
}
#: the entries of anniversaries.yaml that `lettre init` wrote, active, before version 0.2
_OLD_INIT_ANNIVERSARIES = (
    ("L'association sportive", "https://www.example.org/association", None),
    ("Le foyer des cadets", None, dt.date(1975, 9, 15)),
)


@dataclass(frozen=True)
class Example:
    """One piece of example content: its file, its line when known, and what it is."""

    path: Path
    line: int | None
    what: str

    def location(self) -> str:
        return location(self.path, self.line)

    def __str__(self) -> str:
        return _("{where}: {message}").format(where=self.location(), message=self.what)


# --- lettre.toml ---------------------------------------------------------------------------


def config_examples(config: Config) -> list[Example]:
    """The tables of lettre.toml marked `example = true`, each at the line of that key."""
    return [
        Example(
            config.path,
            config.line_of(f"{table}.example"),
            _("{value}, then delete the line 'example = true'").format(
                value=_(EXAMPLE_TABLES[table])
            ),
        )
        for table in config.examples
    ]


# --- items ---------------------------------------------------------------------------------


def item_examples(item: Item) -> list[Example]:
    """What is example content in one item: `example: true`, or what `lettre new` wrote."""
    found: list[Example] = []
    if item.example:
        keys = dict(item.key_lines)
        found.append(
            Example(
                item.path,
                keys.get("example"),
                _(
                    "an example item (example: true): write your own items and delete this file, "
                    "or make this one yours and delete the line 'example: true'"
                ),
            )
        )
    found += placeholders(item)
    return found


def is_example(item: Item) -> bool:
    """Whether an item (or a computed anniversary) holds example content."""
    return item.example or bool(placeholders(item))


def placeholders(item: Item) -> list[Example]:
    """The placeholder text that `lettre new` wrote and that is still there."""
    texts, bodies = _template_texts()
    found: list[Example] = []
    every_text, fields = _TEMPLATE_ANY[0] if _TEMPLATE_ANY else _template_any(texts)
    left = [
        (number, [key for key, values in texts.items() if getattr(row, key) in values])
        for number, row in enumerate(item.results, 1)
        if not every_text.isdisjoint(fields(row))  # the common case: nothing to look at
    ]
    left = [(number, keys) for number, keys in left if keys]
    if left:
        from .results import results_lines  # heavy (YAML); rarely needed

        lines = results_lines(item.path)  # read again: only for the rare item concerned
        for number, keys in left:
            at = dict(lines[number - 1]) if number <= len(lines) else {}
            line = min((at[k] for k in keys if k in at), default=at.get("sport"))
            names = ", ".join(f"'{key}'" for key in sorted(keys, key=lambda k: at.get(k, 0)))
            what = _(
                "'results' row {number} still holds the example text of 'lettre new' in {names}"
            ).format(number=number, names=names)
            found.append(Example(item.path, line, _("{what}: write the result").format(what=what)))
    if item.body and any(body in item.body for body in bodies):
        for number, text in enumerate(item.body.split("\n")):
            if text.strip() in bodies:
                what = _("the body still holds the example text of 'lettre new': write your own")
                found.append(Example(item.path, item.body_line + number, what))
    founded = _example_founded(item)
    if founded is not None:
        found.append(founded)
    return found


def _example_founded(item: Item) -> Example | None:
    """The `founded` date that `lettre new anniversaire` wrote (ten years before the
    item), while its comment is still on the line."""
    if item.founded is None or item.kind != "anniversaire":
        return None

    dated = re.match(r"(\d{4}-\d{2}-\d{2})-", item.path.name)
    days = {item.date}
    if dated:
        with contextlib.suppress(ValueError):  # a name like 2025-02-30-…
            days.add(dt.date.fromisoformat(dated[1]))
    if item.founded not in {years_before(day, 10) for day in days}:
        return None
    line = dict(item.key_lines).get("founded")
    if line is None or FOUNDED_COMMENT not in _line_text(item.path, line):
        return None
    return Example(
        item.path,
        line,
        _(
            "'founded' is still the example date of 'lettre new' ({isoformat}, ten years before "
            "the item): write the date of foundation, then delete the comment '{founded_comment}'"
        ).format(isoformat=item.founded.isoformat(), founded_comment=FOUNDED_COMMENT),
    )


def _line_text(path: Path, line: int) -> str:
    """The text of one line of a file ('' when it cannot be read)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            for number, text in enumerate(handle, start=1):
                if number == line:
                    return text
    except OSError:
        pass
    return ""


_TEMPLATE_ANY: list[tuple[frozenset[str], attrgetter[Any]]] = []


def _template_any(texts: dict[str, frozenset[str]]) -> tuple[frozenset[str], attrgetter[Any]]:
    """Every example text of a results row, and a getter of a row's fields that may hold one."""
    _TEMPLATE_ANY.append((frozenset().union(*texts.values()), attrgetter(*texts)))
    return _TEMPLATE_ANY[0]


_TEMPLATES: list[tuple[dict[str, frozenset[str]], frozenset[str]]] = []


def _template_texts() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """The example texts of `lettre new` (by results field) and its example body lines."""
    if not _TEMPLATES:
        from .readers import parse_item  # heavy (YAML); once per process

        fields: dict[str, set[str]] = {}
        bodies: set[str] = set()
        for kind in ("communique", "resultats", "anniversaire"):
            day = dt.date(2025, 6, 13)
            item = parse_item(item_text(kind, "x", day), Path("template.md"), [kind])
            bodies.update(line.strip() for line in item.body.split("\n") if line.strip())
            for row in item.results:
                for key in ("sport", "name", "grade", "event", "competition", "city", "country"):
                    fields.setdefault(key, set()).add(getattr(row, key))
        _TEMPLATES.append(({k: frozenset(v) for k, v in fields.items()}, frozenset(bodies)))
    return _TEMPLATES[0]


# --- anniversaries.yaml --------------------------------------------------------------------


def anniversary_is_example(entry: Anniversary) -> bool:
    """Whether an entry of anniversaries.yaml is an example (marked, or from an old init)."""
    if entry.example:
        return True
    return any(
        entry.name == name
        and (url is None or entry.url == url)
        and (founded is None or entry.founded == founded)
        for name, url, founded in _OLD_INIT_ANNIVERSARIES
    )


def anniversary_examples(entries: Iterable[Anniversary]) -> list[Example]:
    """The example entries of anniversaries.yaml, each at its line."""
    return [
        Example(
            entry.source or Path("anniversaries.yaml"),
            entry.line,
            _(
                "the anniversary of '{name}' is an example: delete this entry, or put a '#' "
                "before each of its lines"
            ).format(name=entry.name),
        )
        for entry in entries
        if anniversary_is_example(entry)
    ]


# --- a letter ------------------------------------------------------------------------------


def letter_examples(config: Config, letter: Letter) -> list[Example]:
    """The example content of the letter's items and anniversaries (not of lettre.toml)."""
    found: list[Example] = []
    for entry in letter.entries:
        item = entry.item
        if item.path == config.anniversaries_path:  # computed from anniversaries.yaml
            if item.example:
                what = _(
                    "the anniversary '{title}' comes from an example entry: delete it, or put a "
                    "'#' before each of its lines"
                ).format(title=item.title)
                found.append(Example(item.path, item.body_line, what))
            continue
        found += item_examples(item)
    return found


def example_content(config: Config, letter: Letter | None) -> list[Example]:
    """Every piece of example content a letter would carry to its readers, with file and
    line: the example tables of lettre.toml, then its items' (none when `letter` is None).

    `compose` (an e-mail message), `archive` and `send` refuse a letter when this is not
    empty; see `refuse_examples`.
    """
    found = config_examples(config)
    if letter is not None:
        found += letter_examples(config, letter)
    return found


def refuse_examples(config: Config, letter: Letter | None, also: str = "") -> None:
    """Raise ExampleContentError naming each example the letter holds, if it holds any.

    `letter` None: a letter that could not be composed (`also` says why); only the
    examples of lettre.toml are named then.
    """
    _refuse(example_content(config, letter), letter, also=also)


def _refuse(
    found: Sequence[Example], letter: Letter | None, subject: str | None = None, also: str = ""
) -> None:
    if found:
        if subject is None:
            subject = (
                _("the letter of {isoformat}").format(isoformat=letter.date.isoformat())
                if letter is not None
                else _("this folder")
            )
        raise ExampleContentError(found, subject, also)


def require_ready(
    config: Config,
    letter: Letter | None = None,
    *,
    found: Sequence[Example] = (),
    subject: str | None = None,
) -> None:
    """Refuse what is not ready to go out to readers: `send`, the posting to a list and
    `archive` call it before anything leaves.

    ExampleContentError naming every example content of lettre.toml and of `letter` — or,
    for `archive`, of its letters (`found`, `subject` « the archive »): nothing invented
    reaches a reader (#14). Then, for a `letter` in publish mode, ImageError for its first
    photo that the last `lettre archive` does not hold: the photos go online before the
    letter (`archive` itself is what puts them there).
    """
    every = example_content(config, letter)
    every += [e for e in found if e not in every]
    _refuse(every, letter, subject)
    if letter is not None and letter.photos and config.images.mode == "publish":
        from .imagelinks import require_archived

        require_archived(config, letter)
