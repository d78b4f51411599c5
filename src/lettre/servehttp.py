"""The HTTP side of `lettre serve`: GET of the page, its assets, the letter and the event
stream, nothing else, and only for requests addressed to this server.

Safe by default: it answers GET only, serves the page, its two assets and the letter's own
HTML (never a file of the disk by its path), and refuses a Host header that is not its own
address, so that a web page elsewhere cannot read the letter through DNS rebinding.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import socketserver
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .errors import LettreError
from .messages import _
from .servelive import LiveLetters
from .serveview import ASSETS, View, asset, render_page

#: the names of this machine's loopback interface, always accepted in the Host header
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: seconds between two keep-alive comments on an event stream (a closed page is noticed)
HEARTBEAT = 15.0

_DAY = r"(\d{4}-\d{2}-\d{2})"
_PAGE = re.compile(rf"/{_DAY}")
_LETTER = re.compile(rf"/{_DAY}/letter\.html")
_IMAGE = re.compile(rf"/{_DAY}/images/([A-Za-z0-9._-]+)")

# The page: its own script and stylesheet, the letter in frames from this server, nothing else.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
# The letter: no script, as in a mail client; its styles and its (hosted) images.
LETTER_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' http: https: data:; "
    "font-src http: https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


# --- the Host header ---------------------------------------------------------------------


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or an address) is this machine's loopback interface."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def split_host(header: str) -> tuple[str, int | None] | None:
    """`name:port` of a Host header → (name, port); None when it is not one."""
    header = header.strip()
    if header.startswith("["):  # an IPv6 address: [::1]:8000
        name, bracket, rest = header[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    else:
        name, colon, port_text_ = header.partition(":")
        port_text = port_text_ if colon else None
    if port_text is not None and not (port_text.isascii() and port_text.isdigit()):
        return None
    name = name.lower().rstrip(".")
    if not name:
        return None
    return name, int(port_text) if port_text else None


def allowed_names(host: str) -> tuple[frozenset[str], bool]:
    """The names the Host header may give for a server bound to `host`, and whether any IP
    address is accepted too (a server on every interface is reached by all of them).

    A name that resolves to this machine only through someone else's DNS is never accepted:
    that is how a page elsewhere would reach the letter (DNS rebinding).
    """
    names = set(LOOPBACK_NAMES) | {host.lower().strip("[]").rstrip(".")}
    every = host in ("", "0.0.0.0", "::")
    if not is_loopback(host):
        names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(names), every


def host_allowed(header: str | None, names: frozenset[str], every: bool, port: int) -> bool:
    """Whether a request's Host header names this server (DNS-rebinding protection)."""
    parsed = split_host(header) if header else None
    if parsed is None:
        return False
    name, given = parsed
    if (given if given is not None else 80) != port:
        return False
    return name in names or name.endswith(".localhost") or (every and _is_ip(name))


