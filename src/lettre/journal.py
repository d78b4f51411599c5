"""The send journal, `state/sent/YYYY-MM-DD.jsonl`: what makes each send exactly-once.

One JSON object per line, appended, flushed and fsynced:

- `start`   a run begins (`resend: true` starts the week over);
- `handing` a reader's message is about to go to the sender command;
- `sent`    the sender command exited 0 for that reader;
- `failed`  it did not (the reader is not sent; the next run tries again);
- `dropped` a reader left in doubt is no longer to be sent (unsubscribed, or gone);
- `done`    every reader was handled.

The `sent` of one reader is written together with the `handing` of the next, in one
write and one fsync, before that next message is handed over. A crash (SIGKILL, a power
cut) can therefore leave at most one reader whose `handing` has no answer: the one in
doubt, who may or may not have received the letter.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import LettreError
from .files import os_problem
from .messages import _
from .subscribers import address_key


@dataclass(frozen=True)
class JournalState:
    """What the journal says of a week: who is sent, who is in doubt, whether it is done."""

    sent: frozenset[str]  # address keys
    in_doubt: str | None = None  # the address being handed over when a run stopped
    in_doubt_id: str | None = None  # its Message-ID
    finished: str | None = None  # when the last run ended, if it ended
    runs: int = 0
    content: str | None = None  # the digest of the letter the first run of the round sent


def journal_path(state_dir: Path, day: dt.date) -> Path:
    return state_dir / "sent" / f"{day.isoformat()}.jsonl"


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        return
    except OSError as err:
        raise LettreError(os_problem(err, path), path) from None
    with handle:  # line by line: a journal of 10,000 readers is not held in memory
        for number, line in enumerate(handle, start=1):
            record = _record(line, path, number)
            if record is not None:
                yield number, record


def _record(raw: bytes, path: Path, number: int) -> dict[str, Any] | None:
    """One line of the journal, or None for a blank line or one cut short by a crash."""
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
        if not isinstance(record, dict) or not isinstance(record.get("event"), str):
            raise ValueError("not a journal record")
    except ValueError:
        if not raw.rstrip().endswith(b"}"):
            return None  # a line cut short by a crash: that record never happened
        raise LettreError(
            _("the send journal is damaged here (edit nothing in it by hand)"), path, number
        ) from None
    return record


def read_journal(path: Path) -> JournalState:
    """Replay the journal of one week."""
    sent: set[str] = set()
    pending: tuple[str, str | None] | None = None
    finished: str | None = None
    runs = 0
    content: str | None = None
    for _number, record in _records(path):
        event = record["event"]
        address = str(record.get("email", ""))
        if event == "start":
            runs += 1
            finished = None
            if record.get("resend"):
                sent.clear()
                content = None
            if content is None:
                content = record.get("content")
        elif event == "handing":
            pending = (address, record.get("message_id"))
        elif event in ("sent", "failed", "dropped"):
            if event == "sent":
                sent.add(address_key(address))
            if pending is not None and address_key(pending[0]) == address_key(address):
                pending = None
        elif event == "done":
            finished = str(record.get("at", ""))
    return JournalState(
        frozenset(sent),
        pending[0] if pending else None,
        pending[1] if pending else None,
        finished,
        runs,
        content,
    )


class Journal:
    """The journal of one week, open for appending; `commit` makes the records durable."""

    def __init__(self, path: Path):
        self.path = path
        self._pending: list[bytes] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        size = os.fstat(self._fd).st_size
        if size:
            with open(path, "rb") as handle:
                handle.seek(size - 1)
                if handle.read(1) != b"\n":  # a line cut short by a crash: start a new one
                    self._pending.append(b"\n")
        if new:  # the file's name must survive a power cut too
            _fsync_dir(path.parent)

    def record(self, event: str, now: dt.datetime | None = None, **fields: Any) -> None:
        """Add a record; it is written at the next `commit`."""
        at = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="milliseconds")
        line = json.dumps({"event": event, "at": at, **fields}, ensure_ascii=False)
        self._pending.append(line.encode("utf-8") + b"\n")

    def commit(self) -> None:
        """Write the records added since the last commit in one write, then fsync."""
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        _sync(self._fd)

    def close(self) -> None:
        try:
            self.commit()
        finally:
            os.close(self._fd)


def _sync(fd: int) -> None:
    """The data on disk (and the size it needs): fdatasync where there is one."""
    (getattr(os, "fdatasync", None) or os.fsync)(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
