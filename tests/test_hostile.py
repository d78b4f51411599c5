"""Hostile content: nothing in an item or the configuration may inject markup, scripts or
headers; long, right-to-left and emoji texts come out whole."""

from __future__ import annotations

import email
import email.policy
import itertools
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import CONFIG

WEEK = ("--week", "2025-06-13", "--now", "2025-06-13T08:00")

SCRIPT_ITEM = """\
---
date: 2025-06-10
kind: communique
title: '<script>alert("x")</script> & <b>co</b>'
summary: "Un chapô <img src=x onerror=alert(1)>"
url: https://lettre.example.org/a?b=1&c="2"
---
Du <b onclick="alert(1)">HTML brut</b> et <script>alert(2)</script>.

<div style="position:fixed">un bloc</div>
"""

LINKS_ITEM = """\
---
date: 2025-06-10
kind: communique
title: Des liens
---
[un](javascript:alert(1)) [deux](JaVaScRiPt:alert(1)) [trois](data:text/html;base64,PHNjcmlwdD4=)
[quatre](jav&#x61;script:alert(1)) [cinq][r] [six](vbscript:msgbox) [sept](java&#9;script:x)
![huit](data:image/png;base64,AAAA) [neuf](https://lettre.example.org/ok "ti\\"tre")
[dix](/relatif) [onze](mailto:redaction@example.org)

[r]: javascript:alert(3)
"""

CRLF_ITEM = """\
---
date: 2025-06-11
kind: communique
title: "Titre\\r\\nBcc: victime@example.net\\r\\n\\r\\n<p>corps</p>"
---
Texte.
"""

RTL_TITLE = "🎉 Fête nationale — عيد وطني — חג לאומי 👩\u200d👩\u200d👧"
RTL_BODY = "Texte en arabe\u00a0: مرحبا بكم في الرسالة. Et en hébreu\u00a0: שלום עולם\u202f!"
RTL_ITEM = f"""\
---
date: 2025-06-12
kind: communique
title: "{RTL_TITLE}"
---
Texte en arabe : مرحبا بكم في الرسالة. Et en hébreu : שלום עולם !
"""


