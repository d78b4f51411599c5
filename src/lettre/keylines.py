"""The line of a TOML text that sets each key, for error messages (`lettre.toml:12: …`).

`tomllib` gives values without positions, so a small scanner walks the text once and records,
for every key path, the first line that sets it: tables (`[a.b]`), arrays of tables
(`[[sections]]`, each with its index: `sections.1.label`), dotted keys (`a.b = 1`), keys of
inline tables (`to = [{ address = "…" }]` → `recipients.to.0.address`), elements of arrays
(`years.2`) and quoted keys (`"Sport" = …` → `import.categories.Sport`). Comments, strings
and multi-line strings and arrays are skipped as TOML reads them, so a `#`, `=` or `[x]`
inside a string is never taken for syntax.

The scanner expects text that `tomllib` has accepted; on anything else it stops and keeps
what it found so far.
"""

from __future__ import annotations

import bisect
import contextlib
import re

Key = tuple[str, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BLANKS = re.compile(r"[ \t]*")
_SPACE = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_SCALAR_END = re.compile(r"[,\]}#\r\n]")
_BASIC_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[btnfr"\\])')
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class _Stop(Exception):
    """The text is not TOML the scanner understands: keep what was found."""


def key_lines(text: str) -> dict[Key, int]:
    """Every key path of a TOML text → the first line (from 1) that sets it."""
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop, IndexError):
        scanner.document()
    return scanner.lines


def split_key(dotted: str) -> Key:
    """`"sections.1.label"` → `("sections", "1", "label")`."""
    return tuple(dotted.split("."))


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.lines: dict[Key, int] = {}
        self._breaks = [m.start() for m in re.finditer("\n", text)]
        self._arrays: dict[Key, int] = {}  # array of tables → how many elements so far

    # --- positions -----------------------------------------------------------------------

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self._breaks, self.pos if pos is None else pos) + 1

    def record(self, key: Key, line: int) -> None:
        for end in range(1, len(key) + 1):
            self.lines.setdefault(key[:end], line)

    def peek(self, size: int = 1) -> str:
        return self.text[self.pos : self.pos + size]

    def expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            raise _Stop
        self.pos += len(token)

    def skip_blanks(self) -> None:
        """Spaces and tabs on the current line."""
        self.pos = _BLANKS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def skip_space(self) -> None:
        """Spaces, line ends and comments."""
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    # --- the document --------------------------------------------------------------------

    def document(self) -> None:
        table: Key = ()
        while True:
            self.skip_space()
            if self.pos >= len(self.text):
                return
            line = self.line()
            if self.peek(2) == "[[":
                self.pos += 2
                table = self.array_table(self.dotted_key(), line)
                self.skip_blanks()
                self.expect("]]")
            elif self.peek() == "[":
                self.pos += 1
                table = self.resolve(self.dotted_key())
                self.record(table, line)
                self.skip_blanks()
                self.expect("]")
            else:
                self.key_value(table)

    def resolve(self, key: Key) -> Key:
        """A header's key with the current index of each array of tables it goes through."""
        resolved: list[str] = []
        for part in key:
            resolved.append(part)
            count = self._arrays.get(tuple(resolved))
            if count:
                resolved.append(str(count - 1))
        return tuple(resolved)

    def array_table(self, key: Key, line: int) -> Key:
        path = self.resolve(key[:-1]) + key[-1:]
        index = self._arrays.get(path, 0)
        self._arrays[path] = index + 1
        element = (*path, str(index))
        self.record(element, line)
        return element

    def key_value(self, table: Key) -> None:
        line = self.line()
        key = (*table, *self.dotted_key())
        self.record(key, line)
        self.skip_blanks()
        self.expect("=")
        self.skip_blanks()
        self.value(key)

    def dotted_key(self) -> Key:
        parts = []
        while True:
            self.skip_blanks()
            parts.append(self.simple_key())
            self.skip_blanks()
            if self.peek() != ".":
                return tuple(parts)
            self.pos += 1

    def simple_key(self) -> str:
        char = self.peek()
        if char == '"':
            return _unescape(self.basic_string())
        if char == "'":
            return self.literal_string()
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            raise _Stop
        self.pos = match.end()
        return match[0]

    # --- values --------------------------------------------------------------------------

    def value(self, key: Key) -> None:
        char = self.peek()
        if self.peek(3) in ('"""', "'''"):
            self.multiline_string(self.peek(3))
        elif char == '"':
            self.basic_string()
        elif char == "'":
            self.literal_string()
        elif char == "[":
            self.array(key)
        elif char == "{":
            self.inline_table(key)
        else:
            match = _SCALAR_END.search(self.text, self.pos)
            end = len(self.text) if match is None else match.start()
            if end == self.pos:
                raise _Stop
            self.pos = end

    def array(self, key: Key) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip_space()
            if self.peek() == "]":
                self.pos += 1
                return
            element = (*key, str(index))
            self.record(element, self.line())
            self.value(element)
            index += 1
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise _Stop

    def inline_table(self, key: Key) -> None:
        self.expect("{")
        while True:
            self.skip_space()  # TOML 1.0 keeps an inline table on one line; 1.1 does not
            if self.peek() == "}":
                self.pos += 1
                return
            self.key_value(key)
            self.skip_space()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise _Stop

    def basic_string(self) -> str:
        """A `"…"` string, raw (escapes left as written)."""
        start = self.pos + 1
        pos = start
        while True:
            char = self.text[pos]
            if char == "\\":
                pos += 2
            elif char == '"':
                self.pos = pos + 1
                return self.text[start:pos]
            elif char == "\n":
                raise _Stop
            else:
                pos += 1

    def literal_string(self) -> str:
        end = self.text.find("'", self.pos + 1)
        newline = self.text.find("\n", self.pos + 1)
        if end < 0 or 0 <= newline < end:
            raise _Stop
        raw = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return raw

    def multiline_string(self, quotes: str) -> None:
        pos = self.pos + 3
        while True:
            if pos >= len(self.text):
                raise _Stop
            if quotes == '"""' and self.text[pos] == "\\":
                pos += 2
            elif self.text.startswith(quotes, pos):
                pos += 3
                for _ in range(2):  # up to two quotes of the content may touch the end
                    if self.text[pos : pos + 1] == quotes[0]:
                        pos += 1
                self.pos = pos
                return
            else:
                pos += 1


def _unescape(raw: str) -> str:
    """The text of a basic string's escapes (`\\u00e9` → `é`), as TOML reads them."""
    if "\\" not in raw:
        return raw

    def one(match: re.Match[str]) -> str:
        code = match[1]
        return chr(int(code[1:], 16)) if code[0] in "uU" else _ESCAPES[code]

    return _BASIC_ESCAPE.sub(one, raw)
