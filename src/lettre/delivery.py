"""`lettre send`'s options → one of its four ways: to every reader, one test message, a
dry run, or one posting to a list manager.

The command line parses the options and prints; what each way does is in send.py (one
message per reader), posting.py (the list) and sender.py (the sender command).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .config import Config
from .errors import ConfigError, SendError, UsageError
from .items import Week
from .messages import _, ngettext

if TYPE_CHECKING:
    from .journal import JournalState
    from .send import Plan, SendReport

Say = Callable[[str], None]


@dataclass(frozen=True)
class Delivery:
    """How `lettre send` goes, its options checked against each other and lettre.toml."""

    mode: Literal["list", "test", "dry-run", "readers"]
    via: tuple[str, ...]  # the sender command's arguments
    readers: Path | None = None  # the readers' CSV (not for the list)
    rate: float | None = None  # messages per second at most
    to: str | None = None  # the address of the test message


def choose(
    config: Config,
    *,
    readers: Path | None = None,
    via: str | None = None,
    rate: str | None = None,
    dry_run: bool = False,
    to: str | None = None,
    to_list: bool = False,
) -> Delivery:
    """The way `lettre send` goes with these options; UsageError for options that do not go
    together, ConfigError when lettre.toml names no readers and `--readers` is not given."""
    from .sender import parse_rate, parse_via

    argv = parse_via(via) if via else config.send.via
    if to_list or (readers is None and config.send.mode == "list"):
        if readers is not None or to is not None or dry_run:
            option = (
                "--readers" if readers is not None else "--to" if to is not None else "--dry-run"
            )
            raise UsageError(
                _("{option}: not with a posting to a list manager (--list)").format(option=option)
            )
        return Delivery("list", argv)
    readers_path = readers or config.readers_path
    if readers_path is None:
        raise ConfigError(
            _(
                'no readers: set [recipients] readers = "abonnes.csv" in lettre.toml, or give '
                "--readers"
            ),
            config.path,
        )
    per_second = parse_rate(rate) if rate else config.send.rate
    if to is not None:
        from .configvalues import is_address

        if not is_address(to.strip()):
            raise UsageError(_("--to: {address!r} is not an e-mail address").format(address=to))
        return Delivery("test", argv, readers_path, per_second, to)
    return Delivery("dry-run" if dry_run else "readers", argv, readers_path, per_second)


def post(config: Config, week: Week, delivery: Delivery, *, resend: bool, say: Say) -> str:
    """`lettre send --list`: one posting to the list manager, which fans out; what was done."""
    from .posting import post_to_list

    posting = post_to_list(config, week, delivery.via, resend=resend, say=say)
    return _("the letter of {day} posted to {address} through {command} in {seconds:.1f} s").format(
        day=week.end,
        address=posting.address,
        command=repr(" ".join(delivery.via)),
        seconds=posting.seconds,
    )


def _prepare(config: Config, week: Week, delivery: Delivery, wanted: list[str]) -> Plan:
    """send.prepare for the readers' CSV and the sender command of `delivery`."""
    from .send import prepare

    assert delivery.readers is not None
    return prepare(
        config,
        week,
        readers_path=delivery.readers,
        state_dir=config.state_dir,
        via=delivery.via,
        wanted=wanted,
    )


def send_test(config: Config, week: Week, delivery: Delivery) -> str:
    """`lettre send --to ADDRESS`: one message to that address alone (no journal, no lock);
    what was done."""
    from . import send as sending
    from .sender import hand_over
    from .tokens import load_secret

    assert delivery.to is not None
    plan = _prepare(config, week, delivery, [delivery.to])
    reader = sending.trial_reader(plan, delivery.to)
    personal = sending.personalise(plan, reader, load_secret(config.state_dir, create=True))
    hand_over(delivery.via, personal.data, reader)
    return _("test message handed to {command!r} for {address} ({message_id})").format(
        command=" ".join(delivery.via), address=reader.address, message_id=personal.message_id
    )


