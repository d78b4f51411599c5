"""Local photos as a reader sees them: the composed e-mail in headless Chromium.

Publish mode: the HTML part of the message, its photos served from the folder that
`lettre archive --out` wrote, at the archive's address. Embed mode: the HTML part with each
`cid:` link replaced by the inline part it names (as a mail client does), as a data: URI.
At a phone's width (375 px) and a desktop client's (600 px), every photo is loaded, shown
at the column's width with its proportions, and nothing is wider than the window.
"""

from __future__ import annotations

import base64
import email
import email.policy
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from test_browser import WIDTHS, browser  # noqa: F401  # the module skips without Chromium
from test_images import EMBED, WEEK, photo_folder

ARCHIVE_URL = "https://lettre.example.org/lettres/"


def _message(run: Any, folder: Path) -> EmailMessage:
    result = run("compose", "-C", folder, "--week", WEEK)
    assert result.exit_code == 0, result.stderr
    message = email.message_from_bytes(result.stdout_bytes, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def _open(browser: Any, page_file: Path, width: int, serve: dict[str, bytes]) -> Any:  # noqa: F811
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    asked: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(("file:", "data:")):
            request_route.continue_()
            return
        asked.append(url)
        if url in serve:
            request_route.fulfill(status=200, content_type="image/jpeg", body=serve[url])
        else:
            request_route.abort()

    page.route("**/*", route)
    page.goto(page_file.as_uri(), wait_until="load")
    page.asked = asked
    return page


def _photos_shown(page: Any, width: int) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = page.eval_on_selector_all(
        "img",
        """els => els.map(e => { const r = e.getBoundingClientRect();
            return {complete: e.complete, natural: [e.naturalWidth, e.naturalHeight],
                    box: [r.width, r.height], left: r.left, right: r.right}; })""",
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    return shown


def _check(shown: list[dict[str, Any]], width: int, count: int) -> None:
    assert len(shown) == count
    for photo in shown:
        assert photo["complete"] and photo["natural"] == [1200, 1600], photo
        box_width, box_height = photo["box"]
        assert 0 < box_width <= min(width, 600) and photo["right"] <= width, photo
        assert abs(box_height - box_width * 4 / 3) <= 2, photo  # proportions kept


@pytest.mark.parametrize("width", WIDTHS.values())
def test_published_photos_are_shown_from_the_archive(
    browser: Any,  # noqa: F811
    run: Any,
    make_folder: Callable[..., Path],
    tmp_path: Path,
    width: int,
) -> None:
    folder = photo_folder(make_folder, count=2)
    html = _html(_message(run, folder))
    out = tmp_path / "public"
    assert run("archive", "-C", folder, "--out", out).exit_code == 0
    serve = {ARCHIVE_URL + f"images/{p.name}": p.read_bytes() for p in (out / "images").iterdir()}
    page_file = tmp_path / "message.html"
    page_file.write_text(html, encoding="utf-8")
    page = _open(browser, page_file, width, serve)
    try:
        _check(_photos_shown(page, width), width, 2)
        assert sorted(page.asked) == sorted(serve)  # the photos, from the archive, and nothing else
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS.values())
def test_embedded_photos_are_shown_from_their_parts(
    browser: Any,  # noqa: F811
    run: Any,
    make_folder: Callable[..., Path],
    tmp_path: Path,
    width: int,
) -> None:
    folder = photo_folder(make_folder, EMBED, count=2)
    message = _message(run, folder)
    parts = {
        str(part["Content-ID"]).strip("<>"): part
        for part in message.iter_parts()
        if part.get_content_maintype() == "image"
    }

    def as_data(match: re.Match[str]) -> str:
        part = parts[match[1]]  # a KeyError here is a cid: that resolves to nothing
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        return f'src="data:{part.get_content_type()};base64,{base64.b64encode(data).decode()}"'

    html, count = re.subn(r'src="cid:([^"]+)"', as_data, _html(message))
    assert count == 2
    page_file = tmp_path / "message.html"
    page_file.write_text(html, encoding="utf-8")
    page = _open(browser, page_file, width, {})
    try:
        _check(_photos_shown(page, width), width, 2)
        assert page.asked == []  # an embedded letter needs no server
    finally:
        page.close()
