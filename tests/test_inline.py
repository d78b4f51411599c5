"""The CSS inliner: byte for byte what premailer alone makes of the same page, though the
stylesheet's plain selectors are matched against an index of the page (lettre.inline)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from conftest import SAMPLES
from lettre.inline import PREMAILER_OPTIONS, _PageIndex, inline_css, plain_selector

# premailer on its own, in a process of its own: nothing of lettre's in its cache
PREMAILER_ALONE = """
import json, sys
from premailer import Premailer
options = json.loads(sys.argv[1])
html = sys.stdin.buffer.read().decode("utf-8")
sys.stdout.buffer.write(Premailer(html, **options).transform(pretty_print=False).encode("utf-8"))
"""


def premailer_alone(html: str, floats: bool = False) -> str:
    options = {**PREMAILER_OPTIONS, "align_floating_images": floats}
    result = subprocess.run(
        [sys.executable, "-c", PREMAILER_ALONE, json.dumps(options)],
        input=html.encode("utf-8"),
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def sample_page() -> str:
    """The HTML of the sample letter of 13 June 2025, before its CSS is inlined."""
    from lettre.compose import letter_of, open_folder
    from lettre.render import HTML_TEMPLATE, render_template
    from lettre.weeks import week_of

    config = open_folder(SAMPLES)
    letter = letter_of(config, week_of(dt.date(2025, 6, 13), config.publication_day))
    return render_template(HTML_TEMPLATE, {"letter": letter, "reader": None}, "fr_FR", None)


# every kind of selector: plain ones (matched by lettre), and the others (left to lxml's
# cssselect); class attributes split at XML's white space only, nested and root elements
HOSTILE_CSS = """
p { color: #111111; }
.a { margin: 0; }
.a p { color: #222222; }
.a .b { padding: 1px; }
.a .b p { font-size: 10px; }
.b.c { border: 0; }
td.x { width: 1px; }
div > p { color: #333333; }
#only { color: #444444; }
[lang] { color: #555555; }
a:hover { color: red; }
li:first-child { color: #666666; }
P { color: #777777; }
.Case { color: #888888; }
html.root span { font-weight: bold; }
.root .a em { font-style: normal; }
body { background: #ffffff; }
.ghost p { color: #999999; }
* { line-height: 1; }
"""

HOSTILE_PAGE = f"""<!DOCTYPE html>
<html class="root" lang="fr"><head><meta charset="utf-8"><style>{HOSTILE_CSS}</style></head>
<body class="a">
<!-- <p class="a">a comment is no element</p> -->
<div class="a"><p>nested twice</p><div class="b"><p id="only">deep</p>
<div class="a b"><p>again <em>em</em></p></div></div></div>
<p class="	b
 c  ">tabs and line ends</p>
<p class="b&#160;c">a no-break space is part of the class name</p>
<p class="case">case</p>
<table><tr><td class="x">x</td><td class="x y">xy</td><td>none</td></tr></table>
<ul><li>one</li><li>two</li></ul>
<span>root span</span><a href="https://example.org/">link</a>
<img src="https://example.org/i.png" alt="" style="float: left">
</body></html>
"""


def test_the_sample_letter_is_what_premailer_alone_makes() -> None:
    page = sample_page()
    assert inline_css(page) == premailer_alone(page)


def test_every_kind_of_selector_is_what_premailer_alone_makes() -> None:
    inlined = inline_css(HOSTILE_PAGE)
    assert inlined == premailer_alone(HOSTILE_PAGE, floats=True)
    assert 'align="left"' in inlined  # the floating image was seen
    # a second page with the same stylesheet: no index of the first one is reused
    other = HOSTILE_PAGE.replace('<body class="a">', "<body>")
    assert inline_css(other) == premailer_alone(other, floats=True)


@pytest.mark.parametrize(
    ("selector", "plain"),
    [
        ("td", True),
        (".entry", True),
        (".body blockquote p", True),
        ("td.x.y", True),
        ("div > p", False),
        ("#only", False),
        ("[lang]", False),
        ("li:first-child", False),
        ("P", False),
        ("*", False),
        (".a  p", False),  # two spaces: cssutils never writes them, cssselect reads them
        (".-a", False),
        ("", False),
    ],
)
def test_which_selectors_are_matched_by_lettre(selector: str, plain: bool) -> None:
    assert (plain_selector(selector) is not None) == plain


def test_the_index_finds_what_cssselect_finds_in_the_same_order() -> None:
    from lxml import etree
    from lxml.cssselect import CSSSelector

    page = etree.fromstring(HOSTILE_PAGE.strip(), etree.HTMLParser())
    index = _PageIndex(page)
    selectors = [
        "p", "em", ".a", ".b", ".a p", ".a .b", ".a .b p", ".b.c", "td.x", ".case", ".Case",
        "html", "html.root span", ".root .a em", ".root", ".ghost p", "body", "body p",
        ".a .a", ".a .a p", "div p", "td.y.x", ".b .c",
    ]  # fmt: skip
    for selector in selectors:
        compounds = plain_selector(selector)
        assert compounds is not None, selector
        expected = CSSSelector(selector)(page)
        assert index.select(compounds) == expected, selector
    assert CSSSelector(".a p")(page)  # the page holds what the selectors look for
