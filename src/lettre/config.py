"""`lettre.toml` → a frozen Config (see settings.py), every mistake at its file and line."""

from __future__ import annotations

import math
import re
import shlex
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .configvalues import ValueReader, one_line, parse_publication_day, unknown_kind
from .errors import ConfigError, UsageError
from .files import decode_text, read_bytes
from .folding import fold_words
from .french import get_locale
from .keylines import Key
from .messages import _
from .settings import (
    ARCHIVE_PATH,
    BUILTIN_KINDS,
    CONFIG_NAME,
    DEFAULT_IMPORT_KIND,
    DEFAULT_SECTIONS,
    DEFAULT_VIA,
    STATE_DIR,
    TYPOGRAPHY_RULES,
    Address,
    Config,
    ImageSettings,
    ImportSettings,
    Section,
    SendSettings,
    TypographySettings,
    letter_url,
    locale_key,
    nearest_line,
    page_name,
)

# the settings are defined in settings.py; their users import them from here
__all__ = [
    "ARCHIVE_PATH",
    "BUILTIN_KINDS",
    "CONFIG_NAME",
    "DEFAULT_IMPORT_KIND",
    "DEFAULT_SECTIONS",
    "DEFAULT_VIA",
    "STATE_DIR",
    "TYPOGRAPHY_RULES",
    "Address",
    "Config",
    "ImageSettings",
    "ImportSettings",
    "Section",
    "SendSettings",
    "TypographySettings",
    "letter_url",
    "load_config",
    "nearest_line",
    "page_name",
]

MAX_CONFIG_BYTES = 1_000_000


def load_config(folder: Path) -> Config:
    """Read `folder/lettre.toml`; every problem is a ConfigError naming the file and line."""
    path = folder / CONFIG_NAME
    if not folder.is_dir():
        raise ConfigError(_("no such newsletter folder (create one with 'lettre init')"), folder)
    if not path.exists() and not path.is_symlink():
        raise ConfigError(
            _(
                "no {config_name} here: is this a newsletter folder? (create one with 'lettre "
                "init')"
            ).format(config_name=CONFIG_NAME),
            path,
        )
    raw = read_bytes(path, MAX_CONFIG_BYTES, ConfigError)
    text = decode_text(raw, path, ConfigError, _("lettre.toml holds TOML text"))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"at line (\d+)", str(err))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        if message == "Illegal character '\\n'" and line:
            source = text.split("\n")[int(line[1]) - 1]
            if source.count('"') % 2 or source.count("'") % 2:
                message = _("a quoted string is not closed on this line")
        raise ConfigError(
            _("invalid TOML: {problem}").format(problem=message),
            path,
            int(line[1]) if line else None,
        ) from err
    return _config_from(folder, path, text, data)


# Every key lettre.toml may hold, and those of its tables.
TOP_KEYS = (
    "title",
    "locale",
    "timezone",
    "publication_day",
    "sender",
    "reply_to",
    "recipients",
    "sections",
    "base_url",
    "list_id",
    "unsubscribe",
    "preheader",
    "allow_html",
    "anniversaries",
    "archive",
    "import",
    "send",
    "images",
    "typography",
)
#: the tables that may say `example = true`
EXAMPLE_TABLES = ("sender", "recipients", "unsubscribe")
TABLE_KEYS = {
    "sender": ("address", "name", "reply_to", "footer_name", "example"),
    "recipients": ("to", "cc", "bcc", "readers", "list", "example"),
    "unsubscribe": ("url", "mailto", "example"),
    "anniversaries": ("years",),
    "archive": ("url",),
    "import": ("kind", "categories"),
    "send": ("mode", "via", "rate"),
    "images": ("mode",),
    "typography": TYPOGRAPHY_RULES,
}


