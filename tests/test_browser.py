"""The HTML letter in a real browser: Debian's headless Chromium, driven by Playwright.

The letter of 13 June 2025 is opened at a desktop mail client's width (600 px) and at a
phone's (375 px): no horizontal scrolling, every title visible, no console error, and no
network access but for the letter's own images, which the test serves as placeholders.
axe-core (npm, pinned in tests/js/package.json, installed by `.ci/run`) is injected into
the letter at both widths, in the light and the dark scheme, and every rule and bar must
keep a contrast of 3:1 with what surrounds it in both (WCAG 1.4.11).

The screenshots shown in the README are made by this test; to write them into docs/:

    LETTRE_SCREENSHOTS=docs python -m pytest tests/test_browser.py
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, skip_without

CHROMIUM = os.environ.get("LETTRE_CHROMIUM", "/usr/bin/chromium")
# NOTES.md: what headless Chromium needs as root in a container, and nothing from the network
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"desktop": 600, "phone": 375}
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
#: the axe-core rules that do not apply to an e-mail, with the reason
AXE_NOT_FOR_EMAIL = {
    "landmark-one-main": "a letter has no <main>: a mail client shows it inside its own page, "
    "whose landmarks are the client's; NOTES.md, axe-core 4.14 on an e-mail",
    "region": "the same: content outside landmarks is the rule in an e-mail, which has none",
}

try:
    from playwright import sync_api
except ImportError:
    skip_without("Playwright's Python package is not installed (pip install '.[test]')")
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    skip_without(f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")


class _Images(HTMLParser):
    """The <img> of a page: src → (width, height) as its attributes say."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: dict[str, tuple[int, int]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            a = dict(attrs)
            width = int(a.get("width") or 552)
            height = int(a.get("height") or width * 2 // 3)
            self.sizes[str(a.get("src"))] = (width, height)


def placeholder_png(width: int, height: int) -> bytes:
    """A flat PNG of the given size, in a light bleu France, standing for a hosted image."""

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
def letter_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML part of the sample letter of 13 June 2025, as `--format html` prints it."""
    from typer.testing import CliRunner

    from lettre.cli import app

    result = CliRunner().invoke(
        app, ["compose", "-C", str(ROOT / "samples"), "--week", "2025-06-13", "--format", "html"]
    )
    assert result.exit_code == 0, result.stderr
    path = tmp_path_factory.mktemp("browser") / "lettre-2025-06-13.html"
    path.write_text(result.stdout, encoding="utf-8")
    return path


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

    def __init__(
        self, browser: Any, html: Path, width: int, scheme: str = "light", images: bool = True
    ) -> None:
        self.load_images = images
        self.console: list[str] = []
        self.requests: list[str] = []
        images = _Images()
        images.feed(html.read_text(encoding="utf-8"))
        self.images = images.sizes
        self.page = browser.new_page()
        self.page.set_viewport_size({"width": width, "height": 900})
        self.page.emulate_media(color_scheme=scheme)
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
        if url in self.images and self.load_images:  # hosted images: a placeholder
            png = placeholder_png(*self.images[url])
            route.fulfill(status=200, content_type="image/png", body=png)
        else:  # anything else would be a network access the letter must not need
            route.abort()

    def close(self) -> None:
        self.page.close()


@pytest.fixture(params=[*WIDTHS, *(f"{name}-dark" for name in WIDTHS)], scope="module")
def visit(request: pytest.FixtureRequest, browser: Any, letter_html: Path) -> Iterator[Visit]:
    """The letter at each width, in the light and the dark scheme (screenshots in docs/)."""
    name, _, dark = request.param.partition("-")
    page = Visit(browser, letter_html, WIDTHS[name], scheme=dark or "light")
    yield page
    out = os.environ.get("LETTRE_SCREENSHOTS")
    target = letter_html.parent / f"lettre-{request.param}.png"
    page.page.screenshot(path=str(target), full_page=True)
    if out:
        folder = Path(out) if Path(out).is_absolute() else ROOT / out
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, folder / target.name)
    page.close()


def test_no_horizontal_scrolling(visit: Visit) -> None:
    width = visit.page.viewport_size["width"]
    scroll = visit.page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"
    overflowing = visit.page.evaluate(
        """(width) => [...document.body.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5
                         && getComputedStyle(e).display !== 'none')
            .map(e => e.tagName + '.' + e.className)""",
        width,
    )
    assert overflowing == []


def test_container_is_600_px_at_most_and_fluid_below(visit: Visit) -> None:
    width = visit.page.viewport_size["width"]
    container = visit.page.eval_on_selector(".container", "e => e.getBoundingClientRect().width")
    assert container == min(600, width)


def test_every_title_is_visible(visit: Visit) -> None:
    width = visit.page.viewport_size["width"]
    titles = visit.page.eval_on_selector_all(
        "h1, h2, h3",
        """els => els.map(e => {
            const r = e.getBoundingClientRect(), s = getComputedStyle(e);
            return {text: e.innerText.trim(), left: r.left, right: r.right, height: r.height,
                    hidden: s.visibility !== 'visible' || s.display === 'none'
                            || parseFloat(s.opacity) === 0,
                    clipped: e.scrollWidth > e.clientWidth + 1};
        })""",
    )
    # the title of the letter, 3 section titles and the 5 items of the week
    assert len(titles) == 9
    for title in titles:
        assert title["text"], title
        assert not title["hidden"] and not title["clipped"], title
        assert title["height"] > 0 and title["left"] >= 0 and title["right"] <= width, title


def test_preheader_is_hidden(visit: Visit) -> None:
    box = visit.page.eval_on_selector(".preheader", "e => e.getBoundingClientRect().height")
    assert box == 0


def test_no_console_error_and_no_network(visit: Visit) -> None:
    assert visit.console == []
    # only the letter's own images were asked for, and the test served them
    assert set(visit.requests) == set(visit.images)
    loaded = visit.page.eval_on_selector_all(
        "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
    )
    assert loaded and all(loaded)


@pytest.mark.parametrize("width", WIDTHS.values())
def test_images_off_keep_the_layout(browser: Any, letter_html: Path, width: int) -> None:
    """Outlook and many webmails block images until the reader allows them: the boxes
    they leave (with the alt text) must not widen the letter."""
    visit = Visit(browser, letter_html, width, images=False)
    try:
        assert visit.page.evaluate("document.documentElement.scrollWidth") <= width
        box = visit.page.eval_on_selector("img", "e => e.getBoundingClientRect().width")
        assert box <= min(width, 600) - 32
        assert visit.page.eval_on_selector("img", "e => e.naturalWidth") == 0  # not loaded
    finally:
        visit.close()


def test_dark_mode_is_applied(browser: Any, letter_html: Path) -> None:
    visit = Visit(browser, letter_html, 600, scheme="dark")
    try:
        colours = visit.page.evaluate(
            """() => [getComputedStyle(document.querySelector('.container')).backgroundColor,
                      getComputedStyle(document.querySelector('.title')).color]"""
        )
        assert colours == ["rgb(30, 30, 30)", "rgb(169, 169, 255)"]
        assert visit.console == []
    finally:
        visit.close()


HOSTILE_BODY = (
    "Une adresse sans espace : https://lettre.example.org/un/chemin/tres/long/qui/ne/se/coupe/"
    "jamais/de/lui-meme/index.html et un mot Anticonstitutionnellementissimementnationalement.\n"
    "\n"
    "![Une photo sans dimensions](https://lettre.example.org/images/grande.jpg)\n"
    "\n"
    "    du code préformaté, une ligne très longue qui dépasse largement la colonne du téléphone\n"
)


def test_hostile_content_stays_within_a_phone(
    browser: Any, make_folder: Any, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from conftest import item_text
    from lettre.cli import app

    title = "Titre-sans-espace-" * 6
    folder = make_folder(
        {
            "2025-06-10-x.md": item_text(
                title=title,
                body=HOSTILE_BODY,
                image="{src: 'https://lettre.example.org/i.jpg', alt: Grande, width: 2400}",
            )
        }
    )
    result = CliRunner().invoke(
        app, ["compose", "-C", str(folder), "-w", "2025-06-13", "-f", "html"]
    )
    assert result.exit_code == 0, result.stderr
    page = tmp_path / "hostile.html"
    page.write_text(result.stdout, encoding="utf-8")
    for images in (True, False):
        visit = Visit(browser, page, 375, images=images)
        try:
            assert visit.page.evaluate("document.documentElement.scrollWidth") <= 375
            assert visit.page.eval_on_selector("h3", "e => e.getBoundingClientRect().right") <= 375
        finally:
            visit.close()


@pytest.fixture(scope="module")
def letters(letter_html: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample letter in French and in English (its items then marked `lang="fr"`)."""
    from typer.testing import CliRunner

    from lettre.cli import app

    week = ["--week", "2025-06-13", "--format", "html", "--locale", "en_GB"]
    result = CliRunner().invoke(app, ["compose", "-C", str(ROOT / "samples"), *week])
    assert result.exit_code == 0, result.stderr
    english = tmp_path_factory.mktemp("browser-en") / "letter-en.html"
    english.write_text(result.stdout, encoding="utf-8")
    return {"fr": letter_html, "en_GB": english}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page: rule, impact and the first elements concerned."""
    if not AXE.is_file():
        skip_without("axe-core is not installed (npm ci --prefix tests/js)")
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')
                                                      + ': ' + n.failureSummary)}))"""
    )
    return found


