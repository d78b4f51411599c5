"""`lettre send`: one message per reader, each with its own unsubscribe link, exactly once.

The letter is composed once per locale (the CSS inlined once), with slots where a reader's
values go: `reader.*` of the templates and the address and token of the personal
unsubscribe URL. Each slot is a word made of a random nonce, which no content can hold
and which no step of the composition changes (Jinja's escaping, premailer, wrapping).
Personalising is then string work: the slots are replaced by the reader's values (escaped
for the HTML), and the message is assembled from bytes (message.reader_message).
"""

from __future__ import annotations

import hashlib
import hmac
import html as html_lib
import os
import re
import secrets
import shlex
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import DEFAULT_VIA, Address, Config
from .errors import LettreError, SendError, TemplateError
from .items import Letter, Week
from .journal import Journal, JournalState, journal_path, read_journal
from .message import Frame, list_ident, reader_frame, reader_message, unsubscribe_header
from .messages import _, ngettext
from .sender import hand_over
from .subscribers import (
    Reader,
    ReadersFile,
    Suppression,
    check_readers,
    iter_readers,
)
from .tokens import encode_address, personal_mailto, personal_url, token

SUPPRESSION_NAME = "unsubscribed.csv"
#: the slots of the personal unsubscribe URL (not columns: a column name has no '#')
ADDRESS_SLOT, TOKEN_SLOT = "#a", "#t"


def suppression_path(state_dir: Path) -> Path:
    """`state/unsubscribed.csv`: the addresses that asked to leave, and when."""
    return state_dir / SUPPRESSION_NAME


# --- composing once per locale ---------------------------------------------------------------


