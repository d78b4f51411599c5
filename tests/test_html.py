"""The HTML part as an e-mail developer reviews it: layout, preheader, images, links, footer."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CONFIG, item_text
from lettre.items import Image
from lettre.render import GMAIL_CLIP_BYTES, display_size, text_direction


@pytest.fixture(scope="module")
def html() -> str:
    from typer.testing import CliRunner

    from conftest import SAMPLES
    from lettre.cli import app

    result = CliRunner().invoke(
        app, ["compose", "-C", str(SAMPLES), "--week", "2025-06-13", "--format", "html"]
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


def tags(html: str, name: str) -> list[str]:
    return re.findall(rf"<{name}\b[^>]*>", html)


def test_size_lang_and_head(html: str) -> None:
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES / 4
    assert '<html lang="fr" dir="ltr"' in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<title>Lettre hebdomadaire de communication du 13 juin 2025</title>" in html


def test_every_table_is_presentation(html: str) -> None:
    tables = tags(html, "table")
    assert len(tables) >= 6
    assert all('role="presentation"' in t for t in tables)


def test_600_px_column_fluid_below_with_an_outlook_fixed_table(html: str) -> None:
    [container] = [t for t in tags(html, "table") if 'class="container"' in t]
    assert 'width="100%"' in container and "max-width:600px" in container
    assert '<!--[if mso]><table role="presentation" width="600"' in html
    assert "<!--[if mso]></td></tr></table><![endif]-->" in html


def test_media_rules_survive_inlining(html: str) -> None:
    [style, outlook] = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert "@media only screen and (max-width: 620px)" in style
    assert "@media (prefers-color-scheme: dark)" in style
    assert "!important" in style  # premailer's strip_important is off
    # Outlook for Windows gets a font it has, in a conditional comment other clients skip
    assert '<!--[if mso]><style>body, table, td, p, a, h1, h2, h3 { font-family: "Segoe UI"' in html
    assert "Segoe UI" in outlook


def test_hidden_preheader_from_the_first_summary(html: str) -> None:
    [preheader] = re.findall(r'<div class="preheader"[^>]*>(.*?)</div>', html, re.DOTALL)
    assert unescape(preheader).startswith(
        "Le 8 juin, la Nation honore les combattants tombés en Indochine\u202f; des"
    )
    [tag] = [t for t in tags(html, "div") if 'class="preheader"' in t]
    for rule in ("display:none", "max-height:0", "overflow:hidden", "mso-hide:all"):
        assert rule in tag


def test_images_have_alt_width_and_height(html: str) -> None:
    [image] = tags(html, "img")
    assert 'alt="Un marin observe le lever du soleil' in image
    assert 'width="552" height="368"' in image


def test_header_footer_and_absolute_links(html: str) -> None:
    shown = unescape(html)
    assert re.search(r'<h1 class="title"[^>]*>Lettre hebdomadaire de communication</h1>', shown)
    assert re.search(r'<p class="date"[^>]*>vendredi 13 juin 2025</p>', shown)
    footer = shown[shown.index('class="footer"') :]
    assert (
        "Vous recevez cette lettre de la part de Cellule communication de l'état-major." in footer
    )
    assert 'href="mailto:communication@example.org"' in footer
    assert re.search(r'href="https://lettre.example.org/desabonnement"[^>]*>Se désabonner<', footer)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("https://", "mailto:")) for h in hrefs)


def test_theme_colours(html: str) -> None:
    assert "color:#000091" in html  # bleu France
    assert "#e1000f" in html  # rouge Marianne
    assert "var(" not in html  # no CSS variables: Gmail drops them


@pytest.mark.parametrize(
    ("image", "size"),
    [
        (Image("x", "a", 552, 368), (552, 368)),
        (Image("x", "a", 1200, 800), (552, 368)),  # scaled to the column, proportions kept
        (Image("x", "a", 300, 200), (300, 200)),  # never enlarged
        (Image("x", "a", 1200), (552, None)),
        (Image("x", "a"), (552, None)),
    ],
)
def test_display_size(image: Image, size: tuple[int, int | None]) -> None:
    assert display_size(image) == size


def test_text_direction() -> None:
    assert text_direction("fr_FR") == "ltr"
    assert text_direction("ar") == "rtl"
    assert text_direction("he_IL") == "rtl"


def test_large_image_is_scaled_and_relative_image_is_a_file_of_the_folder(
    run,  # type: ignore[no-untyped-def]
    make_folder: Callable[..., Path],
) -> None:
    """A relative src is a photo of the folder (no longer joined to base_url): the e-mail
    points at its published copy, shown at the column's width, its size from the file."""
    from PIL import Image as PIL

    folder = make_folder(
        {"2025-06-10-x.md": item_text(image="{src: images/photo.jpg, alt: Une photo}")},
        config=CONFIG,
    )
    (folder / "images").mkdir()
    PIL.new("RGB", (1104, 736), (200, 120, 40)).save(folder / "images" / "photo.jpg")
    eml = run("compose", "-C", folder, "--week", "2025-06-13").stdout
    html = email.message_from_string(eml, policy=email.policy.default)
    part = html.get_body(("html",))
    assert part is not None
    [image] = tags(part.get_content(), "img")
    assert re.search(
        r'src="https://lettre.example.org/lettres/images/photo-[0-9a-f]{6}.jpg"', image
    )
    assert 'width="552" height="368"' in image


