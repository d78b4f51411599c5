"""Letter + HTML + text → a complete RFC 5322 e-mail, ready for `sendmail -t`."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass
from email import policy
from email.generator import BytesGenerator
from email.header import Header
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from typing import TYPE_CHECKING

from . import __version__
from .config import Address, Config
from .french import one_line
from .imagelinks import content_id
from .items import Letter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .items import PreparedImage

#: RFC 5322 lines, and quoted-printable lines within RFC 2045's 76 characters
POLICY = policy.SMTP.clone(max_line_length=76)
#: the same with LF line ends, as `sendmail -t` reads a message on a pipe
PIPE_POLICY = POLICY.clone(linesep="\n")


def _mailbox(address: Address) -> HeaderAddress:
    name = " ".join(address.name.split())
    username, _, domain = address.address.rpartition("@")
    return HeaderAddress(display_name=name, username=username, domain=domain)


def message_id(letter: Letter, config: Config, content: str, seed: str | None = None) -> str:
    """A Message-ID on the sender's domain: new at every call, unless `seed` is given.

    With a seed (tests, reproducible builds) the ID is derived from the seed and the
    letter's whole content, so that a corrected letter still gets a new ID: clients that
    drop a message whose ID they have seen (Gmail does) must not drop the correction.
    """
    if seed is None:
        digest = secrets.token_hex(12)
    else:
        basis = "\0".join(
            (seed, config.title, letter.date.isoformat(), config.sender.address, content)
        )
        digest = hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"<lettre.{letter.date:%Y%m%d}.{digest}@{config.sender.domain}>"


class _Encoded(str):
    """A header value already encoded and folded, which the policy must not fold again."""

    name: str
    folded: str

    def __new__(cls, name: str, folded: str, text: str | None = None) -> _Encoded:
        """`folded` is written out; `text` (default: the same) is what reading it gives."""
        header = super().__new__(cls, folded if text is None else text)
        header.name, header.folded = name, folded
        return header

    def fold(self, *, policy: policy.Policy) -> str:
        """The header as `fold` gives it: name, value, continuation lines, line end."""
        return f"{self.name}: " + policy.linesep.join(self.folded.split("\n")) + policy.linesep


def subject(text: str) -> str:
    """The Subject; non-ASCII text encoded by email.header (RFC 2047).

    Python's own folding of unstructured headers can leave the space between two encoded
    words outside both of them, where decoders drop it (RFC 2047 §6.2): « 13 juin » would
    come back as « 13juin ». email.header keeps every space inside an encoded word.
    """
    text = one_line(text)
    if text.isascii():
        return text

    return _Encoded("Subject", Header(text, "utf-8", header_name="Subject").encode(linesep="\n"),
                    text)  # fmt: skip


def list_id(config: Config) -> str:
    """List-Id (RFC 2919): the title as a phrase, and a list identifier on the domain."""
    ident = config.list_id or f"lettre.{config.sender.domain}"
    phrase = one_line(config.title)
    if phrase.isascii() and all(len(word) < 60 for word in phrase.split()):
        quoted = phrase.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{ident}>'
    # RFC 2047 §5: an encoded word may stand for the phrase, never inside a quoted string
    # (which is what Python's unstructured-header folding would write); words too long to
    # fold are encoded too

    words = Header(phrase, "utf-8", header_name="List-Id").encode(linesep="\n")
    return _Encoded("List-Id", f"{words}\n <{ident}>")


def build_message(
    letter: Letter,
    html: str,
    text: str,
    config: Config,
    now: dt.datetime,
    seed: str | None = None,
    inline: Sequence[PreparedImage] = (),
    to_list: Address | None = None,
) -> EmailMessage:
    """multipart/alternative: text/plain first, text/html last, all headers set.

    With `inline` photos (`[images] mode = "embed"`), multipart/related around it: the
    alternative first, then each photo as an inline part whose Content-ID the HTML's
    `cid:` links name (RFC 2387, RFC 2392).

    `to_list`: one posting to a list manager's address (Mailman, Sympa), To that address
    alone; the List-* headers are left to the list manager, which owns the subscriptions
    (RFC 2369, RFC 2919) and writes its own.
    """
    msg = EmailMessage(policy=POLICY)
    msg["From"] = _mailbox(config.sender)
    if to_list is not None:
        msg["To"] = _mailbox(to_list)
    elif config.to:
        msg["To"] = [_mailbox(a) for a in config.to]
    else:  # only Bcc recipients: keep the message valid without revealing them
        msg["To"] = "undisclosed-recipients:;"
    if config.cc and to_list is None:
        msg["Cc"] = [_mailbox(a) for a in config.cc]
    if config.bcc and to_list is None:
        # for the envelope only: `sendmail -t` (msmtp, Postfix, Exim) reads the Bcc
        # recipients and removes the header before sending; tests/test_sendmail.py checks it
        msg["Bcc"] = [_mailbox(a) for a in config.bcc]
    if config.reply_to:
        msg["Reply-To"] = _mailbox(config.reply_to)
    msg["Subject"] = subject(letter.subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(letter, config, text + html, seed)
    if to_list is None:
        _list_headers(msg, config)
    content = MIMEPart(policy=POLICY) if inline else msg
    content.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    content.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # a boundary drawn from the content keeps the same letter byte-for-byte the same
    digest = hashlib.sha256((text + html).encode("utf-8")).hexdigest()[:32]
    content.set_boundary(f"lettre-{digest}")
    if inline:
        _embed(msg, content, inline, config)
        msg.set_boundary(f"lettre-related-{digest}")
    # set_content drops Content-* headers set before it: the language comes last
    msg["Content-Language"] = letter.lang
    msg["X-Mailer"] = f"lettre {__version__}"
    return msg


def _list_headers(msg: EmailMessage, config: Config) -> None:
    """List-Id and List-Unsubscribe of one message to the folder's own recipients."""
    msg["List-Id"] = list_id(config)
    unsubscribe = []
    if config.unsubscribe_url:
        unsubscribe.append(f"<{config.unsubscribe_url}>")
    if config.unsubscribe_mailto:
        unsubscribe.append(f"<mailto:{config.unsubscribe_mailto}?subject=unsubscribe>")
    if unsubscribe:
        msg["List-Unsubscribe"] = ", ".join(unsubscribe)
    # no List-Unsubscribe-Post: one message to a list address cannot say who unsubscribes
    # (RFC 8058 §3.1); only the messages of `lettre send`, one per reader, are one-click


