"""The sender command: `--via` and `--rate` read, and a message handed over on its input.

lettre never speaks SMTP itself: a command such as `sendmail -t -oi` or `msmtp -t` takes
each message on its standard input, for `lettre send` (one per reader) and for the
posting to a list (posting.py).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO

from .errors import SendError, UsageError
from .messages import _

if TYPE_CHECKING:
    from .subscribers import Reader


def parse_rate(text: str) -> float:
    """`10`, `10/s`, `600/min`, `3600/h` → messages per second."""
    match = re.fullmatch(
        r"\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*(s|sec|second|min|minute|h|hour))?\s*", text
    )
    if not match or float(match[1].replace(",", ".")) <= 0:
        raise UsageError(
            _("--rate: {text!r} is not a rate (write 10/s, 600/min or 3600/h)").format(text=text)
        )
    per = {"min": 60, "minute": 60, "h": 3600, "hour": 3600}.get(match[2] or "s", 1)
    return float(match[1].replace(",", ".")) / per


def parse_via(text: str) -> tuple[str, ...]:
    """A sender command as its arguments (split like a shell would, run without one)."""
    try:
        argv = tuple(shlex.split(text))
    except ValueError as err:
        raise UsageError(
            _("--via: {text!r} is not a command ({problem})").format(
                text=text, problem=str(err).lower()
            )
        ) from None
    if not argv:
        raise UsageError(_("--via: the sender command is empty"))
    return argv


def _message_file(data: bytes) -> BinaryIO:
    """The message in an anonymous file, read from its start.

    The sender command reads it as its standard input: were lettre killed at that moment,
    the sender would still read the whole message, where from a pipe it would read up to
    the cut and could send half a letter (`sendmail -t -oi` takes the end of its input for
    the end of the message).
    """
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("lettre-message", os.MFD_CLOEXEC)
        handle: BinaryIO = os.fdopen(fd, "w+b")
    else:  # pragma: no cover (not Linux)
        import tempfile

        handle = tempfile.TemporaryFile()  # noqa: SIM115
    handle.write(data)
    handle.flush()
    handle.seek(0)
    return handle


def hand_over(via: Sequence[str], data: bytes, reader: Reader) -> None:
    """Run the sender command with the message on its standard input; SendError unless 0."""
    try:
        with _message_file(data) as message:
            done = subprocess.run(list(via), stdin=message, capture_output=True, check=False)
    except OSError as err:
        raise SendError(
            _("cannot run the sender command {command!r}: {problem}").format(
                command=shlex.join(via), problem=err.strerror or err
            )
        ) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
        said = " ".join(said.split())[:500] or _("(it said nothing)")
        code = done.returncode
        if code < 0:
            what = _(
                "the sender command {command!r} was killed by signal {signal} for {address}: "
                "{said}; this reader is not recorded as sent: fix the problem, then run "
                "'lettre send' again to go on from there"
            )
        else:
            what = _(
                "the sender command {command!r} exited with code {code} for {address}: "
                "{said}; this reader is not recorded as sent: fix the problem, then run "
                "'lettre send' again to go on from there"
            )
        raise SendError(
            what.format(
                command=shlex.join(via), signal=-code, code=code, address=reader.address, said=said
            )
        )
