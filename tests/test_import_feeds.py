"""Feeds as older and odder sites write them: content-only entries, control characters,
HTML's named entities, Atom 0.3 dates. Each imports to clean items that `lettre check`
accepts, and that compose into a letter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lettre.feeds import decode_html_entities
from lettre.index import read_items

KINDS = ("communique", "resultats", "anniversaire")
NB = "\u00a0"
NN = "\u202f"

ATOM_CONTENT_ONLY = """\
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Actualités</title>
  <id>urn:example-net:actualites</id>
  <updated>2025-06-13T08:00:00Z</updated>
  <entry>
    <title>Portes ouvertes</title>
    <id>urn:example-net:portes-ouvertes</id>
    <link href="https://www.example.net/portes-ouvertes"/>
    <updated>2025-06-12T08:00:00Z</updated>
    <content type="html">&lt;p&gt;Le régiment &lt;b&gt;ouvre&lt;/b&gt; ses portes
      par &lt;a href="https://www.example.net/x"&gt;ici&lt;/a&gt;&amp;nbsp;: venez
      nombreux&lt;/p&gt;&lt;p&gt;Entrée libre&amp;hellip;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Exercice en montagne</title>
    <id>urn:example-net:montagne</id>
    <link href="https://www.example.net/montagne"/>
    <updated>2025-06-11T08:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Une cordée
      <em>de 12 soldats</em> &amp; leurs guides.</p><p>Retour à 18 h.</p></div></content>
  </entry>
</feed>
"""

RSS_CONTENT_ENCODED = """\
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Communiqués</title><link>https://www.example.org/</link>
<description>Communiqués</description>
<item>
  <title>Bloffo bliff</title>
  <link>https://www.example.org/bloffo</link>
  <guid>urn:example-org:bloffo</guid>
  <pubDate>Thu, 12 Jun 2025 08:00:00 GMT</pubDate>
  <content:encoded><![CDATA[<p>bloffo <b>bliff</b> by
    <a href="https://www.example.org/a">Alice</a>&nbsp;: 3 000 m</p>]]></content:encoded>
</item>
</channel></rss>
"""

# what a feed decoded as Latin-1 instead of Windows-1252 gives: C1 controls, raw and as
# character references (XML 1.0 allows both)
RSS_CONTROLS = """\
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Flux</title><link>https://www.example.org/</link>
<description>Flux</description>
<item>
  <title>L\u0092arm\u00e9e recrute&#x9D;</title>
  <link>https://www.example.org/recrute</link>
  <guid>urn:example-org:recrute</guid>
  <pubDate>Wed, 11 Jun 2025 08:00:00 GMT</pubDate>
  <description>&lt;p&gt;Postes ouverts\u0085 dans toutes les r&#x9D;gions.&lt;/p&gt;</description>
</item>
<item>
  <title>Sans surprise</title>
  <link>https://www.example.org/propre</link>
  <guid>urn:example-org:propre</guid>
  <pubDate>Wed, 11 Jun 2025 09:00:00 GMT</pubDate>
  <description>Rien à signaler.</description>
</item>
</channel></rss>
"""

RSS_ENTITIES = """\
<?xml version="1.0" encoding="iso-8859-1"?>
<rss version="2.0"><channel><title>Le journal de l&rsquo;&eacute;tat-major</title>
<link>https://www.example.org/</link><description>Actualit&eacute;s</description>
<item>
  <title>L&rsquo;arm&eacute;e &laquo;&nbsp;ouvre&nbsp;&raquo; ses portes&hellip;</title>
  <link>https://www.example.org/portes</link>
  <guid>urn:example-org:portes</guid>
  <pubDate>Tue, 10 Jun 2025 08:00:00 GMT</pubDate>
  <description>&lt;p&gt;Caf&amp;eacute; offert&lt;/p&gt;
    &amp;amp; visite &#233;tendue &agrave; 14&nbsp;h</description>
  <category>Actualit&eacute;s</category>