def _embed(
    msg: EmailMessage, alternative: MIMEPart, photos: Sequence[PreparedImage], config: Config
) -> None:
    """`msg` becomes multipart/related: the alternative first, then each photo inline.

    (email's own make_related refuses to wrap a multipart/alternative.)
    """

    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = "multipart/related"
    msg.set_param("type", "multipart/alternative")
    msg.attach(alternative)  # type: ignore[arg-type]  # typeshed: EmailMessage only
    for photo in photos:
        # not set_content: its base64 is written line by line in Python, ten times slower
        part = MIMEPart(policy=POLICY)
        part["Content-Type"] = photo.mime
        part["Content-Transfer-Encoding"] = "base64"
        part["Content-ID"] = f"<{content_id(photo, config)}>"
        part["Content-Disposition"] = "inline"
        part.set_param("filename", photo.name, header="Content-Disposition")
        part.set_payload(base64.encodebytes(photo.read()).decode("ascii"))
        msg.attach(part)  # type: ignore[arg-type]


class _Generator(BytesGenerator):
    """BytesGenerator that writes an embedded photo's base64 in one piece.

    The stdlib writes a part line by line; a letter's megabyte of photos is 15,000 lines,
    a tenth of a second. The bytes written are the same.
    """

    def _handle_image(self, msg: EmailMessage) -> None:
        payload = msg.get_payload()
        if isinstance(payload, str) and msg.get("Content-Transfer-Encoding") == "base64":
            self.write(payload.replace("\n", self._NL))  # type: ignore[attr-defined]
        else:
            self._handle_text(msg)  # type: ignore[attr-defined]


def as_bytes(msg: EmailMessage, linesep: str = "\n") -> bytes:
    """The message as bytes with LF line ends, as `sendmail -t` reads it on a pipe
    (`linesep="\r\n"` for SMTP)."""
    buffer = io.BytesIO()
    _Generator(buffer, mangle_from_=False, policy=POLICY.clone(linesep=linesep)).flatten(msg)
    return buffer.getvalue()


def list_ident(config: Config) -> str:
    """The list identifier of List-Id, which personal unsubscribe tokens are bound to."""
    return config.list_id or f"lettre.{config.sender.domain}"


# --- one message per reader ------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """The headers every reader's message of one edition shares, encoded once."""

    before_to: bytes  # From
    after_to: bytes  # Reply-To, Subject, Date
    list_id: bytes
    tail: bytes  # MIME-Version, the place of Content-Type, Content-Language, X-Mailer


def _headers(msg: EmailMessage) -> bytes:
    return b"".join(PIPE_POLICY.fold_binary(name, value) for name, value in msg.items())


