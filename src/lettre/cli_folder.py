"""The commands that write and read the folder's items: init, new, import, list, weeks,
check."""

# No `from __future__ import annotations` here: Typer reads the commands' annotations at
# every run, and as strings each would be evaluated again (three times per command).

import sys
from pathlib import Path
from typing import Annotated

import typer

from .cli_app import (
    DirOption,
    LocaleOption,
    SinceOption,
    UntilOption,
    app,
    complete_kind,
    exit_if_unreadable,
    handle_errors,
    say,
    stdout_console,
    stream_lines,
    week_option,
)
from .messages import N_, _


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

    from .french import locale_option
    from .scaffold import init_folder

    target = directory / folder if folder is not None else directory
    canonical = locale_option(locale) if locale else "fr_FR"  # fails before any file
    done = init_folder(target, force=force, locale=canonical)
    for path in done.created:
        sys.stdout.write(f"{path}\n")
    for path in done.kept:
        say(_("kept {path} (it exists: not overwritten)").format(path=path))
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
            autocompletion=complete_kind,
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
    from .weeks import parse_date

    config = open_folder(directory, locale)
    day = parse_date(date, "--date") if date is not None else today_in(config)
    results = None
    if source is not None:
        from .spreadsheet import results_for

        results = results_for(kind, source)  # every bad cell named before any file is written
        for warning in results.warnings:
            say(f"Warning: {warning}")
    path = new_item(config.items_dir, kind, title, day, config.kinds, results)
    sys.stdout.write(f"{path}\n")
    sys.stdout.flush()
    if edit:
        edit_item(path, config.kinds)


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
    from .importer import import_feed, report_lines

    config = open_folder(directory, locale)
    plan, written = import_feed(config, feed, kind=kind, dry_run=dry_run)
    for line, to_stdout in report_lines(plan, written, dry_run):
        say(line, sys.stdout if to_stdout else None)


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
        week_option(N_("Only the items of this letter (default: this)."), show_default=False),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", "-k", help=N_("Only this kind (repeatable)."), autocompletion=complete_kind
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
    from .listing import Listing, list_range, nothing_listed, require_kinds

    config = open_folder(directory, locale)
    first, last = list_range(
        config, today_in(config), week=week, since=since, until=until, every=all_items
    )
    require_kinds(config, kind or ())
    listing = Listing(config, first, last, kind or ())  # only those files are read
    if listing.as_lines(all_items, sys.stdout.isatty()):
        from .listing import plain_lines

        shown = stream_lines(plain_lines(listing, config))  # as read; paged on a terminal
    else:
        from .preview import items_table

        rows = list(listing.rows())
        shown = len(rows)
        if rows:
            stdout_console().print(items_table(rows, config))
    if not shown:
        sys.stderr.write(nothing_listed(first, last) + "\n")
    exit_if_unreadable(listing.errors)


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
    from .preview import print_whole, weeks_table
    from .weeks import parse_range

    config = open_folder(directory, locale)
    first, last = parse_range(since, until)
    items, errors = dated_items(config)  # dates read cheaply: no parsing of ten years
    anniversaries = read_anniversaries(config.anniversaries_path)
    summaries = week_summaries(items, anniversaries, config, first, last)
    if summaries:
        print_whole(stdout_console(), weeks_table(summaries, config, today_in(config)))
    else:
        sys.stderr.write(
            _("no letter: no item in these dates (create one with 'lettre new')") + "\n"
        )
    exit_if_unreadable(errors)


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
        week_option(
            N_("Also compose and check this letter (this, 2025-06-13, …)."), show_default=False
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
