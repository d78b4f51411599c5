"""The `lettre` command line: options, output streams and exit codes — no logic."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup

from . import __version__, cliwords, messages
from .messages import N_, _, ngettext

if TYPE_CHECKING:
    from .config import Config
    from .items import Week
    from .journal import JournalState
    from .send import Plan, SendReport

EPILOG = N_(
    "Every command takes -C/--dir (the newsletter folder) and --locale; --week takes a date, "
    "an ISO week (2025-W24) or this / last / next, in French too: cette / dernière / prochaine "
    "(default: this). "
    "Exit codes: 0 success, 1 a problem in the folder's content, 2 a wrong option."
)

COMMAND_ORDER = (
    "init", "new", "list", "weeks", "preview", "serve", "check", "compose", "send",
    "unsubscribe", "serve-unsubscribe", "archive", "import"
)  # fmt: skip


def _format_usage(command: Any, ctx: Any, formatter: Any) -> None:
    """Click's usage line with « Usage » in the user's language."""
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), _(cliwords.USAGE))


def _help_option(command: Any, ctx: Any) -> Any:
    """Click's -h/--help option, its "Show this message and exit." in the user's language."""
    option = type(command).get_help_option(command, ctx)
    if option is not None:
        option.help = _(cliwords.HELP_OPTION)
    return option


_KEEP = str.maketrans({"\u00a0": "\ue000", "\u202f": "\ue001"})
_RESTORE = str.maketrans({"\ue000": "\u00a0", "\ue001": "\u202f"})


def _short_help(command: Any, limit: int = 45) -> str:
    """Click's one-line help of a command, keeping French no-break spaces (Click's shortening
    splits words on every space, no-break ones too)."""
    text = command.help
    if text:
        command.help = text.translate(_KEEP)
    try:
        return str(type(command).get_short_help_str(command, limit)).translate(_RESTORE)
    finally:
        command.help = text


class _Translated(ClickException):
    """A Click error whose message is shown in the user's language."""

    def __init__(self, original: ClickException):
        super().__init__(original.message)
        self.original = original
        self.exit_code = original.exit_code

    def show(self, file: Any = None) -> None:
        cliwords.show_error(self.original, file)


class _Commands(TyperGroup):
    """The commands in the order of a week's work (commands added later come after them),
    with their help and Click's own words in the user's language."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: index for index, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with messages.speaking():  # each run reads LETTRE_LANG, LANGUAGE, LC_ALL…
            cliwords.install()
            _translate_help(self)
            return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError:
            raise
        except ClickException as err:
            raise _Translated(err) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except NoArgsIsHelpError:
            raise
        except ClickException as err:
            raise _Translated(err) from None


def _translate_help(group: Any) -> None:
    """Every help text of the app (marked with N_()) in the user's language."""
    for command in (group, *group.commands.values()):
        # Click writes these two in English: each command of the app gets lettre's own
        command.format_usage = types.MethodType(_format_usage, command)
        command.get_help_option = types.MethodType(_help_option, command)
        command.get_short_help_str = types.MethodType(_short_help, command)
        things = [command, *command.params]
        for thing in things:
            original = thing.__dict__.setdefault("_lettre_msgids", {})
            for name in ("help", "short_help", "epilog", "show_default"):
                value = getattr(thing, name, None)
                if name not in original:
                    original[name] = value
                if isinstance(original[name], str) and original[name]:
                    setattr(thing, name, _(original[name]))


app = typer.Typer(
    cls=_Commands,
    name="lettre",
    help=N_(
        "Compose weekly newsletters from dated text items: HTML e-mail, plain text, "
        "terminal preview. French first."
    ),
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
        "--dir",
        "-C",
        help=N_("The newsletter folder."),
        show_default=N_("the current folder, or the nearest one above with a lettre.toml"),
        file_okay=False,
    ),
]
LocaleOption = Annotated[
    str | None,
    typer.Option(
        "--locale", help=N_("Locale of the letter (fr_FR, en_GB…); overrides lettre.toml.")
    ),
]


def _complete_week(incomplete: str) -> list[str]:
    """Shell completion of --week: the relative weeks."""
    return [w for w in ("this", "last", "next") if w.startswith(incomplete)]


