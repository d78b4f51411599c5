"""Findings: one problem with its file and line, and the report of `lettre check`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import LettreError, location
from .messages import _, ngettext

Severity = Literal["error", "warning"]
# not files.CONTROL: tab and line feed are escaped too, so a finding stays one line
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, where (file and line when known), and what to do about it."""

    severity: Severity
    message: str
    path: Path | None = None
    line: int | None = None

    @classmethod
    def from_error(cls, err: LettreError, severity: Severity = "error") -> Finding:
        """A finding from a LettreError, keeping its file and line."""
        return cls(severity, err.message, err.path, err.line)

    def location(self) -> str:
        return location(self.path, self.line)

    def __str__(self) -> str:
        """`file:line: severity: message`, the one stable output line of `lettre check`."""
        where = self.location()
        severity = _("error") if self.severity == "error" else _("warning")
        line = _("{severity}: {message}").format(severity=severity, message=self.message)
        line = _("{where}: {message}").format(where=where, message=line) if where else line
        # one line, and no escape sequence from a hostile file reaches the terminal
        return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", line)


@dataclass(frozen=True)
class Report:
    """Everything `lettre check` found, errors and warnings apart."""

    findings: tuple[Finding, ...]
    files: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def summary(self) -> str:
        """`17 files checked: 2 errors, 1 warning` or `17 files checked: no problem`."""

        files = ngettext("{count} file checked", "{count} files checked", self.files)
        files = files.format(count=self.files)
        if not self.findings:
            return _("{files}: no problem").format(files=files)
        errors = ngettext("{count} error", "{count} errors", len(self.errors))
        warnings = ngettext("{count} warning", "{count} warnings", len(self.warnings))
        return _("{files}: {errors}, {warnings}").format(
            files=files,
            errors=errors.format(count=len(self.errors)),
            warnings=warnings.format(count=len(self.warnings)),
        )