</item>
<item>
  <title>Donn&eacute;es brutes</title>
  <link>https://www.example.org/cdata</link>
  <guid>urn:example-org:cdata</guid>
  <pubDate>Tue, 10 Jun 2025 09:00:00 GMT</pubDate>
  <description><![CDATA[<p>Un &eacute;l&egrave;ve &amp; son chef</p>]]></description>
</item>
</channel></rss>
"""

ATOM_03 = """\
<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Ancien flux</title>
  <link rel="alternate" type="text/html" href="https://www.example.org/"/>
  <modified>2025-06-13T08:00:00Z</modified>
  <entry>
    <title>Créé seulement</title>
    <id>urn:example-org:cree</id>
    <link rel="alternate" type="text/html" href="https://www.example.org/cree"/>
    <created>2025-06-12T23:30:00Z</created>
    <content type="text/html" mode="escaped"
      >&lt;p&gt;Une entrée &lt;i&gt;ancienne&lt;/i&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Publié seulement</title>
    <id>urn:example-org:publie</id>
    <link rel="alternate" type="text/html" href="https://www.example.org/publie"/>
    <issued>2025-06-09T10:00:00+02:00</issued>
    <summary>Un résumé simple.</summary>
  </entry>
</feed>
"""


@pytest.fixture
def imported(run, make_folder, tmp_path: Path) -> Callable[..., tuple[Path, str]]:  # type: ignore[no-untyped-def]
    """Import `feed` into a folder without items; check the folder; return it and stderr."""

    def do(feed: str | bytes, encoding: str = "utf-8") -> tuple[Path, str]:
        folder = make_folder({"placeholder.md": ""})
        (folder / "items" / "placeholder.md").unlink()
        path = tmp_path / "flux.xml"
        path.write_bytes(feed if isinstance(feed, bytes) else feed.encode(encoding))
        result = run("import", path, "-C", folder)
        assert result.exit_code == 0, result.stderr
        # an imported item that `lettre check` would reject fails the test
        check = run("check", "-C", folder)
        assert check.exit_code == 0, check.stdout + check.stderr
        assert "error" not in check.stdout and "warning" not in check.stdout, check.stdout
        return folder, result.stderr

    return do


def items_of(folder: Path) -> dict[str, tuple[str, str | None]]:
    items, errors = read_items(folder / "items", KINDS)
    assert errors == []
    return {i.path.name: (i.title, i.summary) for i in items}


def test_atom_entries_with_only_html_or_xhtml_content(imported) -> None:  # type: ignore[no-untyped-def]
    folder, _ = imported(ATOM_CONTENT_ONLY)
    assert items_of(folder) == {
        "2025-06-12-portes-ouvertes.md": (
            "Portes ouvertes",
            "Le régiment ouvre ses portes par ici : venez nombreux Entrée libre…",
        ),
        "2025-06-11-exercice-en-montagne.md": (
            "Exercice en montagne",
            "Une cordée de 12 soldats & leurs guides. Retour à 18 h.",
        ),
    }


def test_rss_entry_with_only_content_encoded(imported, run) -> None:  # type: ignore[no-untyped-def]
    folder, _ = imported(RSS_CONTENT_ENCODED)
    assert items_of(folder) == {
        "2025-06-12-bloffo-bliff.md": ("Bloffo bliff", "bloffo bliff by Alice : 3 000 m")
    }
    # the letter shows text, typeset, never tags or a split entity (« &nbsp ; »)
    html = run("compose", "-C", folder, "--week", "2025-06-13", "--format", "html").stdout
    assert f"bloffo bliff by Alice{NB}: 3{NN}000{NB}m" in html
    assert "&lt;" not in html and "&amp;nbsp" not in html and "nbsp ;" not in html


def test_control_characters_are_dropped_with_a_warning_naming_the_entry(imported) -> None:  # type: ignore[no-untyped-def]
    folder, stderr = imported(RSS_CONTROLS)
    # feedparser reads U+0092 and U+0085 as the Windows-1252 characters they stand for;
    # U+009D stands for none and is dropped
    assert items_of(folder) == {
        "2025-06-11-l-armee-recrute.md": (
            "L’armée recrute",
            "Postes ouverts… dans toutes les rgions.",
        ),
        "2025-06-11-sans-surprise.md": ("Sans surprise", "Rien à signaler."),
    }
    assert stderr.splitlines() == [
        "Warning: entry 'L’armée recrute': 2 control characters (U+009D) dropped from its "
        "title and summary (a feed decoded with the wrong character set?)",
        "2 items created, 0 already imported, 0 skipped",
    ]


def test_html_named_entities_are_read(imported) -> None:  # type: ignore[no-untyped-def]
    folder, stderr = imported(RSS_ENTITIES, "iso-8859-1")
    assert stderr == "2 items created, 0 already imported, 0 skipped\n"
    items, _ = read_items(folder / "items", KINDS)
    by_name = {i.path.name: i for i in items}
    portes = by_name["2025-06-10-l-armee-ouvre-ses-portes.md"]
    assert portes.title == "L’armée « ouvre » ses portes…"
    assert portes.summary == "Café offert & visite étendue à 14 h"
    assert portes.tags == ("Actualités",)
    cdata = by_name["2025-06-10-donnees-brutes.md"]
    assert (cdata.title, cdata.summary) == ("Données brutes", "Un élève & son chef")


def test_entities_become_numeric_references_outside_cdata_and_comments() -> None:
    data = (
        b'<!DOCTYPE x [<!ENTITY maison "SID">]><x a="&eacute;">&eacute;&amp;&maison;&inconnu;'
        b"<![CDATA[&eacute;]]><!-- &eacute; -->&NotANumber;&nbsp;</x>"
    )
    assert decode_html_entities(data) == (
        b'<!DOCTYPE x [<!ENTITY maison "SID">]><x a="&#233;">&#233;&amp;&maison;&inconnu;'
        b"<![CDATA[&eacute;]]><!-- &eacute; -->&NotANumber;&#160;</x>"
    )


def test_a_feed_still_refused_names_the_entity_and_its_line(  # type: ignore[no-untyped-def]
    run, make_folder, tmp_path: Path
) -> None:
    folder = make_folder()
    feed = tmp_path / "flux.xml"
    feed.write_text(RSS_ENTITIES.replace("ses portes&hellip;", "ses portes&hellipse;"), "latin-1")
    result = run("import", feed, "-C", folder)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {feed}:5: not a well-formed feed: undefined entity &hellipse;: neither XML's "
        "nor one of HTML's named characters (write the character itself, or a numeric "
        "reference such as &#233;); nothing was imported\n"
    )


def test_atom_03_entries_dated_by_created_or_issued(imported) -> None:  # type: ignore[no-untyped-def]
    folder, stderr = imported(ATOM_03)
    assert stderr == "2 items created, 0 already imported, 0 skipped\n"
    # 23:30 UTC on the 12th is the 13th in the folder's zone (Europe/Paris)
    assert items_of(folder) == {
        "2025-06-13-cree-seulement.md": ("Créé seulement", "Une entrée ancienne"),
        "2025-06-09-publie-seulement.md": ("Publié seulement", "Un résumé simple."),
    }


def test_imported_items_compose_with_french_typography(imported, run) -> None:  # type: ignore[no-untyped-def]
    folder, _ = imported(RSS_ENTITIES, "iso-8859-1")
    text = run("compose", "-C", folder, "--week", "2025-06-13", "--format", "text").stdout
    assert f"L’armée «{NN}ouvre{NN}» ses portes…" in text
    assert f"Café offert & visite étendue à 14{NB}h" in text
