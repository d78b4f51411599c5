"""`lettre compose` end to end, on samples/ and on small folders."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
from collections.abc import Callable
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest

from conftest import item_text

WEEK_TITLES = [
    "Journée d’hommage aux morts pour la France en Indochine",
    "Concours photo des armées\u00a0: les lauréats récompensés",
    "Armée de champions\u00a0: les résultats du 26 mai au 8 juin 2025",
    "Défilé du 14 Juillet\u00a0: premières répétitions",
    "La Lettre hebdomadaire de communication fête ses 5\u00a0ans",
]


def parse_eml(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


@pytest.fixture
def eml(run, samples: Path) -> EmailMessage:  # type: ignore[no-untyped-def]
    result = run("compose", "--week", "2025-06-13", "-C", samples, "--now", "2025-06-13T08:00")
    assert result.exit_code == 0, result.stderr
    return parse_eml(result.stdout_bytes)


def test_message_is_multipart_alternative_text_then_html(eml: EmailMessage) -> None:
    assert eml.get_content_type() == "multipart/alternative"
    parts = list(eml.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert all(not p.defects for p in eml.walk())


def test_headers(eml: EmailMessage) -> None:
    assert eml["Subject"] == "Lettre hebdomadaire de communication du 13 juin 2025"
    assert eml["From"].addresses[0].display_name == "Cellule communication de l'état-major"
    assert eml["From"].addresses[0].addr_spec == "communication@example.org"
    assert eml["To"].addresses[0].addr_spec == "abonnes@example.net"
    assert eml["Date"] == "Fri, 13 Jun 2025 08:00:00 +0200"
    assert re.fullmatch(r"<lettre\.20250613\.[0-9a-f]{24}@example\.org>", eml["Message-ID"])
    assert eml["MIME-Version"] == "1.0"
    assert eml["Content-Language"] == "fr"
    assert eml["List-Id"] == '"Lettre hebdomadaire de communication" <hebdo.example.org>'
    assert eml["List-Unsubscribe-Post"] is None  # one message to a list: not one-click
    assert "<https://lettre.example.org/desabonnement>" in eml["List-Unsubscribe"]


def test_raw_subject_is_encoded_and_lines_are_short(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    raw = run("compose", "--week", "2025-06-13", "-C", samples).stdout_bytes
    header, _, _body = raw.partition(b"\n\n")
    assert all(byte < 128 for byte in header), "headers must be 7-bit (RFC 2047)"
    assert max(len(line) for line in raw.split(b"\n")) <= 78


def test_same_letter_same_bytes(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    # --now and --seed make the message reproducible (without --seed the Message-ID is new)
    args = ("compose", "--week", "2025-06-13", "-C", samples, "--now", "2025-06-13T08:00")
    assert run(*args, "--seed", "s").stdout_bytes == run(*args, "--seed", "s").stdout_bytes


def test_html_has_css_inlined_and_only_media_rules_left(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "--week", "2025-06-13", "-C", samples, "--format", "html")
    assert result.exit_code == 0, result.stderr
    html = result.stdout
    assert "<link" not in html
    # the Outlook-only <style> in a conditional comment aside
    visible = re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", html, flags=re.DOTALL)
    styles = re.findall(r"<style[^>]*>(.*?)</style>", visible, re.DOTALL)
    assert len(styles) == 1
    rules = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*\s*\}", "", styles[0])
    assert rules.strip() == "", "only @media rules stay in <style>"
    assert 'class="title" style="' in html and "color:#000091" in html
    assert '<html lang="fr"' in html
    shown = unescape(html)
    for title in WEEK_TITLES:
        assert f">{title}</a></h3>" in shown
    # 5 June (the SID's 20 years) belongs to the letter of 6 June
    assert "Service d'infrastructure" not in shown


def test_text_has_date_in_words_and_every_title(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "--week", "2025-06-13", "-C", samples, "--format", "text")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "vendredi 13 juin 2025" in text.splitlines()[1]
    flat = " ".join(text.split())
    for title in WEEK_TITLES:
        assert " ".join(title.split()) in flat
    assert "du 26 mai au 8 juin 2025" in text
    assert max(len(line) for line in text.splitlines()) <= 72
    # results grouped by sport, French ordinals
    judo = text.index("\nJudo\n")
    assert re.search(r"^  1er  Sergent-chef Léa Fontaine\s+-63\u00a0kg$", text[judo:], re.MULTILINE)
    assert re.search(r"^  3e   Caporal Mathis Garnier\s+-81\u00a0kg$", text, re.MULTILINE)


def test_the_anniversary_letter_of_6_june(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    text = run("compose", "--week", "2025-06-06", "-C", samples, "--format", "text").stdout
    assert "Service d’infrastructure de la Défense\u00a0: 20\u00a0ans" in text
    assert "2005" not in text.split("ANNIVERSAIRES")[0]


@pytest.mark.parametrize("week", ["2025-06-11", "2025-W24", "2025-06-13"])
def test_week_forms_give_the_same_letter(run, samples: Path, week: str) -> None:  # type: ignore[no-untyped-def]
    reference = run("compose", "--week", "2025-06-13", "-C", samples, "--format", "json").stdout
    assert run("compose", "--week", week, "-C", samples, "--format", "json").stdout == reference


def test_json(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("compose", "-w", "2025-06-13", "-C", samples, "-f", "json").stdout)
    assert data["date_text"] == "vendredi 13 juin 2025"
    assert [s["kind"] for s in data["sections"]] == ["communique", "resultats", "anniversaire"]


def test_out_writes_every_format(run, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "build"
    result = run("compose", "--week", "2025-06-13", "-C", samples, "--out", out)
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "lettre-2025-06-13.eml",
        "lettre-2025-06-13.html",
        "lettre-2025-06-13.json",
        "lettre-2025-06-13.txt",
    ]
    assert parse_eml((out / "lettre-2025-06-13.eml").read_bytes())["Subject"].endswith("2025")
    # a file may be sent another way than `sendmail -t`: the hidden recipients stay out of it
    written = (out / "lettre-2025-06-13.eml").read_bytes()
    assert parse_eml(written)["Bcc"] is None and b"archives@example.org" not in written
    piped = run("compose", "--week", "2025-06-13", "-C", samples).stdout_bytes
    assert parse_eml(piped)["Bcc"] == "archives@example.org"  # for sendmail -t's envelope
    assert result.stdout == ""


def test_lonely_2021_communique_has_its_own_week(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    text = run("compose", "--week", "2021-07-26", "-C", samples, "--format", "text").stdout
    assert "vendredi 30 juillet 2021" in text
    assert "Premier entretien du CEMA avec son homologue américain" in text


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "2025-06-10-yaml.md",
            "---\ndate: 2025-06-10\nkind: communique\ntitle: [x\n---\n",
            "items/2025-06-10-yaml.md:4: invalid YAML",
        ),
        (
            "2025-06-10-notitle.md",
            "---\ndate: 2025-06-10\nkind: communique\n---\nx\n",
            "items/2025-06-10-notitle.md:1: missing 'title:'",
        ),
        (
            "2025-02-30-date.md",
            "---\ndate: 2025-02-30\nkind: communique\ntitle: T\n---\n",
            "items/2025-02-30-date.md:2: 'date': 2025-02-30 is not a date in the calendar",
        ),
    ],
)
def test_broken_items_fail_with_one_line(
    run,
    make_folder: Callable[..., Path],
    name: str,
    text: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    folder = make_folder({"2025-06-10-ok.md": item_text(), name: text})
    before = (folder / "items" / name).read_bytes()
    result = run("compose", "--week", "2025-06-13", "-C", folder)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert str(folder / "items" / name) in lines[0]
    assert "Traceback" not in result.stderr
    assert (folder / "items" / name).read_bytes() == before


def test_empty_week_is_a_clear_error(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "--week", "2024-01-05", "-C", make_folder())
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no item for the letter of 2024-01-05")


def test_bad_week_is_a_usage_error(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "--week", "demain", "-C", samples)
    assert result.exit_code == 2
    assert "--week: 'demain' is not a week" in result.stderr


def test_missing_folder_config(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "-C", tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path}/lettre.toml: no lettre.toml here" in result.stderr


def test_json_with_a_file_name_that_is_not_utf8(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-ok.md": item_text()})
    (folder / "items" / os.fsdecode(b"2025-06-11-\xe9t\xe9.md")).write_text(
        item_text(date="2025-06-11", title="Été"), encoding="utf-8"
    )
    result = run("compose", "--week", "2025-06-13", "-C", folder, "--format", "json")
    assert result.exit_code == 0, result.stderr
    files = [i["file"] for s in json.loads(result.stdout)["sections"] for i in s["items"]]
    assert files[1].endswith("items/2025-06-11-\ufffdt\ufffd.md")


def test_a_kind_left_out_of_the_sections_shows_once(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    from conftest import CONFIG

    config = CONFIG + '\n[[sections]]\nkind = "anniversaire"\n\n[[sections]]\nkind = "resultat"\n'
    items = {
        "2025-06-10-a.md": item_text(title="Un communiqué"),
        "2025-06-11-b.md": item_text(date="2025-06-11", kind="resultats", title="Des résultats"),
    }
    result = run("compose", "-w", "2025-06-13", "-C", make_folder(items, config), "-f", "json")
    assert result.exit_code == 0, result.stderr
    kinds = [s["kind"] for s in json.loads(result.stdout)["sections"]]
    assert kinds == ["communique", "resultats"]


def test_subject_and_html_title_are_typeset(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    from conftest import CONFIG

    config = CONFIG.replace('"Lettre de test"', '"Lettre de la com : édition spéciale !"')
    folder = make_folder(None, config)
    eml = parse_eml(run("compose", "-w", "2025-06-13", "-C", folder).stdout_bytes)
    subject = "Lettre de la com\u00a0: édition spéciale\u202f! du 13 juin 2025"
    assert eml["Subject"] == subject
    html = run("compose", "-w", "2025-06-13", "-C", folder, "-f", "html").stdout
    assert f"<title>{subject}</title>" in html
