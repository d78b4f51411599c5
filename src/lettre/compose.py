"""A newsletter folder and a week → the composed letter in every format."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from .anniversaries import read_anniversaries
from .config import CONFIG_NAME, Config, load_config
from .errors import ConfigError, EmptyLetterError, ItemErrors, UsageError
from .files import write_all
from .items import Entry, Image, Item, Letter, LetterSection, PreparedImage, Week
from .letter import build_letter
from .messages import _


@dataclass(frozen=True)
class Composed:
    """One letter in all its forms."""

    letter: Letter
    html: str  # the HTML part of the message
    text: str
    message: EmailMessage
    user_dir: Path | None = None  # the folder's own templates, for `web_html`

    def web_html(self, link: Callable[[PreparedImage], str]) -> str:
        """The HTML with the local photos pointed at by `link` instead of the e-mail's links
        (`cid:` or the archive's address): for `--format html`, `--out`, previews."""
        if not self.letter.photos:
            return self.html
        from .imagelinks import with_links
        from .render import render_html

        return render_html(with_links(self.letter, link), self.user_dir)

    def eml(self, bcc: bool = True) -> bytes:
        """The message as bytes; `bcc=False` leaves the Bcc header out.

        On stdout the Bcc header is what `sendmail -t` reads the hidden recipients from
        (and removes); a file may be sent another way, where it would reveal them.
        """
        from .message import as_bytes

        if bcc or "Bcc" not in self.message:
            return as_bytes(self.message)
        import copy

        message = copy.deepcopy(self.message)
        del message["Bcc"]
        return as_bytes(message)

    def json(self) -> str:
        return json.dumps(letter_as_data(self.letter), ensure_ascii=False, indent=2) + "\n"

    def output(self, format: str) -> str | bytes:
        """The letter as `--format` prints it: `eml` (bytes), `html`, `text` or `json`."""
        if format == "eml":
            return self.eml()
        if format == "html":
            from .imagelinks import file_link

            return self.web_html(file_link)
        return self.text if format == "text" else self.json()


def find_folder(start: Path | str) -> Path:
    """The newsletter folder: `start`; or, when `start` is the current folder (no -C) and
    holds no lettre.toml, the nearest folder above that does, as git finds its
    repository (`..`, `../..`: paths in messages stay relative to where the user is)."""
    start = Path(start)
    if start != Path(".") or (start / CONFIG_NAME).exists() or (start / CONFIG_NAME).is_symlink():
        return start
    try:
        here = Path.cwd()
    except OSError:  # the current folder was deleted
        return start
    for number, parent in enumerate(here.parents, start=1):
        if (parent / CONFIG_NAME).is_file():
            return Path(*[".."] * number)
    return start


def open_folder(folder: Path | str, locale: str | None = None) -> Config:
    """The folder's configuration, with `--locale` applied and checked.

    Without -C (`folder` is "."), lettre.toml is looked for in the folders above too.
    """
    from .french import locale_option

    found = find_folder(folder)
    config_path = found / CONFIG_NAME
    if found == Path(".") and not config_path.exists() and not config_path.is_symlink():
        raise ConfigError(
            _(
                "no {config_name} here nor in the folders above: is this a newsletter folder? "
                "(create one with 'lettre init', or name it with -C)"
            ).format(config_name=CONFIG_NAME),
            CONFIG_NAME,
        )
    config = load_config(found)  # checks the locale of lettre.toml (file:line)
    if not locale:
        return config
    return config.with_locale(locale_option(locale))  # an unknown one fails before any work


def now_in(config: Config, now: dt.datetime | None = None) -> dt.datetime:
    """`now` (default: the current time) in the folder's time zone."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(config.timezone)
    return dt.datetime.now(zone) if now is None else now.astimezone(zone)


def today_in(config: Config, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the folder's time zone: what `--week this/last/next` count from."""
    return now_in(config, now).date()


def parse_now(value: str | None, timezone: str) -> dt.datetime | None:
    """`--now`: an ISO date and time, in the folder's time zone when it names none."""
    from zoneinfo import ZoneInfo

    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            _("--now: {value!r} is not a date and time (2025-06-13T08:00)").format(value=value)
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def refuse_draft_message(drafts: bool, *, out: bool, message: bool) -> None:
    """UsageError when `--drafts` (a proof) would make an e-mail message or `--out` files."""
    if drafts and (out or message):
        option = "--out" if out else _("an e-mail message (the default format)")
        raise UsageError(
            _(
                "--drafts makes a proof, and {option} could reach readers: use --format html or "
                "--format text"
            ).format(option=option)
        )


def load_week_items(config: Config, week: Week) -> list[Item]:
    """The items of `week`, parsing only their files; raises on the problems found.

    A problem in an item of another week is not seen here (`lettre check` sees them all);
    a file whose date cannot be read is, since it might belong to this week.
    """
    from .index import week_items

    items, errors = week_items(config, week)
    if errors:
        raise ItemErrors.of(errors)
    return items


def letter_of(
    config: Config,
    week: Week,
    items: Sequence[Item] | None = None,
    *,
    drafts: bool = False,
    link: Callable[[PreparedImage], str] | None = None,
) -> Letter:
    """The letter of `week` (items and anniversaries), without rendering it.

    `items`: the folder's items when already read (those of other weeks are left out).
    `drafts`: a proof that shows the week's drafts too, marked.
    The week's local photos are prepared (or found in the cache); `link` says where the
    letter points at them (default: where the e-mail does, see imagelinks.email_link).
    """
    from .imagecache import prepare_images
    from .imagelinks import email_link

    if items is None:
        items = load_week_items(config, week)
    anniversaries = read_anniversaries(config.anniversaries_path)
    photos = prepare_images(config, [i for i in items if i.date in week])
    return build_letter(
        items,
        config,
        week,
        anniversaries,
        drafts=drafts,
        photos=photos,
        link=link or email_link(config),
    )


def compose(
    config: Config,
    week: Week,
    *,
    now: dt.datetime | None = None,
    seed: str | None = None,
    items: Sequence[Item] | None = None,
    drafts: bool = False,
    to_list: bool = False,
) -> Composed:
    """Compose the letter of `week`: HTML with inlined CSS, plain text and the e-mail.

    `items`: the folder's items when already read (those of other weeks are left out).
    `drafts`: a proof with the week's drafts. Composing never refuses example content:
    whoever sends the message calls `examples.refuse_examples` first.
    `to_list`: the message is one posting to `[recipients] list` (see posting.py).
    """
    from .message import build_message
    from .render import render_html, render_text

    letter = letter_of(config, week, items, drafts=drafts)
    user_dir = config.templates_dir if config.templates_dir.is_dir() else None
    html = render_html(letter, user_dir)
    text = render_text(letter, user_dir)
    inline = letter.photos if config.images.mode == "embed" else ()
    message = build_message(
        letter,
        html,
        text,
        config,
        now or now_in(config),
        seed,
        inline,
        to_list=config.list_address if to_list else None,
    )
    return Composed(letter, html, text, message, user_dir)


def compose_output(
    config: Config,
    week: Week,
    *,
    message: bool,
    now: dt.datetime | None = None,
    seed: str | None = None,
    drafts: bool = False,
) -> Composed:
    """`lettre compose`: the letter of `week`, refused when it is to be an e-mail message
    (`message`: the default format, or the .eml of `--out`) and holds example content."""
    from .examples import refuse_examples

    try:
        composed = compose(config, week, now=now, seed=seed, drafts=drafts)
    except EmptyLetterError as err:
        if message:  # the example addresses of lettre.toml, named even without a letter
            refuse_examples(config, None, also=f"and {err.message}")
        raise
    if message:
        refuse_examples(config, composed.letter)
    return composed


def output_warnings(config: Config, composed: Composed) -> list[str]:
    """What `lettre compose` warns about: an HTML part that Gmail clips, photos that point
    nowhere (publish mode without the web archive's address)."""
    from .render import GMAIL_CLIP_BYTES, gmail_clips

    warnings = []
    size = gmail_clips(composed.html)
    if size is not None:
        warnings.append(
            _("Warning: the HTML is {size:.0f} KB; Gmail clips messages over {limit} KB").format(
                size=size / 1024, limit=GMAIL_CLIP_BYTES // 1024
            )
        )
    if composed.letter.photos and config.images.mode == "publish" and not config.archive_url:
        warnings.append(
            _(
                "Warning: the e-mail's photos point nowhere: lettre.toml gives the web archive "
                'no address (set base_url or [archive] url, or [images] mode = "embed")'
            )
        )
    return warnings


#: The fields of the letter's dataclasses that the JSON of `--format json` leaves out, each
#: with its reason. Every other field is in it, under its own name, converted by `_plain`:
#: a field added to the model reaches the JSON (tests/test_compose.py checks both ways).
JSON_LEFT_OUT: dict[type, dict[str, str]] = {
    Letter: {
        "links": "the plain text's numbered references: the entries' urls and the links of "
        "their body_html"
    },
    Entry: {
        "item": "the item file is shown as 'file', 'date', 'example' and 'draft'",
        "url_ref": "the number of the entry's url among the plain text's references",
        "photo": "the prepared file in this machine's cache (.lettre/): 'image' is what the "
        "letter shows",
    },
    Image: {"line": "the line of the item file that sets 'src', for error messages"},
}
#: The keys that come first, in this order (as --format json wrote them before the JSON was
#: derived from the model); the other fields follow in the order of their dataclass.
_JSON_FIRST: dict[type, tuple[str, ...]] = {
    Letter: ("title", "subject", "date", "date_text", "week", "period_text", "locale", "notices",
             "sections"),
    LetterSection: ("kind", "label", "items"),
    Entry: ("file", "date", "date_text", "title", "marks", "example", "draft", "summary", "url",
            "period_text", "years", "results"),
}  # fmt: skip


def letter_as_data(letter: Letter) -> dict[str, Any]:
    """The letter as JSON-ready data (for `--format json`): every field of its dataclasses
    but those of `JSON_LEFT_OUT`."""
    data: dict[str, Any] = _plain(letter)
    return data


def _of_class(table: dict[type, Any], value: object, default: Any) -> Any:
    """The entry of `table` for the class of `value` (or a class it derives from)."""
    return next((table[cls] for cls in type(value).__mro__ if cls in table), default)


_SCALARS = frozenset((str, int, float, bool, type(None)))  # the common case, at once


def _plain(value: object) -> Any:
    """`value` as JSON data: a dataclass as an object of its fields, dates in ISO 8601,
    paths as text; a type with no conversion here is an error, never a guess."""
    if type(value) in _SCALARS or isinstance(value, str | int | float):  # bool is an int
        return value
    if isinstance(value, tuple | list):
        return [_plain(element) for element in value]
    if isinstance(value, dict):
        return {str(key): _plain(element) for key, element in value.items()}
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    if isinstance(value, Path):
        # a file name that is not UTF-8 is shown, not a crash
        return os.fsencode(value).decode("utf-8", "replace")
    if is_dataclass(value) and not isinstance(value, type):
        return _fields_of(value)
    raise TypeError(f"no JSON form for {type(value).__name__}: give it one in compose._plain")


def _fields_of(value: Any) -> dict[str, Any]:
    """A dataclass object's fields as JSON data, with the letter's own shapes."""
    from .examples import is_example

    left_out = _of_class(JSON_LEFT_OUT, value, {})
    data = {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.name not in left_out}
    if isinstance(value, LetterSection):
        data["items"] = data.pop("entries")
    elif isinstance(value, Entry):
        item = value.item
        data["file"] = _plain(item.path)
        data["date"] = _plain(item.date)
        data["example"] = is_example(item)
        data["draft"] = item.draft
        data["results"] = [{"sport": sport, "rows": _plain(rows)} for sport, rows in value.results]
    first = _of_class(_JSON_FIRST, value, ())
    return {**{key: data.pop(key) for key in first}, **data}


def write_outputs(composed: Composed, out_dir: Path) -> list[Path]:
    """`--out DIR`: the .eml, .html, .txt and .json of the letter, written atomically.

    The .html points at copies of the local photos in `DIR/images/`, written with it.
    """
    from .imagelinks import files_of, relative_link

    stem = f"lettre-{composed.letter.date.isoformat()}"
    html = composed.web_html(relative_link)
    photos = {out_dir / name: data for name, data in files_of(composed.letter.photos).items()}
    return write_all(
        {
            out_dir / f"{stem}.eml": composed.eml(bcc=False),  # no hidden recipient in a file
            out_dir / f"{stem}.html": html.encode("utf-8"),
            out_dir / f"{stem}.txt": composed.text.encode("utf-8"),
            out_dir / f"{stem}.json": composed.json().encode("utf-8"),
            **photos,
        }
    )
