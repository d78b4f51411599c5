"""A real list manager: `lettre send --list` posts the letter to Mailman 3, which fans out.

The test starts a Mailman 3 core of its own on 127.0.0.1 (SQLite, LMTP in, SMTP out to an
aiosmtpd server the test runs), creates a domain and a list through Mailman's REST API with
the settings the README recommends, subscribes 300 members, posts the sample letter with
`lettre send --list` through `msmtp --protocol=lmtp`, and waits for the 300 deliveries.

Mailman lives in its own virtual environment (`pip install mailman==3.3.10`); the test finds
its `mailman` command through LETTRE_MAILMAN (set by `.ci/run`) or on PATH.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLES, skip_without

MAILMAN = os.environ.get("LETTRE_MAILMAN") or shutil.which("mailman")
if not MAILMAN or not Path(MAILMAN).is_file():
    skip_without("Mailman 3 is not installed (set LETTRE_MAILMAN to its `mailman` command)")
# msmtp and aiosmtpd, as the pipe test finds them (or skips, naming the missing one)
from test_sendmail import MSMTP, controller, free_port  # noqa: E402

LETTRE = [sys.executable, "-m", "lettre"]
LIST = "hebdo@lists.example.org"
LIST_ID = "hebdo.lists.example.org"
SENDER = "communication@example.org"
MEMBERS = 300
REST_USER, REST_PASS = "restadmin", "restpass"
# What the README recommends to keep lettre's letter intact (« Lists past one relay »)
LIST_SETTINGS = {
    "accept_these_nonmembers": SENDER,  # the letter's sender may post without moderation
    "personalize": "full",  # one message per member, To: that member
    "subject_prefix": "",  # the Subject stays the letter's
    "collapse_alternatives": "false",  # keep both the text and the HTML part
    "convert_html_to_plaintext": "false",
    "filter_content": "false",
    "max_message_size": "0",  # the default 40 KB holds a letter at most
    "dmarc_mitigate_action": "no_mitigation",
    "send_welcome_message": "false",
}


@dataclass
class Inbox:
    """What Mailman's outgoing SMTP delivered: (envelope recipients, message bytes)."""

    port: int
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@dataclass
class Mailman:
    """A running Mailman core: its REST API and LMTP port, and the SMTP inbox it sends to."""

    command: list[str]
    env: dict[str, str]
    rest: str
    lmtp_port: int
    inbox: Inbox

    def call(self, method: str, path: str, data: dict[str, str] | None = None) -> Any:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(f"{self.rest}{path}", data=body, method=method)
        token = base64.b64encode(f"{REST_USER}:{REST_PASS}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
        return json.loads(payload) if payload else None


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def mailman(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailman]:
    here = tmp_path_factory.mktemp("mailman")
    inbox = Inbox(free_port())
    smtp = controller.Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    smtp.start()
    lmtp_port, rest_port = free_port(), free_port()
    config = here / "mailman.cfg"
    config.write_text(
        f"""\
[mailman]
site_owner: owner@example.org
layout: here

[paths.here]
var_dir: {here / "var"}

[mta]
incoming: mailman.mta.null.NullMTA
lmtp_host: 127.0.0.1
lmtp_port: {lmtp_port}
smtp_host: 127.0.0.1
smtp_port: {inbox.port}

[webservice]
hostname: 127.0.0.1
port: {rest_port}
admin_user: {REST_USER}
admin_pass: {REST_PASS}
""",
        encoding="utf-8",
    )
    env = {**os.environ, "MAILMAN_CONFIG_FILE": str(config)}
    command = [str(MAILMAN)] + (["--run-as-root"] if os.geteuid() == 0 else [])
    # `mailman start` forks its master runner, which keeps the standard streams it was
    # given: a pipe would never reach its end, so they go to a file
    with open(here / "start.log", "wb") as log:
        subprocess.run(
            [*command, "start", "--force"], env=env, cwd=here, check=True, stdout=log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    server = Mailman(command, env, f"http://127.0.0.1:{rest_port}/3.1", lmtp_port, inbox)

    def answers() -> bool:
        try:
            server.call("GET", "/system/versions")
        except (urllib.error.URLError, ConnectionError, OSError):
            return False
        return True

    try:
        _wait_for(answers, 240, "Mailman's REST API")
        yield server
    finally:
        subprocess.run(
            [*command, "stop"], env=env, cwd=here, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        smtp.stop()


@pytest.fixture(scope="module")
def mailing_list(mailman: Mailman, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The list hebdo@lists.example.org with the README's settings and 300 members."""
    mailman.call("POST", "/domains", {"mail_host": "lists.example.org"})
    mailman.call("POST", "/lists", {"fqdn_listname": LIST})
    mailman.call("PATCH", f"/lists/{LIST_ID}/config", LIST_SETTINGS)
    members = tmp_path_factory.mktemp("members") / "members.txt"
    members.write_text(
        "".join(f"Lecteur {n} <lecteur{n}@example.net>\n" for n in range(1, MEMBERS + 1)),
        encoding="utf-8",
    )
    subprocess.run(
        [*mailman.command, "addmembers", "--no-welcome-msg", str(members), LIST],
        env=mailman.env,
        check=True,
        capture_output=True,
    )
    assert mailman.call("GET", f"/lists/{LIST_ID}")["member_count"] == MEMBERS
    return LIST


def _folder(tmp_path: Path) -> Path:
    """samples/ set up for list mode: one posting to the list manager."""
    folder = tmp_path / "lettre"
    shutil.copytree(SAMPLES, folder)
    config = folder / "lettre.toml"
    text = config.read_text(encoding="utf-8")
    start = text.index("[recipients]")
    end = text.index("\n[", start + 1)
    recipients = f'[recipients]\nlist = "{LIST}"\n\n[send]\nmode = "list"\n'
    config.write_text(text[:start] + recipients + text[end + 1 :], encoding="utf-8")
    return folder


def _send(folder: Path, lmtp_port: int) -> subprocess.CompletedProcess[str]:
    via = (
        f"{MSMTP} --protocol=lmtp --host=127.0.0.1 --port={lmtp_port} --auth=off --tls=off "
        f"--from={SENDER} -t"
    )
    return subprocess.run(
        [*LETTRE, "send", "-C", str(folder), "--week", "2025-06-13", "--via", via],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_mailman_delivers_the_letter_intact_to_every_member(
    mailman: Mailman, mailing_list: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    own = subprocess.run(
        [*LETTRE, "compose", "-C", str(folder), "--week", "2025-06-13", "-f", "text"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    started = time.monotonic()
    result = _send(folder, mailman.lmtp_port)
    assert result.returncode == 0, result.stderr
    _wait_for(lambda: len(mailman.inbox.messages) >= MEMBERS, 300, f"{MEMBERS} deliveries")
    elapsed = time.monotonic() - started
    print(f"Mailman delivered {MEMBERS} messages in {elapsed:.1f} s")
    time.sleep(2)  # nothing more may come
    assert len(mailman.inbox.messages) == MEMBERS
    recipients = sorted(r for rcpts, _ in mailman.inbox.messages for r in rcpts)
    expected = sorted(f"lecteur{n}@example.net" for n in range(1, MEMBERS + 1))
    assert recipients == expected  # each member exactly once

    message_ids = set()
    for rcpts, data in mailman.inbox.messages:
        msg = _parse(data)
        # full personalisation: the member's own address in To
        assert msg["To"].addresses[0].addr_spec == rcpts[0]
        assert msg["Subject"] == "Lettre hebdomadaire de communication du 13 juin 2025"
        # Mailman's own list headers, not lettre's
        assert msg["List-Id"] == f"<{LIST_ID}>"
        assert msg["List-Unsubscribe"] == "<mailto:hebdo-leave@lists.example.org>"
        assert msg["List-Unsubscribe-Post"] is None  # lettre claimed no one-click
        message_ids.add(msg["Message-ID"])
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert text is not None and html is not None
        alternative = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
        assert len(alternative) == 1  # lettre's text and HTML parts, side by side
        assert text.get_content().replace("\r\n", "\n") == own  # the letter's words, intact
        assert "Armée de champions" in html.get_content()
    assert len(message_ids) == 1  # lettre's own Message-ID, kept by Mailman
    assert next(iter(message_ids)).startswith("<lettre.20250613.")


def test_a_second_send_to_the_list_posts_nothing(
    mailman: Mailman, mailing_list: str, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    before = len(mailman.inbox.messages)
    assert _send(folder, mailman.lmtp_port).returncode == 0
    _wait_for(lambda: len(mailman.inbox.messages) >= before + MEMBERS, 300, "the deliveries")
    again = _send(folder, mailman.lmtp_port)
    assert again.returncode != 0
    assert "already sent" in again.stderr
    time.sleep(5)
    assert len(mailman.inbox.messages) == before + MEMBERS
