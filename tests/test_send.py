"""`lettre send`: one message per reader through a real sender command, exactly once.

The end-to-end tests hand the messages to Debian's msmtp, which delivers them to an
aiosmtpd server on 127.0.0.1 started by the test (tests/test_sendmail.py's fixtures); the
crash tests use a slow shell script as the sender, and SIGKILL.
"""

from __future__ import annotations

import collections
import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conftest import item_text
from lettre.journal import read_journal
from lettre.tokens import decode_address, token, valid

# the SMTP fixtures: an aiosmtpd server on 127.0.0.1 and a msmtp configuration for it
from test_sendmail import MSMTP, Inbox, inbox, msmtp_config  # noqa: F401

LETTRE = [sys.executable, "-m", "lettre"]
WEEK = "2025-06-13"

SEND_CONFIG = """\
title = "Lettre de test"
locale = "fr_FR"
timezone = "Europe/Paris"
base_url = "https://lettre.example.org/"
list_id = "hebdo.example.org"

[sender]
name = "Cellule communication"
address = "communication@example.org"

[recipients]
to = ["abonnes@example.net"]
bcc = ["archives@example.org"]
readers = "abonnes.csv"

[unsubscribe]
url = "https://lettre.example.org/desabonnement"
mailto = "desabonnement@example.org"
"""

FIRST_NAMES = ["Léa", "Paul", "Zoé", "Éric", "Inès"]


def readers_csv(count: int) -> str:
    """`count` readers: two in three with a name, one in ten in English."""
    rows = ["email;name;locale;grade"]
    for number in range(count):
        name = f"{FIRST_NAMES[number % 5]} {number}" if number % 3 else ""
        locale = "en_GB" if number % 10 == 7 else ""
        rows.append(f"lecteur{number:05}@example.net;{name};{locale};Sergent")
    return "\r\n".join(rows) + "\r\n"


@pytest.fixture
def letter_folder(make_folder: Callable[..., Path]) -> Callable[[int], Path]:
    def make(count: int) -> Path:
        folder = make_folder({"2025-06-10-un-titre.md": item_text()}, config=SEND_CONFIG)
        (folder / "abonnes.csv").write_text(readers_csv(count), encoding="utf-8")
        return folder

    return make


def lettre(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*LETTRE, *map(str, args)], capture_output=True, text=True, check=False, timeout=600
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def send_args(folder: Path, *extra: str | Path) -> list[str | Path]:
    """`lettre send` of the week; the readers are lettre.toml's (`[recipients] readers`)."""
    return ["send", "-C", folder, "--week", WEEK, *extra]


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert all(not part.defects for part in msg.walk()), [p.defects for p in msg.walk()]
    return msg


