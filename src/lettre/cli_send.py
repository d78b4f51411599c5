"""The commands that reach the readers: send, unsubscribe, serve-unsubscribe."""

# No `from __future__ import annotations` here: Typer reads the commands' annotations at
# every run, and as strings each would be evaluated again (three times per command).

import sys
from pathlib import Path
from typing import Annotated

import typer

from .cli_app import DirOption, LocaleOption, WeekOption, app, handle_errors, say
from .messages import N_, _


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
    from . import delivery
    from .compose import open_folder, today_in
    from .weeks import parse_week

    config = open_folder(directory, locale)
    chosen = parse_week(week, today_in(config), config.publication_day)
    job = delivery.choose(
        config, readers=readers, via=via, rate=rate, dry_run=dry_run, to=to, to_list=to_list
    )
    if job.mode == "list":
        say(delivery.post(config, chosen, job, resend=resend, say=say))
    elif job.mode == "test":
        say(delivery.send_test(config, chosen, job))
    elif job.mode == "dry-run":
        trial = delivery.DryRun(config, chosen, job, resend)
        for warning in trial.warnings:
            say(warning)
        for line in trial.lines():
            say(line, sys.stdout)
        sys.stdout.flush()
        say(trial.summary())
    else:
        for line in delivery.send_to_readers(config, chosen, job, resend=resend, say=say):
            say(line)


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
    from .compose import open_folder
    from .web import unsubscribe_by_hand

    say(unsubscribe_by_hand(open_folder(directory, locale), target), sys.stdout)


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
            lambda url: say(_("Listening on {url} (Ctrl-C to stop)").format(url=url)),
        )
    except OSError as err:
        from .errors import UsageError

        raise UsageError(
            _("--port {port}: {problem}").format(port=port, problem=err.strerror or err)
        ) from None
