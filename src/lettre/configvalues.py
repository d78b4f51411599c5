"""The values of `lettre.toml`: read typed, each mistake a ConfigError at its line; and the
rules a value follows wherever lettre meets one (an e-mail address, one line of text, a
publication day, a known kind), shared with the readers' file, the web form and the items.

config.py reads the file's tables with `ValueReader`; nothing here opens a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .keylines import Key, key_lines, split_key
from .messages import N_, _, did_you_mean
from .settings import Address, nearest_line

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

# a domain with a top-level part (example.org), or a host of the local network
# (root@localhost): `sendmail -t` delivers to those too
_ADDRESS_RE = re.compile(
    r"^[^@\s<>\"',;:()\[\]\\]+@(?:[A-Za-z0-9-]+|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$"
)


def is_local_address(address: str) -> bool:
    """Whether an address is on a host without a domain (root@localhost): valid for
    `sendmail -t` on this machine, unknown anywhere else."""
    return "." not in address.rpartition("@")[2]


def is_address(text: str) -> bool:
    """True when `text` is an e-mail address lettre accepts (lettre.toml, readers' CSV)."""
    return _ADDRESS_RE.match(text) is not None


def unknown_kind(kind: object, kinds: Iterable[str], label: str = "") -> str:
    """The error for a kind not in `kinds`, with a 'did you mean' hint when one is close;
    `label` names where it was written (`--kind`, `'import.kind'`)."""
    known = list(kinds)
    hint = did_you_mean(str(kind), known)
    shown = f"'{kind}'" if isinstance(kind, str) else repr(kind)
    message = _("unknown kind {shown}{hint}; known kinds: {known}").format(
        shown=shown, hint=hint, known=", ".join(known)
    )
    return _("{label}: {message}").format(label=label, message=message) if label else message


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
        "str": N_("a string"),
        "int": N_("a number"),
        "float": N_("a number"),
        "bool": N_("true or false"),
        "list": N_("a list"),
        "dict": N_("a table"),
    }
    return _(" or ").join(dict.fromkeys(_(words.get(n, n)) for n in names.split(" or ")))


def parse_publication_day(value: str | int) -> int:
    """ISO weekday number from 1–7 or a day name in English or French."""
    if isinstance(value, int) and 1 <= value <= 7:
        return value
    if isinstance(value, str) and value.strip().lower() in _DAYS:
        return _DAYS[value.strip().lower()]
    raise ValueError(
        _("unknown publication day {value!r} (use a day name such as 'vendredi')").format(
            value=value
        )
    )


class ValueReader:
    """Reads typed values out of the parsed TOML, raising ConfigError with path:line."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]):
        self.path, self.data = path, data
        self.lines = key_lines(text)

    def line(self, key: str | Key) -> int | None:
        return nearest_line(self.lines, key)

    def fail(self, key: str | Key, message: str) -> ConfigError:
        """A ConfigError at the line that sets `key` (else at its nearest table)."""
        return ConfigError(message, self.path, self.line(key))

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = None, name: str = ""
    ) -> Any:
        """The value at dotted `key` when it has type `kind`; `name`: the key in messages."""
        node: Any = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        if not isinstance(node, kind) or (isinstance(node, bool) and bool not in _as_tuple(kind)):
            names = " or ".join(t.__name__ for t in _as_tuple(kind))
            raise self.fail(
                key,
                _("'{value}' must be {names}, not {node!r}").format(
                    value=name or key, names=_article(names), node=node
                ),
            )
        return node

    def unknown_keys(self, path: Key, value: Any, allowed: Sequence[str], where: str = "") -> None:
        """A ConfigError for the first key of `value` (a table at `path`) lettre does not know.

        `where`: how messages name the table (`[sender]`, `'recipients.to'`), else `[path]`.
        """
        if not isinstance(value, dict):
            return
        where = where or (f"[{path[0]}]" if path else "")
        for key in value:
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                inside = _(" in {where}").format(where=where) if where else ""
                message = _("unknown key '{key}'{inside}{hint}").format(
                    key=key, inside=inside, hint=hint
                )
                raise ConfigError(message, self.path, self.line((*path, key)))

    def address(self, path: Key, name: str, value: Any) -> Address:
        """An Address from `"a@b"` or `{ address = "a@b", name = "…" }`; `name` for messages."""
        if isinstance(value, dict):
            allowed: tuple[str, ...] = ("address", "name")
            if name == "sender":
                allowed += ("reply_to", "footer_name", "example")
            table = f"[{name}]" if name.isidentifier() else f"'{name}'"
            self.unknown_keys(path, value, allowed, table)
            if "address" not in value:
                raise self.fail(path, _("missing 'address' in '{name}'").format(name=name))
            addr, display = value.get("address"), value.get("name", "")
        else:
            addr, display = value, ""
        if not isinstance(addr, str) or not isinstance(display, str):
            raise self.fail(
                path,
                _("'{name}' must be an e-mail address, not {value!r}").format(
                    name=name, value=value
                ),
            )
        addr, display = addr.strip(), display.strip()
        if not _ADDRESS_RE.match(addr):
            where = (*path, "address") if isinstance(value, dict) else path
            raise self.fail(
                where, _("'{name}': {addr!r} is not an e-mail address").format(name=name, addr=addr)
            )
        if not one_line(display):
            message = _(
                "'{name}': the display name must be one line, without control characters"
            ).format(name=name)
            raise self.fail((*path, "name"), message)
        return Address(addr, display)

    def addresses(self, key: str) -> tuple[Address, ...]:
        value = self.get(key, (list, str, dict), [])
        path = split_key(key)
        if not isinstance(value, list):
            return (self.address(path, key, value),)
        return tuple(self.address((*path, str(n)), key, v) for n, v in enumerate(value))

    def choice(self, key: str, name: str, choices: Sequence[str]) -> str | None:
        """A string among `choices`, or None when not set; a typo gets a 'did you mean'."""
        value = self.get(key, str, name=name)
        if value is None or value in choices:
            return value  # type: ignore[no-any-return]
        hint = did_you_mean(value, choices)
        allowed = " or ".join(f'"{c}"' for c in choices)
        raise self.fail(
            key,
            _("'{name}' must be {allowed}, not {value!r}{hint}").format(
                name=name, allowed=allowed, value=value, hint=hint
            ),
        )