def parse_eml(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


@pytest.fixture
def compose(run, make_folder: Callable[..., Path]) -> Callable[..., str | bytes]:  # type: ignore[no-untyped-def]
    """Compose a folder of the given items: `compose(items, fmt, config=…)`."""

    names = itertools.count()

    def go(items: dict[str, str], fmt: str = "html", config: str = CONFIG) -> str | bytes:
        folder = make_folder(items, config=config, name=f"lettre-{next(names)}")
        result = run("compose", "-C", folder, *WEEK, "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
        if fmt == "eml":
            return result.stdout_bytes
        return bare(result.stdout) if fmt == "html" else result.stdout

    return go


def bare(html: str) -> str:
    """The HTML without the style attributes premailer inlines (they follow the CSS)."""
    return re.sub(r"(<[a-zA-Z][^<>]*?)\s+style=\"[^\"]*\"", r"\1", html)


def attributes(html: str, name: str) -> list[str]:
    return re.findall(rf"""\s{name}=(?:"([^"]*)"|'([^']*)')""", html)


# --- markup in titles, summaries and bodies ---------------------------------------------------


def test_script_in_title_summary_and_body_is_escaped_in_html(compose) -> None:  # type: ignore[no-untyped-def]
    html = compose({"2025-06-10-script.md": SCRIPT_ITEM})
    assert (
        "<a href='https://lettre.example.org/a?b=1&amp;c=\"2\"'>"
        # a title is text: its straight quotes become guillemets
        "&lt;script&gt;alert(«\u202fx\u202f»)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;</a></h3>"
    ) in html
    assert ">Un chapô &lt;img src=x onerror=alert(1)&gt;</p>" in html
    assert (
        '<p>Du &lt;b onclick="alert(1)"&gt;HTML brut&lt;/b&gt; et '
        "&lt;script&gt;alert(2)&lt;/script&gt;.</p>\n"
        '<p>&lt;div style="position:fixed"&gt;un bloc&lt;/div&gt;</p>'
    ) in html
    assert "<script" not in html and "onerror=" not in html.replace("onerror=alert(1)&gt;", "")
    assert "<b " not in html and "<img src=x" not in html


def test_script_in_title_is_shown_as_written_in_plain_text(compose) -> None:  # type: ignore[no-untyped-def]
    text = compose({"2025-06-10-script.md": SCRIPT_ITEM}, "text")
    assert (
        "<script>alert(«\u202fx\u202f»)</script> & <b>co</b>\n"
        "-----------------------------------------\n"
        "10 juin 2025\n"
        "\n"
        "Un chapô <img src=x onerror=alert(1)>\n"
        "\n"
        'Du <b onclick="alert(1)">HTML brut</b> et <script>alert(2)</script>.\n'
        "\n"
        '<div style="position:fixed">un bloc</div>\n'
    ) in text
    assert '[1] https://lettre.example.org/a?b=1&c="2"' in text


def test_raw_html_passes_only_when_the_config_allows_it(compose) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace(
        'timezone = "Europe/Paris"', 'timezone = "Europe/Paris"\nallow_html = true'
    )
    html = compose({"2025-06-10-script.md": SCRIPT_ITEM}, config=config)
    assert '<p>Du <b onclick="alert(1)">HTML brut</b> et' in html
    # titles and summaries are never HTML, whatever the configuration says
    assert (
        "&lt;script&gt;alert(«\u202fx\u202f»)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;</a></h3>"
        in html
    )


# --- links -------------------------------------------------------------------------------------


def test_unsafe_links_are_dropped_and_their_text_kept(compose) -> None:  # type: ignore[no-untyped-def]
    html = compose({"2025-06-10-liens.md": LINKS_ITEM})
    body = re.search(r'<div class="body">(.*?)</div>', html, re.DOTALL)
    assert body is not None
    assert body[1] == (
        "<p>un deux trois\n"
        'quatre cinq six <a href="https://lettre.example.org/java%09script:x">sept</a>\n'
        'huit <a href="https://lettre.example.org/ok" title=\'ti"tre\'>neuf</a>\n'
        '<a href="https://lettre.example.org/relatif">dix</a> '
        '<a href="mailto:redaction@example.org">onze</a></p>'
    )
    urls = [a or b for a, b in attributes(html, "href") + attributes(html, "src")]
    assert urls and all(re.match(r"(https://|mailto:)", url) for url in urls), urls


def test_unsafe_links_get_no_reference_in_plain_text(compose) -> None:  # type: ignore[no-untyped-def]
    text = compose({"2025-06-10-liens.md": LINKS_ITEM}, "text")
    assert (
        "un deux trois quatre cinq six sept\u00a0[1] [huit] neuf\u00a0[2] "
        "dix\u00a0[3] onze\u00a0[4]\n"
    ) in text
    links = text.split("\nLiens\n", 1)[1]
    assert links == (
        "[1] https://lettre.example.org/java%09script:x\n"  # a tab is no scheme: a relative link
        "[2] https://lettre.example.org/ok\n"
        "[3] https://lettre.example.org/relatif\n"
        "[4] mailto:redaction@example.org\n"
    )


# --- headers -----------------------------------------------------------------------------------


def test_line_breaks_in_a_title_inject_no_header(compose) -> None:  # type: ignore[no-untyped-def]
    items = {"2025-06-11-crlf.md": CRLF_ITEM}
    msg = parse_eml(compose(items, "eml"))  # type: ignore[arg-type]
    assert msg["Bcc"] is None
    assert "victime@example.net" not in str(msg.items())
    assert msg["Subject"] == "Lettre de test du 13 juin 2025"
    html = bare(msg.get_body(("html",)).get_content())  # type: ignore[union-attr]
    assert ">Titre Bcc\u00a0: victime@example.net &lt;p&gt;corps&lt;/p&gt;</h3>" in html
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "\nTitre Bcc\u00a0: victime@example.net <p>corps</p>\n" in text


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'title = "Lettre de test"',
            'title = "Lettre\\u2028Bcc: victime@example.net"',
            "lettre.toml:1: 'title' must be one line, without control characters",
        ),
        (
            'title = "Lettre de test"',
            'title = {fr = "Lettre\\u2028Bcc: victime@example.net", en = "Letter"}',
            "lettre.toml:1: 'title' must be one line, without control characters",
        ),
        (
            'title = "Lettre de test"',
            'title = {fr = "Lettre", en = "Letter\\u001b[2J"}',
            "lettre.toml:1: 'title' must be one line, without control characters",
        ),
        (
            'name = "Cellule communication"',
            'name = "Cellule\\r\\nBcc: victime@example.net"',
            "lettre.toml:7: 'sender': the display name must be one line, "
            "without control characters",
        ),
        (
            'address = "communication@example.org"',
            'address = "communication@example.org\\r\\nBcc: victime@example.net"',
            "lettre.toml:8: 'sender': 'communication@example.org\\r\\nBcc: "
            "victime@example.net' is not an e-mail address",
        ),
        (
            'to = ["abonnes@example.net"]',
            'to = [{name = "Abonnés\\nBcc: victime@example.net", address = "a@example.net"}]',
            "lettre.toml:11: 'recipients.to': the display name must be one line, "
            "without control characters",
        ),
        (
            'title = "Lettre de test"',
            'title = "Lettre de test"\nlist_id = "liste\\n.example.org"',
            "lettre.toml:2: 'list_id' must be one line, without control characters",
        ),
    ],
)
def test_line_breaks_in_the_configuration_are_refused(  # type: ignore[no-untyped-def]
    run, make_folder: Callable[..., Path], old: str, new: str, message: str
) -> None:
    folder = make_folder(config=CONFIG.replace(old, new))
    result = run("compose", "-C", folder, *WEEK)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {folder}/{message}\n"


