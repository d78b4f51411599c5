"""What mail clients support, by caniemail's data: doiuse-email on the composed letter.

The HTML part of the letter of 13 June 2025 goes through doiuse-email (the npm package
`@jsx-email/doiuse-email`, its version pinned in tests/js/package.json and installed by
`.ci/run` with `npm ci --prefix tests/js`) for every client of the French readers' world:
Gmail, Outlook (all of them), Apple Mail, Yahoo, Samsung Email, Thunderbird, Orange, SFR
and La Poste. Any feature a client does not support fails the test, but for the exceptions
listed below, each with the reason a reader of that client loses nothing. doiuse-email does
not look inside `@media` rules (phones, dark mode: enhancements by nature) nor inside
Outlook's conditional comments (which only Outlook for Windows reads).

doiuse-email stops with "Feature `X` not found on `client`" where caniemail has no datum
for a pair; tests/js/doiuse.mjs reports such a pair and goes on, and the pairs known to
lack data are listed in NO_DATA (the client is still checked for everything else).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import ROOT, SAMPLES, skip_without

JS = ROOT / "tests" / "js"
NODE = shutil.which("node")
if NODE is None:
    skip_without("Node.js is not installed (Debian package nodejs)")
if not (JS / "node_modules" / "@jsx-email" / "doiuse-email" / "package.json").is_file():
    skip_without("doiuse-email is not installed (npm ci --prefix tests/js)")

CLIENTS = (
    "gmail.desktop-webmail",
    "gmail.ios",
    "gmail.android",
    "gmail.mobile-webmail",
    "outlook.windows",
    "outlook.windows-mail",
    "outlook.macos",
    "outlook.ios",
    "outlook.android",
    "apple-mail.macos",
    "apple-mail.ios",
    "yahoo.desktop-webmail",
    "yahoo.ios",
    "yahoo.android",
    "samsung-email.android",
    "thunderbird.macos",
    "orange.desktop-webmail",
    "orange.ios",
    "orange.android",
    "sfr.desktop-webmail",
    "sfr.ios",
    "sfr.android",
    "laposte.desktop-webmail",
)


@dataclass(frozen=True)
class Exception_:
    """A feature some clients lack, where it is used, and why the reader loses nothing."""

    feature: str
    where: str  # a regular expression searched in doiuse.mjs's "parent > element" path
    clients: frozenset[str]
    reason: str

    def covers(self, found: dict[str, str]) -> bool:
        return (
            found["feature"] == self.feature
            and found["client"] in self.clients
            and re.search(self.where, found["where"]) is not None
        )


def _exception(feature: str, where: str, clients: str, reason: str) -> Exception_:
    return Exception_(feature, where, frozenset(clients.split()), reason)


EXCEPTIONS = (
    _exception(
        "@media",
        r"^<style>$",
        "gmail.mobile-webmail outlook.windows outlook.windows-mail thunderbird.macos "
        "sfr.ios sfr.android",
        "the @media rules only narrow the letter on phones and darken it in dark mode; "
        "without them a reader gets the light letter, fluid below 600 px",
    ),
    _exception(
        "<body> element",
        r"^html > body$",
        "outlook.macos outlook.ios outlook.android yahoo.ios yahoo.android "
        "sfr.desktop-webmail sfr.ios sfr.android laposte.desktop-webmail",
        "these clients drop <body> and its styles: the wrapper table carries the background "
        "and every text element its own font size, line height and colour "
        "(test_html.py::test_every_text_element_has_its_own_font_size_line_height_and_colour)",
    ),
    _exception(
        "display:none",
        r"> div\.preheader$",
        "gmail.mobile-webmail",
        "the preheader is also hidden by max-height:0 and overflow:hidden, which it supports",
    ),
    _exception(
        "overflow",
        r"> div\.preheader$",
        "outlook.windows outlook.windows-mail outlook.android yahoo.android",
        "only the hidden preheader uses it; these clients hide it with display:none "
        "(and Outlook for Windows with mso-hide:all)",
    ),
    _exception(
        "role attribute",
        r"table\.(wrapper|container|results)$",
        "orange.desktop-webmail orange.ios orange.android outlook.windows-mail",
        'role="presentation" is dropped there and the layout tables look the same; screen '
        "readers of the other clients need it",
    ),
    _exception(
        "lang attribute",
        r"^html$",
        "orange.desktop-webmail",
        "the webmail page keeps its own language; other clients read the letter's lang",
    ),
    _exception(
        "table-layout",
        r"table\.container$",
        "outlook.windows outlook.windows-mail",
        "it only keeps a very long word from widening the fluid table; Outlook for Windows "
        "holds the letter at 600 px with its own conditional table, and Windows Mail shows "
        "the letter as wide as its window",
    ),
    _exception(
        "text-decoration",
        r"h3\.entry-title > a\[href",
        "orange.ios sfr.ios",
        "the items' titles are links shown without an underline; there they get one",
    ),
    _exception(
        "mailto: links",
        r"td\.footer > p > a\[href\^=\"mailto:\"\]$",
        "orange.ios",
        "the link's text is the address itself, which the reader can still copy",
    ),
)

#: client/feature pairs caniemail has no data for: doiuse-email crashes on them
NO_DATA = {
    ("thunderbird.macos", "table-layout"),
    ("laposte.desktop-webmail", "table-layout"),
}


def doiuse(html: str, clients: Iterable[str] = CLIENTS) -> dict[str, list[dict[str, str]]]:
    """doiuse.mjs's findings for `html`: {"errors": [...], "nodata": [...]}."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(JS / "doiuse.mjs"), *clients],
        input=html,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, list[dict[str, str]]] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def findings() -> dict[str, list[dict[str, str]]]:
    from typer.testing import CliRunner

    from lettre.cli import app

    result = CliRunner().invoke(
        app, ["compose", "-C", str(SAMPLES), "--week", "2025-06-13", "--format", "html"]
    )
    assert result.exit_code == 0, result.stderr
    return doiuse(result.stdout)