class _Slots:
    """Words that stand for a reader's values until the letter is composed."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(12)
        self.names: list[str] = []
        self.pattern = re.compile(f"lettre{self.nonce}x([0-9]+)y")

    def slot(self, name: str) -> str:
        if name not in self.names:
            self.names.append(name)
        return f"lettre{self.nonce}x{self.names.index(name)}y"

    def split(self, composed: str, where: str) -> tuple[str, ...]:
        """`composed` as literal text and slot names, alternately (literal first)."""
        parts = self.pattern.split(composed)
        for index in range(1, len(parts), 2):
            parts[index] = self.names[int(parts[index])]
        literal = "".join(parts[0::2])
        if self.nonce in literal.lower():
            raise TemplateError(
                _(
                    "a template changes a reader.* value (a filter such as upper or truncate?): "
                    "lettre fills reader.* in after composing, so write {example} as is"
                ).format(example="{{ reader.name }}"),
                where,
            )
        return tuple(parts)


def _fill(parts: Sequence[str], values: Mapping[str, str]) -> str:
    return "".join(part if index % 2 == 0 else values[part] for index, part in enumerate(parts))


@dataclass(frozen=True)
class Edition:
    """The letter in one locale, for readers with a name or without: composed, with slots."""

    locale: str
    letter: Letter
    frame: Frame
    html: tuple[str, ...]
    text: tuple[str, ...]
    inline: tuple[bytes, ...] = ()  # the photos of embed mode, as MIME parts


@dataclass(frozen=True)
class Plan:
    """Everything `send` needs, checked and composed before the first message goes out."""

    config: Config
    week: Week
    readers: ReadersFile
    copies: tuple[Reader, ...]  # the bcc addresses of lettre.toml, one copy each
    editions: Mapping[tuple[str, bool], Edition]
    via: tuple[str, ...]
    state_dir: Path
    list_id: str
    digest: str  # of the composed letter, the same from one run to the next
    warnings: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()

    @property
    def journal_path(self) -> Path:
        return journal_path(self.state_dir, self.week.end)

    @property
    def total(self) -> int:
        """Readers and copies: the messages a whole send hands over."""
        return self.readers.count + len(self.copies)


def _compose_editions(
    config: Config, week: Week, variants: Sequence[tuple[str, bool]], columns: Sequence[str]
) -> tuple[dict[tuple[str, bool], Edition], str]:
    """The editions readers need: (locale, with a greeting by name or not)."""
    from .compose import letter_of, load_week_items, now_in
    from .render import render_html, render_text

    items = load_week_items(config, week)
    user_dir = config.templates_dir if config.templates_dir.is_dir() else None
    slots = _Slots()
    now = now_in(config)
    editions: dict[tuple[str, bool], Edition] = {}
    digest = hashlib.sha256()
    locales = dict.fromkeys(locale for locale, _ in variants)
    for number, locale in enumerate(locales):
        localised = config.with_locale(locale)
        letter = letter_of(localised, week, items)
        if number == 0:  # the items and anniversaries are the same in every locale
            from .examples import require_ready

            require_ready(localised, letter)  # no example, the photos online (#14)
            inline: tuple[bytes, ...] = ()
            if letter.photos and config.images.mode == "embed":
                from .message import inline_parts

                inline = inline_parts(letter.photos, config)
        if config.unsubscribe_url:
            address, tok = slots.slot(ADDRESS_SLOT), slots.slot(TOKEN_SLOT)
            letter = replace(
                letter, unsubscribe_url=personal_url(config.unsubscribe_url, address, tok)
            )
        frame = reader_frame(letter, localised, now)
        for named in (True, False):
            if (locale, named) not in variants:
                continue
            reader = {name: slots.slot(name) for name in columns}
            reader.update(email=slots.slot("email"), locale=slots.slot("locale"))
            reader["name"] = slots.slot("name") if named else ""
            html = render_html(letter, user_dir, reader)
            text = render_text(letter, user_dir, reader)
            html_parts = slots.split(html, "letter.html.j2")
            text_parts = slots.split(text, "letter.txt.j2")
            editions[(locale, named)] = Edition(
                locale, letter, frame, html_parts, text_parts, inline
            )
    # what the journal compares from one run to the next: the letter in the folder's
    # locale, slot names in place of their random words
    plain = editions[(config.locale, False)]
    for parts in (plain.html, plain.text):
        digest.update("\0".join(parts).encode("utf-8", "surrogatepass"))
    return editions, digest.hexdigest()


def prepare(
    config: Config,
    week: Week,
    *,
    readers_path: Path,
    state_dir: Path,
    via: Sequence[str] = DEFAULT_VIA,
    wanted: Sequence[str] = (),
    check_via: bool = True,
) -> Plan:
    """Check the readers and the settings, and compose the letter once per locale.

    `wanted`: addresses whose rows are looked up (a reader left in doubt, `--to`).
    """
    import shutil

    if not config.unsubscribe_url and not config.unsubscribe_mailto:
        raise LettreError(
            _(
                "no unsubscribe link to personalise: set [unsubscribe] url (an https page, "
                "for one-click unsubscription) in lettre.toml"
            ),
            config.folder / "lettre.toml",
        )
    if check_via and shutil.which(via[0]) is None:
        message = _(
            "cannot run the sender command {command!r}: no program {program!r} "
            "(install it, or choose another with --via or [send] via)"
        ).format(command=shlex.join(via), program=via[0])
        line = config.line_of("send.via") if tuple(via) == config.send.via else None
        if line:
            from .errors import ConfigError

            raise ConfigError(message, config.path, line)
        raise SendError(message)
    readers = check_readers(readers_path, [w.lower() for w in wanted])
    warnings = [
        _("{path}:{line}: {address} is already on line {first}: sent once").format(
            path=readers_path, line=d.line, address=d.address, first=d.first_line
        )
        for d in readers.duplicates
    ]
    columns = tuple(c for c in readers.columns if c not in ("email", "name", "locale"))
    copies = tuple(
        Reader(a.address, a.name, None, tuple((c, "") for c in columns)) for a in config.bcc
    )
    variants = [(locale or config.locale, named) for locale, named in readers.variants]
    # the copies, and a --to address (its row, or an address outside the CSV)
    variants += [(config.locale, bool(copy.name)) for copy in copies]
    variants += [(r.locale or config.locale, bool(r.name)) for r in readers.found]
    variants.append((config.locale, False))
    editions, digest = _compose_editions(config, week, list(dict.fromkeys(variants)), columns)
    return Plan(
        config,
        week,
        readers,
        copies,
        editions,
        tuple(via),
        state_dir,
        list_ident(config),
        digest,
        tuple(warnings),
        columns,
    )


# --- one reader's message --------------------------------------------------------------------


@dataclass(frozen=True)
class Personal:
    """One reader's message, ready for the sender command."""

    reader: Reader
    message_id: str
    data: bytes


