"""The archive in a real browser: every page of `lettre archive` on samples/, and its index.

Debian's headless Chromium, driven by Playwright, at a desktop mail client's width (600 px)
and a phone's (375 px): no horizontal scrolling, no console error, no network access but
for the letters' own images (served as placeholders of their size), every image with an
alt text, the "view online" link pointing at the page itself, index links that lead to
pages that exist.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

CHROMIUM = os.environ.get("LETTRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (600, 375)
WEB = "https://lettre.example.org/lettres/"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is not installed"
)
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"Chromium is not installed at {CHROMIUM}", allow_module_level=True)


class _Images(HTMLParser):
    """The <img> of a page: src → (width, height) as its attributes say."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: dict[str, tuple[int, int]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            a = dict(attrs)
            width = int(a["width"]) if (a.get("width") or "").isdigit() else 552
            height = int(a["height"]) if (a.get("height") or "").isdigit() else width * 2 // 3
            self.sizes[str(a.get("src"))] = (width, height)


def placeholder_png(width: int, height: int) -> bytes:
    """A flat PNG of the given size, standing for a hosted image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes((0xCA, 0xCA, 0xFB)) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from lettre.cli import app

    out = tmp_path_factory.mktemp("archive")
    result = CliRunner().invoke(app, ["archive", "-C", str(ROOT / "samples"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium, headless, with a fresh profile (never a downloaded browser)."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        try:
            context = playwright.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except sync_api.Error as err:  # pragma: no cover - depends on the machine
            pytest.fail(f"Chromium at {CHROMIUM} does not start: {err}")
        yield context
        context.close()


class Visit:
    """One page load: what the console said and what the page asked from the network."""

    def __init__(self, browser: Any, html: Path, width: int) -> None:
        self.console: list[str] = []
        self.requests: list[str] = []
        images = _Images()
        images.feed(html.read_text(encoding="utf-8"))
        self.images = images.sizes
        self.page = browser.new_page()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.on("pageerror", lambda err: self.console.append(str(err)))
        self.page.route("**/*", self._route)
        self.page.goto(html.as_uri(), wait_until="load")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
            return
        self.requests.append(url)
        if url in self.images:
            route.fulfill(
                status=200, content_type="image/png", body=placeholder_png(*self.images[url])
            )
        else:
            route.abort()

    def overflowing(self) -> list[str]:
        """The visible elements that reach past the window's right edge."""
        width = self.page.viewport_size["width"]
        result: list[str] = self.page.evaluate(
            """(width) => [...document.body.querySelectorAll('*')]
                .filter(e => e.getBoundingClientRect().right > width + 0.5
                             && getComputedStyle(e).display !== 'none')
                .map(e => e.tagName + '.' + e.className)""",
            width,
        )
        return result


PAGES = ["2021-07-30", "2025-05-23", "2025-05-30", "2025-06-06", "2025-06-13", "2025-06-20"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_letter_page(browser: Any, archive_dir: Path, name: str, width: int) -> None:
    visit = Visit(browser, archive_dir / f"{name}.html", width)
    try:
        page = visit.page
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert visit.overflowing() == []
        assert visit.console == []
        assert set(visit.requests) == set(visit.images)
        assert (
            page.eval_on_selector_all("img", "els => els.filter(e => !e.hasAttribute('alt'))") == []
        )
        assert page.eval_on_selector("html", "e => e.lang") == "fr"
        link = page.get_by_role("link", name="Voir la version en ligne")
        assert link.get_attribute("href") == f"{WEB}{name}.html"
        assert link.is_visible()
        assert (
            page.eval_on_selector("h1", "e => e.innerText")
            == "Lettre hebdomadaire de communication"
        )
    finally:
        visit.page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_index_page(browser: Any, archive_dir: Path, width: int) -> None:
    visit = Visit(browser, archive_dir / "index.html", width)
    try:
        page = visit.page
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert visit.overflowing() == []
        assert visit.console == [] and visit.requests == []
        font = page.eval_on_selector(
            "ul.titles li", "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert font >= 14
        hrefs = page.eval_on_selector_all("a.letter", "els => els.map(e => e.getAttribute('href'))")
        assert hrefs == [f"{n}.html" for n in reversed(PAGES)]
        assert all((archive_dir / h).is_file() for h in hrefs)
        page.get_by_role("link", name="Vendredi 13 juin 2025").click()
        page.wait_for_load_state("load")
        assert page.url == (archive_dir / "2025-06-13.html").as_uri()
        assert "Concours photo des armées" in page.inner_text("body")
    finally:
        visit.page.close()
