"""The one-click unsubscribe endpoint (RFC 8058), as a WSGI application.

- POST with `List-Unsubscribe=One-Click` and a valid `a`/`t` pair: the address joins the
  suppression file (under a file lock), 200.
- GET (and HEAD): a confirmation page whose button POSTs; nothing changes, so that link
  scanners and previews unsubscribe no one.
- A token that does not match its address: 403, nothing changes.

Deploy it on the host where `lettre send` runs (it writes the suppression file `send`
reads): `gunicorn 'lettre.web:make_app("/srv/lettre")'`, or `lettre.web:unsubscribe_app`
with the folder in `LETTRE_DIR` (the process environment, or the WSGI environ, as
mod_wsgi's `SetEnv` gives it).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from .configvalues import is_address
from .errors import LettreError
from .i18n import typeset_gettext
from .messages import _
from .subscribers import read_suppression, suppress
from .tokens import decode_address, load_secret, valid

if TYPE_CHECKING:
    from .config import Config

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

FOLDER_ENV = "LETTRE_DIR"
MAX_BODY = 64 * 1024

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("X-Robots-Tag", "noindex"),
    ("Referrer-Policy", "no-referrer"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    ),
]


@dataclass(frozen=True)
class Site:
    """What the endpoint needs of a newsletter folder, read once."""

    title: str
    locale: str
    timezone: str
    sender: str
    list_id: str
    secret: bytes
    suppression: Path


@lru_cache(maxsize=8)
def site_of(folder: Path) -> Site:
    """The folder's settings and secret (a LettreError when they cannot be read)."""
    from .compose import open_folder  # heavy: at start-up only
    from .message import list_ident  # heavy (email): at start-up only
    from .send import suppression_path  # heavy: at start-up only

    config = open_folder(folder)
    state_dir = config.state_dir
    return Site(
        config.title,
        config.locale,
        config.timezone,
        config.sender.address,
        list_ident(config),
        load_secret(state_dir),
        suppression_path(state_dir),
    )


def unsubscribe_by_hand(config: Config, target: str) -> str:
    """`lettre unsubscribe`: the address (or that of a personal link, its token checked)
    joins the suppression file; what was done."""
    from .compose import now_in
    from .configvalues import is_address
    from .errors import UsageError
    from .message import list_ident
    from .messages import _
    from .send import suppression_path
    from .subscribers import suppress
    from .tokens import load_secret, parse_link, valid

    state_dir = config.state_dir
    link = parse_link(target)
    if link is not None:
        address, given = link
        if not valid(load_secret(state_dir), list_ident(config), address, given):
            raise UsageError(
                _(
                    "this link's token does not match its address ({address}): it was not made "
                    "by this folder's secret, or it was altered"
                ).format(address=address)
            )
    elif is_address(target.strip()):
        address = target.strip()
    else:
        raise UsageError(
            _("{target!r} is neither an e-mail address nor an unsubscribe link").format(
                target=target
            )
        )
    path = suppression_path(state_dir)
    if suppress(path, address, "lettre unsubscribe", now_in(config)):
        return _("{address} unsubscribed ({path})").format(address=address, path=path)
    return _("{address} was already unsubscribed ({path})").format(address=address, path=path)


def make_app(folder: Path | str) -> WSGIApp:
    """The endpoint of one newsletter folder."""
    path = Path(folder).resolve()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return _answer(path, environ, start_response)

    return app