def test_quotes_and_commas_in_display_names_stay_inside_them(compose) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace(
        'name = "Cellule communication"', 'name = "Cellule \\"com\\", <état-major>; ok"'
    )
    msg = parse_eml(compose({"2025-06-10-a.md": RTL_ITEM.replace("06-12", "06-10")}, "eml", config))  # type: ignore[arg-type]
    (sender,) = msg["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        'Cellule "com", <état-major>; ok',
        "communication@example.org",
    )


# --- long, right-to-left and emoji texts -------------------------------------------------------


def test_very_long_titles_and_subjects(compose) -> None:  # type: ignore[no-untyped-def]
    long_title = " ".join(["Interminable"] * 40)
    config = CONFIG.replace('"Lettre de test"', '"' + " ".join(["Lettre"] * 30) + '"')
    item = f"---\ndate: 2025-06-10\nkind: communique\ntitle: {long_title}\n---\nCorps.\n"
    raw = compose({"2025-06-10-long.md": item}, "eml", config)
    assert isinstance(raw, bytes)
    assert max(len(line) for line in raw.split(b"\n")) <= 78
    msg = parse_eml(raw)
    assert msg["Subject"] == " ".join(["Lettre"] * 30) + " du 13 juin 2025"
    html = bare(msg.get_body(("html",)).get_content())  # type: ignore[union-attr]
    assert f">{long_title}</h3>" in html
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    block = re.search(r"\n\n(Interminable.*?)\n(-+)\n10 juin 2025\n", text, re.DOTALL)
    assert block is not None
    lines = block[1].split("\n")
    assert " ".join(lines) == long_title
    assert all(len(line) <= 72 for line in lines)
    assert block[2] == "-" * len(lines[-1])


