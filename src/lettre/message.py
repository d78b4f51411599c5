"""Letter + HTML + text → a complete RFC 5322 e-mail, ready for `sendmail -t`."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from typing import TYPE_CHECKING

from . import __version__
from .config import Address, Config
from .french import one_line
from .items import Letter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .items import PreparedImage

#: RFC 5322 lines, and quoted-printable lines within RFC 2045's 76 characters
POLICY = policy.SMTP.clone(max_line_length=76)


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
        import secrets

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
    from email.header import Header

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
    from email.header import Header

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
) -> EmailMessage:
    """multipart/alternative: text/plain first, text/html last, all headers set.

    With `inline` photos (`[images] mode = "embed"`), multipart/related around it: the
    alternative first, then each photo as an inline part whose Content-ID the HTML's
    `cid:` links name (RFC 2387, RFC 2392).
    """
    msg = EmailMessage(policy=POLICY)
    msg["From"] = _mailbox(config.sender)
    if config.to:
        msg["To"] = [_mailbox(a) for a in config.to]
    else:  # only Bcc recipients: keep the message valid without revealing them
        msg["To"] = "undisclosed-recipients:;"
    if config.cc:
        msg["Cc"] = [_mailbox(a) for a in config.cc]
    if config.bcc:
        # for the envelope only: `sendmail -t` (msmtp, Postfix, Exim) reads the Bcc
        # recipients and removes the header before sending; tests/test_pipe.py checks it
        msg["Bcc"] = [_mailbox(a) for a in config.bcc]
    if config.reply_to:
        msg["Reply-To"] = _mailbox(config.reply_to)
    msg["Subject"] = subject(letter.subject)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(letter, config, text + html, seed)
    msg["List-Id"] = list_id(config)
    unsubscribe = []
    if config.unsubscribe_url:
        unsubscribe.append(f"<{config.unsubscribe_url}>")
    if config.unsubscribe_mailto:
        unsubscribe.append(f"<mailto:{config.unsubscribe_mailto}?subject=unsubscribe>")
    if unsubscribe:
        msg["List-Unsubscribe"] = ", ".join(unsubscribe)
    if config.unsubscribe_url:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
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


def _embed(
    msg: EmailMessage, alternative: MIMEPart, photos: Sequence[PreparedImage], config: Config
) -> None:
    """`msg` becomes multipart/related: the alternative first, then each photo inline.

    (email's own make_related refuses to wrap a multipart/alternative.)
    """
    from .images import content_id

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
