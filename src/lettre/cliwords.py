"""Typer's and Click's own words (« Usage », « Options », their errors) in the user's language.

Typer ≥ 0.2x ships its own copy of Click (`typer._click`) whose words are plain English
f-strings, not gettext calls; only `typer.core` still calls `gettext.gettext` (imported as
its module-level `_`). So lettre:
- points `typer.core._` at `messages._` (its words: « Options », « Commands », « Aborted! »,
  "[default: …]"…), listed in `TYPER_WORDS` for the catalogs;
- translates the section headings « Options », « Commands », « Arguments », to which
  Click adds a colon itself: French translations end with a no-break space (« Options : »);
- writes « Usage » and the help option's "Show this message and exit." itself, in the
  command classes of `cli.py`;
- rebuilds Click's error messages from their English templates (`CLICK_MESSAGES`): each
  template is matched against the message Click built, and its translation is filled in
  with the same values.
`tests/test_messages.py` checks these words against the installed Typer's source, so that an
upgrade that adds or rewords one fails a test instead of leaving English on a French screen.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import IO, Any

from .messages import N_, _

# the words typer.core passes to gettext (pybabel extracts them from here)
TYPER_WORDS = (
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    # typer.completion's options, plain strings: `_translate_help` of cli.py translates them
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)

USAGE = N_("Usage: ")
HELP_OPTION = N_("Show this message and exit.")
TRY_HELP = N_("Try '{command} {option}' for help.")
ERROR = N_("Error: {message}")

# the messages typer._click and typer's parameter types build as f-strings, as templates
CLICK_MESSAGES = (
    N_("Got unexpected extra argument(s) ({arguments})"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {count} values."),
    N_("No such option: {name}"),
    N_("Value {value} is not a valid {type}."),
    N_("Value must be an iterable."),
    N_("Value error, {message}"),
    N_("{value} is not one of {choices}."),
    N_("file {path} does not exist."),
    N_("dir {path} does not exist."),
    N_("path {path} does not exist."),
    N_("file {path} is a directory."),
    N_("dir {path} is a file."),
    N_("path {path} is not readable."),
    N_("file {path} is not readable."),
    N_("dir {path} is not readable."),
    N_("path {path} is not writable."),
    N_("file {path} is not writable."),
    N_("dir {path} is not writable."),
    N_("Missing parameter: {name}"),
)
INVALID_VALUE = N_("Invalid value for {name}: {message}")
INVALID = N_("Invalid value: {message}")
MISSING = {
    "option": N_("Missing option {name}."),
    "argument": N_("Missing argument {name}."),
    "parameter": N_("Missing parameter {name}."),
}
POSSIBLE = N_("(Possible options: {options})")
CHOOSE_FROM = N_("Choose from:")


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each English template as a regular expression whose groups are its placeholders."""
    compiled = []
    for template in CLICK_MESSAGES:
        parts = re.split(r"\{(\w+)(?:![rs])?\}", template)
        pattern = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
            for index, part in enumerate(parts)
        )
        compiled.append((re.compile(f"{pattern}$", re.DOTALL), template))
    return tuple(compiled)


def translate_message(message: str) -> str:
    """A message Click or Typer built in English, in the user's language (as is when no
    template matches: the words of a value, for instance)."""
    for pattern, template in _templates():
        match = pattern.match(message)
        if match:
            values = {k: translate_message(v) for k, v in match.groupdict().items()}
            return _(template).format(**values)
    return message


def install() -> None:
    """Make typer.core's gettext calls go to lettre's catalogs (idempotent)."""
    import typer.core  # heavy (typer): only when the CLI runs

    typer.core._ = _  # type: ignore[attr-defined]


def _hint(err: Any) -> str | None:
    from typer._click.exceptions import _join_param_hints

    if err.param_hint is not None:
        return _join_param_hints(err.param_hint)
    if err.param is not None:
        return _join_param_hints(err.param.get_error_hint())
    return None


def error_message(err: Any) -> str:
    """The text after « Error: » of a Click exception, in the user's language."""
    from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption

    if isinstance(err, MissingParameter):
        kind = err.param_type or (err.param.param_type_name if err.param else "parameter")
        hint = _hint(err)
        text = _(MISSING.get(kind, MISSING["parameter"])).format(name=hint or "").replace(" .", ".")
        extra = err.param.get_missing_message(ctx=err.ctx) if err.param is not None else ""
        if extra:
            extra = extra.replace("Choose from:", _(CHOOSE_FROM), 1)
        details = ". ".join(p for p in (translate_message(err.message), extra) if p)
        return f"{text} {details}" if details else text
    if isinstance(err, BadParameter):
        hint = _hint(err)
        message = translate_message(err.message)
        if hint is None:
            return _(INVALID).format(message=message)
        return _(INVALID_VALUE).format(name=hint, message=message)
    if isinstance(err, NoSuchOption):
        text = translate_message(err.message)
        if err.possibilities:
            options = ", ".join(sorted(err.possibilities))
            text = f"{text} {_(POSSIBLE).format(options=options)}"
        return str(text)
    return translate_message(err.format_message())


def show_error(err: Any, file: IO[Any] | None = None) -> None:
    """What Click's `show()` prints for an error, in the user's language."""
    from typer._click._compat import get_text_stderr
    from typer._click.exceptions import UsageError
    from typer._click.utils import echo

    if file is None:
        file = get_text_stderr()
    color = None
    ctx = getattr(err, "ctx", None) if isinstance(err, UsageError) else None
    if ctx is not None:
        color = ctx.color
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _(TRY_HELP).format(command=ctx.command_path, option=ctx.help_option_names[0])
            hint += "\n"
        echo(f"{ctx.get_usage()}\n{hint}", file=file, color=color)
    echo(_(ERROR).format(message=error_message(err)), file=file, color=color)
