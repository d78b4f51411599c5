"""The one error type for user mistakes, and its few kinds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from .messages import _


def location(path: Path | str | None, line: int | None = None) -> str:
    """`path:line`, `path`, or '' when there is no file: how every message names a place."""
    if path is None:
        return ""
    return f"{path}:{line}" if line else str(path)


class LettreError(Exception):
    """A mistake in the user's folder, files or options; the CLI prints it and exits."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def location(self) -> str:
        """`path:line`, `path`, or '' when the error is not tied to a file."""
        return location(self.path, self.line)

    def __str__(self) -> str:

        where = self.location()
        return (
            _("{where}: {message}").format(where=where, message=self.message)
            if where
            else self.message
        )


class ConfigError(LettreError):
    """`lettre.toml` is missing, unreadable or holds a wrong value."""


class ItemError(LettreError):
    """An item file cannot be read or has a wrong front matter."""


class ImageError(LettreError):
    """A local image of an item cannot be found, read or prepared (file and line of 'src')."""


class TemplateError(LettreError):
    """A template (packaged or the user's) fails to load or render."""


class ReadersError(LettreError):
    """A row of the readers' CSV or of the suppression file is wrong."""


class SendError(LettreError):
    """Sending stopped: the sender command failed, or another send of the week runs."""


class SecretError(LettreError):
    """The secret that signs unsubscribe links is missing, unreadable or too open."""


class CellError(LettreError):
    """A bad cell of a spreadsheet: `file:row:column`, the column as its letter (C, AA)."""

    def __init__(self, message: str, path: Path | str, row: int, column: str):
        super().__init__(message, path, row)
        self.column = column

    def location(self) -> str:
        return f"{location(self.path, self.line)}:{self.column}"


class EmptyLetterError(LettreError):
    """A week without any item: there is no letter to compose."""


class ExampleContentError(LettreError):
    """A letter that would reach readers holds example content (see examples.py)."""

    def __init__(self, examples: Sequence[object], subject: str, also: str = ""):
        self.examples = list(examples)  # examples.Example: file, line, what
        lines = [
            _("{subject} holds example content, which is never sent to readers:").format(
                subject=subject
            )
        ]
        lines += [f"  {example}" for example in self.examples]
        if also:
            lines.append(also)
        lines.append(
            _(
                "Replace each with your own; 'lettre preview' and 'lettre compose --format text' "
                "show the letter with the examples marked EXEMPLE."
            )
        )
        super().__init__("\n".join(lines))


class UsageError(LettreError):
    """A wrong option or argument on the command line."""

    exit_code = 2


class ItemErrors(LettreError):
    """Several problems found at once (for instance by `lettre check`)."""

    def __init__(self, errors: Iterable[LettreError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    @classmethod
    def of(cls, errors: Sequence[LettreError]) -> LettreError:
        """The one error itself when there is one, else all of them as an ItemErrors."""
        return errors[0] if len(errors) == 1 else cls(errors)