def test_emoji_and_right_to_left_text_come_out_whole(compose) -> None:  # type: ignore[no-untyped-def]
    config = CONFIG.replace('name = "Cellule communication"', 'name = "Cellule 🎉 عيد"')
    raw = compose({"2025-06-12-rtl.md": RTL_ITEM}, "eml", config)
    msg = parse_eml(raw)  # type: ignore[arg-type]
    assert msg["From"].addresses[0].display_name == "Cellule 🎉 عيد"
    html = bare(msg.get_body(("html",)).get_content())  # type: ignore[union-attr]
    assert f">{RTL_TITLE}</h3>" in html
    assert f"<p>{RTL_BODY}</p>" in html
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"\n{RTL_TITLE}\n{'-' * 46}\n12 juin 2025\n\n{RTL_BODY}\n" in text
    data = compose({"2025-06-12-rtl.md": RTL_ITEM}, "json", config)
    assert f'"title": "{RTL_TITLE}"' in data  # type: ignore[operator]


RESULTS_ITEM = """\
---
date: 2025-06-10
kind: resultats
title: Résultats
image: {src: "https://lettre.example.org/p.jpg?a=1&b=2", alt: 'x" onerror="alert(1)'}
results:
  - {sport: "<b>Judo</b>", name: "<script>alert(1)</script>", rank: 1, event: "-63 kg & +",
     competition: "<i>Europe</i>", city: Podgorica}
---
"""

ANNIVERSARIES = """\
- name: "<script>alert('anniv')</script> Base"
  founded: 2005-06-10
  text: "Du <em>HTML</em> et [un lien](javascript:alert(1))."
"""


def test_results_images_and_anniversaries_are_escaped(  # type: ignore[no-untyped-def]
    run, make_folder: Callable[..., Path]
) -> None:
    folder = make_folder({"2025-06-10-resultats.md": RESULTS_ITEM})
    (folder / "anniversaries.yaml").write_text(ANNIVERSARIES, encoding="utf-8")
    html = bare(run("compose", "-C", folder, *WEEK, "--format", "html").stdout)
    assert (
        '<img src="https://lettre.example.org/p.jpg?a=1&amp;b=2" alt=\'x" onerror="alert(1)\''
    ) in html
    assert ">&lt;b&gt;Judo&lt;/b&gt;</p>" in html
    assert ">&lt;script&gt;alert(1)&lt;/script&gt;</strong> — -63\u00a0kg &amp; +<br>" in html
    assert ">&lt;i&gt;Europe&lt;/i&gt;, Podgorica</span>" in html
    assert ">&lt;script&gt;alert(‘anniv’)&lt;/script&gt; Base fête ses 20\u00a0ans</h3>" in html
    assert "<p>Du &lt;em&gt;HTML&lt;/em&gt; et un lien.</p>" in html
    assert "<script" not in html and "javascript:" not in html
    text = run("compose", "-C", folder, *WEEK, "--format", "text").stdout
    assert (
        "<b>Judo</b>\n"
        "  1er  <script>alert(1)</script>  -63\u00a0kg & +\n"
        "       <i>Europe</i>, Podgorica\n"
    ) in text
    assert "<script>alert(‘anniv’)</script> Base fête ses 20\u00a0ans\n" in text
    assert "\nDu <em>HTML</em> et un lien.\n" in text


def test_a_line_break_in_an_item_url_is_an_error(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    item = (
        "---\ndate: 2025-06-10\nkind: communique\ntitle: T\n"
        'url: "https://lettre.example.org/a\\r\\nBcc: victime@example.net"\n---\n'
    )
    folder = make_folder({"2025-06-10-url.md": item})
    result = run("compose", "-C", folder, *WEEK)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder}/items/2025-06-10-url.md:5: 'url' must be one address, without spaces "
        "or line breaks: 'https://lettre.example.org/a\\r\\nBcc: victime@example.net'\n"
    )