def personalise(plan: Plan, reader: Reader, secret: bytes) -> Personal:
    """The reader's message: slots filled, Message-ID from week, reader, content, secret."""
    config = plan.config
    locale = reader.locale or config.locale
    edition = plan.editions[(locale, bool(reader.name))]
    encoded = encode_address(reader.address)
    tok = token(secret, plan.list_id, reader.address)
    values = reader.fields()
    for column in plan.columns:
        values.setdefault(column, "")
    values[ADDRESS_SLOT], values[TOKEN_SLOT] = encoded, tok
    text = _fill(edition.text, values)
    escaped = {key: html_lib.escape(value) for key, value in values.items()}
    html = _fill(edition.html, escaped)
    digest = hashlib.sha256(f"{text}\0{html}".encode("utf-8", "surrogatepass")).hexdigest()
    basis = f"{plan.week.end.isoformat()}\0{reader.key}\0{digest}".encode()
    unique = hmac.new(secret, basis, hashlib.sha256).hexdigest()[:32]
    message_id = f"<lettre.{plan.week.end:%Y%m%d}.{unique}@{config.sender.domain}>"
    uris = []
    if config.unsubscribe_url:
        uris.append(personal_url(config.unsubscribe_url, encoded, tok))
    if config.unsubscribe_mailto:
        uris.append(personal_mailto(config.unsubscribe_mailto, encoded, tok))
    header = unsubscribe_header(uris, one_click=bool(config.unsubscribe_url))
    data = reader_message(
        edition.frame,
        Address(reader.address, reader.name),
        message_id,
        header,
        text,
        html,
        boundary=f"lettre-{digest[:32]}",
        inline=edition.inline,
    )
    return Personal(reader, message_id, data)


# --- the whole send ------------------------------------------------------------------------


@dataclass
class SendReport:
    """What a run of `send` did."""

    sent: int = 0
    already: int = 0  # sent by an earlier run
    unsubscribed: list[str] = field(default_factory=list)
    in_doubt: str | None = None  # left in doubt by an earlier run, and sent again
    seconds: float = 0.0


Progress = Callable[[int, int], None]


def _queue(plan: Plan, doubt: str | None, done: set[str]) -> Iterator[Reader]:
    """The in-doubt reader first (so that at most one is ever in doubt), then the others.

    Each reader comes once and only if its key is not in `done`, to which it is added.
    """
    if doubt:
        for reader in (*plan.readers.found, *plan.copies):
            if reader.key == doubt and reader.key not in done:
                done.add(reader.key)
                yield reader
                break
    yield from iter_readers(plan.readers.path, done)
    for copy in plan.copies:
        if copy.key not in done:
            done.add(copy.key)
            yield copy