def _lines(found: Iterable[dict[str, Any]]) -> str:
    pairs = sorted({f"{f['client']}: {f['feature']} at {f['where']}" for f in found})
    return "\n".join(pairs)


def test_every_client_supports_what_the_letter_uses(findings: dict[str, Any]) -> None:
    unexpected = [f for f in findings["errors"] if not any(e.covers(f) for e in EXCEPTIONS)]
    assert not unexpected, "unsupported:\n" + _lines(unexpected)


def test_every_exception_is_still_needed(findings: dict[str, Any]) -> None:
    for exception in EXCEPTIONS:
        used = {f["client"] for f in findings["errors"] if exception.covers(f)}
        assert used == exception.clients, (exception.feature, sorted(exception.clients - used))


def test_pairs_without_data_are_the_known_ones(findings: dict[str, Any]) -> None:
    assert {(f["client"], f["feature"]) for f in findings["nodata"]} == NO_DATA
    # the clients themselves are checked for everything else
    checked = {f["client"] for f in findings["errors"]}
    assert {"thunderbird.macos", "laposte.desktop-webmail"} <= checked


def test_an_unsupported_feature_is_found() -> None:
    """The check can fail: flex, position and a <form> are caught where they fail."""
    html = (
        '<!DOCTYPE html><html><head></head><body><div style="display:flex;position:absolute">'
        "<form><p>Texte</p></form></div></body></html>"
    )
    found = doiuse(html, ["outlook.windows", "gmail.desktop-webmail"])
    features = {(f["client"], f["feature"]) for f in found["errors"]}
    assert ("outlook.windows", "display:flex") in features
    assert ("gmail.desktop-webmail", "position") in features
    assert ("outlook.windows", "<form> element") in features
