"""`lettre compose | sendmail -t` for real: Debian's msmtp as the sendmail command,
delivering to an SMTP server on 127.0.0.1.

The server is aiosmtpd, started by the test; msmtp is Debian's, with a configuration the
test writes. What the server receives must decode to exactly what `--format text` and
`--format html` print, for exactly the configured recipients, and keep Bcc to the envelope.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from conftest import item_text, skip_without

MSMTP = shutil.which("msmtp")
if MSMTP is None:
    skip_without("msmtp is not installed (Debian package msmtp)")
try:
    from aiosmtpd import controller
except ImportError:
    skip_without("aiosmtpd is not installed (pip install '.[test]')")

LETTRE = [sys.executable, "-m", "lettre"]
NOW = "2025-06-13T08:00"


@dataclass
class Received:
    """One message as the SMTP server saw it: envelope and content."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Inbox:
    """What the SMTP server received."""

    port: int
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (aiosmtpd 1.4 cannot bind port 0 itself)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox(free_port())
    server = controller.Controller(box, hostname="127.0.0.1", port=box.port)
    server.start()
    try:
        yield box
    finally:
        server.stop()


@pytest.fixture
def msmtp_config(tmp_path: Path, inbox: Inbox) -> Path:
    """A msmtp configuration that sends to the test's server, without TLS or login."""
    path = tmp_path / "msmtprc"
    path.write_text(
        "defaults\n"
        "auth off\n"
        "tls off\n"
        f"logfile {tmp_path / 'msmtp.log'}\n"
        "account default\n"
        "host 127.0.0.1\n"
        f"port {inbox.port}\n"
        "from communication@example.org\n",
        encoding="utf-8",
    )
    path.chmod(0o600)  # msmtp refuses a configuration others can read
    return path


def lettre(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run([*LETTRE, *map(str, args)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return result


def pipe(folder: Path, config: Path, week: str = "2025-06-13") -> None:
    """`lettre compose --week W | msmtp -C config -t`, as two processes and a real pipe."""
    compose = subprocess.Popen(
        [*LETTRE, "compose", "-C", str(folder), "--week", week, "--now", NOW],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert compose.stdout is not None
    msmtp = subprocess.run(
        [str(MSMTP), "-C", str(config), "-t"], stdin=compose.stdout, capture_output=True
    )
    compose.stdout.close()
    assert compose.wait(timeout=60) == 0, compose.stderr.read().decode()  # type: ignore[union-attr]
    assert msmtp.returncode == 0, (msmtp.stdout + msmtp.stderr).decode()


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def decoded(part: EmailMessage) -> str:
    """A part's text, decoded, with SMTP's CRLF line ends back to LF."""
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def test_samples_letter_arrives_whole(inbox: Inbox, msmtp_config: Path, samples: Path) -> None:
    pipe(samples, msmtp_config)
    [received] = inbox.messages
    # lettre.toml: To abonnes@example.net, Bcc archives@example.org
    assert received.mail_from == "communication@example.org"
    assert sorted(received.rcpt_tos) == ["abonnes@example.net", "archives@example.org"]
    msg = parse(received.data)
    assert all(not part.defects for part in msg.walk())
    assert msg["Bcc"] is None, "Bcc must stay in the envelope"
    assert b"archives@example.org" not in received.data
    assert msg["To"].addresses[0].addr_spec == "abonnes@example.net"
    assert msg["Subject"] == "Lettre hebdomadaire de communication du 13 juin 2025"
    assert msg["List-Unsubscribe-Post"] is None  # one message to a list: not one-click
    text_part, html_part = msg.iter_parts()
    week = ("--week", "2025-06-13")
    text = lettre("compose", "-C", samples, *week, "--format", "text").stdout.decode()
    html = lettre("compose", "-C", samples, *week, "--format", "html").stdout.decode()
    assert decoded(text_part) == text
    assert decoded(html_part) == html


CC_CONFIG = """\
title = "Lettre de test"
base_url = "https://lettre.example.org/"

[sender]
name = "Cellule communication"
address = "communication@example.org"

[recipients]
to = ["abonnes@example.net", { name = "Équipe de rédaction", address = "redaction@example.net" }]
cc = ["chef@example.org"]
bcc = ["archives@example.org", "copie@example.net"]

[unsubscribe]
mailto = "desabonnement@example.org"
"""

BCC_ONLY_CONFIG = """\
title = "Lettre de test"

[sender]
address = "communication@example.org"

[recipients]
bcc = ["un@example.net", "deux@example.net"]
"""


def test_cc_in_the_message_bcc_in_the_envelope_only(
    inbox: Inbox, msmtp_config: Path, make_folder: Callable[..., Path]
) -> None:
    pipe(make_folder(config=CC_CONFIG), msmtp_config)
    [received] = inbox.messages
    assert sorted(received.rcpt_tos) == [
        "abonnes@example.net",
        "archives@example.org",
        "chef@example.org",
        "copie@example.net",
        "redaction@example.net",
    ]
    msg = parse(received.data)
    assert [a.addr_spec for a in msg["To"].addresses] == [
        "abonnes@example.net",
        "redaction@example.net",
    ]
    assert msg["To"].addresses[1].display_name == "Équipe de rédaction"
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["chef@example.org"]
    assert msg["Bcc"] is None
    assert b"archives@" not in received.data and b"copie@" not in received.data
    # no https URL: a mailto List-Unsubscribe, and no one-click header
    assert msg["List-Unsubscribe"] == "<mailto:desabonnement@example.org?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] is None


def test_bcc_only_letter_shows_undisclosed_recipients(
    inbox: Inbox, msmtp_config: Path, make_folder: Callable[..., Path]
) -> None:
    folder = make_folder({"2025-06-10-x.md": item_text()}, config=BCC_ONLY_CONFIG)
    pipe(folder, msmtp_config)
    [received] = inbox.messages
    assert sorted(received.rcpt_tos) == ["deux@example.net", "un@example.net"]
    msg = parse(received.data)
    assert str(msg["To"]) == "undisclosed-recipients:;"
    assert msg["Bcc"] is None and b"un@example.net" not in received.data
    assert all(not part.defects for part in msg.walk())