def _complete_kind(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of a kind: those of the -C folder's lettre.toml, or the built-in ones."""
    from .compose import find_folder
    from .config import BUILTIN_KINDS, load_config
    from .errors import LettreError

    try:
        kinds = load_config(find_folder(ctx.params.get("directory") or ".")).kinds
    except LettreError:
        kinds = BUILTIN_KINDS
    return [k for k in kinds if k.startswith(incomplete)]


WeekOption = Annotated[
    str,
    typer.Option(
        "--week",
        "-w",
        help=N_(
            "A date (2025-06-13), an ISO week (2025-W24), or this / last / next (in French "
            "too: cette / dernière / prochaine)."
        ),
        autocompletion=_complete_week,
    ),
]

SinceOption = Annotated[
    str | None,
    typer.Option("--since", help=N_("From this day on (2025-06-01)."), show_default=False),
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help=N_("Up to this day (2025-06-30)."), show_default=False)
]


DraftsOption = Annotated[
    bool,
    typer.Option(
        "--drafts", help=N_("A proof: include the items marked 'draft: true', marked BROUILLON.")
    ),
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
    _say(_("Error: {message}").format(message=message))


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
            raise _fail(_("interrupted"), 130) from None
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
        typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version.")),
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
        raise UsageError(
            _("--now: {value!r} is not a date and time (2025-06-13T08:00)").format(value=value)
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


@app.command(
    short_help=N_("Compose the week's letter: e-mail, HTML, text or JSON."),
    help=N_(
        "Compose the week's letter: the e-mail on stdout (pipe it to sendmail -t).\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre compose --week 2025-06-13 | sendmail -t\n"
        "\n"
        "  lettre compose -C samples --week 2025-W24 --format text\n"
        "\n"
        "  lettre compose --week last --out build/\n"
        "\n"
        "  lettre compose --drafts --format text   (a proof, drafts included)\n"
        "\n"
        "An e-mail message (the default, and the .eml of --out) is refused while the letter\n"
        "holds example content (what lettre init and lettre new wrote): each one is named."
    ),
)
@handle_errors
def compose(
    week: WeekOption = "this",
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help=N_("What to print on stdout."))
    ] = Format.eml,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=N_("Write the .eml, .html, .txt and .json to this folder."),
            file_okay=False,
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            help=N_(
                "The moment of composing (ISO date and time): the message's Date, and what "
                "--week this/last/next count from; default: now."
            )
        ),
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option(
            help=N_(
                "Derive the Message-ID from this seed and the letter's content, for "
                "reproducible messages; default: a new Message-ID at every composition."
            )
        ),
    ] = None,
    drafts: DraftsOption = False,
) -> None:
    """`lettre compose`: see its help."""
    from .compose import compose as compose_letter
    from .compose import open_folder, today_in, write_outputs
    from .errors import EmptyLetterError, UsageError
    from .examples import refuse_examples
    from .weeks import parse_week

    message = out is not None or format is Format.eml
    if drafts and message:
        option = "--out" if out is not None else _("an e-mail message (the default format)")
        raise UsageError(
            _(
                "--drafts makes a proof, and {option} could reach readers: use --format html or "
                "--format text"
            ).format(option=option)
        )
    config = open_folder(directory, locale)
    moment = _parse_now(now, config.timezone)
    chosen = parse_week(week, today_in(config, moment), config.publication_day)
    try:
        composed = compose_letter(config, chosen, now=moment, seed=seed, drafts=drafts)
    except EmptyLetterError as err:
        if message:  # the example addresses of lettre.toml, named even without a letter
            refuse_examples(config, None, also=f"and {err.message}")
        raise
    if message:
        refuse_examples(config, composed.letter)
    _warn_size(composed.html)
    if composed.letter.photos and config.images.mode == "publish" and not config.archive_url:
        sys.stderr.write(
            _(
                "Warning: the e-mail's photos point nowhere: lettre.toml gives the web archive "
                'no address (set base_url or [archive] url, or [images] mode = "embed")'
            )
            + "\n"
        )
    if out is not None:
        for path in write_outputs(composed, out):
            _say(_("wrote {path}").format(path=path))
        return
    if format is Format.eml:
        sys.stdout.buffer.write(composed.eml())
    elif format is Format.html:
        from .imagelinks import file_link

        sys.stdout.write(composed.web_html(file_link))
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
            _("Warning: the HTML is {size:.0f} KB; Gmail clips messages over {limit} KB").format(
                size=size / 1024, limit=GMAIL_CLIP_BYTES // 1024
            )
            + "\n"
        )


# --- helpers shared by the commands ----------------------------------------------------------


def _parse_date(value: str | None, option: str) -> dt.date | None:
    """An ISO date from an option; UsageError naming the option otherwise."""
    from .weeks import parse_date

    return None if value is None else parse_date(value, option)


def _parse_range(since: str | None, until: str | None) -> tuple[dt.date | None, dt.date | None]:
    """--since and --until as dates; UsageError when the range is reversed."""
    from .errors import UsageError

    first, last = _parse_date(since, "--since"), _parse_date(until, "--until")
    if first is not None and last is not None and first > last:
        raise UsageError(
            _("--since {first} is after --until {last}: swap them (the range is reversed)").format(
                first=first, last=last
            )
        )
    return first, last