# --- HTTP ----------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    letters: LiveLetters
    first: dt.date
    names: frozenset[str]
    every_ip: bool

    def server_bind(self) -> None:
        # HTTPServer's own asks the DNS for the host's full name: not needed, and slow offline
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """GET of the page, its assets, the letter's HTML and the event stream; nothing else."""

    server: _Server
    server_version = "lettre"
    sys_version = ""
    protocol_version = "HTTP/1.0"  # one request per connection: the event stream stays simple

    def __getattr__(self, name: str) -> Callable[[], None]:
        """`do_POST`, `do_PUT`, any method but GET: 405 Method Not Allowed."""
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the terminal shows what changed and what it gave."""

    def _not_allowed(self) -> None:
        self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Only GET: lettre serve only shows.\n",
                   extra={"Allow": "GET"})  # fmt: skip

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str = "text/plain; charset=utf-8",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found(self) -> None:
        self._send(HTTPStatus.NOT_FOUND, b"Not found: lettre serve shows letters, not files.\n")

    def do_GET(self) -> None:
        server = self.server
        if not host_allowed(self.headers.get("Host"), server.names, server.every_ip,
                            server.server_port):  # fmt: skip
            message = (
                b"Forbidden: lettre serve answers only to requests addressed to it (its own "
                b"address and port, or localhost): the Host header names another site.\n"
            )
            self._send(HTTPStatus.FORBIDDEN, message)
            return
        path = self.path.split("?", 1)[0]
        try:
            if path == "/":
                self._redirect(server.first)
            elif path in ASSETS:
                self._send(HTTPStatus.OK, asset(path), f"{ASSETS[path]}; charset=utf-8")
            elif path == "/events":
                self._events()
            elif match := _PAGE.fullmatch(path):
                self._page(match[1])
            elif match := _LETTER.fullmatch(path):
                self._letter(match[1])
            elif match := _IMAGE.fullmatch(path):
                self._image(match[1], match[2])
            else:
                self._not_found()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the page went away
        except Exception as err:  # a bug of lettre's: said, and the server goes on
            server.letters.log("".join(traceback.format_exception(err)).rstrip())
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"Internal error of lettre serve.\n")

    def _redirect(self, day: dt.date) -> None:
        self._send(HTTPStatus.FOUND, b"", extra={"Location": f"/{day.isoformat()}"})

    def _day(self, text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None

    def _view(self, text: str) -> View | None:
        """The view of a page's date; None (and a 404) for no date; a redirect when the date
        is not a publication day."""
        day = self._day(text)
        if day is None:
            self._not_found()
            return None
        try:
            view = self.server.letters.view(day)
        except OverflowError:  # the last days of the calendar have no publication day
            self._not_found()
            return None
        if view.day != day:
            self._redirect(view.day)
            return None
        return view

    def _page(self, text: str) -> None:
        view = self._view(text)
        if view is None:
            return
        page = render_page(view, self.server.letters.folder.resolve())
        self._send(
            HTTPStatus.OK,
            page.encode("utf-8"),
            "text/html; charset=utf-8",
            {"Content-Security-Policy": PAGE_POLICY, "X-Frame-Options": "DENY"},
        )

    def _letter(self, text: str) -> None:
        view = self._view(text)
        if view is None:
            return
        html = view.html
        if html is None:
            body = "".join(f"{p}\n" for p in view.problems).encode("utf-8", "replace")
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, body)
            return
        headers = {"Content-Security-Policy": LETTER_POLICY, "X-Frame-Options": "SAMEORIGIN"}
        self._send(HTTPStatus.OK, html, "text/html; charset=utf-8", headers)

    def _image(self, text: str, name: str) -> None:
        """A local photo of the letter, as lettre prepared it for e-mail."""
        view = self._view(text)
        if view is None:
            return
        photo = view.photo(name)
        if photo is None:
            self._not_found()
            return
        try:
            data = photo.read()
        except OSError:  # the cache was cleared meanwhile: the next composition makes it
            self._not_found()
            return
        self._send(HTTPStatus.OK, data, photo.mime)

    def _events(self) -> None:
        """Server-Sent Events: the folder's version now and after each change."""
        letters = self.server.letters
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        seen = ""
        version: str | None = letters.version
        while version is not None:
            if version != seen:
                self.wfile.write(f"event: version\ndata: {version}\n\n".encode())
                seen = version
            else:
                self.wfile.write(b": still here\n\n")
            version = letters.wait(seen, HEARTBEAT)


def bind(host: str, port: int) -> _Server:
    """The server listening on host:port (port 0: a free one); LettreError when it cannot."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)  # fmt: skip
    except (socket.gaierror, UnicodeError) as err:
        raise LettreError(
            _("--host {host}: no such address ({error})").format(host=host, error=err)
        ) from None
    family, _type, _proto, _name, address = infos[0]
    server_class = _Server6 if family == socket.AF_INET6 else _Server
    try:
        return server_class((str(address[0]), int(address[1])), _Handler)
    except OSError as err:
        raise LettreError(
            _(
                "cannot listen on {host}:{port}: {problem} (choose another with --port, or "
                "--port 0 for a free one)"
            ).format(host=host, port=port, problem=err.strerror or err)
        ) from None
