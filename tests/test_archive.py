"""`lettre archive --out DIR`: a web page per letter, an index by year and month, an Atom feed."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import feedparser
import pytest

from conftest import CONFIG, item_text

SAMPLE_PAGES = [
    "2021-07-30.html",
    "2025-05-23.html",
    "2025-05-30.html",
    "2025-06-06.html",
    "2025-06-13.html",
    "2025-06-20.html",
]
WEB = "https://lettre.example.org/lettres/"


@pytest.fixture
def sample_archive(run, samples: Path, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / "archive"
    result = run("archive", "-C", samples, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.endswith(
        f"6 letters, 6 composed: 8 files written, 0 unchanged, 0 removed, in {out}\n"
    )
    return out


def snapshot(out: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file's inode, modification time and bytes."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(out.iterdir())
    }


def test_one_page_per_letter_an_index_and_a_feed(sample_archive: Path) -> None:
    names = sorted(p.name for p in sample_archive.iterdir())
    assert names == sorted([*SAMPLE_PAGES, "index.html", "feed.xml", ".lettre-archive.json"])
    manifest = json.loads((sample_archive / ".lettre-archive.json").read_text())
    assert manifest["files"] == sorted([*SAMPLE_PAGES, "index.html", "feed.xml"])


def test_a_page_is_the_emails_html_and_links_to_itself(
    run, samples: Path, sample_archive: Path
) -> None:  # type: ignore[no-untyped-def]
    email_html = run("compose", "-C", samples, "--week", "2025-06-13", "--format", "html").stdout
    page = (sample_archive / "2025-06-13.html").read_text(encoding="utf-8")
    assert page == email_html
    assert f'<a href="{WEB}2025-06-13.html"' in page
    assert ">Voir la version en ligne</a>" in page
    assert "Concours photo des armées" in unescape(page)


def test_the_emails_view_online_link_points_at_the_archive(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    text = run("compose", "-C", samples, "--week", "2025-06-13", "--format", "text").stdout
    assert re.search(rf"^Voir la version en ligne\s:\s{WEB}2025-06-13\.html$", text, re.M)


def test_the_feed_reads_without_errors(sample_archive: Path) -> None:
    feed = feedparser.parse((sample_archive / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Lettre hebdomadaire de communication"
    assert feed.feed.id == WEB
    assert feed.feed.language == "fr"
    assert [e.link for e in feed.entries] == [WEB + n for n in reversed(SAMPLE_PAGES)]
    assert [e.id for e in feed.entries] == [WEB + n for n in reversed(SAMPLE_PAGES)]
    june13 = feed.entries[1]
    assert june13.title == "Lettre hebdomadaire de communication du 13 juin 2025"
    assert june13.published == "2025-06-13T00:00:00+02:00"
    assert "Concours photo des armées\u00a0: les lauréats récompensés" in june13.content[0].value
    assert feed.feed.updated == "2025-06-20T00:00:00+02:00"


def test_the_index_groups_letters_by_year_and_month_in_words(sample_archive: Path) -> None:
    html = unescape((sample_archive / "index.html").read_text(encoding="utf-8"))
    assert '<html lang="fr">' in html
    assert "Archives · 6 lettres ·" in html
    headings = re.findall(r"<h([23])>([^<]+)", html)
    assert headings == [
        ("2", "2025 "),
        ("3", "Juin"),
        ("3", "Mai"),
        ("2", "2021 "),
        ("3", "Juillet"),
    ]
    links = re.findall(r'<a class="letter" href="([^"]+)">([^<]+)</a>', html)
    assert links[:2] == [
        ("2025-06-20.html", "Vendredi 20 juin 2025"),
        ("2025-06-13.html", "Vendredi 13 juin 2025"),
    ]
    assert links[-1] == ("2021-07-30.html", "Vendredi 30 juillet 2021")
    assert 'Vendredi 13 juin 2025</a> <span class="meta">· 5 articles</span>' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html


def test_running_again_rewrites_nothing(run, samples: Path, sample_archive: Path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(sample_archive)
    result = run("archive", "-C", samples, "--out", sample_archive)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"6 letters, 6 composed: 0 files written, 8 unchanged, 0 removed, in {sample_archive}\n"
    )
    assert snapshot(sample_archive) == before


def test_only_what_changed_is_rewritten(run, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "samples"
    shutil.copytree(samples, folder)
    out = tmp_path / "archive"
    assert run("archive", "-C", folder, "--out", out).exit_code == 0
    before = snapshot(out)
    item = folder / "items" / "2025-06-12-repetitions-du-14-juillet.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace("répétitions", "répétitions générales", 1),
        encoding="utf-8",
    )
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    after = snapshot(out)
    changed = sorted(n for n in after if after[n] != before[n])
    assert changed == ["2025-06-13.html", "feed.xml", "index.html"]
    assert f"wrote {out}/2025-06-13.html\n" in result.stderr
    assert "3 files written, 5 unchanged, 0 removed" in result.stderr


def test_a_letter_that_is_gone_loses_its_page_and_other_files_stay(
    run, samples: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "samples"
    shutil.copytree(samples, folder)
    out = tmp_path / "archive"
    assert run("archive", "-C", folder, "--out", out).exit_code == 0
    (out / "mine.txt").write_text("à moi", encoding="utf-8")
    (folder / "items" / "2021-07-26-premier-entretien-cema-homologue-americain.md").unlink()
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert f"removed {out}/2021-07-30.html (its letter is gone)\n" in result.stderr
    assert not (out / "2021-07-30.html").exists()
    assert (out / "mine.txt").read_text(encoding="utf-8") == "à moi"
    assert "5 letters, 5 composed:" in result.stderr


def test_a_file_lettre_did_not_write_is_never_replaced(run, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<p>Mon site</p>", encoding="utf-8")
    result = run("archive", "-C", samples, "--out", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}/index.html: exists and was not written by 'lettre archive': nothing was "
        "written (choose another --out folder, or move this file away)\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>Mon site</p>"


def test_without_a_base_url_links_are_relative(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace('base_url = "https://lettre.example.org/"\n', "")
    folder = make_folder(
        {
            "2025-06-10-un.md": item_text(title="Premier"),
            "2025-06-17-deux.md": item_text(date="2025-06-17", title="Second"),
        },
        config=config,
    )
    email_html = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "html").stdout
    assert "Voir la version en ligne" not in email_html
    out = folder / "public"
    assert run("archive", "-C", folder, "-o", out).exit_code == 0
    page = (out / "2025-06-13.html").read_text(encoding="utf-8")
    assert '<a href="2025-06-13.html"' in page
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.id for e in feed.entries] == [
        "tag:example.org,2025-06-20:lettre-de-test/2025-06-20",
        "tag:example.org,2025-06-13:lettre-de-test/2025-06-13",
    ]
    assert feed.feed.id == "tag:example.org,2025-06-13:lettre-de-test"


def test_archive_url_in_the_config(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG + '\n[archive]\nurl = "https://www.example.net/hebdo"\n'
    folder = make_folder(config=config)
    text = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "text").stdout
    assert "https://www.example.net/hebdo/2025-06-13.html" in text
    bad = make_folder(config=CONFIG + '\n[archive]\nurl = "ftp://x"\n', name="bad")
    result = run("archive", "-C", bad, "-o", bad / "out")
    assert result.exit_code == 1
    line = CONFIG.count("\n") + 3
    assert result.stderr == (
        f"Error: {bad}/lettre.toml:{line}: 'archive.url' must be an http(s) URL, not 'ftp://x'\n"
    )


def test_broken_item_fails_and_writes_nothing(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-x.md": "---\ndate: 2025-06-10\nkind: communique\n---\n"})
    out = folder / "public"
    result = run("archive", "-C", folder, "-o", out)
    assert result.exit_code == 1
    assert "2025-06-10-x.md:1: missing 'title:'" in result.stderr
    assert not out.exists()


def test_empty_folder(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder()
    (folder / "items" / "2025-06-10-un-titre.md").unlink()
    result = run("archive", "-C", folder, "-o", folder / "public")
    assert result.exit_code == 1
    assert "no letter to archive" in result.stderr


def test_a_broken_index_template_names_its_line(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder()
    (folder / "templates").mkdir()
    template = folder / "templates" / "archive-index.html.j2"
    template.write_text("<h1>{{ title }}</h1>\n<p>{{ years | nope }}</p>\n", encoding="utf-8")
    out = folder / "public"
    result = run("archive", "-C", folder, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {template}:2: template error: ")
    assert "nope" in result.stderr
    assert not out.exists()


def test_the_summary_says_one_letter_and_one_file(run, make_folder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder()
    out = tmp_path / "site"
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "1 letter, 1 composed: " in result.stderr and "1 letters" not in result.stderr
    again = run("archive", "-C", folder, "--out", out)
    assert "1 letter, 1 composed: 0 files written, " in again.stderr


def test_an_unreadable_output_file_is_an_error(run, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").symlink_to("index.html")  # a link to itself: never a file
    result = run("archive", "-C", samples, "--out", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {out}/index.html: symbolic link loop: the link never reaches a file; "
        "remove it or fix its target\n"
    )


def test_a_page_that_cannot_be_removed_is_an_error(  # type: ignore[no-untyped-def]
    run, samples: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "samples"
    shutil.copytree(samples, folder)
    out = tmp_path / "archive"
    assert run("archive", "-C", folder, "--out", out).exit_code == 0
    (folder / "items" / "2021-07-26-premier-entretien-cema-homologue-americain.md").unlink()
    unlink = Path.unlink

    def refuse(path: Path, missing_ok: bool = False) -> None:
        if path.name == "2021-07-30.html":  # as a read-only folder would, even for root
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Error: {out}/2021-07-30.html: cannot remove: Permission denied\n"
    )


def test_lettres_own_html_template_never_shows_what_only_the_plain_text_needs() -> None:
    """The archive leaves the plain text out of its pages' letters (render.html_reads_text):
    lettre's letter.html.j2, and what it includes, must not show it."""
    import jinja2
    from jinja2 import meta, nodes

    from lettre.render import HTML_TEMPLATES
    from lettre.resources import templates_dir

    text_only = {"body_text", "url_ref", "links"}
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    for name in HTML_TEMPLATES:
        tree = env.parse((templates_dir() / name).read_text(encoding="utf-8"))
        assert set(meta.find_referenced_templates(tree)) <= set(HTML_TEMPLATES), name
        named = {n.attr for n in tree.find_all(nodes.Getattr)}
        named |= {n.value for n in tree.find_all(nodes.Const) if isinstance(n.value, str)}
        assert not named & text_only, name
    letter_tree = env.parse((templates_dir() / "letter.txt.j2").read_text(encoding="utf-8"))
    assert {"body_text", "links"} <= {n.attr for n in letter_tree.find_all(nodes.Getattr)}


