"""`lettre serve` over plain HTTP: what it serves, what it refuses, how it stops.

The server runs as a real process (`python -m lettre serve --port 0`) on 127.0.0.1, in a
copy of `samples/`; the browser side is tests/test_serve_browser.py.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import SAMPLES, Run
from lettre.servehttp import allowed_names, host_allowed, split_host

WEEK = "2025-06-13"
PHOTO = "items/2025-06-10-concours-photo-des-armees.md"


class Served:
    """A `lettre serve` process, its address, and what it wrote on stderr."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.folder = folder
        self.out = folder.parent / f"serve-{id(self)}.out"
        self.err = folder.parent / f"serve-{id(self)}.err"
        command = [sys.executable, "-m", "lettre", "serve", "--week", WEEK, "--port", "0", *args]
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(command, cwd=folder, stdout=out, stderr=err)
        self.url = self._address()
        scheme_host = self.url.split("/", 3)
        self.host, self.port = scheme_host[2].rsplit(":", 1)[0], int(scheme_host[2].rsplit(":")[-1])

    def _address(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = self.out.read_text(encoding="utf-8")
            if text.endswith("\n"):
                return text.strip()
            if self.process.poll() is not None:
                pytest.fail(f"lettre serve stopped: {self.stderr()}")
            time.sleep(0.05)
        pytest.fail(f"lettre serve printed no address: {self.stderr()}")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def request(
        self, path: str, method: str = "GET", host: str | None = None, timeout: float = 30
    ) -> tuple[int, dict[str, str], bytes]:
        """One request with the given Host header (default: the server's own address)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host if host is not None else f"{self.host}:{self.port}")
            connection.endheaders()
            response = connection.getresponse()
            body = b"" if method == "HEAD" else response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def stop(self) -> int:
        """Ctrl-C, as in a terminal; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=15)


def copy_samples(tmp_path: Path) -> Path:
    folder = tmp_path / "lettre"
    shutil.copytree(SAMPLES, folder)
    return folder


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(copy_samples(tmp_path_factory.mktemp("serve")))
    yield server
    assert server.stop() == 0, server.stderr()


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("the server did not follow the change in time")
        time.sleep(0.1)


# --- what it serves --------------------------------------------------------------------------


def test_prints_its_address_on_127_0_0_1(served: Served) -> None:
    assert served.url == f"http://127.0.0.1:{served.port}/{WEEK}"
    assert "Ctrl-C to stop" in served.stderr()
    assert "Warning" not in served.stderr()


def test_page_shows_the_week(served: Served) -> None:
    status, headers, body = served.request(f"/{WEEK}")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    page = body.decode("utf-8")
    assert "Lettre hebdomadaire de communication du 13 juin 2025" in page  # the Subject
    assert "vendredi 13 juin 2025" in page
    assert f'src="/{WEEK}/letter.html?v=' in page
    assert 'width="600"' in page and 'width="375"' in page
    assert page.count('sandbox="allow-same-origin allow-popups') == 2  # never allow-scripts
    assert "allow-scripts" not in page
    assert '<a id="previous" rel="prev" href="/2025-06-06"' in page
    assert '<a id="next" rel="next" href="/2025-06-20"' in page
    assert "lettre check: no problem" in page
    # the headers of compose's message: List-Unsubscribe, but one-click only in the
    # messages of `lettre send`, whose links name their reader (#12)
    assert "List-Unsubscribe" in page and "List-Unsubscribe=One-Click" not in page


def test_letter_is_the_html_part_of_the_email(served: Served) -> None:
    status, headers, body = served.request(f"/{WEEK}/letter.html?v=whatever")
    assert status == 200
    assert "script-src" not in headers["content-security-policy"]  # default-src 'none'
    assert "default-src 'none'" in headers["content-security-policy"]
    result = subprocess.run(
        [sys.executable, "-m", "lettre", "compose", "--week", WEEK],
        cwd=served.folder,
        capture_output=True,
        check=True,
    )
    message = email.message_from_bytes(result.stdout, policy=email.policy.default)
    part = message.get_body(("html",))
    assert part is not None
    assert body == part.get_content().encode("utf-8")


