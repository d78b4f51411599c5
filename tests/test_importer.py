"""`lettre import FEED`: RSS/Atom entries → item files, never twice, never over a file."""

from __future__ import annotations

import datetime as dt
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from conftest import CONFIG
from lettre.cli import app
from lettre.compose import open_folder
from lettre.feeds import MAX_FEED_BYTES, html_to_text
from lettre.importer import apply_plan, plan_import
from lettre.index import item_paths, read_items

KINDS = ("communique", "resultats", "anniversaire")
TOPICS = [
    "Exercice amphibie en Méditerranée",
    "Cérémonie de passation de commandement",
    "Journée défense et citoyenneté : bilan",
    "Résultats du cross régional",
    "Œuvres sociales : la fête de l'unité",
]


def rss_feed(count: int = 50) -> bytes:
    """An RSS 2.0 feed of `count` communiqués, written for these tests."""
    start = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)
    items = []
    for n in range(count):
        when = start + dt.timedelta(days=n // 2, hours=5 * (n % 2))
        title = f"{TOPICS[n % len(TOPICS)]} n° {n + 1}"
        category = "Sport" if n % 10 == 3 else "Actualités"
        description = (
            f"<p>Le communiqué numéro {n + 1} raconte la vie des unités &amp; des services.</p>"
            f"<p>Deuxième paragraphe : <b>détails</b> et <a href='https://example.org/x'>lien</a>."
            "</p>"
        )
        items.append(
            "<item>"
            f"<title>{escape(title)}</title>"
            f"<link>https://www.example.org/communiques/{n + 1}</link>"
            f'<guid isPermaLink="false">urn:example-org:communique:{n + 1}</guid>'
            f"<pubDate>{format_datetime(when)}</pubDate>"
            f"<category>{category}</category>"
            f"<description>{escape(description)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Communiqués de l'état-major</title><link>https://www.example.org/</link>"
        "<description>Communiqués</description>" + "".join(items) + "</channel></rss>\n"
    ).encode()


ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://www.example.net/">
  <title>Actualités du régiment</title>
  <id>urn:example-net:actualites</id>
  <updated>2025-06-13T08:00:00+02:00</updated>
  <entry>
    <title type="html">Portes ouvertes &amp;amp; &lt;em&gt;démonstrations&lt;/em&gt;</title>
    <id>urn:example-net:portes-ouvertes</id>
    <link href="actualites/portes-ouvertes"/>
    <published>2025-06-12T23:30:00Z</published>
    <updated>2025-06-12T23:30:00Z</updated>
    <summary>Le régiment ouvre ses portes au public samedi.</summary>
  </entry>
  <entry>
    <title>Sans date</title>
    <id>urn:example-net:sans-date</id>
  </entry>
</feed>
"""


@pytest.fixture
def feed_file(tmp_path: Path) -> Path:
    path = tmp_path / "communiques.xml"
    path.write_bytes(rss_feed())
    return path


@pytest.fixture
def empty_folder(make_folder) -> Callable[..., Path]:  # type: ignore[no-untyped-def]
    """A newsletter folder with no item at all (or only the given ones)."""

    def make(items: dict[str, str] | None = None, **kwargs: str) -> Path:
        folder = make_folder({"placeholder.md": ""}, **kwargs)
        (folder / "items" / "placeholder.md").unlink()
        for name, text in (items or {}).items():
            (folder / "items" / name).write_text(text, encoding="utf-8")
        return folder

    return make


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "items").iterdir())}


def test_fifty_entries_make_fifty_valid_items_then_none(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    result = run("import", feed_file, "-C", folder)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith("50 items created, 0 already imported, 0 skipped\n")
    paths = item_paths(folder / "items")
    assert len(paths) == 50
    assert sorted(result.stdout.splitlines()) == [f"created {p}" for p in paths]
    items, errors = read_items(folder / "items", KINDS)
    assert errors == [] and len(items) == 50
    first = next(i for i in items if i.title.endswith("n° 1"))
    assert first.path.name == "2025-05-01-exercice-amphibie-en-mediterranee-n-1.md"
    assert first.date == dt.date(2025, 5, 1)
    assert first.kind == "communique"
    assert first.url == "https://www.example.org/communiques/1"
    assert first.summary == (
        "Le communiqué numéro 1 raconte la vie des unités & des services. "
        "Deuxième paragraphe : détails et lien."
    )
    assert "source: urn:example-org:communique:1\n" in first.path.read_text(encoding="utf-8")
    check = run("check", "-C", folder)
    assert check.exit_code == 0, check.stdout
    assert "warning" not in check.stdout and "error" not in check.stdout
    before = files(folder)

    again = run("import", feed_file, "-C", folder)
    assert again.exit_code == 0, again.stderr
    assert again.stdout == ""
    assert again.stderr.endswith("0 items created, 50 already imported, 0 skipped\n")
    assert files(folder) == before


def test_items_compose_into_a_letter(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    assert run("import", feed_file, "-C", folder).exit_code == 0
    text = run("compose", "-C", folder, "--week", "2025-05-02", "--format", "text").stdout
    assert "Exercice amphibie en Méditerranée n°\u00a01" in text
    assert "Cérémonie de passation de commandement n°\u00a02" in text


def test_dry_run_writes_nothing(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    result = run("import", feed_file, "-C", folder, "--dry-run")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 50
    assert lines[1] == (
        f"would create {folder}/items/2025-05-01-exercice-amphibie-en-mediterranee-n-1.md"
        "  [communique] Exercice amphibie en Méditerranée n° 1"
    )
    assert result.stderr.endswith("50 items would be created, 0 already imported, 0 skipped\n")
    assert list((folder / "items").iterdir()) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            rss_feed(3).replace(b"</item><item>", b"</item><item>&", 1),
            ":2: not a well-formed feed: not well-formed (invalid token); nothing was imported",
        ),
        (rss_feed(3)[:-40], ": not a well-formed feed:"),
        (b"<html><body><p>Pas un flux</p></body></html>", ": not an RSS or Atom feed"),
        (b"", ": not an RSS or Atom feed"),
    ],
    ids=["bad-token", "truncated", "html", "empty"],
)
def test_malformed_feed_is_a_clear_error_and_creates_nothing(
    run, empty_folder, tmp_path: Path, data: bytes, message: str
) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    feed = tmp_path / "casse.xml"
    feed.write_bytes(data)
    result = run("import", feed, "-C", folder)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {feed}")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert list((folder / "items").iterdir()) == []


def test_missing_feed_file(run, empty_folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("import", tmp_path / "absent.xml", "-C", empty_folder())
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {tmp_path}/absent.xml: no such file (give a feed file or an http(s) URL)\n"
    )


def test_existing_files_are_never_overwritten(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    taken = "2025-05-01-exercice-amphibie-en-mediterranee-n-1.md"
    mine = "---\ndate: 2025-05-01\nkind: communique\ntitle: À moi\n---\nMon texte.\n"
    folder = empty_folder({taken: mine})
    result = run("import", feed_file, "-C", folder)
    assert result.exit_code == 0, result.stderr
    assert (folder / "items" / taken).read_text(encoding="utf-8") == mine
    moved = folder / "items" / taken.replace(".md", "-2.md")
    assert "title: Exercice amphibie en Méditerranée n° 1\n" in moved.read_text(encoding="utf-8")
    assert len(item_paths(folder / "items")) == 51


def test_an_item_with_the_same_link_is_a_duplicate(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    written = (
        "---\ndate: 2025-05-01\nkind: communique\ntitle: Écrit à la main\n"
        "url: https://www.example.org/communiques/2\n---\nTexte.\n"
    )
    folder = empty_folder({"2025-05-01-ecrit-a-la-main.md": written})
    result = run("import", feed_file, "-C", folder)
    assert result.stderr.endswith("49 items created, 1 already imported, 0 skipped\n")


def test_categories_map_to_kinds(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    config = (
        CONFIG + '\n[import]\nkind = "communique"\n[import.categories]\n"sport" = "resultats"\n'
    )
    folder = empty_folder(config=config)
    assert run("import", feed_file, "-C", folder).exit_code == 0
    items, errors = read_items(folder / "items", KINDS)
    assert errors == []
    results = sorted(i.title for i in items if i.kind == "resultats")
    assert results == [f"{TOPICS[3]} n° {n}" for n in (14, 24, 34, 4, 44)]
    sport = next(i for i in items if i.kind == "resultats")
    assert sport.body.startswith("Le communiqué numéro")  # a results item needs a body
    assert "Sport" in sport.tags


def test_unknown_kind_in_config_names_the_line(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder(config=CONFIG + '\n[import]\nkind = "comunique"\n')
    result = run("import", feed_file, "-C", folder)
    assert result.exit_code == 1
    line = CONFIG.count("\n") + 3
    assert result.stderr.startswith(f"Error: {folder}/lettre.toml:{line}: 'import.kind': unknown")
    assert "(did you mean 'communique'?)" in result.stderr


def test_unknown_kind_option_is_a_usage_error(run, empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    result = run("import", feed_file, "-C", folder, "--kind", "resultat")
    assert result.exit_code == 2
    assert "--kind: unknown kind 'resultat' (did you mean 'resultats'?)" in result.stderr
    french = run("import", feed_file, "-C", folder, "--kind", "resultat", env={"LETTRE_LANG": "fr"})
    assert french.exit_code == 2  # labelled as lettre.toml's kinds are, French spacing
    assert (
        "--kind\u00a0: genre inconnu 'resultat' (vouliez-vous dire 'resultats'\u202f?)\u202f; "
        "genres connus\u00a0: communique, resultats, anniversaire"
    ) in french.stderr


def test_atom_html_titles_relative_links_and_dates_in_the_folders_zone(
    run, empty_folder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "atom.xml"
    feed.write_text(ATOM_FEED, encoding="utf-8")
    folder = empty_folder()
    result = run("import", feed, "-C", folder)
    assert result.exit_code == 0, result.stderr
    assert "skipped: Sans date: no date (neither published, updated nor created)" in result.stderr
    (path,) = item_paths(folder / "items")
    # 23:30 UTC on the 12th is the 13th in Paris
    assert path.name == "2025-06-13-portes-ouvertes-demonstrations.md"
    items, _ = read_items(folder / "items", KINDS)
    assert items[0].title == "Portes ouvertes & démonstrations"
    assert items[0].url == "https://www.example.net/actualites/portes-ouvertes"


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        if self.path != "/feed.xml":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _FeedHandler.body = rss_feed(5)
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _FeedHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_import_from_a_url(run, empty_folder, server: str) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    result = run("import", f"{server}/feed.xml", "-C", folder)
    assert result.exit_code == 0, result.stderr
    assert len(item_paths(folder / "items")) == 5
    missing = run("import", f"{server}/absent.xml", "-C", folder)
    assert missing.exit_code == 1
    assert missing.stderr == f"Error: {server}/absent.xml: cannot fetch: HTTP 404 Not Found\n"


def test_names_follow_lettre_new(run, empty_folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.xml"
    undated = "<title>Sans date</title>"
    feed.write_text(
        ATOM_FEED.replace(undated, "<title>« ??? »</title><updated>2025-06-10T08:00:00Z</updated>"),
        encoding="utf-8",
    )
    folder = empty_folder()
    result = run("import", feed, "-C", folder)
    assert result.exit_code == 0, result.stderr
    names = [p.name for p in item_paths(folder / "items")]
    # a title without a letter or digit is named after its kind, as `lettre new` does
    assert names == ["2025-06-10-communique.md", "2025-06-13-portes-ouvertes-demonstrations.md"]


def test_html_to_text() -> None:
    html = "<p>Un&nbsp;<b>texte</b>\n  sur<br>deux lignes</p><ul><li>un</li><li>deux</li></ul>"
    assert html_to_text(html) == "Un texte sur\n\ndeux lignes\n\nun\n\ndeux"


def test_import_from_standard_input(run, empty_folder) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    result = run.runner.invoke(
        app, ["import", "-", "-C", str(folder)], input=rss_feed(3), catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    assert len(item_paths(folder / "items")) == 3


def test_a_file_appearing_after_the_plan_is_not_overwritten(empty_folder) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    config = open_folder(folder)
    plan = plan_import(config, rss_feed(1), "feed.xml")
    (target,) = [new.path for new in plan.created]
    target.write_text("écrit entre-temps\n", encoding="utf-8")
    (written,) = apply_plan(plan)
    assert written == target.with_name(target.stem + "-2.md")
    assert target.read_text(encoding="utf-8") == "écrit entre-temps\n"
    assert "source: urn:example-org:communique:1" in written.read_text(encoding="utf-8")
    assert [p.name for p in (folder / "items").iterdir() if p.name.startswith(".")] == []


def _lettre(*args: str | Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """The CLI in a subprocess, so that a hang fails the test instead of stopping the run."""
    command = [sys.executable, "-m", "lettre", *map(str, args)]
    return subprocess.run(command, input=stdin, capture_output=True, timeout=60, check=False)


def test_a_named_pipe_among_the_items_does_not_hang_the_import(empty_folder, feed_file) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    os.mkfifo(folder / "items" / "2025-06-10-tube.md")
    result = _lettre("import", feed_file, "-C", folder)
    assert result.returncode == 0, result.stderr
    stderr = result.stderr.decode()
    assert "2025-06-10-tube.md: not a regular file" in stderr
    assert stderr.endswith("50 items created, 0 already imported, 0 skipped\n")


def test_a_named_pipe_as_the_feed_is_an_error(empty_folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "tube.xml"
    os.mkfifo(feed)
    result = _lettre("import", feed, "-C", empty_folder())
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"Error: {feed}: not a regular file (a device, a pipe or a socket)\n"
    )


def test_a_feed_file_over_the_limit_is_refused(run, empty_folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "huge.xml"
    with feed.open("wb") as handle:
        handle.truncate(MAX_FEED_BYTES + 1)
    result = run("import", feed, "-C", empty_folder())
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {feed}: ") and "too large" in result.stderr


def test_a_feed_on_standard_input_over_the_limit_is_refused(run, empty_folder) -> None:  # type: ignore[no-untyped-def]
    folder = empty_folder()
    feed = rss_feed(1)
    huge = feed + b"\n" * (MAX_FEED_BYTES + 1 - len(feed))  # well-formed up to the last byte
    result = run.runner.invoke(
        app, ["import", "-", "-C", str(folder)], input=huge, catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: -: too large for a feed (over 20 MB)\n"
    assert item_paths(folder / "items") == []
