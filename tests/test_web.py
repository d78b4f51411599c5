"""The one-click endpoint over real HTTP: `lettre serve-unsubscribe` on 127.0.0.1.

A reader's own link, taken from a message `lettre send` made, unsubscribes them with a
RFC 8058 POST; GET shows a page and changes nothing; a forged or altered token is refused.
"""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import item_text
from lettre.web import make_app
from test_send import SEND_CONFIG, lettre, readers_csv, send_args, slow_sender
from test_sendmail import free_port

LETTRE = [sys.executable, "-m", "lettre"]


@pytest.fixture
def sent_folder(make_folder: Callable[..., Path], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder whose letter was sent to 4 readers: their unsubscribe links, by address."""
    folder = make_folder({"2025-06-10-un-titre.md": item_text()}, config=SEND_CONFIG)
    (folder / "abonnes.csv").write_text(readers_csv(4), encoding="utf-8")
    script, mailbox = slow_sender(tmp_path, delay=0)
    lettre(*send_args(folder, "--via", script))
    links = {}
    for path in mailbox.iterdir():
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        links[msg["To"].addresses[0].addr_spec] = re.findall(
            r"<(https://[^>]+)>", str(msg["List-Unsubscribe"])
        )[0]
    return folder, links


@pytest.fixture
def endpoint(sent_folder: tuple[Path, dict[str, str]]) -> Iterator[str]:
    """`lettre serve-unsubscribe` on a free port of 127.0.0.1: its base URL."""
    folder, _ = sent_folder
    port = free_port()
    server = subprocess.Popen(
        [*LETTRE, "serve-unsubscribe", "-C", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            except urllib.error.HTTPError:
                break  # it answers (400: no a/t in the URL)
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def local(link: str, base: str) -> str:
    """The reader's link, pointed at the test server instead of lettre.example.org."""
    parts = urlsplit(link)
    return f"{base}{parts.path}?{parts.query}"


def request(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


ONE_CLICK = b"List-Unsubscribe=One-Click"


def test_one_click_post_unsubscribes_and_the_next_send_skips_the_reader(
    sent_folder: tuple[Path, dict[str, str]], endpoint: str, tmp_path: Path
) -> None:
    folder, links = sent_folder
    suppression = folder / "state" / "unsubscribed.csv"
    lea = "lecteur00001@example.net"
    # GET: a page with a button that POSTs, and nothing changes (link scanners follow GETs)
    status, page = request(local(links[lea], endpoint))
    assert status == 200
    assert f"<p>Ne plus envoyer «\u202fLettre de test\u202f» à {lea}\u202f?</p>" in page
    assert '<form method="post" action="?a=' in page
    assert '<input type="hidden" name="List-Unsubscribe" value="One-Click">' in page
    assert not suppression.exists()
    # a forged token, an altered one, another reader's token: 403, nothing changes
    query = dict(p.split("=", 1) for p in urlsplit(links[lea]).query.split("&"))
    other = dict(
        p.split("=", 1) for p in urlsplit(links["lecteur00002@example.net"]).query.split("&")
    )
    altered = query["t"][:-1] + ("A" if query["t"][-1] != "A" else "B")
    for forged in (
        f"{endpoint}/desabonnement?a={query['a']}&t={altered}",
        f"{endpoint}/desabonnement?a={query['a']}&t={other['t']}",
        f"{endpoint}/desabonnement?a={other['a']}&t={query['t']}",
        f"{endpoint}/desabonnement?a={query['a']}&t=",
    ):
        status, page = request(forged, "POST", ONE_CLICK)
        assert status == 403, forged
        assert "Ce lien de désabonnement n’est pas valide" in page
        assert request(forged)[0] == 403
    assert not suppression.exists()
    # a POST that is not one-click is refused too
    assert request(local(links[lea], endpoint), "POST", b"x=y")[0] == 400
    assert not suppression.exists()
    # the RFC 8058 POST: 200, and the reader is in the suppression file
    status, page = request(local(links[lea], endpoint), "POST", ONE_CLICK)
    assert status == 200
    assert f"L’adresse {lea} est désabonnée" in page
    lines = suppression.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "email,date,source"
    assert re.fullmatch(rf"{lea},\d{{4}}-\d\d-\d\dT[0-9:]+\+0[12]:00,one-click", lines[1])
    # the same POST again (a client retrying) changes nothing
    assert request(local(links[lea], endpoint), "POST", ONE_CLICK)[0] == 200
    assert len(suppression.read_text(encoding="utf-8").splitlines()) == 2
    # GET now says it is done
    assert "est désabonnée" in request(local(links[lea], endpoint))[1]
    # the next send skips them
    (tmp_path / "again").mkdir()
    script, mailbox = slow_sender(tmp_path / "again", delay=0)
    done = lettre(*send_args(folder, "--via", script, "--resend"))
    assert f"skipped {lea} (unsubscribed)" in done.stderr
    received = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"]
        .addresses[0]
        .addr_spec
        for p in mailbox.iterdir()
    ]
    assert lea not in received and len(received) == 4  # 3 readers and the bcc copy


def test_other_methods_and_incomplete_links(
    sent_folder: tuple[Path, dict[str, str]], endpoint: str
) -> None:
    folder, links = sent_folder
    assert request(f"{endpoint}/desabonnement")[0] == 400
    assert request(f"{endpoint}/desabonnement?a=%%%&t=x")[0] == 400
    assert request(local(links["lecteur00001@example.net"], endpoint), "PUT", ONE_CLICK)[0] == 405
    assert not (folder / "state" / "unsubscribed.csv").exists()


def test_unsubscribe_command_takes_a_link_or_an_address(
    sent_folder: tuple[Path, dict[str, str]],
) -> None:
    folder, links = sent_folder
    suppression = folder / "state" / "unsubscribed.csv"
    done = lettre("unsubscribe", "-C", folder, links["lecteur00002@example.net"])
    assert done.stdout == f"lecteur00002@example.net unsubscribed ({suppression})\n"
    again = lettre("unsubscribe", "-C", folder, "LECTEUR00002@example.net")
    assert again.stdout == f"LECTEUR00002@example.net was already unsubscribed ({suppression})\n"
    forged = links["lecteur00001@example.net"][:-2] + "xx"
    refused = lettre("unsubscribe", "-C", folder, forged, check=False)
    assert refused.returncode == 2
    assert refused.stderr == (
        "Error: this link's token does not match its address (lecteur00001@example.net): it "
        "was not made by this folder's secret, or it was altered\n"
    )
    assert len(suppression.read_text(encoding="utf-8").splitlines()) == 2


def test_wsgi_app_in_process(sent_folder: tuple[Path, dict[str, str]]) -> None:
    """The application a WSGI server runs: HEAD answers without a body, no state change."""
    import io

    folder, links = sent_folder
    app = make_app(folder)
    answers: list[str] = []
    query = urlsplit(links["lecteur00003@example.net"]).query
    environ = {"REQUEST_METHOD": "HEAD", "QUERY_STRING": query, "wsgi.input": io.BytesIO()}
    body = b"".join(app(environ, lambda status, headers: answers.append(status)))
    assert answers == ["200 OK"] and body == b""
    assert not (folder / "state" / "unsubscribed.csv").exists()
