"""The commands that show and compose the week's letter, and publish the archive: compose,
preview, serve, archive."""

# No `from __future__ import annotations` here: Typer reads the commands' annotations at
# every run, and as strings each would be evaluated again (three times per command).

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from .cli_app import (
    DirOption,
    DraftsOption,
    LocaleOption,
    WeekOption,
    app,
    handle_errors,
    say,
    stdout_console,
)
from .messages import N_, _


class Format(enum.StrEnum):
    eml = "eml"
    html = "html"
    text = "text"
    json = "json"


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
    from .compose import (
        compose_output,
        open_folder,
        output_warnings,
        parse_now,
        refuse_draft_message,
        today_in,
        write_outputs,
    )
    from .weeks import parse_week

    message = out is not None or format is Format.eml
    refuse_draft_message(drafts, out=out is not None, message=message)
    config = open_folder(directory, locale)
    moment = parse_now(now, config.timezone)
    chosen = parse_week(week, today_in(config, moment), config.publication_day)
    composed = compose_output(config, chosen, message=message, now=moment, seed=seed, drafts=drafts)
    for warning in output_warnings(config, composed):
        sys.stderr.write(warning + "\n")
    if out is not None:
        for path in write_outputs(composed, out):
            say(_("wrote {path}").format(path=path))
        return
    output = composed.output(format.value)
    if isinstance(output, bytes):
        sys.stdout.buffer.write(output)
    else:
        sys.stdout.write(output)
    sys.stdout.flush()


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
            say(
                _("Warning: no web browser found: open %(path)s yourself (or set $BROWSER)")
                % {"path": path}
            )
        return
    letter = letter_of(config, chosen, link=file_link, drafts=drafts)
    console = stdout_console()
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
    from .archive import archive as write_archive
    from .compose import open_folder
    from .progress import progress_bar

    config = open_folder(directory, locale)
    with progress_bar(_("Letters")) as advance:
        report = write_archive(config, out, advance)
    for line in report.lines():
        say(line)
    sys.stderr.write(report.summary() + "\n")
