"""The e-mail message's headers and structure, as a mail server and a client parse them."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFIG
from lettre.french import one_line

LONG_TITLE = (
    "Lettre hebdomadaire de communication de l'état-major des armées, de la direction "
    "générale de l'armement et du secrétariat général pour l'administration"
)


def compose_eml(run, folder: Path, *extra: str) -> bytes:  # type: ignore[no-untyped-def]
    result = run(
        "compose", "-C", folder, "--week", "2025-06-13", "--now", "2025-06-13T08:00", *extra
    )
    assert result.exit_code == 0, result.stderr
    return bytes(result.stdout_bytes)


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert all(not part.defects for part in msg.walk()), [p.defects for p in msg.walk()]
    return msg


def headers_of(raw: bytes) -> list[bytes]:
    return raw.partition(b"\n\n")[0].split(b"\n")


def test_long_subject_is_folded_and_reads_back_whole(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace('title = "Lettre de test"', f'title = "{LONG_TITLE}"')
    raw = compose_eml(run, make_folder(config=config))
    subject = [line for line in headers_of(raw) if line.startswith(b"Subject:")]
    header = raw.partition(b"\n\n")[0].decode("ascii")  # RFC 2047: headers are 7-bit
    folded = re.search(r"^Subject:.*?(?=^\S)", header, re.MULTILINE | re.DOTALL)
    assert subject and folded and folded[0].count("\n") >= 2, "a long subject spans lines"
    assert all(len(line) <= 78 for line in headers_of(raw))
    msg = parse(raw)
    # the subject follows French typography: « l’état-major »
    assert msg["Subject"] == f"{LONG_TITLE.replace(chr(39), '’')} du 13 juin 2025"
    # the title goes into List-Id as encoded words, never inside a quoted string
    assert '"' not in msg["List-Id"] and "=?utf-8?" in header.split("List-Id:")[1]
    assert str(msg["List-Id"]) == f"{LONG_TITLE} <lettre.example.org>"


def test_ascii_title_in_list_id_is_a_quoted_phrase(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace('title = "Lettre de test"', 'title = "The \\"Weekly\\" Letter"')
    msg = parse(compose_eml(run, make_folder(config=config)))
    assert msg["List-Id"] == '"The \\"Weekly\\" Letter" <lettre.example.org>'


def test_every_line_within_rfc_limits(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    raw = compose_eml(run, samples)
    header, _, body = raw.partition(b"\n\n")
    assert max(len(line) for line in header.split(b"\n")) <= 78
    # quoted-printable lines: 76 characters at most (RFC 2045 §6.7)
    assert max(len(line) for line in body.split(b"\n")) <= 76
    assert b"\r" not in raw, "LF line ends on the pipe, as sendmail -t reads them"


def test_reply_to_cc_and_bcc(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace(
        '[recipients]\nto = ["abonnes@example.net"]',
        'reply_to = { name = "Rédaction", address = "redaction@example.org" }\n'
        '[recipients]\nto = ["abonnes@example.net"]\ncc = ["chef@example.org"]\n'
        'bcc = ["archives@example.org"]',
    )
    msg = parse(compose_eml(run, make_folder(config=config)))
    assert msg["Reply-To"].addresses[0].display_name == "Rédaction"
    assert msg["Reply-To"].addresses[0].addr_spec == "redaction@example.org"
    assert msg["Cc"] == "chef@example.org"
    # kept for `sendmail -t`, which takes it for the envelope and strips it (test_sendmail.py)
    assert msg["Bcc"] == "archives@example.org"


def test_date_in_the_configured_zone(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace('"Europe/Paris"', '"America/Montreal"')
    msg = parse(compose_eml(run, make_folder(config=config)))
    assert msg["Date"] == "Fri, 13 Jun 2025 08:00:00 -0400"
    assert msg["Date"].datetime.utcoffset().total_seconds() == -4 * 3600


def test_message_id_is_new_at_every_composition(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    first, second = (parse(compose_eml(run, samples))["Message-ID"] for _ in range(2))
    assert first != second  # the same week composed twice: two messages, two IDs
    assert re.fullmatch(r"<lettre\.20250613\.[0-9a-f]{24}@example\.org>", first)
    seeded = {parse(compose_eml(run, samples, "--seed", "s"))["Message-ID"] for _ in range(2)}
    assert len(seeded) == 1  # the same --seed and the same letter: one ID


def test_a_corrected_letter_gets_a_new_message_id(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder()
    before = parse(compose_eml(run, folder, "--seed", "s"))["Message-ID"]
    item = next((folder / "items").iterdir())
    item.write_text(item.read_text(encoding="utf-8").replace("Un titre", "Un titre corrigé"))
    after = parse(compose_eml(run, folder, "--seed", "s"))["Message-ID"]
    assert before != after  # Gmail drops a second message with an ID it has seen


def test_message_id_and_list_headers(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    raw = compose_eml(run, samples)
    msg = parse(raw)
    assert msg["Message-ID"].endswith("@example.org>")
    assert msg["Message-ID"] != parse(compose_eml(run, samples, "--seed", "2"))["Message-ID"]
    assert msg["List-Unsubscribe"] == (
        "<https://lettre.example.org/desabonnement>, "
        "<mailto:desabonnement@example.org?subject=unsubscribe>"
    )
    # one message to a list address identifies no reader: never one-click (RFC 8058 §3.1);
    # the messages of `lettre send` are (tests/test_send.py)
    assert msg["List-Unsubscribe-Post"] is None
    assert msg["Content-Language"] == "fr"
    assert msg["MIME-Version"] == "1.0"
    assert re.fullmatch(r"lettre \d+\.\d+\.\d+\S*", msg["X-Mailer"])
    # one From, one Date, one Message-ID: what Gmail and Yahoo require of bulk senders
    for name in ("From", "Date", "Message-ID", "Subject", "To"):
        assert len(msg.get_all(name) or []) == 1, name


def test_parts_decode_to_the_text_and_html_outputs(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    msg = parse(compose_eml(run, samples))
    text_part, html_part = msg.iter_parts()
    week = ("--week", "2025-06-13")
    assert text_part.get_content() == run("compose", "-C", samples, *week, "-f", "text").stdout
    assert html_part.get_content() == run("compose", "-C", samples, *week, "-f", "html").stdout
    assert text_part["Content-Transfer-Encoding"] == "quoted-printable"


class _VisibleText(HTMLParser):
    """The words a reader sees in the HTML: not the <head>, not the hidden preheader."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.hidden: list[str] = []  # the open elements whose content is not shown

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "title") or "preheader" in (dict(attrs).get("class") or ""):
            self.hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.words += re.findall(r"\w+", data.lower())


