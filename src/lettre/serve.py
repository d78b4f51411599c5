"""`lettre serve`: the week's letter in the browser, composed again whenever a file is saved.

The core is pure: `week_view` (the folder's files → what the page shows for one week),
`render_page` (that view → the page's HTML) and `host_allowed` (the Host header rule). The
edges: a small HTTP server (the standard library's), a file watcher (watchfiles, imported
here only) and Server-Sent Events that tell the open pages to fetch the week again.

Safe by default: it listens on 127.0.0.1, answers GET only, serves the page, its two
assets and the letter's own HTML (never a file of the disk by its path), and refuses a
Host header that is not its own address, so that a web page elsewhere cannot read the
letter through DNS rebinding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import re
import secrets
import signal
import socket
import socketserver
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import ItemErrors, LettreError
from .files import printable
from .findings import Finding
from .messages import _, language, ngettext
from .resources import templates_dir
from .weeks import week_of

if TYPE_CHECKING:
    import jinja2  # heavy

    from .compose import Composed
    from .items import PreparedImage

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: the names of this machine's loopback interface, always accepted in the Host header
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: seconds between two keep-alive comments on an event stream (a closed page is noticed)
HEARTBEAT = 15.0
#: milliseconds without a new change before a batch of changes is reported
WATCH_STEP_MS = 50
#: the message's headers shown above the letter, in this order
SHOWN_HEADERS = (
    "From", "To", "Cc", "Bcc", "Reply-To", "Date", "Message-ID", "List-Id",
    "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Language",
)  # fmt: skip
WIDTHS = (("desktop", 600), ("phone", 375))
#: the composed weeks kept in memory (each holds its letter in every form)
KEPT_VIEWS = 16
ASSETS = {"/_lettre/serve.css": "text/css", "/_lettre/serve.js": "text/javascript"}

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


# --- what the page shows -------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """One week as the page shows it: the letter or what stops it, and the findings."""

    day: dt.date  # the letter's date, its publication day
    version: str  # the state of the folder it was composed from
    composed: Composed | None = None
    problems: tuple[str, ...] = ()  # what stops the letter, one line each, as the CLI says it
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0
    # the HTML part, its local photos pointed at this server (`cid:` and the archive's
    # address cannot show them): the e-mail's very bytes when the letter has none
    letter_html: str = ""

    @property
    def html(self) -> bytes | None:
        """The letter's HTML as the frames show it, or None when it cannot be composed."""
        return None if self.composed is None else self.letter_html.encode("utf-8")

    def photo(self, name: str) -> PreparedImage | None:
        """The prepared local photo of that name, if the letter shows it."""
        photos = self.composed.letter.photos if self.composed else ()
        return next((photo for photo in photos if photo.name == name), None)

    @property
    def tag(self) -> str:
        """A short digest of the HTML: the frames load it again only when it changed."""
        html = self.html
        return "" if html is None else hashlib.sha256(html).hexdigest()[:16]

    def summary(self) -> str:
        """One line for the server's log: what the page now shows."""
        if self.problems:
            if len(self.problems) == 1:
                return self.problems[0]
            return _("{problem} (and {count} more)").format(
                problem=self.problems[0], count=len(self.problems) - 1
            )
        errors = sum(f.severity == "error" for f in self.findings)
        warnings = len(self.findings) - errors
        return _("composed in {seconds:.2f} s: {errors}, {warnings}").format(
            seconds=self.seconds, errors=_count(errors, "error"),
            warnings=_count(warnings, "warning"),
        )  # fmt: skip


def _count(number: int, word: str) -> str:

    if word == "error":
        return ngettext("{count} error", "{count} errors", number).format(count=number)
    return ngettext("{count} warning", "{count} warnings", number).format(count=number)


def _lines(err: LettreError) -> tuple[str, ...]:
    """What the CLI prints after `Error: ` for `err`, one line per problem."""
    errors = err.errors if isinstance(err, ItemErrors) else [err]
    return tuple(str(e) for e in errors)


def _findings(err: LettreError) -> list[Finding]:
    errors = err.errors if isinstance(err, ItemErrors) else [err]
    return [Finding.from_error(e) for e in errors]


def week_view(
    folder: Path, locale: str | None, day: dt.date, version: str = "", *, drafts: bool = False
) -> View:
    """The letter of the week that ends on `day`, composed from the folder's files now.

    Only that week's files are read and checked (with `anniversaries.yaml`), as `lettre
    compose` reads them, then the letter is linted as `lettre check --week` does. A problem
    that stops the letter is in `problems`; a `day` that is not a publication day gives a
    view of the letter that holds it, with no composition (the caller redirects there).
    `drafts`: a proof, with the week's drafts marked (as `compose --drafts`).
    """
    from .check import week_findings  # heavy: the whole pipeline, once the server runs
    from .compose import compose, open_folder  # heavy: the whole pipeline, once the server runs
    from .index import week_items  # heavy (YAML)
    from .lint import lint  # heavy

    start = time.perf_counter()
    try:
        config = open_folder(folder, locale)
    except LettreError as err:
        return View(day, version, problems=_lines(err), findings=tuple(_findings(err)))
    week = week_of(day, config.publication_day)
    if week.end != day:
        return View(week.end, version)
    items, errors = week_items(config, week)
    if errors:  # as `lettre compose`: an unreadable item of the week (or undated) stops it
        problems = tuple(str(e) for e in errors)
        return View(day, version, problems=problems, findings=week_findings(config, items, errors))
    try:
        composed = compose(config, week, items=items, drafts=drafts)
    except LettreError as err:
        findings = week_findings(config, items, errors, _findings(err))
        return View(day, version, problems=_lines(err), findings=findings)
    findings = week_findings(config, items, errors, lint(composed, config))
    html = composed.web_html(lambda photo: f"/{day.isoformat()}/images/{photo.name}")
    return View(day, version, composed, (), findings, time.perf_counter() - start, html)


