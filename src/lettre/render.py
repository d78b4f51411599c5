"""Jinja2 templates → the letter as HTML (CSS inlined by premailer) and as plain text."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .body import display_width, wrap
from .errors import LettreError, TemplateError
from .i18n import typeset_gettext
from .inline import inline_css, user_cache_dir
from .messages import _, did_you_mean
from .resources import templates_dir

if TYPE_CHECKING:
    import jinja2

    from .items import Image, Letter

HTML_TEMPLATE = "letter.html.j2"
TEXT_TEMPLATE = "letter.txt.j2"
TEXT_WIDTH = 72
GMAIL_CLIP_BYTES = 102 * 1024


def gmail_clips(html: str) -> int | None:
    """The size in bytes of an HTML part that Gmail clips (over GMAIL_CLIP_BYTES: the end of
    the letter, unsubscribe link included, hidden), or None when it shows it whole."""
    size = len(html.encode("utf-8"))
    return size if size > GMAIL_CLIP_BYTES else None


#: the width of the letter's column in the HTML: 600 px less 24 px of margin on each side
CONTENT_WIDTH = 552


def display_size(image: Image, width: int = CONTENT_WIDTH) -> tuple[int, int | None]:
    """The width and height an image is shown at: at most `width`, proportions kept.

    An image without a width takes the whole column; its height is known only when both
    dimensions are given (lint reports the images whose height is missing).
    """
    if image.width is None:
        return width, None
    shown = min(image.width, width)
    if image.height is None:
        return shown, None
    return shown, max(1, round(image.height * shown / image.width))


def text_direction(locale: str) -> str:
    """`rtl` for the locales written right to left (ar, he, fa…), else `ltr`."""
    from .french import get_locale

    order = get_locale(locale).character_order
    return "rtl" if order == "right-to-left" else "ltr"


def _underline(text: str, char: str = "-") -> str:
    last = text.rstrip("\n").split("\n")[-1]
    return f"{text}\n{char * display_width(last)}"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _cells(rows: Sequence[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [(r["rank"], " ".join(filter(None, (r["grade"], r["name"]))), r["event"]) for r in rows]


NAME_COLUMN_MAX = 36  # columns the athlete's name may take before it wraps


def results_table(
    rows: Sequence[dict[str, str]],
    groups: Sequence[tuple[str, Sequence[dict[str, str]]]] = (),
    width: int = TEXT_WIDTH,
) -> str:
    """Results as an aligned table: rank, athlete, event; details wrapped below.

    Columns are as wide as the widest cell of `groups` (all the sports of an item), so
    that the tables of one item line up.
    """
    cells = _cells(rows)
    every = [c for _, group in groups for c in _cells(group)] or cells
    rank_w = max(display_width(c[0]) for c in every)
    # a very long name does not push every other row past the width: it wraps on its own
    names = [display_width(c[1]) for c in every]
    name_w = max([n for n in names if n <= NAME_COLUMN_MAX] or [NAME_COLUMN_MAX])
    lines = []
    for (rank, name, event), row in zip(cells, rows, strict=True):
        line = f"  {_pad(rank, rank_w)}  {_pad(name, name_w)}  {event}".rstrip()
        indent = " " * (rank_w + 4)
        if display_width(line) > width:
            line = wrap(name, width, f"  {_pad(rank, rank_w)}  ", indent)
            if event:
                line += "\n" + wrap(event, width, indent)
        lines.append(line)
        detail = ", ".join(filter(None, (row["competition"], row["place"], row["dates"])))
        if detail:
            lines.append(wrap(detail, width, indent))
    return "\n".join(lines)


@lru_cache(maxsize=8)
def environment(user_dir: Path | None, locale: str) -> jinja2.Environment:
    """The Jinja2 environment: the user's templates first, the packaged ones second."""
    import jinja2

    loaders: list[jinja2.BaseLoader] = []
    if user_dir is not None and user_dir.is_dir():
        loaders.append(_file_loader(user_dir))
    loaders.append(_file_loader(templates_dir()))
    cache = user_cache_dir()
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # the templates compiled once, kept between runs (keyed by their source's digest;
        # one folder per Jinja2 version: its compiled code does not outlive an upgrade)
        bytecode_cache=_bytecode_cache(cache / f"jinja-{jinja2.__version__}") if cache else None,
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml.j2"], default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(*typeset_gettext(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["wrap"] = lambda text, width=TEXT_WIDTH, indent="": wrap(str(text), width, indent)
    env.filters["underline"] = _underline
    env.filters["bracket"] = lambda text: f"[{text}]"
    env.filters["results_table"] = results_table
    env.filters["display_size"] = display_size
    env.filters["text_direction"] = text_direction
    return env


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    import jinja2

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def _template_error(err: Exception, name: str) -> TemplateError | None:
    """A TemplateError naming the template file and line where `err` happened, if it did."""
    import jinja2

    if isinstance(err, jinja2.TemplateSyntaxError):
        return TemplateError(
            _("template error: {message}").format(message=err.message),
            err.filename or name,
            err.lineno,
        )
    path, line = None, None
    tb: TracebackType | None = err.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".css", ".html", ".txt")):
            path, line = filename, tb.tb_lineno
        tb = tb.tb_next
    if isinstance(err, jinja2.TemplateNotFound):
        return TemplateError(
            _("template not found: {name}").format(name=err.name), path or name, line
        )
    if path is None:  # not raised by a template: a bug of lettre's, not the user's
        return None
    message = str(err) or type(err).__name__
    return TemplateError(
        _("template error: {message}{message2}").format(
            message=message, message2=_attribute_hint(message)
        ),
        path,
        line,
    )