def parts(msg: EmailMessage) -> tuple[str, str]:
    text, html = msg.iter_parts()
    return (
        str(text.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )


def secret_of(folder: Path) -> bytes:
    return (folder / "state" / "secret").read_text(encoding="ascii").strip().encode("ascii")


def slow_sender(tmp_path: Path, delay: float = 0.05) -> tuple[Path, Path]:
    """A sender command that takes its time, then keeps each message as a file."""
    mailbox = tmp_path / "mailbox"
    mailbox.mkdir()
    script = tmp_path / "slow-sendmail"
    script.write_text(
        f'#!/bin/sh\nsleep {delay}\ncat > "{mailbox}/$(date +%s%N)-$$.eml"\n', encoding="utf-8"
    )
    script.chmod(0o755)
    return script, mailbox


def mailbox_messages(mailbox: Path) -> list[EmailMessage]:
    return [parse(path.read_bytes()) for path in sorted(mailbox.iterdir())]


# --- end to end: 200 readers through msmtp to an SMTP server --------------------------------


def test_two_hundred_readers_each_get_their_own_message(
    inbox: Inbox,  # noqa: F811
    msmtp_config: Path,  # noqa: F811
    letter_folder: Callable[[int], Path],
) -> None:
    folder = letter_folder(200)
    done = lettre(*send_args(folder, "--via", f"{MSMTP} -C {msmtp_config} -t"))
    assert "201 messages handed to" in done.stderr  # 200 readers and the bcc copy
    assert len(inbox.messages) == 201
    secret = secret_of(folder)
    seen_ids, seen_tokens = set(), set()
    by_address = {}
    for received in inbox.messages:
        # the envelope holds one recipient, the message names them alone, no Bcc anywhere
        [recipient] = received.rcpt_tos
        assert b"\nBcc:" not in received.data and b"archives@" not in received.data.replace(
            recipient.encode(), b""
        )
        msg = parse(received.data)
        assert msg["Bcc"] is None and msg["Cc"] is None
        [to] = msg["To"].addresses
        assert to.addr_spec == recipient
        by_address[recipient] = msg
        seen_ids.add(msg["Message-ID"])
        # one-click: an https URL with the address and its token, then a mailto with both
        https, mailto = re.findall(r"<([^>]+)>", str(msg["List-Unsubscribe"]))
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        query = parse_qs(urlsplit(https).query)
        assert https.startswith("https://lettre.example.org/desabonnement?a=")
        assert decode_address(query["a"][0]) == recipient
        assert valid(secret, "hebdo.example.org", recipient, query["t"][0])
        assert query["t"][0] == token(secret, "hebdo.example.org", recipient)
        assert unquote(mailto) == (
            f"mailto:desabonnement@example.org?subject=unsubscribe a={query['a'][0]}"
            f"&t={query['t'][0]}"
        )
        seen_tokens.add(query["t"][0])
        text, html = parts(msg)
        # the footer's link is the reader's own, in both parts
        assert https in text and https.replace("&", "&amp;") in html
    assert len(seen_ids) == len(seen_tokens) == 201
    assert sorted(by_address) == sorted(
        [f"lecteur{n:05}@example.net" for n in range(200)] + ["archives@example.org"]
    )
    # greeting by name where the CSV has one, in the reader's language; none otherwise
    lea = by_address["lecteur00005@example.net"]  # number 5: "Léa 5"
    assert lea["To"].addresses[0].display_name == "Léa 5"
    text, html = parts(lea)
    assert "\nBonjour Léa 5,\n" in text and re.search(r"<p[^>]*>Bonjour Léa 5,</p>", html)
    assert lea["Subject"] == "Lettre de test du 13 juin 2025"
    anonymous = by_address["lecteur00003@example.net"]  # number 3: no name
    text, html = parts(anonymous)
    assert "Bonjour" not in text and "Bonjour" not in html and 'class="greeting"' not in html
    english = by_address["lecteur00017@example.net"]  # number 17: en_GB, "Zoé 17"
    text, _ = parts(english)
    assert "\nHello Zoé 17,\n" in text and english["Content-Language"] == "en"
    # the journal names everyone once
    state = read_journal(folder / "state" / "sent" / f"{WEEK}.jsonl")
    assert len(state.sent) == 201 and state.finished and state.in_doubt is None


# --- exactly once --------------------------------------------------------------------------


def test_killed_midway_then_run_again_everyone_exactly_once(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(60)
    script, mailbox = slow_sender(tmp_path)
    first = subprocess.Popen(
        [*LETTRE, *map(str, send_args(folder, "--via", script))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while len(list(mailbox.iterdir())) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert first.returncode == -signal.SIGKILL
    time.sleep(0.5)  # the sender of the reader in doubt finishes on its own
    delivered_before = len(list(mailbox.iterdir()))
    assert 20 <= delivered_before < 61
    # the cache folder is disposable: deleting it between runs changes nothing
    shutil.rmtree(folder / ".lettre", ignore_errors=True)
    (folder / ".lettre").mkdir()
    second = lettre(*send_args(folder, "--via", script))
    doubt = re.search(
        r"Warning: (\S+) was being handed over when the last send stopped", second.stderr
    )
    messages = mailbox_messages(mailbox)
    # no sender ever read half a message (its input is a file, not a pipe lettre writes)
    assert all(parts(msg)[1].rstrip().endswith("</html>") for msg in messages)
    counts = collections.Counter(msg["To"].addresses[0].addr_spec for msg in messages)
    expected = [f"lecteur{n:05}@example.net" for n in range(60)] + ["archives@example.org"]
    assert sorted(counts) == sorted(expected)
    twice = [address for address, count in counts.items() if count != 1]
    if doubt is None:
        assert twice == []
    else:  # the one reader in doubt, named: at most two copies, with one Message-ID
        assert set(twice) <= {doubt[1]} and counts[doubt[1]] in (1, 2)
        ids = {
            m["Message-ID"]
            for m in mailbox_messages(mailbox)
            if m["To"].addresses[0].addr_spec == doubt[1]
        }
        assert len(ids) == 1
    state = read_journal(folder / "state" / "sent" / f"{WEEK}.jsonl")
    assert len(state.sent) == 61 and state.finished and state.in_doubt is None and state.runs == 2
    # a finished week refuses a second send, unless --resend
    third = lettre(*send_args(folder, "--via", script), check=False)
    assert third.returncode == 1
    assert f"the letter of {WEEK} was already sent to 61 readers" in third.stderr
    assert "add --resend" in third.stderr


def test_a_second_send_of_the_week_refuses_at_once_naming_the_first(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(40)
    script, mailbox = slow_sender(tmp_path, delay=0.2)
    first = subprocess.Popen(
        [*LETTRE, *map(str, send_args(folder, "--via", script))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not any(mailbox.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        second = lettre(*send_args(folder, "--via", script), check=False)
        assert time.monotonic() - started < 10  # at once, not after the first one
        assert second.returncode == 1
        assert re.search(
            rf"Error: .*2025-06-13\.lock: the letter of {WEEK} is being sent by process "
            rf"{first.pid} \(started [0-9T:+-]+\): wait for it to finish, or stop it",
            second.stderr,
        ), second.stderr
    finally:
        first.kill()
        first.wait()


def test_a_failing_sender_stops_naming_the_reader_and_records_nothing_for_it(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(5)
    mailbox = tmp_path / "mailbox"
    mailbox.mkdir()
    script = tmp_path / "picky-sendmail"
    script.write_text(
        "#!/bin/sh\n"
        f'msg="$(cat)"\n'
        'case "$msg" in *lecteur00002@*) echo "sendmail: relay refused" >&2; exit 75;; esac\n'
        f'printf "%s" "$msg" > "{mailbox}/$(date +%s%N).eml"\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    failed = lettre(*send_args(folder, "--via", script), check=False)
    assert failed.returncode == 1
    assert (
        f"Error: the sender command '{script}' exited with code 75 for "
        "lecteur00002@example.net: sendmail: relay refused; this reader is not recorded as "
        "sent: fix the problem, then run 'lettre send' again to go on from there\n" in failed.stderr
    )
    state = read_journal(folder / "state" / "sent" / f"{WEEK}.jsonl")
    assert sorted(state.sent) == ["lecteur00000@example.net", "lecteur00001@example.net"]
    assert state.in_doubt is None and not state.finished
    # fixed, run again: only the others go out
    script.write_text(f'#!/bin/sh\ncat > "{mailbox}/$(date +%s%N).eml"\n', encoding="utf-8")
    done = lettre(*send_args(folder, "--via", script))
    assert "4 messages handed to" in done.stderr and "2 sent by an earlier run" in done.stderr
    assert "Warning" not in done.stderr  # the same letter: nothing to say
    counts = collections.Counter(m["To"].addresses[0].addr_spec for m in mailbox_messages(mailbox))
    assert set(counts.values()) == {1} and len(counts) == 6


def test_an_in_doubt_reader_goes_first_with_the_same_message_id(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(4)
    script, mailbox = slow_sender(tmp_path, delay=0)
    lettre(*send_args(folder, "--via", script))
    journal = folder / "state" / "sent" / f"{WEEK}.jsonl"
    [first_id] = [
        m["Message-ID"]
        for m in mailbox_messages(mailbox)
        if m["To"].addresses[0].addr_spec == "lecteur00002@example.net"
    ]
    # as if the power had gone while lecteur00002 was handed over: its `sent` never written
    lines = journal.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if '"sent"' in line and "lecteur00002" in line)
    journal.write_text("\n".join(lines[:cut]) + '\n{"event": "sent", "em', encoding="utf-8")
    state = read_journal(journal)
    assert state.in_doubt == "lecteur00002@example.net" and state.finished is None
    for path in mailbox.iterdir():
        path.unlink()
    again = lettre(*send_args(folder, "--via", script))
    assert (
        "Warning: lecteur00002@example.net was being handed over when the last send "
        "stopped: it may have received the letter already; it is sent again with the same "
        "Message-ID" in again.stderr
    )
    [resent, *others] = mailbox_messages(mailbox)  # the one in doubt goes first
    assert resent["To"].addresses[0].addr_spec == "lecteur00002@example.net"
    assert resent["Message-ID"] == first_id
    assert sorted(m["To"].addresses[0].addr_spec for m in others) == [
        "archives@example.org",
        "lecteur00003@example.net",
    ]


# --- options -------------------------------------------------------------------------------


def test_dry_run_says_who_would_receive_what_and_writes_nothing(
    letter_folder: Callable[[int], Path],
) -> None:
    folder = letter_folder(3)
    (folder / "abonnes.csv").write_text(
        "email;name;locale\nlea@example.net;Léa;\npaul@example.net;;en_GB\nLEA@example.net;L;\n",
        encoding="utf-8",
    )
    lettre("unsubscribe", "-C", folder, "paul@example.net")
    # --readers reads another file than lettre.toml's
    (folder / "abonnes.csv").rename(folder / "autres.csv")
    done = lettre(
        *send_args(folder, "--dry-run", "--via", "true", "--readers", folder / "autres.csv")
    )
    assert (
        done.stdout
        == (
            "send  Léa <lea@example.net>  [fr_FR]  Lettre de test du 13 juin 2025\n"
            "skip  paul@example.net  (unsubscribed "
            + re.search(
                r"paul@example.net,([^,]+),", (folder / "state" / "unsubscribed.csv").read_text()
            )[1]  # type: ignore[index]
            + ")\n"
            "send  archives@example.org  [fr_FR]  Lettre de test du 13 juin 2025\n"
        )
    )
    assert done.stderr == (
        f"Warning: {folder / 'autres.csv'}:4: LEA@example.net is already on line 2: sent once\n"
        "2 messages would be handed to 'true'; 0 already sent, 1 unsubscribed (dry run: "
        "nothing sent, nothing written)\n"
    )
    assert not (folder / "state" / "sent").exists() and not (folder / "state" / "secret").exists()


def test_to_sends_one_test_message_outside_the_journal(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(3)
    script, mailbox = slow_sender(tmp_path, delay=0)
    done = lettre(*send_args(folder, "--via", script, "--to", "lecteur00001@example.net"))
    assert "test message handed to" in done.stderr
    [msg] = mailbox_messages(mailbox)
    assert msg["To"].addresses[0].display_name == "Paul 1"  # the CSV's row, when it has one
    assert "Bonjour Paul 1," in parts(msg)[0]
    lettre(*send_args(folder, "--via", script, "--to", "moi@example.org"))
    assert not (folder / "state" / "sent").exists()
    bad = lettre(*send_args(folder, "--via", script, "--to", "moi"), check=False)
    assert bad.returncode == 2 and "Error: --to: 'moi' is not an e-mail address" in bad.stderr


def test_bad_rows_refuse_the_send_before_any_message(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(3)
    (folder / "abonnes.csv").write_text(
        "email,name\nlea@example.net,Léa\nlea.example.net,Lea\n,Sans adresse\n", encoding="utf-8"
    )
    script, mailbox = slow_sender(tmp_path, delay=0)
    done = lettre(*send_args(folder, "--via", script), check=False)
    csv_path = folder / "abonnes.csv"
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {csv_path}:3: 'lea.example.net' is not an e-mail address\n"
        f"{csv_path}:4: no e-mail address (the 'email' cell is empty)\n"
    )
    assert not any(mailbox.iterdir())


def test_missing_sender_command_and_bad_options(letter_folder: Callable[[int], Path]) -> None:
    folder = letter_folder(2)
    done = lettre(*send_args(folder, "--via", "no-such-sendmail -t"), check=False)
    assert done.returncode == 1
    assert done.stderr == (
        "Error: cannot run the sender command 'no-such-sendmail -t': no program "
        "'no-such-sendmail' (install it, or choose another with --via or [send] via)\n"
    )
    # the sender command of lettre.toml is named at its line
    toml = folder / "lettre.toml"
    toml.write_text(SEND_CONFIG + '\n[send]\nvia = "no-such-sendmail -t"\n', encoding="utf-8")
    done = lettre(*send_args(folder), check=False)
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {toml}:{SEND_CONFIG.count(chr(10)) + 3}: cannot run the sender command "
        "'no-such-sendmail -t': no program 'no-such-sendmail' (install it, or choose another "
        "with --via or [send] via)\n"
    )
    toml.write_text(SEND_CONFIG.replace('readers = "abonnes.csv"\n', ""), encoding="utf-8")
    done = lettre(*send_args(folder), check=False)
    assert done.returncode == 1
    assert done.stderr == (
        f'Error: {toml}: no readers: set [recipients] readers = "abonnes.csv" in lettre.toml, '
        "or give --readers\n"
    )
    listed = SEND_CONFIG.replace('readers = "abonnes.csv"\n', "")
    toml.write_text(listed + '\n[send]\nmode = "list"\n', encoding="utf-8")
    done = lettre(*send_args(folder), check=False)
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {toml}:{listed.count(chr(10)) + 3}: '[send] mode' is \"list\" but "
        "[recipients] sets no 'list' address\n"
    )
    toml.write_text(SEND_CONFIG, encoding="utf-8")
    rate = lettre(*send_args(folder, "--rate", "vite"), check=False)
    assert rate.returncode == 2
    assert "Error: --rate: 'vite' is not a rate (write 10/s, 600/min or 3600/h)" in rate.stderr


def test_rate_throttles(tmp_path: Path, letter_folder: Callable[[int], Path]) -> None:
    folder = letter_folder(5)
    script, _ = slow_sender(tmp_path, delay=0)
    started = time.monotonic()
    lettre(*send_args(folder, "--via", script, "--rate", "600/min"))
    # 6 messages at 10 a second: the last one leaves 0.5 s after the first
    assert time.monotonic() - started >= 0.5


def test_compose_and_archive_carry_no_token(
    letter_folder: Callable[[int], Path], tmp_path: Path
) -> None:
    folder = letter_folder(2)
    html = lettre("compose", "-C", folder, "--week", WEEK, "--format", "html").stdout
    assert "desabonnement" in html and "?a=" not in html and "Bonjour" not in html
    lettre("archive", "-C", folder, "--out", tmp_path / "archive")
    page = (tmp_path / "archive" / f"{WEEK}.html").read_text(encoding="utf-8")
    assert "desabonnement" in page and "?a=" not in page


def test_a_letter_edited_between_two_runs_is_said(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(4)
    script = tmp_path / "fails-third"
    script.write_text(
        '#!/bin/sh\ncase "$(cat)" in *lecteur00002@*) exit 1;; esac\n', encoding="utf-8"
    )
    script.chmod(0o755)
    assert lettre(*send_args(folder, "--via", script), check=False).returncode == 1
    item = folder / "items" / "2025-06-10-un-titre.md"
    item.write_text(item.read_text(encoding="utf-8").replace("Un titre", "Un titre corrigé"))
    done = lettre(*send_args(folder, "--via", "true"))
    assert (
        "Warning: the letter changed since 2 readers received it: the others get this "
        "version\n" in done.stderr
    )


# --- personalising, in process -------------------------------------------------------------


def plan_for(folder: Path):  # type: ignore[no-untyped-def]
    import datetime as dt

    from lettre.compose import open_folder
    from lettre.send import prepare
    from lettre.weeks import parse_week

    config = open_folder(folder)
    week = parse_week(WEEK, dt.date(2025, 6, 13), config.publication_day)
    return prepare(
        config, week, readers_path=folder / "abonnes.csv", state_dir=folder / "state",
        check_via=False,
    )  # fmt: skip


def test_reader_values_are_escaped_in_html_and_raw_in_text(
    letter_folder: Callable[[int], Path],
) -> None:
    from lettre.send import personalise
    from lettre.subscribers import iter_readers

    folder = letter_folder(1)
    (folder / "abonnes.csv").write_text(
        'email;name;grade\nlea@example.net;"<b>Léa & Cie</b>";Sergente "chef"\n',
        encoding="utf-8",
    )
    templates = folder / "templates"
    templates.mkdir()
    packaged = Path(__file__).resolve().parent.parent / "templates"
    for name in ("letter.html.j2", "letter.txt.j2"):
        text = (packaged / name).read_text(encoding="utf-8")
        text = text.replace(
            "{% for section in letter.sections %}",
            "{{ reader.grade }}\n{% for section in letter.sections %}",
            1,
        )
        (templates / name).write_text(text, encoding="utf-8")
    [reader] = iter_readers(folder / "abonnes.csv")
    data = personalise(plan_for(folder), reader, b"s" * 64).data
    msg = parse(data)
    text, html = parts(msg)
    assert "Bonjour <b>Léa & Cie</b>," in text and 'Sergente "chef"' in text
    assert (
        "Bonjour &lt;b&gt;Léa &amp; Cie&lt;/b&gt;," in html and "Sergente &quot;chef&quot;" in html
    )
    assert "<b>" not in html
    assert msg["To"].addresses[0].display_name == "<b>Léa & Cie</b>"
    header, _, body = data.partition(b"\n\n")
    assert b"\r" not in data and all(byte < 128 for byte in data)
    assert max(len(line) for line in body.split(b"\n")) <= 76  # quoted-printable
    assert max(len(line) for line in header.split(b"\n")) <= 998


def test_a_template_that_changes_a_reader_value_is_refused(
    letter_folder: Callable[[int], Path],
) -> None:
    from lettre.errors import TemplateError

    folder = letter_folder(1)
    templates = folder / "templates"
    templates.mkdir()
    packaged = Path(__file__).resolve().parent.parent / "templates"
    text = (packaged / "letter.txt.j2").read_text(encoding="utf-8")
    (templates / "letter.txt.j2").write_text(
        "{{ reader.email | upper }}\n" + text, encoding="utf-8"
    )
    with pytest.raises(TemplateError) as caught:
        plan_for(folder)
    assert str(caught.value) == (
        "letter.txt.j2: a template changes a reader.* value (a filter such as upper or "
        "truncate?): lettre fills reader.* in after composing, so write {{ reader.name }} as is"
    )


def test_sigterm_stops_with_the_reader_in_doubt_named(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(30)
    script, mailbox = slow_sender(tmp_path, delay=0.3)
    first = subprocess.Popen(
        [*LETTRE, *map(str, send_args(folder, "--via", script))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while len(list(mailbox.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # inside the next reader's 0.3 s
    first.terminate()
    _, stderr = first.communicate(timeout=60)
    assert first.returncode == 1, stderr
    named = re.search(r"Error: interrupted while (\S+) was being handed over: it may have", stderr)
    assert named, stderr
    state = read_journal(folder / "state" / "sent" / f"{WEEK}.jsonl")
    assert state.in_doubt == named[1] and len(state.sent) >= 3
    lettre(*send_args(folder, "--via", script))
    counts = collections.Counter(m["To"].addresses[0].addr_spec for m in mailbox_messages(mailbox))
    assert len(counts) == 31 and {a for a, n in counts.items() if n != 1} <= {named[1]}


def test_example_content_is_never_sent(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(3)
    (folder / "items" / "2025-06-11-exemple.md").write_text(
        item_text(date="2025-06-11", title="Un exemple", example="true"), encoding="utf-8"
    )
    script, mailbox = slow_sender(tmp_path, delay=0)
    done = lettre(*send_args(folder, "--via", script), check=False)
    assert done.returncode == 1
    assert done.stderr.startswith(
        "Error: the letter of 2025-06-13 holds example content, which is never sent to "
        f"readers:\n  {folder / 'items' / '2025-06-11-exemple.md'}:5: "
    ), done.stderr
    assert not any(mailbox.iterdir())
    assert not (folder / "state" / "sent" / f"{WEEK}.jsonl").exists()  # no journal, no secret
    assert not (folder / "state" / "secret").exists()


def photo_letter(make_folder: Callable[..., Path], config: str) -> Path:
    from test_images import camera_photo

    item = item_text(image="{src: photos/defile.jpg, alt: Des marins défilent}")
    folder = make_folder({"2025-06-10-photo.md": item}, config=config)
    (folder / "abonnes.csv").write_text(readers_csv(2), encoding="utf-8")
    camera_photo(folder / "photos" / "defile.jpg", size=(1600, 1200))
    return folder


def test_embedded_photos_travel_in_every_readers_message(
    tmp_path: Path, make_folder: Callable[..., Path]
) -> None:
    folder = photo_letter(make_folder, SEND_CONFIG + '\n[images]\nmode = "embed"\n')
    script, mailbox = slow_sender(tmp_path, delay=0)
    lettre(*send_args(folder, "--via", script))
    messages = mailbox_messages(mailbox)
    assert len(messages) == 3
    for msg in messages:
        assert msg.get_content_type() == "multipart/related"
        assert msg.get_param("type") == "multipart/alternative"
        alternative, photo = msg.iter_parts()
        assert [p.get_content_type() for p in alternative.iter_parts()] == [
            "text/plain",
            "text/html",
        ]
        html = str(list(alternative.iter_parts())[1].get_content())
        [cid] = re.findall(r'src="cid:([^"]+)"', html)
        assert str(photo["Content-ID"]) == f"<{cid}>" and photo.get_content_type() == "image/jpeg"
        assert photo.get_content().startswith(b"\xff\xd8")  # a JPEG, whole
        assert msg["Content-Language"] == "fr" and msg["List-Unsubscribe-Post"]


def test_published_photos_must_be_archived_before_sending(
    tmp_path: Path, make_folder: Callable[..., Path]
) -> None:
    folder = photo_letter(make_folder, SEND_CONFIG)
    script, mailbox = slow_sender(tmp_path, delay=0)
    refused = lettre(*send_args(folder, "--via", script), check=False)
    assert refused.returncode == 1
    assert "is not in the web archive yet" in refused.stderr and "before sending" in refused.stderr
    assert not any(mailbox.iterdir())
    lettre("archive", "-C", folder, "--out", tmp_path / "public")
    lettre(*send_args(folder, "--via", script))
    [first, *_] = mailbox_messages(mailbox)
    assert first.get_content_type() == "multipart/alternative"
    assert "https://lettre.example.org/lettres/images/defile-" in parts(first)[1]


# --- list mode: one posting to a list manager (tests/test_mailman.py runs a real one) -------


def test_list_mode_posts_once_to_the_list_address(
    tmp_path: Path, letter_folder: Callable[[int], Path]
) -> None:
    folder = letter_folder(3)
    toml = folder / "lettre.toml"
    toml.write_text(
        SEND_CONFIG.replace(
            'readers = "abonnes.csv"\n',
            'readers = "abonnes.csv"\nlist = { address = "hebdo@lists.example.org", '
            'name = "Hebdo" }\n',
        )
        + '\n[send]\nmode = "list"\n',
        encoding="utf-8",
    )
    sender, mailbox = slow_sender(tmp_path, delay=0)
    done = lettre(*send_args(folder, "--via", sender))
    assert "posted to hebdo@lists.example.org" in done.stderr
    (posted,) = mailbox_messages(mailbox)
    assert posted["To"] == "Hebdo <hebdo@lists.example.org>"  # the list's address alone
    for header in ("Cc", "Bcc", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert posted[header] is None, header  # the list manager writes its own List-*
    assert re.fullmatch(r"<lettre\.20250613\.[0-9a-f]{24}@example\.org>", posted["Message-ID"])
    text, html = parts(posted)
    assert "Un titre" in text and "Un titre" in html
    journal = read_journal(folder / "state" / "sent" / f"{WEEK}.jsonl")
    assert journal.finished and journal.sent == frozenset({"hebdo@lists.example.org"})

    again = lettre(*send_args(folder, "--via", sender), check=False)
    assert again.returncode == 1
    assert "was already sent to the list hebdo@lists.example.org" in again.stderr
    assert len(list(mailbox.iterdir())) == 1  # nothing posted twice
    # --resend posts again, with the same Message-ID: the letter has not changed
    lettre(*send_args(folder, "--via", sender, "--resend"))
    ids = {m["Message-ID"] for m in mailbox_messages(mailbox)}
    assert len(list(mailbox.iterdir())) == 2 and ids == {posted["Message-ID"]}


def test_list_mode_needs_a_list_address_and_takes_no_reader_options(
    letter_folder: Callable[[int], Path],
) -> None:
    folder = letter_folder(1)
    done = lettre(*send_args(folder, "--list"), check=False)
    assert done.returncode == 1
    assert done.stderr.startswith(f"Error: {folder / 'lettre.toml'}:")
    assert 'no list address: set [recipients] list = "hebdo@lists.example.org"' in done.stderr
    usage = lettre(*send_args(folder, "--list", "--dry-run"), check=False)
    assert usage.returncode == 2
    assert "--dry-run: not with a posting to a list manager (--list)" in usage.stderr