def test_plain_text_part_and_headers_are_shown(served: Served) -> None:
    page = served.request(f"/{WEEK}")[2].decode("utf-8")
    text = subprocess.run(
        [sys.executable, "-m", "lettre", "compose", "--week", WEEK, "--format", "text"],
        cwd=served.folder,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    shown = page.split('<section id="text"', 1)[1].split("<pre", 1)[1].split("</pre>", 1)[0]
    assert html.unescape(shown.split(">", 1)[1]) == text
    for header in ("From", "To", "Bcc", "Reply-To", "Date", "Message-ID", "List-Id"):
        assert f'<th scope="row">{header}</th>' in page


def test_a_day_that_is_not_a_publication_day_leads_to_its_letter(served: Served) -> None:
    status, headers, _ = served.request("/2025-06-10")
    assert (status, headers["location"]) == (302, f"/{WEEK}")
    status, headers, _ = served.request("/")
    assert (status, headers["location"]) == (302, f"/{WEEK}")


def test_events_tell_the_folder_version(served: Served) -> None:
    connection = socket.create_connection((served.host, served.port), timeout=10)
    try:
        host = f"{served.host}:{served.port}"
        connection.sendall(f"GET /events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        received = b""
        while b"event: version\ndata: " not in received:
            chunk = connection.recv(4096)
            assert chunk, received
            received += chunk
    finally:
        connection.close()
    assert b"text/event-stream" in received
    assert b"retry: 1000" in received


def test_locale_works_as_everywhere(tmp_path: Path) -> None:
    server = Served(copy_samples(tmp_path), "--locale", "en_GB")
    try:
        page = html.unescape(server.request(f"/{WEEK}")[2].decode("utf-8"))
        assert "Weekly Communication Newsletter of 13 June 2025" in page  # the Subject
        # the date as Babel writes it in English (CLDR's own pattern, which moves between
        # releases: "Friday, 13 June 2025", "Friday 13 June 2025")
        from babel.dates import format_date

        assert format_date(dt.date(2025, 6, 13), "full", locale="en_GB") in page
        assert '<pre lang="en">' in page
    finally:
        assert server.stop() == 0


def test_watchfiles_is_imported_by_serve_only() -> None:
    code = (
        "import sys\n"
        "from lettre.cli import app\n"
        "import lettre.serve, lettre.compose, lettre.check\n"
        "print('watchfiles' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "False\n", result.stderr


def test_findings_are_those_of_check_for_the_week_files_only(
    make_folder: Callable[..., Path],
) -> None:
    import datetime as dt

    from conftest import CONFIG, item_text
    from lettre.check import check_folder
    from lettre.compose import open_folder
    from lettre.serveview import render_page, week_view
    from lettre.weeks import week_of

    folder = make_folder(
        {
            "2025-06-10-a.md": item_text(sumary="Un résumé mal orthographié."),
            "2025-06-11-b.md": item_text(
                date="2025-06-11", title="Deux", body='Voir <a href="archives/2024.html">ici</a>.'
            ),
            "2025-05-02-autre-semaine.md": item_text(date="2025-05-02", title="a: b"),
        },
        config="allow_html = true\n" + CONFIG,
    )
    view = week_view(folder, None, dt.date(2025, 6, 13))
    assert view.composed is not None and view.problems == ()
    shown = [str(f) for f in view.findings]
    week = week_of(dt.date(2025, 6, 13))
    everything = check_folder(open_folder(folder), week).findings
    assert any("autre-semaine" in str(f) for f in everything)  # `lettre check` sees it
    assert shown == [str(f) for f in everything if "autre-semaine" not in str(f)]
    assert shown[0].startswith(f"{folder}/items/2025-06-11-b.md:")
    assert "error: link 'archives/2024.html' is relative" in shown[0]
    assert any("2025-06-10-a.md:5: warning: unknown key 'sumary'" in line for line in shown)
    page = render_page(view, folder)
    assert "lettre check: 1 error, " in page
    assert page.index('<li class="error">') < page.index('<li class="warning">')


def test_example_content_is_shown_marked_and_reported(tmp_path: Path, run: Run) -> None:
    from lettre.compose import open_folder, today_in
    from lettre.serveview import render_page, week_view
    from lettre.weeks import week_of

    folder = tmp_path / "ma-lettre"
    assert run("init", folder).exit_code == 0
    config = open_folder(folder)
    day = week_of(today_in(config), config.publication_day).end
    view = week_view(folder, None, day)
    assert view.composed is not None  # shown, never refused as `compose` of an e-mail is
    assert "EXEMPLE" in view.composed.html and "EXEMPLE" in view.composed.text
    errors = [f for f in view.findings if f.severity == "error"]
    assert errors and all(f.path is not None for f in errors)
    assert f"lettre check: {len(errors)} error" in render_page(view, folder)


def test_drafts_only_with_drafts(make_folder: Callable[..., Path]) -> None:
    import datetime as dt

    from conftest import item_text
    from lettre.serveview import week_view

    folder = make_folder(
        {
            "2025-06-10-a.md": item_text(title="Publié"),
            "2025-06-11-b.md": item_text(date="2025-06-11", title="En cours", draft="true"),
        }
    )
    plain = week_view(folder, None, dt.date(2025, 6, 13))
    proof = week_view(folder, None, dt.date(2025, 6, 13), drafts=True)
    assert plain.composed is not None and proof.composed is not None
    assert "En cours" not in plain.composed.html
    assert "En cours" in proof.composed.html and "BROUILLON" in proof.composed.html


@pytest.mark.parametrize("embed", [False, True])
def test_local_photos_are_served_as_the_letter_resources(
    make_folder: Callable[..., Path], embed: bool
) -> None:
    from test_images import EMBED, photo_folder

    folder = (
        photo_folder(make_folder, EMBED, count=2) if embed else photo_folder(make_folder, count=2)
    )
    server = Served(folder)
    try:
        status, _, body = server.request(f"/{WEEK}/letter.html")
        assert status == 200
        names = re.findall(rf'src="/{WEEK}/images/([^"]+)"', body.decode("utf-8"))
        assert len(names) == 2  # neither cid: nor the unpublished archive: this server
        for name in names:
            status, headers, data = server.request(f"/{WEEK}/images/{name}")
            assert status == 200, name
            assert headers["content-type"] in ("image/jpeg", "image/png")
            assert data == (folder / ".lettre" / "images" / name).read_bytes()
        assert server.request(f"/{WEEK}/images/autre.jpg")[0] == 404
        assert server.request(f"/{WEEK}/images/..%2Flettre.toml")[0] == 404
        assert server.request(f"/{WEEK}/images/../../lettre.toml")[0] == 404
    finally:
        assert server.stop() == 0


# --- what it refuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example.net",
        "evil.example.net:{port}",
        "lettre.example.org:{port}",  # a name someone else's DNS points at 127.0.0.1
        "127.0.0.1:1",  # another port
        "127.0.0.1",  # port 80
        "",
        "127.0.0.1:{port}@evil.example.net",
    ],
)
def test_a_foreign_host_header_is_refused(served: Served, host: str) -> None:
    for path in (f"/{WEEK}", f"/{WEEK}/letter.html", "/events", "/_lettre/serve.js"):
        status, _, body = served.request(path, host=host.format(port=served.port))
        assert status == 403, (host, path)
        assert b"Forbidden" in body and b"Lettre" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_its_own_names_are_accepted(served: Served, host: str) -> None:
    assert served.request(f"/{WEEK}", host=host.format(port=served.port))[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/lettre.toml",
        f"/{PHOTO}",
        "/items/",
        "/etc/passwd",
        "/../lettre.toml",
        "/%2e%2e/lettre.toml",
        f"/{WEEK}/../lettre.toml",
        f"/{WEEK}/letter.txt",
        f"/{WEEK}/",
        "/_lettre/page.html.j2",
        "/_lettre/../../lettre.toml",
        "/2025-02-30",
        "/0001-01-01",  # its week would start before the calendar
        "//etc/passwd",
        "/favicon.ico",
    ],
)
def test_a_path_outside_the_served_set_is_404(served: Served, path: str) -> None:
    status, _, body = served.request(path)
    assert status == 404, path
    assert b"communication@example.org" not in body and b"---" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO"])
