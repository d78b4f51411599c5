"""`lettre.toml` → a frozen Config."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

CONFIG_NAME = "lettre.toml"
MAX_CONFIG_BYTES = 1_000_000

BUILTIN_KINDS = ("communique", "resultats", "anniversaire")

_DAYS = {
    # ISO weekday numbers (Monday = 1), by English and French names.
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 7,
    "lundi": 1,
    "mardi": 2,
    "mercredi": 3,
    "jeudi": 4,
    "vendredi": 5,
    "samedi": 6,
    "dimanche": 7,
}

_ADDRESS_RE = re.compile(r"^[^@\s<>\"',;:()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Address:
    """A mailbox: an address with an optional display name."""

    address: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


@dataclass(frozen=True)
class Section:
    """One section of the letter: the items of one kind, under a label."""

    kind: str
    label: str | None = None  # None: the locale's default label
    # labels by locale or language ("fr", "en", "fr_CA"); a plain `label` string counts
    # as the label in the folder's own language
    labels: tuple[tuple[str, str], ...] = ()

    def label_for(self, locale: str) -> str | None:
        """The label written for `locale` (en_GB, then en), or None."""
        return _for_locale(self.labels, locale)


#: the sections of a folder whose lettre.toml declares none: one per built-in kind
DEFAULT_SECTIONS = tuple(Section(k) for k in BUILTIN_KINDS)


def _for_locale(texts: tuple[tuple[str, str], ...], locale: str) -> str | None:
    """The text written for `locale` (en_GB), else for its language (en), else None."""
    wanted = _locale_key(locale)
    by_key = dict(texts)
    return by_key.get(wanted) or by_key.get(wanted.split("_")[0])


def _locale_key(locale: str) -> str:
    """`en-gb`, `en_GB.UTF-8` → `en_GB`; `FR` → `fr` (no Babel needed)."""
    parts = locale.strip().split(".")[0].replace("-", "_").split("_")
    return "_".join([parts[0].lower(), *(p.upper() if len(p) == 2 else p for p in parts[1:])])


@dataclass(frozen=True)
class Config:
    """Everything `lettre.toml` says, validated, with defaults filled in."""

    folder: Path
    title: str = "Lettre hebdomadaire"
    titles: tuple[tuple[str, str], ...] = ()  # `title = { fr = "…", en = "…" }`
    locale: str = "fr_FR"
    # the folder's own locale (lettre.toml's), that `--locale` leaves: the items' language
    # when they do not say `lang:`; None: `locale`
    items_locale: str | None = None
    timezone: str = "Europe/Paris"
    publication_day: int = 5  # ISO weekday, Friday
    sender: Address = Address("lettre@example.org")
    reply_to: Address | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    base_url: str | None = None
    list_id: str | None = None
    unsubscribe_mailto: str | None = None
    unsubscribe_url: str | None = None
    preheader: str | None = None
    allow_html: bool = False
    anniversary_years: tuple[int, ...] = ()  # empty: 1 and every multiple of 5
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind an item may have: the built-in ones and those the sections declare."""
        declared = [s.kind for s in self.sections]
        return tuple(dict.fromkeys([*BUILTIN_KINDS, *declared]))

    @property
    def items_dir(self) -> Path:
        return self.folder / "items"

    @property
    def anniversaries_path(self) -> Path:
        """`anniversaries.yaml`: founding dates from which anniversaries are computed."""
        return self.folder / "anniversaries.yaml"

    @property
    def templates_dir(self) -> Path:
        return self.folder / "templates"

    def with_locale(self, locale: str | None) -> Config:
        """A copy with another locale (from `--locale`) and its title, or self when None."""
        if not locale:
            return self
        from dataclasses import replace

        return replace(
            self,
            locale=locale,
            items_locale=self.items_locale or self.locale,
            title=_for_locale(self.titles, locale) or self.title,
        )