def _config_from(folder: Path, path: Path, text: str, data: dict[str, Any]) -> Config:
    r = ValueReader(path, text, data)
    r.unknown_keys((), data, TOP_KEYS)
    for table, allowed in TABLE_KEYS.items():
        r.unknown_keys((table,), data.get(table), allowed)
    sections_data = data["sections"] if isinstance(data.get("sections"), list) else []
    for number, section in enumerate(sections_data):
        r.unknown_keys(("sections", str(number)), section, ("kind", "label"), "[sections]")
    kwargs: dict[str, Any] = {"folder": folder, "key_lines": r.lines}
    language = locale_key(r.get("locale", str) or Config.locale).split("_")[0]
    if isinstance(data.get("title"), dict):
        kwargs["titles"] = _by_locale(r, "title", ("title",), data["title"])
        kwargs["title"] = dict(kwargs["titles"]).get(language, kwargs["titles"][0][1])
        if not all(one_line(title) for _, title in kwargs["titles"]):
            raise r.fail("title", _("'title' must be one line, without control characters"))
    for key in ("title", "locale", "timezone", "base_url", "list_id", "preheader"):
        if key in kwargs:
            continue
        value = r.get(key, str)
        if value is not None:
            if not one_line(value):
                raise r.fail(
                    key, _("'{key}' must be one line, without control characters").format(key=key)
                )
            kwargs[key] = value.strip()
    if "allow_html" in data:
        kwargs["allow_html"] = r.get("allow_html", bool)
    if "publication_day" in data:
        try:
            kwargs["publication_day"] = parse_publication_day(r.get("publication_day", (str, int)))
        except ValueError as err:
            raise r.fail("publication_day", str(err)) from None
    if "timezone" in kwargs:
        _check_timezone(r, kwargs["timezone"])
    if "locale" in kwargs:
        kwargs["locale"] = _check_locale(r, kwargs["locale"])
    base_url = kwargs.get("base_url")
    if base_url is not None and not re.match(r"^https?://[^/\s]+", base_url):
        raise r.fail(
            "base_url",
            _("'base_url' must be an http(s) URL, not {base_url!r}").format(base_url=base_url),
        )

    sender = r.get("sender", (str, dict))
    if sender is None:
        raise ConfigError(_("no sender: add a [sender] table with 'address' (and 'name')"), path)
    kwargs["sender"] = r.address(("sender",), "sender", sender)
    kwargs["footer_name"] = _footer_name(r)
    reply_to = r.get("sender.reply_to", (str, dict))
    reply_path: Key = ("sender", "reply_to")
    if not reply_to:
        reply_to, reply_path = r.get("reply_to", (str, dict)), ("reply_to",)
    if reply_to is not None:
        kwargs["reply_to"] = r.address(reply_path, "reply_to", reply_to)
    for key in ("to", "cc", "bcc"):
        kwargs[key] = r.addresses(f"recipients.{key}")
    kwargs["readers_path"] = _readers_path(r, folder)
    listed = r.get("recipients.list", (str, dict), name="[recipients] list")
    if listed is not None:
        kwargs["list_address"] = r.address(("recipients", "list"), "[recipients] list", listed)
    if not (kwargs["to"] or kwargs["bcc"] or kwargs["readers_path"] or listed is not None):
        raise ConfigError(
            _(
                "no recipients: add a [recipients] table with 'to = [...]', 'readers = "
                "\"abonnes.csv\"' (a file of readers) or 'list = \"…\"' (a list's address)"
            ),
            path,
        )
    kwargs["send"] = _send(r, kwargs["readers_path"] is not None, listed is not None)

    r.get("unsubscribe", dict, {})  # a wrong type is named here, before its keys
    mailto = r.get("unsubscribe.mailto", str)
    if mailto is not None:
        mailto = mailto.removeprefix("mailto:")
        address = r.address(("unsubscribe", "mailto"), "unsubscribe.mailto", mailto)
        kwargs["unsubscribe_mailto"] = address.address
    url = r.get("unsubscribe.url", str)
    if url is not None:
        if not url.startswith("https://"):
            raise r.fail(
                "unsubscribe.url",
                _("'unsubscribe.url' must be an https URL: {url!r}").format(url=url),
            )
        kwargs["unsubscribe_url"] = url

    sections = r.get("sections", list)
    if sections is not None:
        kwargs["sections"] = tuple(_section(r, n, s, language) for n, s in enumerate(sections))
        kinds = [s.kind for s in kwargs["sections"]]
        for number, kind in enumerate(kinds):
            if kind in kinds[:number]:
                raise r.fail(
                    ("sections", str(number)),
                    _("section kind {kind!r} is listed twice").format(kind=kind),
                )

    years = r.get("anniversaries.years", list)
    if years is not None:
        for number, year in enumerate(years):
            if not (isinstance(year, int) and not isinstance(year, bool) and year > 0):
                message = _("'anniversaries.years' must be a list of positive numbers")
                raise r.fail(("anniversaries", "years", str(number)), message)
        kwargs["anniversary_years"] = tuple(sorted(set(years)))
    kwargs["examples"] = tuple(
        table for table in EXAMPLE_TABLES if r.get(f"{table}.example", bool, False)
    )

    kwargs["archive_url_setting"] = _archive_url(r)
    declared = [s.kind for s in kwargs.get("sections", DEFAULT_SECTIONS)]
    kwargs["import_settings"] = _import_settings(r, [*dict.fromkeys([*BUILTIN_KINDS, *declared])])
    r.get("images", dict, {})
    mode = r.choice("images.mode", "[images] mode", ("publish", "embed"))
    kwargs["images"] = ImageSettings(mode or "publish")  # type: ignore[arg-type]
    r.get("typography", dict, {})
    rules = {k: r.get(f"typography.{k}", bool, True, f"[typography] {k}") for k in TYPOGRAPHY_RULES}
    kwargs["typography"] = TypographySettings(**rules)
    return Config(**kwargs)