def test_only_get(served: Served, method: str) -> None:
    status, headers, _ = served.request(f"/{WEEK}", method=method)
    assert status == 405, method
    assert headers["allow"] == "GET"


def test_host_elsewhere_than_127_0_0_1_is_warned_about(tmp_path: Path) -> None:
    # 127.0.0.2 is still this machine's loopback (tests never listen on other interfaces),
    # but not the default address: the warning is the same as for 0.0.0.0
    server = Served(copy_samples(tmp_path), "--host", "127.0.0.2")
    try:
        assert server.url == f"http://127.0.0.2:{server.port}/{WEEK}"
        first_line = server.stderr().splitlines()[0]
        assert first_line == (
            "Warning: --host 127.0.0.2: serving on 127.0.0.2, not on 127.0.0.1 only: anyone "
            "who can reach that address can read the letter while it is served"
        )
        assert server.request(f"/{WEEK}")[0] == 200  # Host: 127.0.0.2:port
        assert server.request(f"/{WEEK}", host="evil.example.net")[0] == 403
    finally:
        assert server.stop() == 0


def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    server = Served(copy_samples(tmp_path))
    assert server.request(f"/{WEEK}")[0] == 200
    assert server.stop() == 0
    err = server.stderr()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.endswith("stopped\n")
    with pytest.raises(OSError):
        socket.create_connection((server.host, server.port), timeout=2).close()


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    server = Served(copy_samples(tmp_path))
    server.process.terminate()
    assert server.process.wait(timeout=15) == 0
    assert "Traceback" not in server.stderr()