def _exit_if_unreadable(errors: list[Any]) -> None:
    """Each file that could not be read, as `Error: file:line: …` on stderr, then exit 1."""
    if not errors:
        return
    for err in errors:
        _error(err)
    sys.stderr.write(_("(these files are left out; 'lettre check' lists every problem)") + "\n")
    raise typer.Exit(1)


def _console() -> Any:
    """A Rich console on stdout: colours and links on a terminal, plain text otherwise."""
    from rich.console import Console

    return Console(highlight=False)


# --- the commands ----------------------------------------------------------------------------


@app.command(
    help=N_(
        "Create a newsletter folder that composes at once.\n"
        "\n"
        "It holds a commented lettre.toml, an example item of each kind and anniversaries.yaml.\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre init ma-lettre\n"
        "\n"
        "  lettre init --force          (add what is missing to the current folder)\n"
        "\n"
        "  lettre init ma-lettre --locale fr_BE"
    )
)
@handle_errors
def init(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help=N_("The folder to create (default: the -C folder)."), show_default=False
        ),
    ] = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help=N_("Add the missing files to a non-empty folder (never overwrites).")
        ),
    ] = False,
) -> None:
    """`lettre init`: see its help."""
    import shlex

    from .errors import UsageError
    from .french import get_locale
    from .scaffold import init_folder

    target = directory / folder if folder is not None else directory
    try:
        canonical = str(get_locale(locale)) if locale else "fr_FR"  # fails before any file
    except UsageError as err:
        raise UsageError(_("--locale: {message}").format(message=err.message)) from None
    done = init_folder(target, force=force, locale=canonical)
    for path in done.created:
        sys.stdout.write(f"{path}\n")
    for path in done.kept:
        _say(_("kept {path} (it exists: not overwritten)").format(path=path))
    where = "" if target == Path(".") else f" -C {shlex.quote(str(target))}"
    sys.stderr.write(
        _(
            "Newsletter folder ready. Next: lettre preview{where}, then lettre new{where} "
            'communique --title "…". The example items and addresses are never sent: replace '
            "them with your own (lettre check{where} names each)."
        ).format(where=where)
        + "\n"
    )