class DryRun:
    """`lettre send --dry-run`: who would receive what, without sending, locking or writing.

    `warnings` come first, then `lines()` (one per reader), then `summary()`.
    """

    def __init__(self, config: Config, week: Week, delivery: Delivery, resend: bool) -> None:
        self.config, self.week, self.delivery, self.resend = config, week, delivery, resend
        self.plan = _prepare(config, week, delivery, [])
        self.warnings = [_("Warning: {message}").format(message=w) for w in self.plan.warnings]
        self.counts = {"send": 0, "sent": 0, "unsubscribed": 0}

    def lines(self) -> Iterator[str]:
        from . import send as sending

        state = sending.read_state(self.config.state_dir, self.week)
        for row in sending.dry_run(self.plan, state, self.resend):
            self.counts[row.action] += 1
            reader = row.reader
            who = f"{reader.name} <{reader.address}>" if reader.name else reader.address
            if row.action == "send":
                locale = reader.locale or self.config.locale
                yield _("send  {who}  [{locale}]  {detail}").format(
                    who=who, locale=locale, detail=row.detail
                )
            elif row.action == "sent":
                yield _("skip  {who}  (already sent)").format(who=who)
            else:
                line = _("skip  {who}  (unsubscribed {date})").format(who=who, date=row.detail)
                yield line.replace(" )", ")")

    def summary(self) -> str:
        counts = self.counts
        return ngettext(
            "{send} message would be handed to {command!r}; {sent} already sent, "
            "{unsubscribed} unsubscribed (dry run: nothing sent, nothing written)",
            "{send} messages would be handed to {command!r}; {sent} already sent, "
            "{unsubscribed} unsubscribed (dry run: nothing sent, nothing written)",
            counts["send"],
        ).format(
            send=counts["send"],
            command=" ".join(self.delivery.via),
            sent=counts["sent"],
            unsubscribed=counts["unsubscribed"],
        )


def send_to_readers(
    config: Config, week: Week, delivery: Delivery, *, resend: bool, say: Say
) -> list[str]:
    """`lettre send`: one message per reader, under the week's lock, each recorded in the
    journal; what was done (a summary, then each reader skipped as unsubscribed)."""
    import signal

    from . import send as sending
    from .lock import SendLock
    from .tokens import load_secret

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # as Ctrl-C: the journal is written before lettre ends

    signal.signal(signal.SIGTERM, stop)
    state_dir = config.state_dir
    lock = SendLock(
        sending.lock_path(state_dir, week), _("the letter of {day}").format(day=week.end)
    )
    lock.acquire()  # before anything else: a second send refuses at once
    try:
        state = sending.read_state(state_dir, week)
        if state.finished and not resend:
            raise SendError(
                ngettext(
                    "the letter of {day} was already sent to {count} reader "
                    "(finished {finished}): add --resend to send it to everyone again",
                    "the letter of {day} was already sent to {count} readers "
                    "(finished {finished}): add --resend to send it to everyone again",
                    len(state.sent),
                ).format(day=week.end, count=len(state.sent), finished=state.finished),
                sending.journal_path_of(state_dir, week),
            )
        wanted = [state.in_doubt] if state.in_doubt else []
        plan = _prepare(config, week, delivery, wanted)
        for warning in plan.warnings:
            say(_("Warning: {message}").format(message=warning))
        secret = load_secret(state_dir, create=True)
        report = _run_with_progress(plan, state, secret, resend, delivery.rate, say)
    finally:
        lock.release()
    done = ngettext(
        "{sent} message handed to {command!r} in {seconds:.1f} s; "
        "{already} sent by an earlier run, {unsubscribed} unsubscribed",
        "{sent} messages handed to {command!r} in {seconds:.1f} s; "
        "{already} sent by an earlier run, {unsubscribed} unsubscribed",
        report.sent,
    ).format(
        sent=report.sent,
        command=" ".join(delivery.via),
        seconds=report.seconds,
        already=report.already,
        unsubscribed=len(report.unsubscribed),
    )
    skipped = [
        _("skipped {address} (unsubscribed)").format(address=address)
        for address in report.unsubscribed
    ]
    return [done, *skipped]


def _run_with_progress(
    plan: Plan, state: JournalState, secret: bytes, resend: bool, rate: float | None, say: Say
) -> SendReport:
    """send.run with a progress bar on a terminal: count, messages per second, time left."""
    from rich.progress import ProgressColumn, TimeRemainingColumn
    from rich.text import Text

    from .progress import progress_bar
    from .send import run

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(_("{speed:.1f} msg/s").format(speed=speed) if speed else _("… msg/s"))

    with progress_bar(_("Sending"), Rate(), TimeRemainingColumn()) as advance:
        return run(plan, state, secret, resend=resend, rate=rate, progress=advance, say=say)