@pytest.mark.parametrize("week", ["2025-06-13", "2025-06-06"])
def test_the_text_part_says_what_the_html_says(run, samples: Path, week: str) -> None:  # type: ignore[no-untyped-def]
    """SpamAssassin's MPART_ALT_DIFF fires when the text lacks the HTML's words."""
    html = run("compose", "-C", samples, "--week", week, "-f", "html").stdout
    text = run("compose", "-C", samples, "--week", week, "-f", "text").stdout
    seen = _VisibleText()
    seen.feed(html)
    assert len(seen.words) > 200
    assert set(seen.words) - set(re.findall(r"\w+", text.lower())) == set()
    # the footer names the sender as the HTML's does
    assert "communication@example.org" in text.split("\n-- \n")[1]


TEXT = "Bonjour.\n"
HTML = '<!DOCTYPE html>\n<html lang="fr"><body><p>Bonjour.</p></body></html>\n'


def _letter(subject: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    from lettre.items import Letter, Week

    week = Week(dt.date(2025, 6, 7), dt.date(2025, 6, 13))
    return Letter(
        title=subject,
        subject=subject,
        week=week,
        date=week.end,
        date_text="vendredi 13 juin 2025",
        period_text="du 7 au 13 juin 2025",
        locale="fr_FR",
        lang="fr",
        sections=(),
        preheader="",
        sender_name="Cellule communication",
        sender_address="communication@example.org",
    )


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"
        ),
        min_size=1,
        max_size=200,
    ).filter(lambda t: t.strip())
)
def test_any_title_survives_the_headers(title: str) -> None:
    """Folding and RFC 2047 never lose or change a character of the subject or List-Id."""
    check_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "a" * 200,
        "Lettre " + "é" * 90,
        'Dit "bonjour" \\ toi',
        # Python's own folding dropped the space between these encoded words
        "000000000" + "\u0800" * 10 + " \u00a1 \u00a1",
    ],
)
def test_extreme_titles_survive_the_headers(title: str) -> None:
    check_title(title)


def check_title(title: str) -> None:
    """Compose a message for `title` and read it back: same subject, lines within limits."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from lettre.config import Address, Config
    from lettre.message import as_bytes, build_message

    subject = one_line(title)
    config = Config(
        folder=Path("."),
        title=subject,
        sender=Address("communication@example.org", "Cellule"),
        to=(Address("abonnes@example.net"),),
        unsubscribe_url="https://lettre.example.org/desabonnement",
    )
    now = dt.datetime(2025, 6, 13, 8, tzinfo=ZoneInfo("Europe/Paris"))
    raw = as_bytes(build_message(_letter(subject), HTML, TEXT, config, now))
    header = raw.partition(b"\n\n")[0]
    assert header.isascii()
    assert max(len(line) for line in header.split(b"\n")) <= 78
    msg = parse(raw)
    assert msg["Subject"] == subject
    assert str(msg["List-Id"]).endswith("<lettre.example.org>")
    list_id = re.search(rb"^List-Id:.*?(?=^\S)", header + b"\nEnd", re.MULTILINE | re.DOTALL)
    assert list_id is not None
    # never an encoded word inside a quoted string (RFC 2047 §5)
    assert b"=?" not in list_id[0] or b'"' not in list_id[0]