def test_a_folder_restyles_the_letter_with_its_css_alone(
    run,  # type: ignore[no-untyped-def]
    make_folder: Callable[..., Path],
) -> None:
    folder = make_folder()
    (folder / "templates").mkdir()
    css = ".title { color: #18753c; font-size: 30px; }\n"
    (folder / "templates" / "style.css").write_text(css, encoding="utf-8")
    html = run("compose", "-C", folder, "--week", "2025-06-13", "-f", "html").stdout
    [title] = tags(html, "h1")
    assert 'class="title"' in title and "color:#18753c" in title and "font-size:30px" in title
    assert "#000091" not in html  # the packaged theme is replaced, not mixed in
    assert 'role="presentation"' in html  # the packaged template still lays it out


def test_the_web_version_link_when_the_letter_has_one(samples: Path) -> None:
    import datetime as dt
    from dataclasses import replace

    from lettre.compose import compose, open_folder
    from lettre.items import Week
    from lettre.render import render_html, render_text

    composed = compose(open_folder(samples), Week(dt.date(2025, 6, 7), dt.date(2025, 6, 13)))
    letter = replace(composed.letter, web_url="https://lettre.example.org/lettres/2025-06-13.html")
    html = unescape(render_html(letter))
    link = '<a href="https://lettre.example.org/lettres/2025-06-13.html"'
    assert html.count(link) == 2  # above the header and in the footer
    assert re.search(r'<td class="weblink"[^>]*><a [^>]*>Voir la version en ligne</a>', html)
    text = render_text(letter)
    # after the title and date, wrapped after the colon (never before it)
    assert text.split("\n\n")[1] == (
        "Voir la version en ligne\u00a0:\nhttps://lettre.example.org/lettres/2025-06-13.html"
    )


#: elements that take their font from the block around them: a block holds the text
INLINE = {"a", "abbr", "b", "br", "code", "em", "i", "img", "s", "small", "span", "strong",
          "sub", "sup", "u"}  # fmt: skip
#: what a text block must say itself: 16 clients (Outlook for iOS, Android and Mac, Yahoo's
#: apps, SFR…) drop <body> and its styles, so nothing may be inherited from it
OWN_STYLE = ("font-size", "line-height", "color")


class _TextBlocks(HTMLParser):
    """Every element of <body> that holds text directly, with its style= properties."""

    VOID = frozenset({"br", "img", "hr", "meta", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str, dict[str, str]]] = []
        self.blocks: dict[int, tuple[str, dict[str, str], str]] = {}
        self.links: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        style = {}
        for declaration in (a.get("style") or "").split(";"):
            name, _, value = declaration.partition(":")
            if name.strip():
                style[name.strip().lower()] = value.strip()
        name = f"{tag}.{a.get('class') or ''}".rstrip(".")
        if tag == "a":
            self.links.append((name, style))
        if tag not in self.VOID:
            self.stack.append((tag, name, style))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not data.strip() or not any(t == "body" for t, _, _ in self.stack):
            return
        index = max(i for i, (t, _, _) in enumerate(self.stack) if t not in INLINE)
        tag, name, style = self.stack[index]
        if tag != "body":
            self.blocks.setdefault(id(style), (name, style, data.strip()))
        else:
            self.blocks.setdefault(0, ("body", {}, data.strip()))


RICH_BODY = """\
Un paragraphe avec un [lien](https://lettre.example.org/lien) et du **gras**.

- une puce
- une autre

> Une citation.

## Un intertitre

    du code préformaté

---

1. une liste numérotée
"""


@pytest.mark.parametrize("letter", ["samples", "rich body"])
def test_every_text_element_has_its_own_font_size_line_height_and_colour(
    letter: str, html: str, make_folder: Callable[..., Path]
) -> None:
    if letter == "rich body":
        from typer.testing import CliRunner

        from lettre.cli import app

        folder = make_folder({"2025-06-10-x.md": item_text(body=RICH_BODY, summary="Un chapô.")})
        result = CliRunner().invoke(
            app, ["compose", "-C", str(folder), "-w", "2025-06-13", "-f", "html"]
        )
        assert result.exit_code == 0, result.stderr
        html = result.stdout
        for tag in ("li", "blockquote", "pre", "h2", "hr"):
            assert f"<{tag}" in html
    parser = _TextBlocks()
    parser.feed(html)
    assert len(parser.blocks) > 10
    for name, style, text in parser.blocks.values():
        missing = [p for p in OWN_STYLE if p not in style]
        assert not missing, f"<{name}> holding {text[:50]!r} has no {', '.join(missing)} of its own"
    for name, style in parser.links:
        assert "color" in style, f"<{name}> has no colour of its own"