def unsubscribe_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The endpoint of the folder named by `LETTRE_DIR` (WSGI environ, else the process's)."""
    folder = environ.get(FOLDER_ENV) or os.environ.get(FOLDER_ENV)
    if not folder:
        _log(
            environ,
            _("lettre: set {variable} to the newsletter folder").format(variable=FOLDER_ENV),
        )
        return _page(start_response, "500 Internal Server Error", "en", "Error", "")
    return _answer(Path(folder).resolve(), environ, start_response)


def _answer(folder: Path, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """The response; to HEAD, without its body."""
    body = _respond(folder, environ, start_response)
    return [] if str(environ.get("REQUEST_METHOD", "")).upper() == "HEAD" else body


def _log(environ: dict[str, Any], message: str) -> None:
    stream = environ.get("wsgi.errors") or sys.stderr
    stream.write(message + "\n")
    stream.flush()


def _page(
    start_response: StartResponse, status: str, lang: str, title: str, body: str
) -> list[bytes]:
    document = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;"
        "padding:0 1em;color:#161616}button{font:inherit;padding:.5em 1.2em;"
        "background:#000091;color:#fff;border:0;cursor:pointer}</style>\n"
        f"</head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}</body>\n</html>\n"
    ).encode()
    start_response(status, [*HEADERS, ("Content-Length", str(len(document)))])
    return [document]


def _one_click(environ: dict[str, Any]) -> bool:
    """True when the POST body says `List-Unsubscribe=One-Click` (form-encoded or multipart)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if not 0 < length <= MAX_BODY:
        return False
    body = environ["wsgi.input"].read(length)
    kind = str(environ.get("CONTENT_TYPE", "")).lower()
    if kind.startswith("multipart/form-data"):
        return b'name="List-Unsubscribe"' in body and b"One-Click" in body
    fields = parse_qs(body.decode("latin-1"))
    return fields.get("List-Unsubscribe") == ["One-Click"]


def _respond(folder: Path, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    try:
        site = site_of(folder)
    except LettreError as err:
        _log(environ, f"lettre: {err}")
        return _page(start_response, "500 Internal Server Error", "en", "Error", "")
    _ = typeset_gettext(site.locale)[0]
    lang = site.locale.split("_")[0]
    title = _("Unsubscribe")
    method = environ.get("REQUEST_METHOD", "GET").upper()
    if method not in ("GET", "HEAD", "POST"):
        start_response("405 Method Not Allowed", [("Allow", "GET, HEAD, POST"), *HEADERS])
        return []
    params = parse_qs(environ.get("QUERY_STRING", ""))
    encoded = params.get("a", [""])[0]
    given = params.get("t", [""])[0]
    address = decode_address(encoded) if encoded else None
    if (
        address is None
        or not is_address(address)
        or not valid(site.secret, site.list_id, address, given)
    ):
        message = _(
            "This unsubscribe link is not valid. Use the link of a letter you received, "
            "or write to %(address)s."
        ) % {"address": site.sender}
        status = "403 Forbidden" if address else "400 Bad Request"
        return _page(start_response, status, lang, title, f"<p>{html.escape(message)}</p>\n")
    done = _("%(address)s is unsubscribed: it will no longer receive “%(title)s”.") % {
        "address": address,
        "title": site.title,
    }
    done_page = f"<p>{html.escape(done)}</p>\n"
    try:
        if method == "POST":
            if not _one_click(environ):
                message = _("This request does not say List-Unsubscribe=One-Click.")
                return _page(
                    start_response,
                    "400 Bad Request",
                    lang,
                    title,
                    f"<p>{html.escape(message)}</p>\n",
                )

            now = dt.datetime.now(ZoneInfo(site.timezone))
            suppress(site.suppression, address, "one-click", now)
            return _page(start_response, "200 OK", lang, title, done_page)
        if site.suppression.exists() and address.lower() in read_suppression(site.suppression):
            return _page(start_response, "200 OK", lang, title, done_page)
    except LettreError as err:
        _log(environ, f"lettre: {err}")
        return _page(start_response, "500 Internal Server Error", lang, "Error", "")
    question = _("Stop sending “%(title)s” to %(address)s?") % {
        "title": site.title,
        "address": address,
    }
    action = html.escape(f"?a={encoded}&t={given}")
    form = (
        f"<p>{html.escape(question)}</p>\n"
        f'<form method="post" action="{action}">\n'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">\n'
        f'<button type="submit">{html.escape(title)}</button>\n</form>\n'
    )
    return _page(start_response, "200 OK", lang, title, form)


def serve(folder: Path, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve the endpoint with wsgiref until interrupted (for tests and trials)."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server  # only for a local server

    class Handler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    site_of(folder.resolve())  # a missing secret or a broken lettre.toml fails now
    with make_server(host, port, make_app(folder), handler_class=Handler) as server:
        ready(f"http://{host}:{server.server_port}/")
        server.serve_forever()
