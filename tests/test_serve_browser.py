"""`lettre serve` in a real browser: Debian's headless Chromium, driven by Playwright.

The server runs as a process in a copy of `samples/`; the page shows the letter of 13 June
2025 at 600 and 375 px; an item saved on disk reaches both frames, a broken one shows its
error in place of the letter, and the letter comes back when it is fixed.

The README's picture of the page is made here; to write it into docs/:

    LETTRE_SCREENSHOTS=docs python -m pytest tests/test_serve_browser.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from test_browser import CHROMIUM, CHROMIUM_ARGS, placeholder_png  # skips without Chromium
from test_serve import PHOTO, WEEK, Served, compose_error, copy_samples

from playwright.sync_api import expect, sync_playwright  # isort: skip (after the skip above)

# the title's end: the letter puts a no-break space before « : » and curls apostrophes
OLD_TITLE = "les lauréats récompensés"
NEW_TITLE = "plus que dix jours pour voir les photos"


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless (never a downloaded browser)."""
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as err:  # pragma: no cover - depends on the machine
            pytest.fail(f"Chromium at {CHROMIUM} does not start: {err}")
        yield chromium
        chromium.close()


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    """The page at a desktop's size, the letter's hosted images served as placeholders;
    every console error is kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.route(
        "https://lettre.example.org/**",
        lambda route: route.fulfill(
            status=200, content_type="image/png", body=placeholder_png(552, 368)
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url, wait_until="load")
    expect(page.locator("#status")).to_have_text("live", timeout=10_000)
    return page, errors


def frame_titles(page: Any, name: str) -> Any:
    return page.frame_locator(f"#frame-{name}").locator("h3")


def test_live_preview(browser: Any, tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    server = Served(folder)
    try:
        page, errors = open_page(browser, server.url)
        # both widths show the letter, without horizontal scrolling
        for name, width in (("desktop", 600), ("phone", 375)):
            titles = frame_titles(page, name)
            expect(titles.filter(has_text=OLD_TITLE)).to_have_count(1)
            sizes = page.evaluate(
                """(id) => {
                    const frame = document.getElementById(id);
                    const root = frame.contentDocument.documentElement;
                    return [frame.clientWidth, root.scrollWidth, root.clientWidth,
                            frame.contentDocument.querySelectorAll('h3').length];
                }""",
                f"frame-{name}",
            )
            assert sizes[0] == width and sizes[2] == width, sizes
            assert sizes[1] <= width, f"the letter is {sizes[1]} px wide in {width} px"
            assert sizes[3] == 5  # the five items of the week
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # the page too
        expect(page.locator("#envelope .subject")).to_contain_text(
            "Lettre hebdomadaire de communication du 13 juin 2025"
        )
        expect(page.locator("#findings h2")).to_have_text("lettre check: no problem")
        expect(page.locator("#problems")).to_be_hidden()
        screenshot(page)

        # an item's title saved on disk reaches both frames within 2 s
        item = folder / PHOTO
        good = item.read_text(encoding="utf-8")
        assert OLD_TITLE in good
        edited = good.replace(OLD_TITLE, NEW_TITLE)
        item.write_text(edited, encoding="utf-8")
        for name in ("desktop", "phone"):
            expect(frame_titles(page, name).filter(has_text=NEW_TITLE)).to_have_count(
                1, timeout=2_000
            )
        expect(page.locator("#text pre")).to_contain_text(NEW_TITLE)

        # broken YAML: its error, with file and line, in place of the letter
        item.write_text(edited.replace("kind: communique", "kind: communique: oui", 1), "utf-8")
        message = compose_error(folder)
        assert message.startswith(f"{PHOTO}:3: ")
        expect(page.locator("#problems")).to_be_visible(timeout=2_000)
        expect(page.locator("#problems li")).to_have_text([message])
        expect(page.locator("#frames")).to_be_hidden()
        expect(page.locator("#findings li.error").first).to_contain_text(message.split(": ")[0])

        # fixed: the letter comes back, with the new title
        item.write_text(edited, encoding="utf-8")
        expect(page.locator("#frames")).to_be_visible(timeout=2_000)
        expect(page.locator("#problems")).to_be_hidden()
        for name in ("desktop", "phone"):
            expect(frame_titles(page, name).filter(has_text=NEW_TITLE)).to_have_count(1)

        # the way to the next letter
        page.locator("#next").click()
        page.wait_for_url(server.url.replace(WEEK, "2025-06-20"))
        expect(page.locator("#envelope .subject")).to_contain_text("20 juin 2025")
        assert errors == []  # no CSP violation, no failed request, no script error
        assert server.process.poll() is None  # still alive
    finally:
        assert server.stop() == 0, server.stderr()
    assert "Traceback" not in server.stderr()


def screenshot(page: Any) -> None:
    """The page as the README shows it, when LETTRE_SCREENSHOTS names a folder."""
    out = os.environ.get("LETTRE_SCREENSHOTS")
    if not out:
        return
    folder = Path(out) if Path(out).is_absolute() else ROOT / out
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "lettre-serve.png"))
