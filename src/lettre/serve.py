"""`lettre serve`: the week's letter in the browser, composed again whenever a file is saved.

The page (serveview.py) is pure: the folder's files → what one week shows → its HTML. The
edges: a small HTTP server (servehttp.py, the standard library's), a file watcher and the
state it keeps current (servelive.py), Server-Sent Events that tell the open pages to
fetch the week again. This module starts them, and stops them on Ctrl-C.

Safe by default: it listens on 127.0.0.1 and refuses a Host header that is not its own
address (see servehttp.py).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, TextIO

from .files import printable
from .messages import _
from .servehttp import LOOPBACK_NAMES, allowed_names, bind
from .servelive import LiveLetters, watch

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


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

    server = bind(host, port)
    letters = LiveLetters(folder, locale, say, drafts)
    server.letters, server.first = letters, first
    server.names, server.every_ip = allowed_names(host)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(folder, letters, stop), daemon=True)

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
    import webbrowser  # only with --browser

    fd, name = tempfile.mkstemp(prefix=f"lettre-{day.isoformat()}-", suffix=".html")
    with os.fdopen(fd, "wb") as file:
        file.write(html.encode("utf-8"))
    path = Path(name)
    return path, webbrowser.open(path.as_uri())