def neighbours(day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The dates of the previous and the next letter (None past the calendar's ends)."""
    week = dt.timedelta(days=7)
    previous = day - week if day > dt.date.min + week else None
    following = day + week if day < dt.date.max - week else None
    return previous, following


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2  # heavy

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir() / "serve")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # the page speaks the command line's language, looked up at each call
    environment.install_gettext_callables(_, ngettext, newstyle=False)  # type: ignore[attr-defined]
    return environment


def _shown(text: str) -> str:
    """A file name or message as text for the page: no control character, no lone surrogate."""

    return printable(text).encode("utf-8", "replace").decode("utf-8")


def headers_of(composed: Composed) -> list[tuple[str, str]]:
    """The message's headers shown above the letter, as a reader's client decodes them."""
    message = composed.message
    return [
        (name, " ".join(str(message[name]).split())) for name in SHOWN_HEADERS if name in message
    ]


def render_page(view: View, folder: Path) -> str:
    """The page of one week: letter frames, parts, headers, findings and the way around."""
    composed = view.composed
    letter = composed.letter if composed else None
    previous, following = neighbours(view.day)

    findings = [
        {
            "severity": f.severity,
            "severity_text": _("error") if f.severity == "error" else _("warning"),
            "where": _shown(f.location()),
            "message": _shown(f.message),
        }
        for f in view.findings
    ]
    errors = sum(f.severity == "error" for f in view.findings)
    context = {
        "version": view.version,
        "day": view.day.isoformat(),
        "folder": _shown(folder.name or str(folder)),
        "folder_path": _shown(str(folder)),
        "date_text": letter.date_text if letter else view.day.isoformat(),
        "title": letter.title if letter else "",
        "previous": previous.isoformat() if previous else None,
        "next": following.isoformat() if following else None,
        "problems": [_shown(p) for p in view.problems],
        "subject": letter.subject if letter else "",
        "preheader": letter.preheader if letter else "",
        "headers": headers_of(composed) if composed else [],
        "text": composed.text if composed else "",
        "findings": findings,
        "check": (
            _("lettre check: {errors}, {warnings}").format(
                errors=_count(errors, "error"), warnings=_count(len(findings) - errors, "warning")
            )
            if findings
            else _("lettre check: no problem")
        ),
        "ui_lang": language(),
        "widths": WIDTHS,
        "letter_url": f"/{view.day.isoformat()}/letter.html?v={view.tag}" if composed else "",
        "lang": letter.lang if letter else "",
    }
    return _environment().get_template("page.html.j2").render(**context)


@lru_cache(maxsize=len(ASSETS))
def asset(path: str) -> bytes:
    """The page's stylesheet or script, shipped with lettre."""

    return (templates_dir() / "serve" / path.rsplit("/", 1)[1]).read_bytes()


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


# --- the live state ----------------------------------------------------------------------


class LiveLetters:
    """The letters being served: each week composed once per state of the folder, and the
    pages waiting to hear that the folder changed."""

    def __init__(
        self,
        folder: Path,
        locale: str | None,
        log: Callable[[str], None],
        drafts: bool = False,
    ) -> None:
        self.folder = folder
        self.locale = locale
        self.drafts = drafts
        self.log = log
        self._composing = threading.Lock()
        self._changed = threading.Condition()
        self._token = secrets.token_hex(4)  # a restarted server is a new state for the pages
        self._count = 0
        self._views: dict[dt.date, View] = {}
        self._stopping = False

    @property
    def version(self) -> str:
        return f"{self._token}-{self._count}"

    def view(self, day: dt.date) -> View:
        """The week's view for the folder as it is now (composed again after a change)."""
        with self._composing:
            version = self.version
            cached = self._views.get(day)
            if cached is not None and cached.version == version:
                return cached
            try:
                view = week_view(self.folder, self.locale, day, version, drafts=self.drafts)
            except OverflowError:  # a week at the ends of the calendar: no such letter
                raise
            except Exception as err:  # a bug of lettre's must not stop the server
                self.log("".join(traceback.format_exception(err)).rstrip())
                problem = _("internal error of lettre: {error} (please report it)").format(
                    error=repr(err)
                )
                view = View(day, version, problems=(problem,))
            if view.day == day:
                self.log(f"{day.isoformat()}: {view.summary()}")
            self._views.pop(day, None)
            self._views[day] = view
            while len(self._views) > KEPT_VIEWS:  # the weeks looked at longest ago go
                del self._views[next(iter(self._views))]
            return view

    def changed(self, paths: Iterable[str]) -> None:
        """Files of the folder changed: every page must fetch its week again."""
        shown = sorted({_relative(p, self.folder) for p in paths})
        self.log("changed: " + ", ".join(shown[:5]) + (" …" if len(shown) > 5 else ""))
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait(self, seen: str, timeout: float) -> str | None:
        """The version once it is not `seen` (or `seen` after `timeout`); None when stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self.version != seen, timeout)
            return None if self._stopping else self.version

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()


def _relative(path: str, folder: Path) -> str:

    try:
        shown = os.path.relpath(path, folder.resolve())
    except ValueError:
        shown = path
    return printable(shown)


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


# --- running it ----------------------------------------------------------------------------


def _bind(host: str, port: int) -> _Server:
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


def url_of(host: str, port: int, day: dt.date) -> str:
    """The address to open: the loopback one when the server is on every interface."""
    shown = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/{day.isoformat()}"


def host_warning(host: str) -> str | None:
    """The warning printed when --host moves the server off the loopback address."""
    if host.lower() in LOOPBACK_NAMES:
        return None
    everywhere = host in ("", "0.0.0.0", "::")
    where = _("every interface of this machine") if everywhere else host
    return _(
        "Warning: --host {host}: serving on {where}, not on 127.0.0.1 only: anyone who can "
        "reach that address can read the letter while it is served"
    ).format(host=host, where=where)


def _watch(folder: Path, letters: LiveLetters, stop: threading.Event) -> None:
    """Report every change of the folder's files (not lettre's own `.lettre/` cache)."""
    import watchfiles  # heavy, optional

    ignored = watchfiles.DefaultFilter(
        ignore_dirs=(*watchfiles.DefaultFilter.ignore_dirs, ".lettre")
    )
    while not stop.is_set():
        try:
            for changes in watchfiles.watch(
                folder,
                watch_filter=ignored,
                stop_event=stop,
                step=WATCH_STEP_MS,
                raise_interrupt=False,
            ):
                letters.changed(path for _change, path in changes)
        except Exception as err:  # the folder removed, too many files to watch…
            letters.log(
                _("watching {folder} failed ({error}): trying again in 2 s").format(
                    folder=folder, error=err
                )
            )
            stop.wait(2.0)


def serve(
    folder: Path,
    locale: str | None,
    first: dt.date,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
    drafts: bool = False,
    out: TextIO | None = None,
    log: TextIO | None = None,
) -> None:
    """Serve the letters of `folder` from the one of `first` on, until Ctrl-C (or SIGTERM).

    The page's address goes to `out` (stdout), one line per change and composition to `log`
    (stderr).
    """
    out, log = out or sys.stdout, log or sys.stderr
    lock = threading.Lock()

    def say(message: str) -> None:

        with lock:
            stamp = dt.datetime.now().strftime("%H:%M:%S")
            log.write(f"{stamp} {printable(message)}\n")
            log.flush()

    server = _bind(host, port)
    letters = LiveLetters(folder, locale, say, drafts)
    server.letters, server.first = letters, first
    server.names, server.every_ip = allowed_names(host)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(folder, letters, stop), daemon=True)

    def terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # from here on, Ctrl-C and SIGTERM stop the server the same clean way
    previous = signal.signal(signal.SIGTERM, terminate)
    interrupt = signal.getsignal(signal.SIGINT)
    try:
        warning = host_warning(host)
        if warning:
            log.write(warning + "\n")
        url = url_of(host, server.server_address[1], first)
        out.write(url + "\n")
        out.flush()
        log.write(
            _("Serving {folder}: the page follows every saved file. Ctrl-C to stop.").format(
                folder=folder.resolve()
            )
            + "\n"
        )
        log.flush()
        watcher.start()
        # the first week composed ahead, while the browser opens: premailer's first run is slow
        threading.Thread(target=letters.view, args=(first,), daemon=True).start()
        if open_browser:
            import webbrowser  # only with --open

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping
        stop.set()
        letters.stop()
        server.server_close()
        if watcher.is_alive():
            watcher.join(timeout=2.0)
        log.write(_("stopped") + "\n")
        log.flush()
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, interrupt)


def open_in_browser(html: str, day: dt.date) -> tuple[Path, bool]:
    """`lettre preview --browser`: the HTML in a new temporary file, opened in the browser.

    The file is readable by its owner only; whether a browser was found is returned.
    """
    import webbrowser  # only with --open

    fd, name = tempfile.mkstemp(prefix=f"lettre-{day.isoformat()}-", suffix=".html")
    with os.fdopen(fd, "wb") as file:
        file.write(html.encode("utf-8"))
    path = Path(name)
    return path, webbrowser.open(path.as_uri())