def reader_frame(letter: Letter, config: Config, now: dt.datetime) -> Frame:
    """The shared headers of the readers' messages of one edition (one locale)."""
    first = EmailMessage(policy=PIPE_POLICY)
    first["From"] = _mailbox(config.sender)
    second = EmailMessage(policy=PIPE_POLICY)
    if config.reply_to:
        second["Reply-To"] = _mailbox(config.reply_to)
    second["Subject"] = subject(letter.subject)
    second["Date"] = format_datetime(now)
    third = EmailMessage(policy=PIPE_POLICY)
    third["List-Id"] = list_id(config)
    fourth = EmailMessage(policy=PIPE_POLICY)
    fourth["MIME-Version"] = "1.0"
    tail = (
        _headers(fourth)
        + b"{content-type}"
        + f"Content-Language: {letter.lang}\nX-Mailer: lettre {__version__}\n".encode("ascii")
    )
    return Frame(_headers(first), _headers(second), _headers(third), tail)


def to_header(to: Address) -> bytes:
    """`To:` one reader; a display name quoted, or as encoded words (RFC 2047) when it is
    not ASCII, folded within 78 characters a line.

    Written here rather than through email.headerregistry, whose parser takes a
    millisecond a header: a tenth of the time of a reader's whole message.
    """
    name = " ".join(to.name.split())
    if not name:
        return f"To: {to.address}\n".encode()
    if name.isascii() and name.isprintable():
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        word = f'"{escaped}"'
    elif len(name.encode()) <= 45:  # one encoded word of at most 75 characters
        word = f"=?utf-8?b?{base64.b64encode(name.encode()).decode('ascii')}?="
    else:  # several encoded words: decoders differ on the space between them
        header, value = PIPE_POLICY.header_store_parse("To", _mailbox(to))
        return PIPE_POLICY.fold_binary(header, value)
    separator = " " if len(word) + len(to.address) + 7 <= 78 else "\n "
    return f"To: {word}{separator}<{to.address}>\n".encode()


def unsubscribe_header(uris: Sequence[str], one_click: bool) -> bytes:
    """List-Unsubscribe, one URI per line (a URL is never folded), and the one-click POST."""
    if not uris:
        return b""
    lines = "List-Unsubscribe: " + ",\n ".join(f"<{uri}>" for uri in uris) + "\n"
    if one_click:
        lines += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
    return lines.encode("ascii")


def _part(subtype: str, content: str) -> bytes:
    body = binascii.b2a_qp(content.encode("utf-8"), quotetabs=False, istext=True)
    if not body.endswith(b"\n"):
        body += b"\n"
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
    ).encode("ascii") + body


def inline_parts(photos: Sequence[PreparedImage], config: Config) -> tuple[bytes, ...]:
    """Each embedded photo as a MIME part (headers and base64), encoded once for every
    reader: the parts `build_message` attaches in embed mode."""
    holder = EmailMessage(policy=POLICY)
    _embed(holder, MIMEPart(policy=POLICY), photos, config)
    parts = []
    for part in list(holder.iter_parts())[1:]:
        buffer = io.BytesIO()
        _Generator(buffer, mangle_from_=False, policy=PIPE_POLICY).flatten(part)
        parts.append(buffer.getvalue())
    return tuple(parts)


def reader_message(
    frame: Frame,
    to: Address,
    message_id: str,
    unsubscribe: bytes,
    text: str,
    html: str,
    boundary: str,
    inline: Sequence[bytes] = (),
) -> bytes:
    """One reader's message, as `build_message` would make it, with LF line ends.

    Assembled from bytes rather than through EmailMessage: 10,000 readers take seconds,
    not minutes. `boundary` must not occur in `text` or `html` (derive it from them).
    `inline`: the photos of embed mode (`inline_parts`): the message is then
    multipart/related, the alternative first.
    """
    alternative = f'Content-Type: multipart/alternative;\n boundary="{boundary}"\n'
    mark = f"--{boundary}\n".encode("ascii")
    body = b"".join(
        (
            mark,
            _part("plain", text),
            mark,
            _part("html", html),
            f"--{boundary}--\n".encode("ascii"),
        )
    )
    if inline:
        related = f"{boundary}-related"
        outer = (
            'Content-Type: multipart/related; type="multipart/alternative";\n'
            f' boundary="{related}"\n'
        )
        around = f"--{related}\n".encode("ascii")
        body = b"".join(
            (
                around,
                alternative.encode("ascii"),
                b"\n",
                body,
                *(around + part + (b"" if part.endswith(b"\n") else b"\n") for part in inline),
                f"--{related}--\n".encode("ascii"),
            )
        )
        alternative = outer
    return b"".join(
        (
            frame.before_to,
            to_header(to),
            frame.after_to,
            f"Message-ID: {message_id}\n".encode("ascii"),
            frame.list_id,
            unsubscribe,
            frame.tail.replace(b"{content-type}", alternative.encode("ascii")),
            b"\n",
            body,
        )
    )
