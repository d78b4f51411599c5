"""The send journal: replayed after a crash, a line cut short, a damaged line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lettre.errors import LettreError
from lettre.journal import Journal, read_journal

AT = dt.datetime(2025, 6, 13, 8, 0, tzinfo=dt.UTC)


def test_replay_sent_in_doubt_and_done(tmp_path: Path) -> None:
    path = tmp_path / "sent" / "2025-06-13.jsonl"
    journal = Journal(path)
    journal.record("start", AT, pid=1, content="abc")
    journal.record("handing", AT, email="Lea@example.net", message_id="<1@x>")
    journal.record("sent", AT, email="Lea@example.net", message_id="<1@x>")
    journal.record("handing", AT, email="paul@example.net", message_id="<2@x>")
    journal.close()
    state = read_journal(path)
    assert state.sent == frozenset({"lea@example.net"})
    assert (state.in_doubt, state.in_doubt_id) == ("paul@example.net", "<2@x>")
    assert state.finished is None and state.runs == 1 and state.content == "abc"
    # a second run resolves the reader in doubt and finishes
    journal = Journal(path)
    journal.record("start", AT, pid=2, content="def")
    journal.record("handing", AT, email="paul@example.net", message_id="<2@x>")
    journal.record("sent", AT, email="paul@example.net", message_id="<2@x>")
    journal.record("done", AT, sent=1)
    journal.close()
    state = read_journal(path)
    assert state.sent == {"lea@example.net", "paul@example.net"} and state.in_doubt is None
    assert state.finished == "2025-06-13T08:00:00.000+00:00" and state.runs == 2
    assert state.content == "abc"  # what the first run of the round sent
    # --resend starts the round over
    journal = Journal(path)
    journal.record("start", AT, pid=3, resend=True, content="ghi")
    journal.close()
    state = read_journal(path)
    assert state.sent == frozenset() and state.finished is None and state.content == "ghi"


def test_a_line_cut_short_by_a_crash_never_happened(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(
        '{"event": "start", "at": "x"}\n'
        '{"event": "handing", "at": "x", "email": "a@example.net"}\n'
        '{"event": "sent", "at": "x", "em',
        encoding="utf-8",
    )
    assert read_journal(path).in_doubt == "a@example.net"
    journal = Journal(path)  # the next record starts on a line of its own
    journal.record("sent", AT, email="a@example.net")
    journal.close()
    assert path.read_text(encoding="utf-8").splitlines()[-2] == '{"event": "sent", "at": "x", "em'
    state = read_journal(path)
    assert state.sent == {"a@example.net"} and state.in_doubt is None


def test_a_damaged_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"event": "start"}\n{"event": sent}\n', encoding="utf-8")
    with pytest.raises(LettreError) as caught:
        read_journal(path)
    assert (
        str(caught.value)
        == f"{path}:2: the send journal is damaged here (edit nothing in it by hand)"
    )


def test_no_journal_yet(tmp_path: Path) -> None:
    state = read_journal(tmp_path / "absent.jsonl")
    assert state.sent == frozenset() and state.runs == 0 and state.in_doubt is None
