"""`lettre compose` end to end, on samples/ and on small folders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import fcntl
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from email.message import EmailMessage
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from conftest import Golden, item_text
from lettre.compose import JSON_LEFT_OUT, letter_as_data
from lettre.items import Entry, Image, Letter, LetterSection, Week

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


# --- golden outputs: the letter of 13 June 2025 -------------------------------------------

GOLDEN = Path(__file__).parent / "data" / "compose-2025-06-13"
# the moment and the seed make the message reproducible: Date, Message-ID (and the MIME
# boundaries, drawn from the content)
REPRODUCIBLE = ("--week", "2025-06-13", "-C", "samples", "--now", "2025-06-13T08:00",
                "--seed", "golden")  # fmt: skip


def test_golden_outputs_of_13_june_2025(  # type: ignore[no-untyped-def]
    run, samples: Path, golden: Golden, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `compose --out` writes, byte for byte: .eml, .html, .txt and .json."""
    monkeypatch.chdir(samples.parent)  # the JSON names the files as -C names the folder
    result = run("compose", *REPRODUCIBLE, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    golden.check_folder(tmp_path / "out", GOLDEN)


def test_compiled_templates_are_kept_per_jinja2_version(  # type: ignore[no-untyped-def]
    run, samples: Path, user_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jinja2's compiled code does not outlive an upgrade or a downgrade: each version has
    its own folder in the user's cache, so another version's code is never loaded."""
    import jinja2

    from lettre.render import environment

    environment.cache_clear()
    monkeypatch.setattr(jinja2, "__version__", "0.0-elsewhere")
    try:
        result = run("compose", "--week", "2025-06-13", "-C", samples, "--format", "html")
    finally:
        environment.cache_clear()
    assert result.exit_code == 0, result.stderr
    assert list((user_cache / "jinja-0.0-elsewhere").iterdir())
    assert not (user_cache / "jinja").exists()


def test_every_format_on_stdout_is_its_golden_file(  # type: ignore[no-untyped-def]
    run, samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stdout gives what --out writes, but for the message's Bcc (read by sendmail -t)."""
    monkeypatch.chdir(samples.parent)
    for form, suffix in (("html", "html"), ("text", "txt"), ("json", "json")):
        result = run("compose", *REPRODUCIBLE, "--format", form)
        assert result.stdout_bytes == (GOLDEN / f"lettre-2025-06-13.{suffix}").read_bytes(), form
    message = run("compose", *REPRODUCIBLE).stdout_bytes
    bcc = b"Bcc: archives@example.org\n"
    assert bcc in message
    assert message.replace(bcc, b"") == (GOLDEN / "lettre-2025-06-13.eml").read_bytes()


def test_the_mime_boundaries_follow_the_content(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    """Reproducible without a seed: the boundaries come from the letter, not from chance."""
    boundaries = []
    for moment in ("2025-06-13T08:00", "2025-06-13T09:00"):
        message = parse_eml(
            run("compose", "-w", "2025-06-13", "-C", samples, "--now", moment).stdout_bytes
        )
        boundaries.append(message.get_boundary())
    assert boundaries[0] == boundaries[1]
    assert boundaries[0] is not None and boundaries[0].startswith("lettre-")


# --- the JSON is the data model ------------------------------------------------------------


def _model_of(cls: type) -> set[str]:
    """The keys the JSON must have for an object of `cls`: its fields but those left out."""
    names = {f.name for f in dataclasses.fields(cls)} - set(JSON_LEFT_OUT.get(cls, {}))
    if cls is LetterSection:
        names = names - {"entries"} | {"items"}
    if cls is Entry:
        names |= {"file", "date", "example", "draft"}
    return names


def test_the_json_holds_every_field_of_the_letter(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    """A field of Letter, LetterSection, Entry, Week or Image is in the JSON, or left out
    with its reason in compose.JSON_LEFT_OUT."""
    item = item_text(
        date="2025-06-12",
        title="Une photo",
        lang="en",
        image="{src: 'https://lettre.example.org/p.jpg', alt: Le défilé, width: 600, height: 400}",
    )
    folder = make_folder({"2025-06-12-photo.md": item})
    data = json.loads(run("compose", "-w", "2025-06-13", "-C", folder, "-f", "json").stdout)
    assert _model_of(Letter) <= set(data), _model_of(Letter) - set(data)
    assert set(data["week"]) == _model_of(Week)
    section = data["sections"][0]
    assert set(section) == _model_of(LetterSection)
    entry = section["items"][0]
    assert set(entry) == _model_of(Entry)
    assert set(entry["image"]) == _model_of(Image)
    assert entry["image"] == {
        "src": "https://lettre.example.org/p.jpg", "alt": "Le défilé", "width": 600, "height": 400
    }  # fmt: skip
    assert (entry["lang"], entry["title_lang"], entry["body_text"]) == (
        "en",
        "en",
        "Un corps de texte.",
    )
    assert set(data) == _model_of(Letter)
    # what is left out is a field of the model, with its reason
    for cls, left_out in JSON_LEFT_OUT.items():
        assert set(left_out) <= {f.name for f in dataclasses.fields(cls)}, cls
        assert all(reason.strip() for reason in left_out.values()), cls


def test_a_new_field_of_the_model_reaches_the_json(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    """A field added to the letter or to an entry is in the JSON without a line written for
    it; a value the JSON has no form for is an error, never silently mangled."""
    from lettre.compose import letter_of, open_folder
    from lettre.weeks import week_of

    letter = letter_of(open_folder(samples), week_of(dt.date(2025, 6, 13)))

    def extended(value: object, **new: object) -> object:
        cls = dataclasses.make_dataclass(
            f"New{type(value).__name__}",
            [(name, type(field), dataclasses.field(default=None)) for name, field in new.items()],
            bases=(type(value),),
            frozen=True,
        )
        known = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}  # type: ignore[arg-type]
        return cls(**known, **new)

    first = letter.sections[0]
    entry = extended(first.entries[0], deadline=dt.date(2025, 6, 30), where=Path("salle/B"))
    section = dataclasses.replace(first, entries=(entry, *first.entries[1:]))  # type: ignore[arg-type]
    new = extended(dataclasses.replace(letter, sections=(section,)), editor="Marie Curie")
    data = letter_as_data(new)  # type: ignore[arg-type]
    assert data["editor"] == "Marie Curie"
    assert (
        data["sections"][0]["items"][0]["deadline"],
        data["sections"][0]["items"][0]["where"],
    ) == (
        "2025-06-30",
        "salle/B",
    )
    with pytest.raises(TypeError, match="no JSON form for complex"):
        letter_as_data(extended(letter, odd=1j))  # type: ignore[arg-type]


# --- the command line around compose: --now, a reader that stops reading -----------------


@pytest.mark.parametrize("moment", ["demain", "2025-02-30T08:00", "13/06/2025 08:00", ""])
def test_a_bad_now_is_a_usage_error(run, samples: Path, moment: str) -> None:  # type: ignore[no-untyped-def]
    result = run("compose", "-w", "2025-06-13", "-C", samples, "--now", moment)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: --now: {moment!r} is not a date and time (2025-06-13T08:00)\n"
    )
    french = run("compose", "-C", samples, "--now", moment, env={"LETTRE_LANG": "fr"})
    assert french.exit_code == 2
    assert french.stderr.startswith(f"Erreur\u00a0: --now\u00a0: {moment!r} n")


def test_now_with_or_without_its_zone(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    """A moment without a zone is in the folder's; with one, it is converted for the week."""
    moments = {
        "2025-06-13": "Fri, 13 Jun 2025 00:00:00 +0200",
        "2025-06-13T23:30-04:00": "Fri, 13 Jun 2025 23:30:00 -0400",
    }
    for moment, date in moments.items():
        message = parse_eml(
            run("compose", "-C", samples, "-w", "this", "--now", moment).stdout_bytes
        )
        assert message["Date"] == date
        # 23:30 in New York is Saturday 14 June in Paris: the next letter
        expected = "13 juin" if moment == "2025-06-13" else "20 juin"
        assert str(message["Subject"]).endswith(f"du {expected} 2025"), moment


def _lettre(*args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "lettre", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "LETTRE_LANG": "en"},
        **kwargs,
    )


def test_piped_into_head_it_stops_quietly(samples: Path) -> None:
    """`lettre compose --week 2025-06-13 -C samples | head -1`, a real pipeline: head leaves
    after the first line, and lettre stops writing without a word (no traceback)."""
    lettre = _lettre("compose", "--week", "2025-06-13", "-C", str(samples))
    assert lettre.stdout is not None and lettre.stderr is not None
    if hasattr(fcntl, "F_SETPIPE_SZ"):  # a pipe of one page: most of the message meets no reader
        fcntl.fcntl(lettre.stdout.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    head = subprocess.run(["head", "-1"], stdin=lettre.stdout, capture_output=True, check=True)
    lettre.stdout.close()  # head alone reads the pipe: once it is gone, the pipe is broken
    errors = lettre.stderr.read()
    assert lettre.wait(timeout=60) in (0, 1), errors  # 1: Python reported the broken pipe
    assert head.stdout == b"From: Cellule communication de =?utf-8?q?l=27=C3=A9tat-major?=\n"
    assert errors == b""


@pytest.mark.parametrize("form", ["eml", "html", "text", "json"])
def test_a_reader_gone_before_the_letter_is_written_is_no_error(samples: Path, form: str) -> None:
    """Whatever lettre writes meets a pipe nobody reads any more (EPIPE at the first write):
    exit code 1, and not a word on stderr."""
    lettre = _lettre("compose", "--week", "2025-06-13", "-C", str(samples), "--format", form)
    assert lettre.stdout is not None and lettre.stderr is not None
    lettre.stdout.close()  # the only reader, gone before lettre has composed anything
    errors = lettre.stderr.read()
    assert (lettre.wait(timeout=60), errors) == (1, b"")
