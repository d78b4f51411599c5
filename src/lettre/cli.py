"""The `lettre` command line: options, output streams and exit codes — no logic."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import __version__

app = typer.Typer(
    name="lettre",
    help="Compose weekly newsletters from dated text items: HTML e-mail, plain text, "
    "terminal preview. French first.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])

DirOption = Annotated[
    Path,
    typer.Option(
        "--dir", "-C", help="The newsletter folder.", show_default="current folder", file_okay=False
    ),
]
LocaleOption = Annotated[
    str | None,
    typer.Option("--locale", help="Locale of the letter (fr_FR, en_GB…); overrides lettre.toml."),
]
WeekOption = Annotated[
    str,
    typer.Option(
        "--week", "-w", help="A date (2025-06-13), an ISO week (2025-W24), or this / last / next."
    ),
]


class Format(enum.StrEnum):
    eml = "eml"
    html = "html"
    text = "text"
    json = "json"


def _fail(message: str, code: int) -> typer.Exit:
    sys.stderr.write(f"Error: {message}\n")
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn lettre's user errors into `Error: …` on stderr and their exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import LettreError

        try:
            return func(*args, **kwargs)
        except LettreError as err:
            raise _fail(str(err), err.exit_code) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", 130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lettre {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """Compose weekly newsletters from dated text items, French first."""


def _parse_now(value: str | None, timezone: str) -> dt.datetime | None:
    from zoneinfo import ZoneInfo

    from .errors import UsageError

    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--now: {value!r} is not a date and time (2025-06-13T08:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


@app.command()
@handle_errors
def compose(
    week: WeekOption = "this",
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="What to print on stdout.")
    ] = Format.eml,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write the .eml, .html, .txt and .json to this folder.",
            file_okay=False,
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            help="The moment of composing (ISO date and time): the message's Date, and what "
            "--week this/last/next count from; default: now."
        ),
    ] = None,
    seed: Annotated[
        str | None, typer.Option(help="Seed of the Message-ID, for reproducible messages.")
    ] = None,
) -> None:
    """Compose the week's letter: the e-mail on stdout (pipe it to sendmail -t).

    Examples:

      lettre compose --week 2025-06-13 | sendmail -t

      lettre compose -C samples --week 2025-W24 --format text

      lettre compose --week last --out build/
    """
    from .compose import compose as compose_letter
    from .compose import open_folder, today_in, write_outputs
    from .weeks import parse_week

    config = open_folder(directory, locale)
    moment = _parse_now(now, config.timezone)
    chosen = parse_week(week, today_in(config, moment), config.publication_day)
    composed = compose_letter(config, chosen, now=moment, seed=seed)
    _warn_size(composed.html)
    if out is not None:
        for path in write_outputs(composed, out):
            sys.stderr.write(f"wrote {path}\n")
        return
    if format is Format.eml:
        sys.stdout.buffer.write(composed.eml())
    elif format is Format.html:
        sys.stdout.write(composed.html)
    elif format is Format.text:
        sys.stdout.write(composed.text)
    else:
        sys.stdout.write(composed.json())
    sys.stdout.flush()


@app.command()
@handle_errors
def check(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            "-w",
            help="Also compose and lint this week's letter (a date, 2025-W24, this / last / next).",
        ),
    ] = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """Check every item; with --week, lint the composed letter too (exit 1 on errors).

    The letter's lint: its size (Gmail clips over 102 KB), alt texts, relative or
    non-http(s) links, images without width and height, an over-long subject, empty
    sections. Findings print as `file:line: error|warning: message`.

    Examples:

      lettre check

      lettre check --week 2025-06-13
    """
    from .compose import compose as compose_letter
    from .compose import open_folder, today_in
    from .errors import ItemErrors, LettreError
    from .lint import Finding, lint
    from .readers import read_items
    from .weeks import parse_week

    config = open_folder(directory, locale)
    items, errors = read_items(config.items_dir, config.kinds)
    findings = [Finding("error", e.message, e.path, e.line) for e in errors]
    if week is not None:
        chosen = parse_week(week, today_in(config), config.publication_day)
        try:
            findings += lint(compose_letter(config, chosen), config)
        except ItemErrors:
            pass  # each broken item is listed already
        except LettreError as err:
            if not errors:
                findings.append(Finding("error", err.message, err.path, err.line))
    for finding in findings:
        sys.stdout.write(f"{finding}\n")
    failed = sum(f.severity == "error" for f in findings)
    warned = len(findings) - failed
    checked = len(items) + len(errors)
    sys.stdout.write(
        f"{_count(checked, 'item')} checked: {_count(failed, 'error')}, "
        f"{_count(warned, 'warning')}\n"
    )
    if failed:
        raise typer.Exit(1)


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def _warn_size(html: str) -> None:
    from .render import GMAIL_CLIP_BYTES

    size = len(html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        sys.stderr.write(
            f"Warning: the HTML is {size / 1024:.0f} KB; Gmail clips messages over "
            f"{GMAIL_CLIP_BYTES // 1024} KB\n"
        )


def main() -> None:
    """The console script."""
    app()
