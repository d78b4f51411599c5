"""The Typer app of `lettre`: its help and Click's words in the user's language, the options
several commands share, lettre's errors turned into `Error: …` and an exit code, and the
output streams. The commands themselves are in cli_folder.py, cli_letter.py and
cli_send.py; cli.py puts them together."""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TextIO, TypeVar

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.core import TyperGroup

from . import __version__, cliwords, messages
from .messages import N_, _

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
        _plain_coercion(option)
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
            _plain_values(self)
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


_NOT_PLAIN = object()


def _plain_value(param: Any, value: Any, ctx: Any) -> Any:
    """What Typer's coercion makes of an option's value, when it is a plain one: a str, a
    Path, a digit-only int within its range, a choice of an Enum, a list of str; else
    _NOT_PLAIN (or an error), for Typer itself."""
    import re
    from enum import Enum

    from typer._param_types import coerce_cli_choice, coerce_cli_path

    described = param.type_descriptor
    annotation, info = described.annotation, described.parameter_info
    many = param.multiple or param.nargs == -1
    if value is None:
        return () if many else None
    if annotation is bool and isinstance(value, bool):
        return value
    if described.file_annotation is not None or info.parser is not None:
        return _NOT_PLAIN
    if many:
        strings = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        return list(value) if annotation == list[str] and strings else _NOT_PLAIN
    if annotation is str and isinstance(value, str):
        return value
    if annotation is Path and info.path_type is None and not info.resolve_path:
        if isinstance(value, str) and value and "\0" not in value and str(Path(value)) == value:
            value = Path(value)
        if isinstance(value, Path):
            return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)
    if annotation is int and isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value):
        number = int(value)
        low, high = info.min, info.max
        if (low is None or number >= low) and (high is None or number <= high):
            return number
    if isinstance(annotation, type) and issubclass(annotation, Enum) and isinstance(value, str):
        return coerce_cli_choice(
            value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx
        )
    return _NOT_PLAIN


class _PlainCoercion:
    """Typer 0.29 turns each option's value into its Python type with a pydantic
    TypeAdapter: importing pydantic (and typer's adapters) takes 0.12 s of CPU, a quarter
    of the floor of libraries every command imports. The values lettre's options take are
    plain (a str, a Path, an int, a choice) and known without it; any other value, and
    every error, goes through Typer's own coercion, so that the results and messages are
    Typer's."""

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            plain = _plain_value(param, value, ctx)
        except Exception:  # Typer says what is wrong, in its own words
            plain = _NOT_PLAIN
        if plain is not _NOT_PLAIN:
            return plain
        from typer._coercion import build_runtime_param

        param._runtime_param = build_runtime_param(param.type_descriptor)
        return param._runtime_param.coerce(value, param=param, ctx=ctx)


def _plain_values(group: Any) -> None:
    """Plain option values read without pydantic (see _PlainCoercion); nothing changes with
    a Typer that does not coerce this way."""
    for command in (group, *group.commands.values()):
        for param in command.params:
            _plain_coercion(param)


def _plain_coercion(param: Any) -> None:
    if hasattr(param, "type_descriptor") and getattr(param, "_runtime_param", 0) is None:
        param._runtime_param = _PlainCoercion()


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


def complete_week(incomplete: str) -> list[str]:
    """Shell completion of --week: the relative weeks, in English and in French."""
    from .weeks import WEEK_WORDS  # only when completing

    return [w for w in WEEK_WORDS if w.startswith(incomplete)]


def complete_kind(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of a kind: those of the -C folder's lettre.toml, or the built-in ones."""
    from .compose import find_folder
    from .config import BUILTIN_KINDS, load_config
    from .errors import LettreError

    try:
        kinds = load_config(find_folder(ctx.params.get("directory") or ".")).kinds
    except LettreError:
        kinds = BUILTIN_KINDS
    return [k for k in kinds if k.startswith(incomplete)]


def week_option(help: str, *, show_default: bool = True, complete: bool = False) -> Any:
    """The `--week/-w` option, with the help of its command."""
    return typer.Option(
        "--week",
        "-w",
        help=help,
        show_default=show_default,
        autocompletion=complete_week if complete else None,
    )


WeekOption = Annotated[
    str,
    week_option(
        N_(
            "A date (2025-06-13), an ISO week (2025-W24), or this / last / next (in French "
            "too: cette / dernière / prochaine)."
        ),
        complete=True,
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


def say(message: object, stream: TextIO | None = None) -> None:
    """One line on stderr (or `stream`); no escape sequence from a file name or a feed
    reaches the terminal."""
    from .files import printable

    (stream or sys.stderr).write(f"{printable(str(message))}\n")


def error(message: object) -> None:
    """`Error: …` on stderr."""
    say(_("Error: {message}").format(message=message))


def _fail(message: str, code: int) -> typer.Exit:
    error(message)
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


def exit_if_unreadable(errors: list[Any]) -> None:
    """Each file that could not be read, as `Error: file:line: …` on stderr, then exit 1."""
    if not errors:
        return
    for err in errors:
        error(err)
    sys.stderr.write(_("(these files are left out; 'lettre check' lists every problem)") + "\n")
    raise typer.Exit(1)


def stdout_console() -> Any:
    """A Rich console on stdout: colours and links on a terminal, plain text otherwise."""
    from rich.console import Console

    return Console(highlight=False)


def stream_lines(lines: Iterable[str]) -> int:
    """Print `lines` as they come: on stdout, or through $PAGER (less) on a terminal; how
    many there were."""
    import os
    import subprocess

    shown = 0
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        for line in lines:
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
        for line in lines:
            pager.stdin.write((line + "\n").encode("utf-8"))
            shown += 1
        pager.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        shown = max(shown, 1)
    pager.wait()
    return shown
