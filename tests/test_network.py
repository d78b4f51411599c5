"""No network, ever, while composing: not for a <link> stylesheet, an @import or an image."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import item_text
from lettre.render import environment
from lettre.resources import templates_dir


class NetworkAttempt(OSError):
    """Raised (and recorded) when code under test tries to reach the network, as offline."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every connection and name lookup fail, and record each attempt."""
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., object]:
        def refused(*args: object, **kwargs: object) -> object:
            shown = next((a for a in args if not isinstance(a, socket.socket)), "")
            attempts.append(f"{name}{shown!r}")
            raise NetworkAttempt(f"network access attempted: {name} {shown!r}")

        return refused

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def test_the_guard_catches_a_connection(no_network: list[str]) -> None:
    with pytest.raises(OSError):  # urllib wraps the refusal into a URLError
        urllib.request.urlopen("https://cdn.example.net/theme.css", timeout=1)
    assert no_network, "the guard must see the attempt"


def test_composing_with_external_stylesheets_and_images_never_connects(  # type: ignore[no-untyped-def]
    run, make_folder: Callable[..., Path], no_network: list[str]
) -> None:
    image = "{src: 'https://cdn.example.net/photo.jpg', alt: Une photo}"
    body = "![Une image](https://cdn.example.net/b.png) et [un lien](https://www.example.net/)."
    folder = make_folder({"2025-06-10-photo.md": item_text(body=body, image=image)})
    templates = folder / "templates"
    templates.mkdir()
    packaged = (templates_dir() / "letter.html.j2").read_text(encoding="utf-8")
    (templates / "letter.html.j2").write_text(
        packaged.replace(
            "<style>",
            '<link rel="stylesheet" href="https://cdn.example.net/theme.css">\n'
            '<link rel="stylesheet" href="//cdn.example.net/protocol-relative.css">\n<style>',
        ),
        encoding="utf-8",
    )
    (templates / "style.css").write_text(
        '@import url("https://cdn.example.net/imported.css");\n'
        '@import "//cdn.example.net/other.css";\n'
        "body { background: url(https://cdn.example.net/fond.png); }\n"
        ".title { color: #000091; }\n",
        encoding="utf-8",
    )
    environment.cache_clear()
    result = run("compose", "-C", folder, "--week", "2025-06-13", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert no_network == []
    html = result.stdout
    assert '<h1 class="title" style="color:#000091">' in html  # the local CSS is inlined
    assert '<img src="https://cdn.example.net/photo.jpg" alt="Une photo"' in html


def test_every_format_is_composed_offline(  # type: ignore[no-untyped-def]
    run, samples: Path, no_network: list[str], tmp_path: Path
) -> None:
    result = run("compose", "-C", samples, "--week", "2025-06-13", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "out").iterdir())) == 4
    assert no_network == []
