"""One `send` of a week at a time: a lock file in `state/` that a crash cannot leave stuck.

The lock is `flock` on `state/sent/YYYY-MM-DD.lock`, held by the open file: the kernel
releases it when the process ends, however it ends (SIGKILL, power cut). The file holds
the holder's PID and start time, so that a second `send` can name the first one.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from .errors import SendError
from .messages import _


class SendLock:
    """An exclusive lock on a file, taken at once or refused."""

    def __init__(self, path: Path, what: str):
        self.path, self.what = path, what
        self._fd: int | None = None

    def acquire(self, now: dt.datetime | None = None) -> None:
        """Take the lock, or SendError naming the process that holds it."""
        import fcntl  # POSIX only

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise SendError(
                _(
                    "{what} is being sent by {holder}: wait for it to finish, or stop it "
                    "(a second send would hand the same readers over twice)"
                ).format(what=self.what, holder=holder),
                self.path,
            ) from None
        except BaseException:
            os.close(fd)
            raise
        started = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {started}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the lock goes with the file description
            self._fd = None

    def __enter__(self) -> SendLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder(fd: int) -> str:
    """'process 1234 (started 2025-06-13T08:00:01+02:00)', read from the lock file."""
    for _attempt in range(20):  # the holder writes its PID just after taking the lock
        text = os.pread(fd, 200, 0).decode("ascii", "replace").split()
        if text:
            if len(text) > 1:
                return _("process {pid} (started {time})").format(pid=text[0], time=text[1])
            return _("process {pid}").format(pid=text[0])
        time.sleep(0.01)
    return _("another lettre process")
