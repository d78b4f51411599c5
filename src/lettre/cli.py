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
        typer.Option(help="The message's Date (ISO date and time); default: now.", hidden=False),
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
    chosen = parse_week(week, today_in(config), config.publication_day)
    composed = compose_letter(config, chosen, now=_parse_now(now, config.timezone), seed=seed)
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


def _warn_size(html: str) -> None:
    from .render import GMAIL_CLIP_BYTES

    size = len(html.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        sys.stderr.write(
            f"Warning: the HTML is {size / 1024:.0f} KB; Gmail clips messages over "
            f"{GMAIL_CLIP_BYTES // 1024} KB\n"
        )


@app.command()
@handle_errors
def archive(
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="The folder to write the archive into.", file_okay=False),
    ],
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """Write every letter as a web page, an index by year and month, and an Atom feed.

    Publish the folder at the base URL followed by lettres/ (or at [archive] url of
    lettre.toml): the e-mails' "view online" link points there. Re-running rewrites only
    the files that changed.

    Examples:

      lettre archive --out public/lettres

      lettre archive -C samples -o build/archive
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from .archive import archive as write_archive
    from .compose import open_folder

    config = open_folder(directory, locale)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # no bar in logs and pipes, only the summary
    ) as progress:
        task = progress.add_task("Letters", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = write_archive(config, out, advance)
    for path in report.written:
        sys.stderr.write(f"wrote {path}\n")
    for path in report.removed:
        sys.stderr.write(f"removed {path} (its letter is gone)\n")
    sys.stderr.write(
        f"{report.letters} letters: {len(report.written)} files written, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, in {out}\n"
    )


@app.command("import")
@handle_errors
def import_(
    feed: Annotated[
        str, typer.Argument(help="An RSS or Atom feed: a file, an http(s) URL, or - for stdin.")
    ],
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", help="Kind of the entries whose category is not mapped in [import]."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be created; write nothing.")
    ] = False,
) -> None:
    """Create one item per entry of an RSS or Atom feed, skipping those already imported.

    Each item gets the entry's title, date, summary and link, and its id as `source:`;
    an entry whose id or link an item already has is not imported again. Existing files
    are never overwritten. Kinds come from [import] in lettre.toml (default: communique).

    Examples:

      lettre import https://www.example.org/communiques/feed.xml --dry-run

      lettre import communiques.xml -C samples
    """
    from .compose import open_folder
    from .importer import import_feed

    config = open_folder(directory, locale)
    plan, written = import_feed(config, feed, kind=kind, dry_run=dry_run)
    for warning in plan.warnings:
        sys.stderr.write(f"Warning: {warning}\n")
    for skip in plan.skipped:
        sys.stderr.write(f"skipped: {skip.title}: {skip.reason}\n")
    if dry_run:
        for new in plan.created:
            sys.stdout.write(f"would create {new.path}  [{new.entry.kind}] {new.entry.title}\n")
    else:
        for path in written:
            sys.stdout.write(f"created {path}\n")
    verb = "would be created" if dry_run else "created"
    sys.stderr.write(
        f"{len(plan.created)} items {verb}, {len(plan.duplicates)} already imported, "
        f"{len(plan.skipped)} skipped\n"
    )


def main() -> None:
    """The console script."""
    app()
