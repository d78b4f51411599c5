"""What the page of `lettre serve` shows for one week, as pure functions of the folder.

`week_view` (the folder's files → the letter of one week, or what stops it, and the
findings of `lettre check`), `render_page` (that view → the page's HTML) and the page's two
assets. The server (servehttp.py) answers with them; nothing here listens or watches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ItemErrors, LettreError
from .files import printable
from .findings import Finding
from .messages import _, language, ngettext
from .resources import templates_dir
from .weeks import week_of

if TYPE_CHECKING:
    import jinja2  # heavy

    from .compose import Composed
    from .items import PreparedImage

#: the message's headers shown above the letter, in this order
SHOWN_HEADERS = (
    "From", "To", "Cc", "Bcc", "Reply-To", "Date", "Message-ID", "List-Id",
    "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Language",
)  # fmt: skip
WIDTHS = (("desktop", 600), ("phone", 375))
ASSETS = {"/_lettre/serve.css": "text/css", "/_lettre/serve.js": "text/javascript"}


@dataclass(frozen=True)
class View:
    """One week as the page shows it: the letter or what stops it, and the findings."""

    day: dt.date  # the letter's date, its publication day
    version: str  # the state of the folder it was composed from
    composed: Composed | None = None
    problems: tuple[str, ...] = ()  # what stops the letter, one line each, as the CLI says it
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0
    # the HTML part, its local photos pointed at this server (`cid:` and the archive's
    # address cannot show them): the e-mail's very bytes when the letter has none
    letter_html: str = ""

    @property
    def html(self) -> bytes | None:
        """The letter's HTML as the frames show it, or None when it cannot be composed."""
        return None if self.composed is None else self.letter_html.encode("utf-8")

    def photo(self, name: str) -> PreparedImage | None:
        """The prepared local photo of that name, if the letter shows it."""
        photos = self.composed.letter.photos if self.composed else ()
        return next((photo for photo in photos if photo.name == name), None)

    @property
    def tag(self) -> str:
        """A short digest of the HTML: the frames load it again only when it changed."""
        html = self.html
        return "" if html is None else hashlib.sha256(html).hexdigest()[:16]

    def summary(self) -> str:
        """One line for the server's log: what the page now shows."""
        if self.problems:
            if len(self.problems) == 1:
                return self.problems[0]
            return _("{problem} (and {count} more)").format(
                problem=self.problems[0], count=len(self.problems) - 1
            )
        errors = sum(f.severity == "error" for f in self.findings)
        warnings = len(self.findings) - errors
        return _("composed in {seconds:.2f} s: {errors}, {warnings}").format(
            seconds=self.seconds, errors=_count(errors, "error"),
            warnings=_count(warnings, "warning"),
        )  # fmt: skip


def _count(number: int, word: str) -> str:

    if word == "error":
        return ngettext("{count} error", "{count} errors", number).format(count=number)
    return ngettext("{count} warning", "{count} warnings", number).format(count=number)


def _lines(err: LettreError) -> tuple[str, ...]:
    """What the CLI prints after `Error: ` for `err`, one line per problem."""
    errors = err.errors if isinstance(err, ItemErrors) else [err]
    return tuple(str(e) for e in errors)


def _findings(err: LettreError) -> list[Finding]:
    errors = err.errors if isinstance(err, ItemErrors) else [err]
    return [Finding.from_error(e) for e in errors]


