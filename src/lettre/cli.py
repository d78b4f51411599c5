"""The `lettre` command line: options, output streams and exit codes — no logic."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO, TypeVar

import typer
from typer.core import TyperGroup

from . import __version__

EPILOG = (
    "Every command takes -C/--dir (the newsletter folder) and --locale; --week takes a date, "
    "an ISO week (2025-W24) or this / last / next (default: this). "
    "Exit codes: 0 success, 1 a problem in the folder's content, 2 a wrong option."
)

COMMAND_ORDER = (
    "init", "new", "list", "weeks", "preview", "check", "compose", "archive", "import"
)  # fmt: skip


class _Commands(TyperGroup):
    """The commands in the order of a week's work; commands added later come after them."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: index for index, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))


app = typer.Typer(
    cls=_Commands,
    name="lettre",
    help="Compose weekly newsletters from dated text items: HTML e-mail, plain text, "
    "terminal preview. French first.",
    epilog=EPILOG,
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


def _complete_week(incomplete: str) -> list[str]:
    """Shell completion of --week: the relative weeks."""
    return [w for w in ("this", "last", "next") if w.startswith(incomplete)]


def _complete_kind(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of a kind: those of the -C folder's lettre.toml, or the built-in ones."""
    from .config import BUILTIN_KINDS, load_config
    from .errors import LettreError

    try:
        kinds = load_config(Path(ctx.params.get("directory") or ".")).kinds
    except LettreError:
        kinds = BUILTIN_KINDS
    return [k for k in kinds if k.startswith(incomplete)]


WeekOption = Annotated[
    str,
    typer.Option(
        "--week",
        "-w",
        help="A date (2025-06-13), an ISO week (2025-W24), or this / last / next.",
        autocompletion=_complete_week,
    ),
]

SinceOption = Annotated[
    str | None, typer.Option("--since", help="From this day on (2025-06-01).", show_default=False)
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Up to this day (2025-06-30).", show_default=False)
]


class Format(enum.StrEnum):
    eml = "eml"
    html = "html"
    text = "text"
    json = "json"


def _say(message: object, stream: TextIO | None = None) -> None:
    """One line on stderr (or `stream`); no escape sequence from a file name or a feed
    reaches the terminal."""
    from .files import printable

    (stream or sys.stderr).write(f"{printable(str(message))}\n")


def _error(message: object) -> None:
    """`Error: …` on stderr."""
    _say(f"Error: {message}")


def _fail(message: str, code: int) -> typer.Exit:
    _error(message)
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


@app.command(short_help="Compose the week's letter: e-mail, HTML, text or JSON.")
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
        str | None,
        typer.Option(
            help="Derive the Message-ID from this seed and the letter's content, for "
            "reproducible messages; default: a new Message-ID at every composition."
        ),
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
            _say(f"wrote {path}")
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


# --- helpers shared by the commands ----------------------------------------------------------


def _parse_date(value: str | None, option: str) -> dt.date | None:
    """An ISO date from an option; UsageError naming the option otherwise."""
    from .errors import UsageError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (use 2025-06-13)") from None


def _parse_range(since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    """--since and --until as dates; UsageError when the range is reversed."""
    from .errors import UsageError

    first, last = _parse_date(since, "--since"), _parse_date(until, "--until")
    if first is not None and last is not None and first > last:
        raise UsageError(
            f"--since {first} is after --until {last}: swap them (the range is reversed)"
        )
    return first, last


def _exit_if_unreadable(errors: list[Any]) -> None:
    """Each file that could not be read, as `Error: file:line: …` on stderr, then exit 1."""
    if not errors:
        return
    for err in errors:
        _error(err)
    sys.stderr.write("(these files are left out; 'lettre check' lists every problem)\n")
    raise typer.Exit(1)


def _console() -> Any:
    """A Rich console on stdout: colours and links on a terminal, plain text otherwise."""
    from rich.console import Console

    return Console(highlight=False)


# --- the commands ----------------------------------------------------------------------------


@app.command()
@handle_errors
def init(
    folder: Annotated[
        Path | None,
        typer.Argument(help="The folder to create (default: the -C folder).", show_default=False),
    ] = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Add the missing files to a non-empty folder (never overwrites)."
        ),
    ] = False,
) -> None:
    """Create a newsletter folder that composes at once.

    It holds a commented lettre.toml, an example item of each kind and anniversaries.yaml.

    Examples:

      lettre init ma-lettre

      lettre init --force          (add what is missing to the current folder)

      lettre init ma-lettre --locale fr_BE
    """
    from .errors import UsageError
    from .french import get_locale
    from .scaffold import init_folder

    target = directory / folder if folder is not None else directory
    try:
        canonical = str(get_locale(locale)) if locale else "fr_FR"  # fails before any file
    except UsageError as err:
        raise UsageError(f"--locale: {err.message}") from None
    done = init_folder(target, force=force, locale=canonical)
    for path in done.created:
        sys.stdout.write(f"{path}\n")
    for path in done.kept:
        _say(f"kept {path} (it exists: not overwritten)")
    where = "" if target == Path(".") else f" -C {target}"
    sys.stderr.write(
        f"Newsletter folder ready. Next: lettre preview{where}, then lettre new{where} "
        'communique --title "…"\n'
    )


@app.command()
@handle_errors
def new(
    kind: Annotated[
        str,
        typer.Argument(
            help="communique, resultats, anniversaire, or a kind of lettre.toml.",
            autocompletion=_complete_kind,
        ),
    ],
    title: Annotated[str, typer.Option("--title", "-t", help="The item's title.")],
    date: Annotated[
        str | None,
        typer.Option("--date", "-d", help="The item's date (2025-06-13).", show_default="today"),
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", "-e", help="Open the new file in $VISUAL or $EDITOR.")
    ] = False,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """Create an item file, items/YYYY-MM-DD-slug.md.

    The file has the front matter of its kind; its path is printed on stdout. A file
    is never overwritten: a taken name gets a suffix (-2, -3…).

    Examples:

      lettre new communique --title "Portes ouvertes : la base accueille le public"

      lettre new resultats --title "Armée de champions" --date 2025-06-11 --edit

      $EDITOR "$(lettre new anniversaire --title "Les 20 ans du service")"
    """
    from .compose import open_folder, today_in
    from .scaffold import edit_item, new_item

    config = open_folder(directory, locale)
    day = _parse_date(date, "--date") or today_in(config)
    path = new_item(config.items_dir, kind, title, day, config.kinds)
    sys.stdout.write(f"{path}\n")
    sys.stdout.flush()
    if edit:
        edit_item(path, config.kinds)


@app.command("list")
@handle_errors
def list_items(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            "-w",
            help="Only the items of this letter (default: this).",
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", "-k", help="Only this kind (repeatable).", autocompletion=_complete_kind
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    all_items: Annotated[
        bool, typer.Option("--all", "-a", help="Every item, of every week.")
    ] = False,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """List items: date in words, section, title, file.

    Without --week, --since, --until or --all: the items of this week's letter. With
    --all when piped, or beyond 500 items: one plain aligned line per item (date,
    section, file, title), printed as the items are read (through $PAGER on a terminal).

    Examples:

      lettre list --week 2025-06-13

      lettre list --all --kind resultats

      lettre list --since 2025-05-01 --until 2025-05-31
    """
    from .compose import open_folder, today_in
    from .listing import TABLE_MAX, Listing
    from .weeks import parse_week

    config = open_folder(directory, locale)
    first, last = _parse_range(since, until)
    if week is not None or not (first or last or all_items):
        chosen = parse_week(week or "this", today_in(config), config.publication_day)
        first = max(first or chosen.start, chosen.start)
        last = min(last or chosen.end, chosen.end)
    unknown = [k for k in kind or () if k not in config.kinds]
    if unknown:
        from .errors import UsageError

        raise UsageError(
            f"--kind: unknown kind '{unknown[0]}'; known kinds: {', '.join(config.kinds)}"
        )
    listing = Listing(config, first, last, kind or ())  # only those files are read
    shown = 0
    bounded = len(listing) <= TABLE_MAX
    if not bounded or (all_items and not sys.stdout.isatty()):
        shown = _list_lines(listing, config)  # printed as read; paged on a terminal
    else:
        from .preview import items_table

        rows = list(listing.rows())
        shown = len(rows)
        if rows:
            _console().print(items_table(rows, config))
    if not shown:
        span = "" if first is None and last is None else f" from {first or '…'} to {last or '…'}"
        sys.stderr.write(f"no item{span} (see 'lettre weeks' for the letters there are)\n")
    _exit_if_unreadable(listing.errors)


def _list_lines(listing: Any, config: Any) -> int:
    """Every item as a plain aligned line, printed as it is read: on stdout, or through
    $PAGER (less) on a terminal; how many there were."""
    import os
    import subprocess

    from .listing import plain_lines

    shown = 0
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        for line in plain_lines(listing, config):
            sys.stdout.write(line + "\n")
            shown += 1
        sys.stdout.flush()
        return shown
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # quit when it fits on one screen
    pager = subprocess.Popen(
        os.environ.get("PAGER") or "less", shell=True, stdin=subprocess.PIPE, env=env
    )
    assert pager.stdin is not None
    try:
        for line in plain_lines(listing, config):
            pager.stdin.write((line + "\n").encode("utf-8"))
            shown += 1
        pager.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        shown = max(shown, 1)
    pager.wait()
    return shown


@app.command()
@handle_errors
def weeks(
    since: SinceOption = None,
    until: UntilOption = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """List the letters the items make, with counts.

    One row per letter: its date, its period, how many items of each section it holds;
    this week's letter is marked with ◂.

    Examples:

      lettre weeks

      lettre weeks --since 2025-01-01 -C samples --locale en_GB
    """
    from .compose import open_folder, today_in
    from .index import dated_items
    from .listing import week_summaries
    from .preview import weeks_table
    from .readers import read_anniversaries

    config = open_folder(directory, locale)
    first, last = _parse_range(since, until)
    items, errors = dated_items(config)  # dates read cheaply: no parsing of ten years
    anniversaries = read_anniversaries(config.anniversaries_path)
    summaries = [
        s
        for s in week_summaries(items, anniversaries, config)
        if (first is None or s.week.end >= first) and (last is None or s.week.start <= last)
    ]
    if summaries:
        _console().print(weeks_table(summaries, config, today_in(config)))
    else:
        sys.stderr.write("no letter: no item in these dates (create one with 'lettre new')\n")
    _exit_if_unreadable(errors)


@app.command()
@handle_errors
def preview(
    week: WeekOption = "this",
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    pager: Annotated[
        bool, typer.Option("--pager", "-p", help="Page the preview through $PAGER (less).")
    ] = False,
) -> None:
    """Show the week's letter in the terminal.

    Sections as panels, results as tables, clickable links where the terminal allows.

    Colours and clickable links on a terminal (NO_COLOR turns colours off), plain text
    when piped; the width is the terminal's (or $COLUMNS).

    Examples:

      lettre preview

      lettre preview -C samples --week 2025-06-13 --pager
    """
    from .compose import letter_of, open_folder, today_in
    from .preview import letter_view, page, render
    from .weeks import parse_week

    config = open_folder(directory, locale)
    chosen = parse_week(week, today_in(config), config.publication_day)
    letter = letter_of(config, chosen)
    console = _console()
    view = letter_view(
        letter,
        allow_html=config.allow_html,
        show_urls=not console.is_terminal,
        rules=config.typography,
    )
    if pager:
        page(render(view, console))
    else:
        console.print(view)


@app.command()
@handle_errors
def check(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            "-w",
            help="Also compose and check this letter (this, 2025-06-13, …).",
            show_default=False,
        ),
    ] = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read and check every file, even those unchanged since the last check.",
        ),
    ] = False,
) -> None:
    """Check every item and report all problems at once.

    One line per problem, `file:line: error: …` or `file:line: warning: …`, on stdout.

    Errors come first, then warnings; the count goes to stderr. Exit code 1 when there
    is an error, 0 otherwise (warnings only). The findings of files unchanged since the
    last check are kept in .lettre/ (--no-cache reads every file again).

    Examples:

      lettre check

      lettre check --week this
    """
    from .check import check_folder
    from .compose import open_folder, today_in
    from .weeks import parse_week

    config = open_folder(directory, locale)
    chosen = None
    if week is not None:
        chosen = parse_week(week, today_in(config), config.publication_day)
    report = check_folder(config, chosen, cache=not no_cache)
    for finding in report.findings:
        sys.stdout.write(f"{finding}\n")
    sys.stdout.flush()
    sys.stderr.write(report.summary() + "\n")
    if report.errors:
        raise typer.Exit(1)