def _line_of(text: str, key: str) -> int | None:
    """The first line of `text` that sets `key`, for error messages."""
    match = re.search(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _top_line(text: str, key: str) -> int | None:
    """The line that sets top-level `key`, or opens the table `[key]` / `[[key]]`."""
    first_table = re.search(r"^[ \t]*\[", text, re.MULTILINE)
    head = text[: first_table.start()] if first_table else text
    match = re.search(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*[=.]", head, re.MULTILINE)
    if match is None:
        pattern = rf"^[ \t]*\[\[?[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*[\].]"
        match = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _inline_line(text: str, key: str, start: int = 0) -> int | None:
    """The first line from `start` that sets `key`: on its own line, in `{ … }`, or dotted."""
    pattern = rf"(^|[{{,.])[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*="
    match = re.compile(pattern, re.MULTILINE).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _line_in_table(text: str, table: str, key: str) -> int | None:
    """The line that sets `key` inside `[table]`, else the line of `[table]` itself."""
    header = re.search(rf"^[ \t]*\[[ \t]*{re.escape(table)}[ \t]*\]", text, re.MULTILINE)
    if header is None:
        return None
    start = text.count("\n", 0, header.start()) + 1
    following = text[header.end() :]
    end = re.search(r"^[ \t]*\[", following, re.MULTILINE)
    body = following[: end.start()] if end else following
    match = re.search(rf"^[ \t]*\"?{re.escape(key)}\"?[ \t]*=", body, re.MULTILINE)
    return start + body.count("\n", 0, match.start()) if match else start


class _Reader:
    """Reads typed values out of the parsed TOML, raising ConfigError with path:line."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]):
        self.path, self.text, self.data = path, text, data

    def fail(self, key: str, message: str, field: str | None = None) -> ConfigError:
        """A ConfigError at the line that sets `key` (or its `field`, for a table)."""
        line = _line_in_table(self.text, key, field) if field else None
        table, _, name = key.rpartition(".")
        if line is None and table:
            line = _line_in_table(self.text, table, name)
        return ConfigError(message, self.path, line or _line_of(self.text, name))

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        if not isinstance(node, kind) or (isinstance(node, bool) and bool not in _as_tuple(kind)):
            names = " or ".join(t.__name__ for t in _as_tuple(kind))
            raise self.fail(key, f"'{key}' must be {_article(names)}, not {node!r}")
        return node

    def unknown_keys(
        self,
        table: str,
        value: Any,
        allowed: Sequence[str],
        label: str | None = None,
        start: int = 0,
    ) -> None:
        """A ConfigError for the first key of `value` (a table) that lettre does not know.

        `start`: where in the text the table begins, when `[table]` cannot tell ([[sections]]).
        """
        if not isinstance(value, dict):
            return
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                where = f" in {label}" if label else f" in [{table}]" if table else ""
                if table:
                    line = _line_in_table(self.text, table, key)
                    if line == _line_in_table(self.text, table, "\0"):
                        line = _inline_line(self.text, key, start) or line  # inline, [[…]]
                else:
                    line = _top_line(self.text, key)
                raise ConfigError(f"unknown key '{key}'{where}{hint}", self.path, line)

    def address(self, key: str, value: Any) -> Address:
        if isinstance(value, dict):
            allowed = ("address", "name", "reply_to") if key == "sender" else ("address", "name")
            label = f"'{key}'" if "." in key else None
            self.unknown_keys(key.partition(".")[0], value, allowed, label)
            if "address" not in value:
                raise self.fail(key, f"missing 'address' in '{key}'", "address")
            addr, name = value.get("address"), value.get("name", "")
        else:
            addr, name = value, ""
        if not isinstance(addr, str) or not isinstance(name, str):
            raise self.fail(key, f"'{key}' must be an e-mail address, not {value!r}")
        addr, name = addr.strip(), name.strip()
        table = isinstance(value, dict)
        if not _ADDRESS_RE.match(addr):
            message = f"'{key}': {addr!r} is not an e-mail address"
            raise self.fail(key, message, "address" if table else None)
        if not one_line(name):
            message = f"'{key}': the display name must be one line, without control characters"
            raise self.fail(key, message, "name")
        return Address(addr, name)

    def addresses(self, key: str) -> tuple[Address, ...]:
        value = self.get(key, (list, str, dict), [])
        values = value if isinstance(value, list) else [value]
        return tuple(self.address(key, v) for v in values)


def unknown_kind(kind: str, kinds: Sequence[str]) -> str:
    """The error for a kind not in `kinds`, with a 'did you mean' hint when one is close."""
    close = difflib.get_close_matches(kind, kinds, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown kind '{kind}'{hint}; known kinds: {', '.join(kinds)}"


def one_line(text: str) -> bool:
    """True when `text` holds no line break of any kind and no control character."""
    # not files.CONTROL: tab, line feed, U+2028 and U+2029 are refused here too
    return len(text.splitlines()) <= 1 and not any(
        ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in text
    )


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _article(names: str) -> str:
    words = {
        "str": "a string",
        "int": "a number",
        "bool": "true or false",
        "list": "a list",
        "dict": "a table",
    }
    return " or ".join(words.get(n, n) for n in names.split(" or "))


def parse_publication_day(value: str | int) -> int:
    """ISO weekday number from 1–7 or a day name in English or French."""
    if isinstance(value, int) and 1 <= value <= 7:
        return value
    if isinstance(value, str) and value.strip().lower() in _DAYS:
        return _DAYS[value.strip().lower()]
    raise ValueError(f"unknown publication day {value!r} (use a day name such as 'vendredi')")


def load_config(folder: Path) -> Config:
    """Read `folder/lettre.toml`; every problem is a ConfigError naming the file and line."""
    path = folder / CONFIG_NAME
    if not folder.is_dir():
        raise ConfigError("no such newsletter folder (create one with 'lettre init')", folder)
    if not path.exists() and not path.is_symlink():
        raise ConfigError(
            f"no {CONFIG_NAME} here: is this a newsletter folder? (create one with 'lettre init')",
            path,
        )
    from .files import decode_text, read_bytes

    raw = read_bytes(path, MAX_CONFIG_BYTES, ConfigError)
    text = decode_text(raw, path, ConfigError, "lettre.toml holds TOML text")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"at line (\d+)", str(err))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        if message == "Illegal character '\\n'" and line:
            source = text.split("\n")[int(line[1]) - 1]
            if source.count('"') % 2 or source.count("'") % 2:
                message = "a quoted string is not closed on this line"
        raise ConfigError(f"invalid TOML: {message}", path, int(line[1]) if line else None) from err
    return _config_from(folder, path, text, data)


# Every key lettre.toml may hold, and those of its tables; [archive] and [import] belong to
# archive.py and importer.py, which check their own keys.
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
)
TABLE_KEYS = {
    "sender": ("address", "name", "reply_to"),
    "recipients": ("to", "cc", "bcc"),
    "unsubscribe": ("url", "mailto"),
    "anniversaries": ("years",),
}


def _config_from(folder: Path, path: Path, text: str, data: dict[str, Any]) -> Config:
    r = _Reader(path, text, data)
    r.unknown_keys("", data, TOP_KEYS)
    for table, allowed in TABLE_KEYS.items():
        r.unknown_keys(table, data.get(table), allowed)
    headers = [m.end() for m in re.finditer(r"^[ \t]*\[\[[ \t]*sections[ \t]*\]\]", text, re.M)]
    for number, section in enumerate(
        data["sections"] if isinstance(data.get("sections"), list) else []
    ):
        start = headers[number] if number < len(headers) else 0
        r.unknown_keys("sections", section, ("kind", "label"), start=start)
    kwargs: dict[str, Any] = {"folder": folder}
    language = _locale_key(r.get("locale", str) or Config.locale).split("_")[0]
    if isinstance(data.get("title"), dict):
        kwargs["titles"] = _by_locale(r, "title", data["title"])
        kwargs["title"] = dict(kwargs["titles"]).get(language, kwargs["titles"][0][1])
        if not all(one_line(title) for _, title in kwargs["titles"]):
            raise r.fail("title", "'title' must be one line, without control characters")
    for key in ("title", "locale", "timezone", "base_url", "list_id", "preheader"):
        if key in kwargs:
            continue
        value = r.get(key, str)
        if value is not None:
            if not one_line(value):
                raise r.fail(key, f"'{key}' must be one line, without control characters")
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
        raise r.fail("base_url", f"'base_url' must be an http(s) URL, not {base_url!r}")

    sender = r.get("sender", (str, dict))
    if sender is None:
        raise ConfigError("no sender: add a [sender] table with 'address' (and 'name')", path)
    kwargs["sender"] = r.address("sender", sender)
    reply_to = r.get("sender.reply_to", (str, dict)) or r.get("reply_to", (str, dict))
    if reply_to is not None:
        kwargs["reply_to"] = r.address("reply_to", reply_to)
    for key in ("to", "cc", "bcc"):
        kwargs[key] = r.addresses(f"recipients.{key}")
    if not kwargs["to"] and not kwargs["bcc"]:
        raise ConfigError("no recipients: add a [recipients] table with 'to = [...]'", path)

    r.get("unsubscribe", dict, {})  # a wrong type is named here, before its keys
    mailto = r.get("unsubscribe.mailto", str)
    if mailto is not None:
        mailto = mailto.removeprefix("mailto:")
        kwargs["unsubscribe_mailto"] = r.address("unsubscribe.mailto", mailto).address
    url = r.get("unsubscribe.url", str)
    if url is not None:
        if not url.startswith("https://"):
            raise r.fail("unsubscribe.url", f"'unsubscribe.url' must be an https URL: {url!r}")
        kwargs["unsubscribe_url"] = url

    sections = r.get("sections", list)
    if sections is not None:
        kwargs["sections"] = tuple(_section(r, s, language) for s in sections)
        kinds = [s.kind for s in kwargs["sections"]]
        dupes = sorted({k for k in kinds if kinds.count(k) > 1})
        if dupes:
            raise r.fail("sections", f"section kind {dupes[0]!r} is listed twice")

    years = r.get("anniversaries.years", list)
    if years is not None:
        if not all(isinstance(y, int) and not isinstance(y, bool) and y > 0 for y in years):
            raise r.fail("years", "'anniversaries.years' must be a list of positive numbers")
        kwargs["anniversary_years"] = tuple(sorted(set(years)))
    kwargs["extra"] = {k: v for k, v in data.items() if k in ("archive", "import")}
    return Config(**kwargs)


def _section(r: _Reader, value: Any, language: str) -> Section:
    if isinstance(value, str):
        value = {"kind": value}
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise r.fail("sections", f"each section needs a 'kind' (a string), not {value!r}")
    kind = value["kind"].strip()
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", kind):
        raise r.fail("kind", f"section kind {kind!r} must be lower-case letters, digits, - or _")
    label = value.get("label")
    if label is None or (isinstance(label, str) and not label.strip()):
        return Section(kind)  # the locale's default label
    if isinstance(label, str) and label.strip():
        return Section(kind, label.strip(), ((language, label.strip()),))
    if isinstance(label, dict) and label:
        labels = _by_locale(r, "label", label)
        return Section(kind, dict(labels).get(language, labels[0][1]), labels)
    raise r.fail(
        "label",
        f"section label must be a string or a table by language "
        f'(label = {{ fr = "…", en = "…" }}), not {label!r}',
    )


def _by_locale(r: _Reader, key: str, table: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """`{ fr = "…", en = "…", fr_CA = "…" }` → ((locale, text), …), checked."""
    texts = []
    for name, text in table.items():
        if not isinstance(text, str) or not text.strip():
            raise r.fail(key, f"'{key}' for {name!r} must be a string, not {text!r}")
        if not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,4})*", name):
            raise r.fail(key, f"'{key}': {name!r} is not a language or locale (fr, en, fr_CA)")
        texts.append((_locale_key(name), text.strip()))
    if not texts:
        raise r.fail(key, f"'{key}' must not be an empty table")
    return tuple(texts)


def _check_locale(r: _Reader, name: str) -> str:
    """The locale's canonical code (`fr-ca` → `fr_CA`, `fr` → `fr_FR`), or ConfigError."""
    from .errors import UsageError
    from .french import get_locale

    try:
        return str(get_locale(name))
    except UsageError as err:
        raise r.fail("locale", err.message) from None


def _check_timezone(r: _Reader, name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"unknown time zone {name!r} (use a name such as 'Europe/Paris')"
        raise r.fail("timezone", message) from None


def key_line(folder: Path, table: str, key: str | None = None) -> int | None:
    """The line of lettre.toml where `[table]` sets `key` (or where the table starts)."""
    try:
        text = (folder / CONFIG_NAME).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    line = _line_in_table(text, table, key or "\0")
    return line if line is not None else _line_of(text, key or table.rpartition(".")[2])