@pytest.mark.parametrize(
    ("locale", "width", "scheme"),
    [("fr", w, s) for w in WIDTHS.values() for s in ("light", "dark")] + [("en_GB", 600, "light")],
)
def test_axe_finds_no_violation(
    browser: Any, letters: dict[str, Path], locale: str, width: int, scheme: str
) -> None:
    visit = Visit(browser, letters[locale], width, scheme=scheme)
    try:
        violations = axe_violations(visit.page)
        assert [v for v in violations if v["id"] not in AXE_NOT_FOR_EMAIL] == []
    finally:
        visit.close()


def test_axe_finds_what_it_should(browser: Any, tmp_path: Path) -> None:
    """The check can fail: an image without alt text and grey on grey are caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="fr"><head><title>x</title></head><body>'
        '<img src="https://lettre.example.org/i.png" width="10" height="10">'
        '<p style="color:#999;background:#aaa">Texte pâle</p></body></html>',
        encoding="utf-8",
    )
    visit = Visit(browser, page, 600)
    try:
        found = {v["id"] for v in axe_violations(visit.page)}
        assert {"image-alt", "color-contrast"} <= found
    finally:
        visit.close()


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2's relative luminance of an sRGB colour (0–255 channels)."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# every border drawn on the page, with the background inside the element and around it
# (the nearest ancestor's that is not transparent): a rule sits between both
RULES_JS = r"""() => {
  const rgb = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(parseFloat);
    return (p.length > 3 && p[3] === 0) ? null : p.slice(0, 3); };
  const background = e => { for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor); if (c) return c; }
    return [255, 255, 255]; };
  const found = [];
  for (const e of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(e), r = e.getBoundingClientRect();
    if (s.display === 'none' || r.width === 0 || r.height === 0) continue;
    for (const side of ['top', 'right', 'bottom', 'left']) {
      const width = parseFloat(s.getPropertyValue(`border-${side}-width`));
      const color = rgb(s.getPropertyValue(`border-${side}-color`));
      if (!width || s.getPropertyValue(`border-${side}-style`) === 'none' || !color) continue;
      found.push({element: e.classList[0] || e.tagName.toLowerCase(), side, width, color,
                  inside: background(e), around: background(e.parentElement)});
    }
  }
  return found;
}"""

RICH_BODY = (
    "Un paragraphe.\n\n> Une citation, sous un filet.\n\n---\n\nAprès la règle horizontale.\n"
)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_rules_and_bars_have_a_contrast_of_3_to_1(
    browser: Any, letter_html: Path, make_folder: Any, tmp_path: Path, scheme: str
) -> None:
    """WCAG 1.4.11: the header's bar, the red and grey rules, the quotes' bar, <hr>."""
    from typer.testing import CliRunner

    from conftest import item_text
    from lettre.cli import app

    folder = make_folder({"2025-06-10-x.md": item_text(body=RICH_BODY)})
    result = CliRunner().invoke(
        app, ["compose", "-C", str(folder), "-w", "2025-06-13", "-f", "html"]
    )
    assert result.exit_code == 0, result.stderr
    rich = tmp_path / "rich.html"
    rich.write_text(result.stdout, encoding="utf-8")
    seen = set()
    for page in (letter_html, rich):
        visit = Visit(browser, page, 600, scheme=scheme)
        try:
            rules = visit.page.evaluate(RULES_JS)
        finally:
            visit.close()
        for rule in rules:
            seen.add(rule["element"])
            low = min(
                contrast(rule["color"], rule["inside"]), contrast(rule["color"], rule["around"])
            )
            assert low >= 3, f"{scheme}: {rule} has a contrast of {low:.2f}:1"
    # the header's bar and rule, the sections' red rules, the rules between entries and
    # results, the footer's, the quote's bar and the horizontal rule were all measured
    assert {"header", "section-title", "entry", "rank", "footer", "blockquote", "hr"} <= seen