@pytest.mark.parametrize(
    ("name", "template"),
    [
        (
            "letter.html.j2",
            "<html><body>{% for e in letter.entries %}<pre>{{ e.body_text }} [{{ e.url_ref }}]"
            "</pre>{% endfor %}<p>{{ letter.links | join(' ') }}</p></body></html>\n",
        ),
        ("style.css", "p { margin-top: {{ letter.links | length }}px; }\n"),
    ],
)
def test_a_folders_template_that_shows_the_plain_text_gets_it_in_the_archive(  # type: ignore[no-untyped-def]
    run, make_folder, name: str, template: str
) -> None:
    body = "Lire [le programme](https://www.example.org/programme) en ligne."
    folder = make_folder(
        {"2025-06-10-un.md": item_text(body=body, url="https://www.example.org/un")}
    )
    (folder / "templates").mkdir()
    (folder / "templates" / name).write_text(template, encoding="utf-8")
    email_html = run("compose", "-C", folder, "-w", "2025-06-13", "-f", "html").stdout
    out = folder / "public"
    assert run("archive", "-C", folder, "-o", out).exit_code == 0
    page = (out / "2025-06-13.html").read_text(encoding="utf-8")
    assert page == email_html
    if name == "letter.html.j2":
        assert "Lire le programme\u00a0[1] en ligne. [2]" in page
        assert "https://www.example.org/programme https://www.example.org/un" in page
    else:  # the two links the plain text numbers
        assert 'style="margin-top:2px"' in page