def _footer_name(r: ValueReader) -> str | None:
    """`[sender] footer_name`: the sender as the footer names it; None when not set or blank."""
    value = r.get("sender.footer_name", str, name="[sender] footer_name")
    if value is None or not value.strip():
        return None
    if not one_line(value):
        message = _("'[sender] footer_name' must be one line, without control characters")
        raise r.fail("sender.footer_name", message)
    return str(value.strip())


def _readers_path(r: ValueReader, folder: Path) -> Path | None:
    """`[recipients] readers`: the file of readers, relative to the folder or absolute."""
    value = r.get("recipients.readers", str, name="[recipients] readers")
    if value is None:
        return None
    if not value.strip() or not one_line(value) or "\0" in value:
        message = _(
            "'[recipients] readers' must be the path of a file, relative to the folder or "
            'absolute, such as "abonnes.csv", not {value!r}'
        ).format(value=value)
        raise r.fail("recipients.readers", message)
    return (folder / Path(value.strip()).expanduser()).absolute()


def _send(r: ValueReader, has_readers: bool, has_list: bool) -> SendSettings:
    """`[send]`: mode (required when readers and list are both set), via, rate."""
    r.get("send", dict, {})
    mode = r.choice("send.mode", "[send] mode", ("readers", "list"))
    if mode is None and has_readers and has_list:
        message = _(
            "[recipients] sets both 'readers' and 'list': say which one lettre sends to with "
            "'mode = \"readers\"' or 'mode = \"list\"' in [send]"
        )
        raise r.fail("send" if "send" in r.data else "recipients.list", message)
    if mode == "readers" and not has_readers:
        message = _("'[send] mode' is \"readers\" but [recipients] sets no 'readers' file")
        raise r.fail("send.mode", message)
    if mode == "list" and not has_list:
        message = _("'[send] mode' is \"list\" but [recipients] sets no 'list' address")
        raise r.fail("send.mode", message)
    if mode is None and (has_readers or has_list):
        mode = "readers" if has_readers else "list"
    via: tuple[str, ...] = DEFAULT_VIA
    command = r.get("send.via", str, name="[send] via")
    if command is not None:
        example = _('a command such as "sendmail -t -oi"')
        if not one_line(command):
            raise r.fail(
                "send.via", _("'[send] via' must be {example} on one line").format(example=example)
            )
        try:
            via = tuple(shlex.split(command))
        except ValueError as err:
            message = _("'[send] via': {command!r} cannot be split into a command ({err})").format(
                command=command, err=err
            )
            raise r.fail("send.via", message) from None
        if not via:
            raise r.fail(
                "send.via",
                _("'[send] via' must be {example}, not {command!r}").format(
                    example=example, command=command
                ),
            )
    rate = r.get("send.rate", (int, float), name="[send] rate")
    if rate is not None and not (math.isfinite(rate) and rate > 0):
        message = _(
            "'[send] rate' must be a positive number of messages per second, not {rate!r}"
        ).format(rate=rate)
        raise r.fail("send.rate", message)
    return SendSettings(mode, via, None if rate is None else float(rate))  # type: ignore[arg-type]


