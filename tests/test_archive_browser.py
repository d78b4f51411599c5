"""The archive in a real browser: every page of `lettre archive` on samples/, and its index.

The letter pages go through the same checks as the e-mail in test_browser.py (its
Chromium, its `Visit` and its tests, at 600 and 375 px): no horizontal scrolling, a
container of 600 px at most, the preheader hidden, no console error, no network but for
the letters' own images. On top: every image has an alt text, every "view online" link
points at the page itself, the index's links lead to pages that exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import test_browser as email_test  # skips this module too when Chromium is missing
from conftest import ROOT
from test_browser import WIDTHS, Visit, browser

__all__ = ("browser",)  # the fixture, shared with the e-mail's browser test

WEB = "https://lettre.example.org/lettres/"
PAGES = ["2021-07-30", "2025-05-23", "2025-05-30", "2025-06-06", "2025-06-13", "2025-06-20"]


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from lettre.cli import app

    out = tmp_path_factory.mktemp("archive")
    result = CliRunner().invoke(app, ["archive", "-C", str(ROOT / "samples"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(
    scope="module",
    params=[(name, width) for name in PAGES for width in WIDTHS],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def visit(request: pytest.FixtureRequest, browser: Any, archive_dir: Path) -> Iterator[Visit]:
    name, width = request.param
    page = Visit(browser, archive_dir / f"{name}.html", WIDTHS[width])
    page.name = name  # type: ignore[attr-defined]
    yield page
    page.close()


def test_no_horizontal_scrolling(visit: Visit) -> None:
    email_test.test_no_horizontal_scrolling(visit)


def test_container_is_600_px_at_most_and_fluid_below(visit: Visit) -> None:
    email_test.test_container_is_600_px_at_most_and_fluid_below(visit)


def test_preheader_is_hidden(visit: Visit) -> None:
    email_test.test_preheader_is_hidden(visit)


def test_no_console_error_and_no_network(visit: Visit) -> None:
    assert visit.console == []
    assert set(visit.requests) == set(visit.images)
    loaded = visit.page.eval_on_selector_all(
        "img", "els => els.map(e => e.complete && e.naturalWidth > 0)"
    )
    assert all(loaded)


def test_every_title_and_image_is_shown(visit: Visit) -> None:
    width = visit.page.viewport_size["width"]
    boxes = visit.page.eval_on_selector_all(
        "h1, h2, h3, img",
        """els => els.map(e => {
            const r = e.getBoundingClientRect(), s = getComputedStyle(e);
            return {tag: e.tagName, alt: e.getAttribute('alt'), left: r.left, right: r.right,
                    height: r.height, hidden: s.visibility !== 'visible' || s.display === 'none'};
        })""",
    )
    assert [b["tag"] for b in boxes].count("H1") == 1
    for box in boxes:
        assert not box["hidden"] and box["height"] > 0, box
        assert box["left"] >= 0 and box["right"] <= width, box
        if box["tag"] == "IMG":
            assert box["alt"], box


def test_view_online_links_point_at_the_page_itself(visit: Visit) -> None:
    name = visit.name  # type: ignore[attr-defined]
    links = visit.page.get_by_role("link", name="Voir la version en ligne")
    assert links.count() >= 1
    for index in range(links.count()):
        assert links.nth(index).get_attribute("href") == f"{WEB}{name}.html"
    assert links.first.is_visible()
    assert visit.page.eval_on_selector("html", "e => e.lang") == "fr"


@pytest.mark.parametrize("width", WIDTHS.values())
def test_index_page(browser: Any, archive_dir: Path, width: int) -> None:
    visit = Visit(browser, archive_dir / "index.html", width)
    try:
        email_test.test_no_horizontal_scrolling(visit)
        page = visit.page
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
        visit.close()