def _attribute_hint(message: str) -> str:
    """' (did you mean 'title'?)' for a misspelt attribute of lettre's letter objects."""
    import dataclasses

    from . import items

    match = re.search(r"'lettre\.items\.(\w+) object' has no attribute '(\w+)'", message)
    cls = getattr(items, match[1], None) if match else None
    if match is None or not dataclasses.is_dataclass(cls):
        return ""
    names = [f.name for f in dataclasses.fields(cls)]
    names += [name for name, value in vars(cls).items() if isinstance(value, property)]
    return did_you_mean(match[2], names)


def _file_loader(folder: Path) -> jinja2.BaseLoader:
    """A FileSystemLoader whose undecodable files raise TemplateError with their line."""
    import jinja2

    class Loader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            try:
                return super().get_source(environment, template)
            except UnicodeDecodeError as err:
                data = err.object if isinstance(err.object, bytes) else b""
                raise TemplateError(
                    _(
                        "not UTF-8: byte 0x{value:02X} at position {start} cannot be decoded; "
                        "re-save the template as UTF-8"
                    ).format(value=data[err.start], start=err.start),
                    folder.joinpath(*template.split("/")),
                    data.count(b"\n", 0, err.start) + 1,
                ) from None

    return Loader(str(folder))


def render_template(
    name: str, context: Mapping[str, Any], locale: str, user_dir: Path | None
) -> str:
    """Render one template with `context`; template problems become TemplateError."""
    try:
        template = environment(user_dir, locale).get_template(name)
        return template.render(**context)
    except LettreError:
        raise
    except Exception as err:  # a user's template can raise anything (1/0, a bad filter…)
        error = _template_error(err, name)
        if error is None:
            raise
        raise error from err


#: the templates lettre's letter.html.j2 reads: itself, and the stylesheet it includes
HTML_TEMPLATES = (HTML_TEMPLATE, "style.css")
_JINJA_MARKS = ("{{", "{%", "{#")


def html_reads_text(user_dir: Path | None) -> bool:
    """Whether the HTML letter may show what only the plain text needs (the entries'
    `body_text` and `url_ref`, the letter's `links`).

    lettre's own templates never do (a test reads them); a folder's own letter.html.j2
    may, and so may a folder's own stylesheet (it is included as a template) when it holds
    any Jinja2 syntax.
    """
    if user_dir is None:
        return False
    for name in HTML_TEMPLATES:
        try:
            source = (user_dir / name).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            continue
        except OSError:
            return True  # rendering will say what is wrong with it
        if name == HTML_TEMPLATE or any(mark in source for mark in _JINJA_MARKS):
            return True
    return False


def render_html(
    letter: Letter, user_dir: Path | None = None, reader: Mapping[str, str] | None = None
) -> str:
    """The letter as an HTML e-mail body with inlined CSS.

    `reader`: the `reader.*` of the templates (a reader's columns, see send.py), or None
    for the letter that names no reader (compose, the archive).
    """
    context = {"letter": letter, "reader": reader}
    html = render_template(HTML_TEMPLATE, context, letter.locale, user_dir)
    try:
        inlined = inline_css(html)
    except Exception as err:  # premailer/cssutils raise many kinds on a broken CSS file
        raise TemplateError(_("cannot inline the CSS: {err}").format(err=err), "style.css") from err
    if not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = "<!DOCTYPE html>\n" + inlined
    # one final line end, as in the message's HTML part (set_content would add it there)
    return inlined.rstrip() + "\n"


def render_text(
    letter: Letter, user_dir: Path | None = None, reader: Mapping[str, str] | None = None
) -> str:
    """The letter as plain text, wrapped at 72 columns, links as numbered references."""
    context = {"letter": letter, "reader": reader}
    text = render_template(TEXT_TEMPLATE, context, letter.locale, user_dir)
    # trailing spaces go, but for the signature separator "-- " (RFC 3676)
    lines = [line if line == "-- " else line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:  # never more than two blank lines in a row
        if not line and len(out) >= 2 and not out[-1] and not out[-2]:
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
