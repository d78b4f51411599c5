"""The live state of `lettre serve`: each week composed once per state of the folder, the
watcher that notices a saved file, and the pages waiting to hear of it.

The watcher (watchfiles, imported here only) bumps the folder's version; a page's event
stream (servehttp.py) waits for it, and the next request composes the week again.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

from .files import printable
from .messages import _
from .serveview import View, week_view

#: milliseconds without a new change before a batch of changes is reported
WATCH_STEP_MS = 50
#: the composed weeks kept in memory (each holds its letter in every form)
KEPT_VIEWS = 16


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


def watch(folder: Path, letters: LiveLetters, stop: threading.Event) -> None:
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