@app.command(short_help="Web pages of every letter, an index and an Atom feed.")
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
    lettre.toml): the e-mails' "view online" link points there. Re-running composes only
    the letters whose items, configuration, templates or catalogs changed, and rewrites
    only the files that changed.

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
        task = progress.add_task("Composing letters", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = write_archive(config, out, advance)
    for path in report.written:
        _say(f"wrote {path}")
    for path in report.removed:
        _say(f"removed {path} (its letter is gone)")
    from .i18n import translations

    ngettext = translations("en").ngettext  # the terminal speaks English, with its plurals
    letters = ngettext("%(num)d letter", "%(num)d letters", report.letters)
    written = ngettext("%(num)d file written", "%(num)d files written", len(report.written))
    sys.stderr.write(
        f"{letters % {'num': report.letters}}, {report.composed} composed: "
        f"{written % {'num': len(report.written)}}, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, in {out}\n"
    )


@app.command("import", short_help="Items from the entries of an RSS or Atom feed.")
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
        _say(f"Warning: {warning}")
    for skip in plan.skipped:
        _say(f"skipped: {skip.title}: {skip.reason}")
    if dry_run:
        for new in plan.created:
            _say(f"would create {new.path}  [{new.entry.kind}] {new.entry.title}", sys.stdout)
    else:
        for path in written:
            _say(f"created {path}", sys.stdout)
    verb = "would be created" if dry_run else "created"
    sys.stderr.write(
        f"{len(plan.created)} items {verb}, {len(plan.duplicates)} already imported, "
        f"{len(plan.skipped)} skipped\n"
    )


def main() -> None:
    """The console script."""
    app()