def week_view(
    folder: Path, locale: str | None, day: dt.date, version: str = "", *, drafts: bool = False
) -> View:
    """The letter of the week that ends on `day`, composed from the folder's files now.

    Only that week's files are read and checked (with `anniversaries.yaml`), as `lettre
    compose` reads them, then the letter is linted as `lettre check --week` does. A problem
    that stops the letter is in `problems`; a `day` that is not a publication day gives a
    view of the letter that holds it, with no composition (the caller redirects there).
    `drafts`: a proof, with the week's drafts marked (as `compose --drafts`).
    """
    from .check import week_findings  # heavy: the whole pipeline, once the server runs
    from .compose import compose, open_folder  # heavy: the whole pipeline, once the server runs
    from .index import week_items  # heavy (YAML)
    from .lint import lint  # heavy

    start = time.perf_counter()
    try:
        config = open_folder(folder, locale)
    except LettreError as err:
        return View(day, version, problems=_lines(err), findings=tuple(_findings(err)))
    week = week_of(day, config.publication_day)
    if week.end != day:
        return View(week.end, version)
    items, errors = week_items(config, week)
    if errors:  # as `lettre compose`: an unreadable item of the week (or undated) stops it
        problems = tuple(str(e) for e in errors)
        return View(day, version, problems=problems, findings=week_findings(config, items, errors))
    try:
        composed = compose(config, week, items=items, drafts=drafts)
    except LettreError as err:
        findings = week_findings(config, items, errors, _findings(err))
        return View(day, version, problems=_lines(err), findings=findings)
    findings = week_findings(config, items, errors, lint(composed, config))
    html = composed.web_html(lambda photo: f"/{day.isoformat()}/images/{photo.name}")
    return View(day, version, composed, (), findings, time.perf_counter() - start, html)


def neighbours(day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates of the previous and the next letter (None past the calendar's ends)."""
    week = dt.timedelta(days=7)
    previous = day - week if day > dt.date.min + week else None
    following = day + week if day < dt.date.max - week else None
    return previous, following


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2  # heavy

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "serve")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # the page speaks the command line's language, looked up at each call
    environment.install_gettext_callables(_, ngettext, newstyle=False)  # type: ignore[attr-defined]
    return environment


def _shown(text: str) -> str:
    """A file name or message as text for the page: no control character, no lone surrogate."""
    return printable(text).encode("utf-8", "replace").decode("utf-8")


def headers_of(composed: Composed) -> list[tuple[str, str]]:
    """The message's headers shown above the letter, as a reader's client decodes them."""
    message = composed.message
    return [
        (name, " ".join(str(message[name]).split())) for name in SHOWN_HEADERS if name in message
    ]


def render_page(view: View, folder: Path) -> str:
    """The page of one week: letter frames, parts, headers, findings and the way around."""
    composed = view.composed
    letter = composed.letter if composed else None
    previous, following = neighbours(view.day)

    findings = [
        {
            "severity": f.severity,
            "severity_text": _("error") if f.severity == "error" else _("warning"),
            "where": _shown(f.location()),
            "message": _shown(f.message),
        }
        for f in view.findings
    ]
    errors = sum(f.severity == "error" for f in view.findings)
    context = {
        "version": view.version,
        "day": view.day.isoformat(),
        "folder": _shown(folder.name or str(folder)),
        "folder_path": _shown(str(folder)),
        "date_text": letter.date_text if letter else view.day.isoformat(),
        "title": letter.title if letter else "",
        "previous": previous.isoformat() if previous else None,
        "next": following.isoformat() if following else None,
        "problems": [_shown(p) for p in view.problems],
        "subject": letter.subject if letter else "",
        "preheader": letter.preheader if letter else "",
        "headers": headers_of(composed) if composed else [],
        "text": composed.text if composed else "",
        "findings": findings,
        "check": (
            _("lettre check: {errors}, {warnings}").format(
                errors=_count(errors, "error"), warnings=_count(len(findings) - errors, "warning")
            )
            if findings
            else _("lettre check: no problem")
        ),
        "ui_lang": language(),
        "widths": WIDTHS,
        "letter_url": f"/{view.day.isoformat()}/letter.html?v={view.tag}" if composed else "",
        "lang": letter.lang if letter else "",
    }
    return _environment().get_template("page.html.j2").render(**context)


@lru_cache(maxsize=len(ASSETS))
def asset(path: str) -> bytes:
    """The page's stylesheet or script, shipped with lettre."""
    return (templates_dir() / "serve" / path.rsplit("/", 1)[1]).read_bytes()