def run(
    plan: Plan,
    state: JournalState,
    secret: bytes,
    *,
    resend: bool = False,
    rate: float | None = None,
    progress: Progress | None = None,
    say: Callable[[str], None] | None = None,
) -> SendReport:
    """Hand one message per reader to the sender command, each recorded in the journal.

    The caller holds the week's lock (lock.SendLock) and read `state` under it.
    """
    say = say or (lambda message: None)
    report = SendReport()
    sent = set() if resend else set(state.sent)
    report.already = len(sent)
    suppression = Suppression(suppression_path(plan.state_dir))
    journal = Journal(plan.journal_path)
    start = time.monotonic()
    try:
        journal.record(
            "start", pid=os.getpid(), resend=resend, content=plan.digest, readers=plan.total
        )
        journal.commit()
        if state.content and state.content != plan.digest and not resend and sent:
            say(
                ngettext(
                    "Warning: the letter changed since {count} reader received it: the "
                    "others get this version",
                    "Warning: the letter changed since {count} readers received it: the "
                    "others get this version",
                    len(sent),
                ).format(count=len(sent))
            )
        doubt = state.in_doubt.lower() if state.in_doubt and not resend else None
        if doubt:
            say(
                _(
                    "Warning: {address} was being handed over when the last send stopped: "
                    "it may have received the letter already; it is sent again with the same "
                    "Message-ID, which mail clients drop as a duplicate"
                ).format(address=state.in_doubt)
            )
            report.in_doubt = state.in_doubt
            if not any(r.key == doubt for r in (*plan.readers.found, *plan.copies)):
                journal.record("dropped", email=state.in_doubt, reason="not a reader any more")
                say(
                    _("Warning: {address} is no longer a reader: it is not sent again").format(
                        address=state.in_doubt
                    )
                )
        todo = max(plan.total - len(sent), 0)
        done = 0
        for reader in _queue(plan, doubt, sent):  # each reader once, none already sent
            if rate:
                wait = start + report.sent / rate - time.monotonic()
                if wait > 0:
                    journal.commit()  # the last reader's `sent` does not wait with us
                    time.sleep(wait)
            suppression.refresh()  # a one-click POST may land at any moment
            if reader.address in suppression:
                if reader.key == doubt:
                    journal.record("dropped", email=reader.address, reason="unsubscribed")
                report.unsubscribed.append(reader.address)
                todo -= 1
                continue
            personal = personalise(plan, reader, secret)
            journal.record("handing", email=reader.address, message_id=personal.message_id)
            journal.commit()
            try:
                hand_over(plan.via, personal.data, reader)
            except SendError:
                journal.record("failed", email=reader.address)
                raise
            except KeyboardInterrupt:
                raise SendError(
                    _(
                        "interrupted while {address} was being handed over: it may have "
                        "received the letter; the next 'lettre send' sends it again with the "
                        "same Message-ID"
                    ).format(address=reader.address)
                ) from None
            journal.record("sent", email=reader.address, message_id=personal.message_id)
            report.sent += 1
            done += 1
            if progress:
                progress(done, todo)
        journal.record("done", sent=report.sent, unsubscribed=len(report.unsubscribed))
    finally:
        report.seconds = time.monotonic() - start
        journal.close()
    return report


@dataclass(frozen=True)
class DryRow:
    """One line of `--dry-run`: what would happen to a reader."""

    action: str  # "send", "sent" (by an earlier run), "unsubscribed"
    reader: Reader
    detail: str = ""


def dry_run(plan: Plan, state: JournalState, resend: bool = False) -> Iterator[DryRow]:
    """Who would receive what, without sending, locking or writing anything."""
    suppression = Suppression(suppression_path(plan.state_dir))
    suppression.refresh()
    sent = set() if resend else set(state.sent)
    for reader in (*iter_readers(plan.readers.path), *plan.copies):
        if reader.key in sent:
            yield DryRow("sent", reader)
        elif reader.address in suppression:
            yield DryRow("unsubscribed", reader, suppression.date_of(reader.address) or "")
        else:
            locale = reader.locale or plan.config.locale
            yield DryRow("send", reader, plan.editions[(locale, bool(reader.name))].letter.subject)
            sent.add(reader.key)


def trial_reader(plan: Plan, address: str) -> Reader:
    """`--to ADDRESS`: that reader's row when the CSV has it, else a reader without a name."""
    for reader in plan.readers.found:
        if reader.key == address.strip().lower():
            return reader
    return Reader(address.strip(), "", None, tuple((c, "") for c in plan.columns))


def read_state(state_dir: Path, week: Week) -> JournalState:
    """What the journal of `week` says (read under the week's lock when sending)."""
    return read_journal(journal_path(state_dir, week.end))


def journal_path_of(state_dir: Path, week: Week) -> Path:
    """`state/sent/YYYY-MM-DD.jsonl`: the journal of the letter of `week`."""
    return journal_path(state_dir, week.end)


def lock_path(state_dir: Path, week: Week) -> Path:
    return state_dir / "sent" / f"{week.end.isoformat()}.lock"
