"""Personal unsubscribe links: a secret, an HMAC of the list and the address, the URLs.

RFC 8058 §3.1: a one-click POST carries no other argument than its URL, so the URL must
say who unsubscribes from which list — and prove it, or anyone could unsubscribe anyone.
`…?a=<address, base64url>&t=<HMAC-SHA256(secret, list id + address)>` does both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import stat
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from .errors import SecretError
from .messages import _

SECRET_ENV = "LETTRE_SECRET"
SECRET_NAME = "secret"
SECRET_BYTES = 32


def load_secret(state_dir: Path, *, create: bool = False) -> bytes:
    """`LETTRE_SECRET`, else `state/secret` (made once, mode 0600, when `create`)."""
    from_env = os.environ.get(SECRET_ENV, "")
    if from_env.strip():
        if len(from_env.strip()) < 16:
            raise SecretError(
                _("{variable} is too short: give at least 16 random characters").format(
                    variable=SECRET_ENV
                )
            )
        return from_env.strip().encode("utf-8")
    path = state_dir / SECRET_NAME
    if create and not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # made a moment ago by another process: read it
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(SECRET_BYTES) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
    try:
        info = path.stat()
        data = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise SecretError(
            _("no secret yet: 'lettre send' creates it, or set {variable}").format(
                variable=SECRET_ENV
            ),
            path,
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SecretError(
            _("cannot read the secret: {problem}").format(problem=err), path
        ) from None
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise SecretError(
            _(
                "the secret is readable by others: run 'chmod 600' on it (anyone who reads it "
                "can unsubscribe any reader)"
            ),
            path,
        )
    if len(data) < 32:
        raise SecretError(_("the secret is too short (it should be 64 hexadecimal digits)"), path)
    return data.encode("ascii")


def encode_address(address: str) -> str:
    """The address as base64url without padding: safe in a URL and a mail subject."""
    return base64.urlsafe_b64encode(address.strip().encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_address(text: str) -> str | None:
    """The address `encode_address` made, or None when `text` is not one."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def token(secret: bytes, list_id: str, address: str) -> str:
    """HMAC-SHA256 of the list id and the address (compared in lower case), base64url."""
    message = f"{list_id}\0{address.strip().lower()}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def valid(secret: bytes, list_id: str, address: str, given: str) -> bool:
    """True when `given` is the token of `address` on this list (in constant time)."""
    return hmac.compare_digest(token(secret, list_id, address), given)


def query(encoded_address: str, tok: str) -> str:
    """`a=…&t=…`: what a personal URL adds to the unsubscribe page's address."""
    return f"a={encoded_address}&t={tok}"


def personal_url(base: str, encoded_address: str, tok: str) -> str:
    """The unsubscribe page's URL with the reader's address and token."""
    return f"{base}{'&' if '?' in base else '?'}{query(encoded_address, tok)}"


def personal_mailto(mailbox: str, encoded_address: str, tok: str) -> str:
    """A mailto whose subject carries the same address and token as the URL."""
    subject = quote(f"unsubscribe {query(encoded_address, tok)}", safe="")
    return f"mailto:{mailbox}?subject={subject}"


def parse_link(text: str) -> tuple[str, str] | None:
    """(address, token) from a personal URL, a mailto's subject, or `a=…&t=…`; else None."""
    text = text.strip()
    parts = urlsplit(text)
    candidates = [parts.query]
    if parts.scheme == "mailto":
        subject = parse_qs(parts.query).get("subject", [""])[0]
        candidates.append(subject.removeprefix("unsubscribe").strip())
    candidates.append(text.removeprefix("unsubscribe").strip())
    for candidate in candidates:
        fields = parse_qs(candidate)
        if "a" in fields and "t" in fields:
            address = decode_address(fields["a"][0])
            if address is not None:
                return address, fields["t"][0]
    return None