def _archive_url(r: ValueReader) -> str | None:
    """`[archive] url`, ending in "/", or None."""
    table = r.get("archive", dict, {})
    url = table.get("url")
    if url is None:
        return None
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise r.fail(
            "archive.url", _("'archive.url' must be an http(s) URL, not {url!r}").format(url=url)
        )
    return url if url.endswith("/") else url + "/"


def _import_settings(r: ValueReader, kinds: Sequence[str]) -> ImportSettings:
    """`[import]`: the default kind of imported items, and feed categories mapped to kinds."""
    table = r.data.get("import", {})
    if not isinstance(table, dict):
        raise r.fail("import", _("'import' must be a table: [import]"))
    default = table.get("kind", DEFAULT_IMPORT_KIND)
    if not isinstance(default, str) or default not in kinds:
        raise r.fail("import.kind", unknown_kind(default, kinds, "'import.kind'"))
    raw = table.get("categories", {})
    if not isinstance(raw, dict):
        message = _('\'import.categories\' must be a table: "Category" = "kind"')
        raise r.fail("import.categories", message)
    categories: dict[str, str] = {}
    for category, mapped in raw.items():
        if not isinstance(mapped, str) or mapped not in kinds:
            message = unknown_kind(mapped, kinds, "'import.categories'")
            raise r.fail(("import", "categories", category), message)
        categories[fold_words(category)] = mapped
    return ImportSettings(default, categories)


def _section(r: ValueReader, number: int, value: Any, language: str) -> Section:
    path = ("sections", str(number))
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise r.fail(
            path, _("each section needs a 'kind' (a string), not {value!r}").format(value=value)
        )
    kind = value["kind"].strip()
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", kind):
        message = _("section kind {kind!r} must be lower-case letters, digits, - or _").format(
            kind=kind
        )
        raise r.fail((*path, "kind"), message)
    label = value.get("label")
    if label is None or (isinstance(label, str) and not label.strip()):
        return Section(kind)  # the locale's default label
    if isinstance(label, str) and label.strip():
        return Section(kind, label.strip(), ((language, label.strip()),))
    if isinstance(label, dict) and label:
        labels = _by_locale(r, "label", (*path, "label"), label)
        return Section(kind, dict(labels).get(language, labels[0][1]), labels)
    raise r.fail(
        (*path, "label"),
        _(
            'section label must be a string or a table by language (label = {{ fr = "…", en = '
            '"…" }}), not {label!r}'
        ).format(label=label),
    )


def _by_locale(
    r: ValueReader, key: str, path: Key, table: dict[str, Any]
) -> tuple[tuple[str, str], ...]:
    """`{ fr = "…", en = "…", fr_CA = "…" }` → ((locale, text), …), checked."""
    texts = []
    for name, text in table.items():
        if not isinstance(text, str) or not text.strip():
            raise r.fail(
                (*path, name),
                _("'{key}' for {name!r} must be a string, not {text!r}").format(
                    key=key, name=name, text=text
                ),
            )
        if not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,4})*", name):
            message = _("'{key}': {name!r} is not a language or locale (fr, en, fr_CA)").format(
                key=key, name=name
            )
            raise r.fail((*path, name), message)
        texts.append((locale_key(name), text.strip()))
    if not texts:
        raise r.fail(path, _("'{key}' must not be an empty table").format(key=key))
    return tuple(texts)


def _check_locale(r: ValueReader, name: str) -> str:
    """The locale's canonical code (`fr-ca` → `fr_CA`, `fr` → `fr_FR`), or ConfigError."""
    try:
        return str(get_locale(name))
    except UsageError as err:
        raise r.fail("locale", err.message) from None


def _check_timezone(r: ValueReader, name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = _("unknown time zone {name!r} (use a name such as 'Europe/Paris')").format(
            name=name
        )
        raise r.fail("timezone", message) from None