@app.command(
    help=N_(
        "Create an item file, items/YYYY-MM-DD-slug.md.\n"
        "\n"
        "The file has the front matter of its kind; its path is printed on stdout. A file\n"
        "is never overwritten: a taken name gets a suffix (-2, -3…).\n"
        "\n"
        "Examples:\n"
        "\n"
        '  lettre new communique --title "Portes ouvertes : la base accueille le public"\n'
        "\n"
        '  lettre new resultats --title "Armée de champions" --date 2025-06-11 --edit\n'
        "\n"
        '  $EDITOR "$(lettre new anniversaire --title "Les 20 ans du service")"\n'
        "\n"
        '  lettre new resultats --title "Armée de champions" --from resultats.xlsx'
    )
)
@handle_errors
def new(
    kind: Annotated[
        str,
        typer.Argument(
            help=N_("communique, resultats, anniversaire, or a kind of lettre.toml."),
            autocompletion=_complete_kind,
        ),
    ],
    title: Annotated[str, typer.Option("--title", "-t", help=N_("The item's title."))],
    date: Annotated[
        str | None,
        typer.Option(
            "--date", "-d", help=N_("The item's date (2025-06-13)."), show_default=N_("today")
        ),
    ] = None,
    edit: Annotated[
        bool, typer.Option("--edit", "-e", help=N_("Open the new file in $VISUAL or $EDITOR."))
    ] = False,
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help=N_(
                "resultats: the rows of a spreadsheet (.xlsx, .csv) whose first row names "
                "the columns: sport, grade, nom, rang, épreuve, compétition, ville, pays, dates."
            ),
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """`lettre new`: see its help."""
    from .compose import open_folder, today_in
    from .scaffold import edit_item, new_item

    config = open_folder(directory, locale)
    day = _parse_date(date, "--date") or today_in(config)
    results = None
    if source is not None:
        from .errors import UsageError
        from .spreadsheet import read_results

        if kind != "resultats":
            raise UsageError(
                _(
                    "--from: a spreadsheet gives the rows of a 'resultats' item, not {kind!r}"
                ).format(kind=kind)
            )
        results = read_results(source)  # every bad cell named before any file is written
        for warning in results.warnings:
            _say(f"Warning: {warning}")
    path = new_item(config.items_dir, kind, title, day, config.kinds, results)
    sys.stdout.write(f"{path}\n")
    sys.stdout.flush()
    if edit:
        edit_item(path, config.kinds)


@app.command(
    "list",
    help=N_(
        "List items: date in words, section, title, file.\n"
        "\n"
        "Without --week, --since, --until or --all: the items of this week's letter. With\n"
        "--all when piped, or beyond 500 items: one plain aligned line per item (date,\n"
        "section, file, title), printed as the items are read (through $PAGER on a terminal).\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre list --week 2025-06-13\n"
        "\n"
        "  lettre list --all --kind resultats\n"
        "\n"
        "  lettre list --since 2025-05-01 --until 2025-05-31"
    ),
)
@handle_errors
def list_items(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            "-w",
            help=N_("Only the items of this letter (default: this)."),
            show_default=False,
        ),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", "-k", help=N_("Only this kind (repeatable)."), autocompletion=_complete_kind
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    all_items: Annotated[
        bool, typer.Option("--all", "-a", help=N_("Every item, of every week."))
    ] = False,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """`lettre list`: see its help."""
    from .compose import open_folder, today_in
    from .configvalues import unknown_kind
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

        raise UsageError(f"--kind: {unknown_kind(unknown[0], config.kinds)}")
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
        if first is None and last is None:
            nothing = _("no item (see 'lettre weeks' for the letters there are)")
        else:
            nothing = _(
                "no item from {first} to {last} (see 'lettre weeks' for the letters there are)"
            ).format(first=first or "…", last=last or "…")
        sys.stderr.write(nothing + "\n")
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


@app.command(
    help=N_(
        "List the letters the items make, with counts.\n"
        "\n"
        "One row per letter: its date, its period, how many items of each section it holds;\n"
        "this week's letter is marked with ◂.\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre weeks\n"
        "\n"
        "  lettre weeks --since 2025-01-01 -C samples --locale en_GB"
    )
)
@handle_errors
def weeks(
    since: SinceOption = None,
    until: UntilOption = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """`lettre weeks`: see its help."""
    from .anniversaries import read_anniversaries
    from .compose import open_folder, today_in
    from .index import dated_items
    from .listing import week_summaries
    from .preview import weeks_table

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
        console = _console()
        table = weeks_table(summaries, config, today_in(config))
        if not console.is_terminal:  # a file or a pipe: every column whole, however wide
            from rich.measure import Measurement

            wide = console.options.update_width(10_000)
            console.width = max(console.width, Measurement.get(console, wide, table).maximum)
        console.print(table)
    else:
        sys.stderr.write(
            _("no letter: no item in these dates (create one with 'lettre new')") + "\n"
        )
    _exit_if_unreadable(errors)


@app.command(
    help=N_(
        "Show the week's letter in the terminal.\n"
        "\n"
        "Sections as panels, results as tables, clickable links where the terminal allows.\n"
        "\n"
        "Colours and clickable links on a terminal (NO_COLOR turns colours off), plain text\n"
        "when piped; the width is the terminal's (or $COLUMNS).\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre preview\n"
        "\n"
        "  lettre preview -C samples --week 2025-06-13 --pager"
    )
)
@handle_errors
def preview(
    week: WeekOption = "this",
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    pager: Annotated[
        bool, typer.Option("--pager", "-p", help=N_("Page the preview through $PAGER (less)."))
    ] = False,
    drafts: DraftsOption = False,
    browser: Annotated[
        bool,
        typer.Option(
            "--browser",
            "-b",
            help=N_("Write the HTML e-mail to a temporary file and open it in the web browser."),
        ),
    ] = False,
) -> None:
    """`lettre preview`: see its help."""
    from .compose import letter_of, open_folder, today_in
    from .imagelinks import file_link
    from .preview import letter_view, page, render
    from .weeks import parse_week

    config = open_folder(directory, locale)
    chosen = parse_week(week, today_in(config), config.publication_day)
    if browser:
        from .compose import compose as compose_letter
        from .serve import open_in_browser

        composed = compose_letter(config, chosen, drafts=drafts)
        # local photos: the prepared files, as --format html shows them
        path, opened = open_in_browser(composed.web_html(file_link), chosen.end)
        sys.stdout.write(f"{path}\n")
        sys.stdout.flush()
        if not opened:
            _say(
                _("Warning: no web browser found: open %(path)s yourself (or set $BROWSER)")
                % {"path": path}
            )
        return
    letter = letter_of(config, chosen, link=file_link, drafts=drafts)
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


@app.command(
    short_help=N_("The week's letter live in the browser, updated as you save."),
    help=N_(
        "Show the week's letter in the browser, composed again each time a file is saved.\n"
        "\n"
        "The page shows the HTML e-mail at 600 px and at 375 px, the plain-text part, the\n"
        "subject, preheader and headers, and what 'lettre check' finds in that week's files\n"
        "and letter, errors first. Saving an item, lettre.toml, anniversaries.yaml or a\n"
        "template updates it within a second; a broken file shows its error in place of the\n"
        "letter until it is fixed. Example content is marked EXEMPLE; --drafts shows the\n"
        "drafts too, marked BROUILLON. Links (or the arrow keys) lead to the previous and next\n"
        "letters. The address is printed on stdout; Ctrl-C stops the server.\n"
        "\n"
        "Only this machine can reach it (127.0.0.1) unless --host says otherwise; it answers\n"
        "GET only, and only to requests addressed to itself.\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre serve --open\n"
        "\n"
        "  lettre serve -C samples --week 2025-06-13 --port 8080"
    ),
)
@handle_errors
def serve(
    week: WeekOption = "this",
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    port: Annotated[
        int,
        typer.Option(
            "--port", "-p", help=N_("The port to listen on (0: a free one)."), min=0, max=65535
        ),
    ] = 8000,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help=N_(
                "The address to listen on; anything but 127.0.0.1 or localhost lets other "
                "machines read the letter (a warning says so)."
            ),
        ),
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help=N_("Open the page in the web browser."))
    ] = False,
    drafts: DraftsOption = False,
) -> None:
    """`lettre serve`: see its help."""
    from .compose import open_folder, today_in
    from .serve import serve as serve_letters
    from .weeks import parse_week

    config = open_folder(directory, locale)
    chosen = parse_week(week, today_in(config), config.publication_day)
    serve_letters(
        config.folder,
        locale,
        chosen.end,
        host=host,
        port=port,
        open_browser=open_browser,
        drafts=drafts,
    )


