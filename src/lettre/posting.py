"""List mode: the letter posted once to a list manager (Mailman 3, Sympa), which fans out.

The list manager owns the subscriptions: the message goes To its posting address, without
lettre's List-* headers, and keeps lettre's own Message-ID. The send journal records the
one posting, so that a second `lettre send --list` of the same week posts nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import ConfigError, SendError
from .items import Week
from .journal import Journal, journal_path, read_journal
from .lock import SendLock
from .messages import _

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


@dataclass(frozen=True)
class Posting:
    """What `post_to_list` did."""

    address: str
    message_id: str
    seconds: float
    again: bool = False  # an earlier posting may have reached the list (a crash)


def _seed(secret: bytes, week: Week, address: str) -> str:
    """The Message-ID's seed: the same letter posted again after a crash keeps its ID."""
    basis = f"list|{week.end.isoformat()}|{address.lower()}".encode()
    return hmac.new(secret, basis, hashlib.sha256).hexdigest()


def post_to_list(
    config: Config,
    week: Week,
    via: Sequence[str],
    *,
    resend: bool = False,
    now: dt.datetime | None = None,
    say: Callable[[str], None] | None = None,
) -> Posting:
    """Post the letter of `week` once to `[recipients] list` through the sender command."""
    from .compose import compose
    from .examples import require_ready
    from .message import as_bytes
    from .send import lock_path
    from .sender import hand_over
    from .subscribers import Reader
    from .tokens import load_secret

    say = say or (lambda message: None)
    target = config.list_address
    if target is None:
        raise ConfigError(
            _(
                'no list address: set [recipients] list = "hebdo@lists.example.org" in '
                "lettre.toml (the posting address of your list manager)"
            ),
            config.path,
            config.line_of("recipients"),
        )
    state_dir = config.state_dir
    lock = SendLock(lock_path(state_dir, week), _("the letter of {day}").format(day=week.end))
    lock.acquire()  # before anything else: a second send refuses at once
    try:
        path: Path = journal_path(state_dir, week.end)
        state = read_journal(path)
        if state.finished and not resend:
            raise SendError(
                _(
                    "the letter of {day} was already sent to the list {address} (finished "
                    "{when}): add --resend to post it again"
                ).format(day=week.end, address=target.address, when=state.finished),
                path,
            )
        again = bool(state.in_doubt) and not resend
        if again:
            say(
                _(
                    "Warning: the last posting to {address} stopped while it was being handed "
                    "over: the list may have it already; it is posted again with the same "
                    "Message-ID, which mail clients drop as a duplicate"
                ).format(address=target.address)
            )
        secret = load_secret(state_dir, create=True)
        composed = compose(config, week, now=now, seed=_seed(secret, week, target.address),
                           to_list=True)  # fmt: skip
        require_ready(config, composed.letter)  # no example, the photos online (#14)
        message_id = str(composed.message["Message-ID"])
        start = time.monotonic()
        journal = Journal(path)
        try:
            journal.record("start", resend=resend, content=message_id, readers=1, list=True)
            journal.record("handing", email=target.address, message_id=message_id)
            journal.commit()
            try:
                hand_over(via, as_bytes(composed.message), Reader(target.address, target.name))
            except SendError:
                journal.record("failed", email=target.address)
                raise
            journal.record("sent", email=target.address, message_id=message_id)
            journal.record("done", sent=1, unsubscribed=0)
        finally:
            journal.close()
        return Posting(target.address, message_id, time.monotonic() - start, again)
    finally:
        lock.release()