def test_a_port_in_use_is_an_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "lettre", "serve", "-C", str(SAMPLES), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert "--port 0 for a free one" in result.stderr


# --- live: a broken file, then fixed ---------------------------------------------------------


BROKEN = {
    PHOTO: lambda text: text.replace("kind: communique", "kind: communique: oui", 1),
    "lettre.toml": lambda text: text + "\n[sender\n",
    "anniversaries.yaml": lambda text: text + "\n- {name: [\n",
    "templates/letter.html.j2": lambda text: "<p>{% if %}</p>\n",
}


def compose_error(folder: Path) -> str:
    """The first line `lettre compose` prints for the folder's problem, after `Error: `."""
    result = subprocess.run(
        [sys.executable, "-m", "lettre", "compose", "--week", WEEK],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    return result.stderr.splitlines()[0].removeprefix("Error: ")


def test_a_broken_file_shows_its_error_and_the_page_recovers(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    server = Served(folder)

    def page() -> str:
        return html.unescape(server.request(f"/{WEEK}")[2].decode("utf-8"))

    try:
        assert server.request(f"/{WEEK}")[0] == 200
        for name, breaking in BROKEN.items():
            path = folder / name
            good = path.read_text(encoding="utf-8") if path.exists() else None
            path.parent.mkdir(exist_ok=True)
            path.write_text(breaking(good or ""), encoding="utf-8")
            message = compose_error(folder)
            assert message.startswith(f"{name}:"), message  # file:line, as the CLI says it
            wait_for(lambda m=message: f"<samp>{m}</samp>" in page())
            assert '<section id="frames" class="frames" data-part hidden' in page()
            assert server.request(f"/{WEEK}/letter.html")[0] == 503
            if good is None:
                path.unlink()
            else:
                path.write_text(good, encoding="utf-8")
            wait_for(lambda: '<section id="problems" class="problems" data-part hidden>' in page())
            assert server.request(f"/{WEEK}/letter.html")[0] == 200
        assert server.process.poll() is None
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.stderr()


# --- the Host rule, alone --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("LocalHost.:8000", ("localhost", 8000)),
        ("[::1]:8000", ("::1", 8000)),
        ("[::1]", ("::1", None)),
        ("example.org", ("example.org", None)),
        ("example.org:", None),
        ("example.org:80a", None),
        ("[::1", None),
        ("[::1]x", None),
        (":8000", None),
    ],
)
def test_split_host(header: str, parsed: tuple[str, int | None] | None) -> None:
    assert split_host(header) == parsed


def test_host_rule() -> None:
    names, every = allowed_names("127.0.0.1")
    assert not every
    assert host_allowed("127.0.0.1:8000", names, every, 8000)
    assert host_allowed("localhost:8000", names, every, 8000)
    assert host_allowed("preview.localhost:8000", names, every, 8000)
    assert host_allowed("[::1]:8000", names, every, 8000)
    assert not host_allowed("192.168.1.5:8000", names, every, 8000)
    assert not host_allowed("attacker.example.net:8000", names, every, 8000)
    assert not host_allowed(None, names, every, 8000)
    names, every = allowed_names("0.0.0.0")
    assert every and host_allowed("192.168.1.5:8000", names, every, 8000)
    assert host_allowed(f"{socket.gethostname()}:8000", names, every, 8000)
    assert not host_allowed("attacker.example.net:8000", names, every, 8000)
    assert host_allowed("127.0.0.1", *allowed_names("127.0.0.1"), 80)


# --- lettre preview --browser ----------------------------------------------------------------


def test_preview_browser_writes_the_html_and_opens_it(tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    env = {**os.environ, "BROWSER": f"{browser} %s"}
    result = subprocess.run(
        [sys.executable, "-m", "lettre", "preview", "--browser", "-C", str(SAMPLES), "-w", WEEK],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    try:
        assert path.name.startswith(f"lettre-{WEEK}-") and path.suffix == ".html"
        assert path.stat().st_mode & 0o077 == 0  # the owner's only
        assert opened.read_text(encoding="utf-8").strip() == path.as_uri()
        composed = subprocess.run(
            [sys.executable, "-m", "lettre", "compose", "-C", str(SAMPLES), "-w", WEEK,
             "-f", "html"],
            capture_output=True,
            check=True,
        ).stdout  # fmt: skip
        assert path.read_bytes() == composed
        assert result.stderr == ""
    finally:
        path.unlink()