@app.command(
    help=N_(
        "Check every item and report all problems at once.\n"
        "\n"
        "One line per problem, `file:line: error: …` or `file:line: warning: …`, on stdout.\n"
        "\n"
        "Errors come first, then warnings; the count goes to stderr. Exit code 1 when there\n"
        "is an error, 0 otherwise (warnings only). The findings of files unchanged since the\n"
        "last check are kept in .lettre/ (--no-cache reads every file again).\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre check\n"
        "\n"
        "  lettre check --week this"
    )
)
@handle_errors
def check(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            "-w",
            help=N_("Also compose and check this letter (this, 2025-06-13, …)."),
            show_default=False,
        ),
    ] = None,
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help=N_("Read and check every file, even those unchanged since the last check."),
        ),
    ] = False,
) -> None:
    """`lettre check`: see its help."""
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


@app.command(
    short_help=N_("Web pages of every letter, an index and an Atom feed."),
    help=N_(
        "Write every letter as a web page, an index by year and month, and an Atom feed.\n"
        "\n"
        "Publish the folder at the base URL followed by lettres/ (or at [archive] url of\n"
        'lettre.toml): the e-mails\' "view online" link points there. Re-running composes only\n'
        "the letters whose items, configuration, templates or catalogs changed, and rewrites\n"
        "only the files that changed.\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre archive --out public/lettres\n"
        "\n"
        "  lettre archive -C samples -o build/archive"
    ),
)
@handle_errors
def archive(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help=N_("The folder to write the archive into."), file_okay=False
        ),
    ],
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """`lettre archive`: see its help."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from .archive import archive as write_archive
    from .compose import open_folder

    config = open_folder(directory, locale)
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    )
    task = progress.add_task(_("Letters"), total=None)

    def advance(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    # no bar in logs and pipes, only the summary (a disabled Progress still writes a line
    # end when it stops, before rich 14.3: it is not started at all there)
    with progress if console.is_terminal else contextlib.nullcontext():
        report = write_archive(config, out, advance)
    for path in report.written:
        _say(_("wrote {path}").format(path=path))
    for path in report.removed:
        _say(_("removed {path} (its letter is gone)").format(path=path))
    letters = ngettext("%(num)d letter", "%(num)d letters", report.letters)
    written = ngettext("%(num)d file written", "%(num)d files written", len(report.written))
    sys.stderr.write(
        _(
            "{letters}, {composed} composed: {written}, {unchanged} unchanged, {removed} "
            "removed, in {out}"
        ).format(
            letters=letters % {"num": report.letters},
            composed=report.composed,
            written=written % {"num": len(report.written)},
            unchanged=len(report.unchanged),
            removed=len(report.removed),
            out=out,
        )
        + "\n"
    )


@app.command(
    "import",
    short_help=N_("Items from the entries of an RSS or Atom feed."),
    help=N_(
        "Create one item per entry of an RSS or Atom feed, skipping those already imported.\n"
        "\n"
        "Each item gets the entry's title, date, summary and link, and its id as `source:`;\n"
        "an entry whose id or link an item already has is not imported again. Existing files\n"
        "are never overwritten. Kinds come from [import] in lettre.toml (default: communique).\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre import https://www.example.org/communiques/feed.xml --dry-run\n"
        "\n"
        "  lettre import communiques.xml -C samples"
    ),
)
@handle_errors
def import_(
    feed: Annotated[
        str, typer.Argument(help=N_("An RSS or Atom feed: a file, an http(s) URL, or - for stdin."))
    ],
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", "-k", help=N_("Kind of the entries whose category is not mapped in [import].")
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help=N_("Show what would be created; write nothing."))
    ] = False,
) -> None:
    """`lettre import`: see its help."""
    from .compose import open_folder
    from .importer import import_feed

    config = open_folder(directory, locale)
    plan, written = import_feed(config, feed, kind=kind, dry_run=dry_run)
    for warning in plan.warnings:
        _say(_("Warning: {message}").format(message=warning))
    for skip in plan.skipped:
        _say(_("skipped: {title}: {reason}").format(title=skip.title, reason=skip.reason))
    if dry_run:
        for new in plan.created:
            _say(
                _("would create {path}  [{kind}] {title}").format(
                    path=new.path, kind=new.entry.kind, title=new.entry.title
                ),
                sys.stdout,
            )
    else:
        for path in written:
            _say(_("created {path}").format(path=path), sys.stdout)
    if dry_run:
        summary = _(
            "{created} items would be created, {duplicates} already imported, {skipped} skipped"
        )
    else:
        summary = _("{created} items created, {duplicates} already imported, {skipped} skipped")
    sys.stderr.write(
        summary.format(
            created=len(plan.created), duplicates=len(plan.duplicates), skipped=len(plan.skipped)
        )
        + "\n"
    )


@app.command(
    short_help=N_("Send the week's letter: one message per reader, exactly once."),
    help=N_(
        "Send the week's letter: one message per reader of the readers' CSV.\n"
        "\n"
        "Each message is addressed to its reader alone, with a personal one-click\n"
        "unsubscribe link. A journal in state/sent/ records each reader once the sender\n"
        "command accepted the message: run the command again after a crash and only the\n"
        "others are sent. Unsubscribed addresses (state/unsubscribed.csv) are skipped.\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre send --week 2025-06-13 --dry-run\n"
        "\n"
        "  lettre send --week 2025-06-13 --to moi@example.org\n"
        "\n"
        '  lettre send --week 2025-06-13 --via "msmtp -t" --rate 10/s'
    ),
)
@handle_errors
def send(
    week: WeekOption = "this",
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
    readers: Annotated[
        Path | None,
        typer.Option(
            "--readers",
            help=N_("The readers' CSV (email, name, locale, …)."),
            show_default=N_("[recipients] readers of lettre.toml"),
            dir_okay=False,
        ),
    ] = None,
    via: Annotated[
        str | None,
        typer.Option(
            "--via",
            help=N_("The sender command, given each message on its standard input."),
            show_default=N_("[send] via, else sendmail -t -oi"),
        ),
    ] = None,
    rate: Annotated[
        str | None,
        typer.Option("--rate", help=N_("At most this many messages: 10/s, 600/min, 3600/h.")),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", "-n", help=N_("Show who would receive what; send nothing.")),
    ] = False,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help=N_("Send one test message to this address only (no journal, no lock).")
        ),
    ] = None,
    resend: Annotated[
        bool, typer.Option("--resend", help=N_("Send a week already sent again, to every reader."))
    ] = False,
    to_list: Annotated[
        bool,
        typer.Option(
            "--list",
            help=N_(
                "Post the letter once to the list manager's address ([recipients] list), "
                'as [send] mode = "list" does.'
            ),
        ),
    ] = False,
) -> None:
    """`lettre send`: see its help."""
    from . import send as sending
    from .compose import open_folder, today_in
    from .errors import SendError, UsageError
    from .weeks import parse_week

    config = open_folder(directory, locale)
    chosen = parse_week(week, today_in(config), config.publication_day)
    argv = sending.parse_via(via) if via else config.send.via
    if to_list or (readers is None and config.send.mode == "list"):
        if readers is not None or to is not None or dry_run:
            option = (
                "--readers" if readers is not None else "--to" if to is not None else "--dry-run"
            )
            raise UsageError(
                _("{option}: not with a posting to a list manager (--list)").format(option=option)
            )
        _post_to_list(config, chosen, argv, resend)
        return
    if readers is None and config.readers_path is None:
        from .errors import ConfigError

        raise ConfigError(
            _(
                'no readers: set [recipients] readers = "abonnes.csv" in lettre.toml, or give '
                "--readers"
            ),
            config.path,
        )
    readers_path = readers or config.readers_path
    assert readers_path is not None
    per_second = sending.parse_rate(rate) if rate else config.send.rate
    state_dir = config.state_dir
    if to is not None:
        from .configvalues import is_address

        if not is_address(to.strip()):
            raise UsageError(_("--to: {address!r} is not an e-mail address").format(address=to))
        _send_test(config, chosen, readers_path, state_dir, argv, to)
        return
    if dry_run:
        _dry_run(config, chosen, readers_path, state_dir, argv, resend)
        return
    import signal

    from .lock import SendLock
    from .tokens import load_secret

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # as Ctrl-C: the journal is written before lettre ends

    signal.signal(signal.SIGTERM, stop)
    lock = SendLock(
        sending.lock_path(state_dir, chosen), _("the letter of {day}").format(day=chosen.end)
    )
    lock.acquire()  # before anything else: a second send refuses at once
    try:
        state = sending.read_state(state_dir, chosen)
        if state.finished and not resend:
            raise SendError(
                ngettext(
                    "the letter of {day} was already sent to {count} reader "
                    "(finished {finished}): add --resend to send it to everyone again",
                    "the letter of {day} was already sent to {count} readers "
                    "(finished {finished}): add --resend to send it to everyone again",
                    len(state.sent),
                ).format(day=chosen.end, count=len(state.sent), finished=state.finished),
                sending.journal_path_of(state_dir, chosen),
            )
        wanted = [state.in_doubt] if state.in_doubt else []
        plan = sending.prepare(
            config, chosen, readers_path=readers_path, state_dir=state_dir, via=argv, wanted=wanted
        )
        for warning in plan.warnings:
            _say(_("Warning: {message}").format(message=warning))
        secret = load_secret(state_dir, create=True)
        report = _run_with_progress(plan, state, secret, resend, per_second)
    finally:
        lock.release()
    _say(
        ngettext(
            "{sent} message handed to {command!r} in {seconds:.1f} s; "
            "{already} sent by an earlier run, {unsubscribed} unsubscribed",
            "{sent} messages handed to {command!r} in {seconds:.1f} s; "
            "{already} sent by an earlier run, {unsubscribed} unsubscribed",
            report.sent,
        ).format(
            sent=report.sent,
            command=" ".join(argv),
            seconds=report.seconds,
            already=report.already,
            unsubscribed=len(report.unsubscribed),
        )
    )
    for address in report.unsubscribed:
        _say(_("skipped {address} (unsubscribed)").format(address=address))


def _post_to_list(config: Config, week: Week, argv: tuple[str, ...], resend: bool) -> None:
    """`lettre send --list`: one posting to the list manager, which fans out."""
    from .posting import post_to_list

    posting = post_to_list(config, week, argv, resend=resend, say=_say)
    _say(
        _("the letter of {day} posted to {address} through {command} in {seconds:.1f} s").format(
            day=week.end, address=posting.address, command=repr(" ".join(argv)),
            seconds=posting.seconds,
        )
    )  # fmt: skip


def _run_with_progress(
    plan: Plan, state: JournalState, secret: bytes, resend: bool, rate: float | None
) -> SendReport:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(_("{speed:.1f} msg/s").format(speed=speed) if speed else _("… msg/s"))

    console = Console(stderr=True)
    with Progress(
        TextColumn(_("Sending")),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("send", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        from .send import run

        return run(plan, state, secret, resend=resend, rate=rate, progress=advance, say=_say)


def _send_test(
    config: Config, week: Week, readers: Path, state_dir: Path, via: tuple[str, ...], to: str
) -> None:
    from . import send as sending
    from .tokens import load_secret

    plan = sending.prepare(
        config, week, readers_path=readers, state_dir=state_dir, via=via, wanted=[to]
    )
    reader = sending.trial_reader(plan, to)
    personal = sending.personalise(plan, reader, load_secret(state_dir, create=True))
    sending.hand_over(via, personal.data, reader)
    _say(
        _("test message handed to {command!r} for {address} ({message_id})").format(
            command=" ".join(via), address=reader.address, message_id=personal.message_id
        )
    )


def _dry_run(
    config: Config, week: Week, readers: Path, state_dir: Path, via: tuple[str, ...], resend: bool
) -> None:
    from . import send as sending

    plan = sending.prepare(config, week, readers_path=readers, state_dir=state_dir, via=via)
    for warning in plan.warnings:
        _say(_("Warning: {message}").format(message=warning))
    state = sending.read_state(state_dir, week)
    counts = {"send": 0, "sent": 0, "unsubscribed": 0}
    for row in sending.dry_run(plan, state, resend):
        counts[row.action] += 1
        reader = row.reader
        who = f"{reader.name} <{reader.address}>" if reader.name else reader.address
        if row.action == "send":
            locale = reader.locale or config.locale
            line = _("send  {who}  [{locale}]  {detail}").format(
                who=who, locale=locale, detail=row.detail
            )
        elif row.action == "sent":
            line = _("skip  {who}  (already sent)").format(who=who)
        else:
            line = _("skip  {who}  (unsubscribed {date})").format(who=who, date=row.detail)
            line = line.replace(" )", ")")
        _say(line, sys.stdout)
    sys.stdout.flush()
    _say(
        ngettext(
            "{send} message would be handed to {command!r}; {sent} already sent, "
            "{unsubscribed} unsubscribed (dry run: nothing sent, nothing written)",
            "{send} messages would be handed to {command!r}; {sent} already sent, "
            "{unsubscribed} unsubscribed (dry run: nothing sent, nothing written)",
            counts["send"],
        ).format(
            send=counts["send"],
            command=" ".join(via),
            sent=counts["sent"],
            unsubscribed=counts["unsubscribed"],
        )
    )


@app.command(
    short_help=N_("Add a reader to the suppression file (send skips them)."),
    help=N_(
        "Add a reader to the suppression file: send skips them from then on.\n"
        "\n"
        "The suppression file is state/unsubscribed.csv (address, date, source). Adding an\n"
        "address already there changes nothing.\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre unsubscribe lea.fontaine@example.net\n"
        "\n"
        '  lettre unsubscribe "https://www.example.org/desabonnement?a=…&t=…"'
    ),
)
@handle_errors
def unsubscribe(
    target: Annotated[
        str,
        typer.Argument(help=N_("An address, or a personal unsubscribe URL of a letter.")),
    ],
    directory: DirOption = Path("."),
    locale: LocaleOption = None,
) -> None:
    """`lettre unsubscribe`: see its help."""
    from .compose import now_in, open_folder
    from .configvalues import is_address
    from .errors import UsageError
    from .message import list_ident
    from .send import suppression_path
    from .subscribers import suppress
    from .tokens import load_secret, parse_link, valid

    config = open_folder(directory, locale)
    state_dir = config.state_dir
    link = parse_link(target)
    if link is not None:
        address, given = link
        if not valid(load_secret(state_dir), list_ident(config), address, given):
            raise UsageError(
                _(
                    "this link's token does not match its address ({address}): it was not made "
                    "by this folder's secret, or it was altered"
                ).format(address=address)
            )
    elif is_address(target.strip()):
        address = target.strip()
    else:
        raise UsageError(
            _("{target!r} is neither an e-mail address nor an unsubscribe link").format(
                target=target
            )
        )
    path = suppression_path(state_dir)
    if suppress(path, address, "lettre unsubscribe", now_in(config)):
        _say(_("{address} unsubscribed ({path})").format(address=address, path=path), sys.stdout)
    else:
        _say(
            _("{address} was already unsubscribed ({path})").format(address=address, path=path),
            sys.stdout,
        )


@app.command(
    "serve-unsubscribe",
    short_help=N_("Serve the one-click unsubscribe endpoint."),
    help=N_(
        "Serve the one-click unsubscribe endpoint (RFC 8058) of the folder, for trials.\n"
        "\n"
        "In production, run lettre.web:unsubscribe_app behind a WSGI server (gunicorn,\n"
        "mod_wsgi) on the host where send runs: see the README.\n"
        "\n"
        "Examples:\n"
        "\n"
        "  lettre serve-unsubscribe --port 8025"
    ),
)
@handle_errors
def serve_unsubscribe(
    port: Annotated[int, typer.Option("--port", "-p", help=N_("The port to listen on."))] = 8025,
    host: Annotated[
        str, typer.Option("--host", help=N_("The interface to listen on."))
    ] = "127.0.0.1",
    directory: DirOption = Path("."),
) -> None:
    """`lettre serve-unsubscribe`: see its help."""
    from .web import serve

    try:
        serve(
            directory,
            host,
            port,
            lambda url: _say(_("Listening on {url} (Ctrl-C to stop)").format(url=url)),
        )
    except OSError as err:
        from .errors import UsageError

        raise UsageError(
            _("--port {port}: {problem}").format(port=port, problem=err.strerror or err)
        ) from None


def main() -> None:
    """The console script."""
    app()
