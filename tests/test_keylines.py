"""The TOML scanner that finds the line of every key of lettre.toml."""

from __future__ import annotations

import tomllib

import pytest

from lettre.config import nearest_line
from lettre.keylines import key_lines


def lines_of(text: str) -> dict[str, int]:
    """The scanner's lines by dotted key, for text that tomllib accepts."""
    tomllib.loads(text)  # every case is valid TOML
    return {".".join(key): line for key, line in key_lines(text).items()}


def test_a_hash_or_an_equals_sign_inside_a_string_is_text() -> None:
    text = (
        'title = "Lettre # 12 = douze" # url = "x"\n'
        "motif = 'a = b # c'\n"
        "# base_url = 'commented out'\n"
        'base_url = "https://example.org/#top"\n'
    )
    assert lines_of(text) == {"title": 1, "motif": 2, "base_url": 4}


def test_a_multiline_array_gives_each_element_its_line() -> None:
    text = '[anniversaries]\nyears = [\n  1,   # the first\n  5,\n\n  "10", [2, 3],\n]\nafter = 1\n'
    found = lines_of(text)
    assert found["anniversaries.years"] == 2
    assert [found[f"anniversaries.years.{n}"] for n in range(4)] == [3, 4, 6, 6]
    assert found["anniversaries.years.3.1"] == 6
    assert found["anniversaries.after"] == 8


def test_a_multiline_string_holding_a_table_header_is_text() -> None:
    text = (
        'preheader = """\n'
        "[sender]\n"
        'address = "faux@example.org" \\"""\n'
        'fin"""""\n'
        "notes = '''\n"
        "[[sections]]\n"
        "kind = 'x' '''\n"
        "[sender]\n"
        'address = "vrai@example.org"\n'
    )
    found = lines_of(text)
    assert tomllib.loads(text)["preheader"].endswith('fin""')
    assert found == {"preheader": 1, "notes": 5, "sender": 8, "sender.address": 9}


def test_inline_tables_and_their_keys() -> None:
    text = (
        "[recipients]\n"
        'to = [{ address = "a@example.net", name = "A" },\n'
        '      { adresse = "b@example.net" }]\n'
        'title = { fr = "Lettre", en = { short = "Letter" } }\n'
    )
    found = lines_of(text)
    assert found["recipients.to.0.name"] == 2
    assert found["recipients.to.1"] == found["recipients.to.1.adresse"] == 3
    assert found["recipients.title.en.short"] == 4


def test_dotted_and_quoted_keys() -> None:
    text = (
        'sender.address = "a@example.org"\n'
        '"sender" . "name" = "A"\n'
        "[import.categories]\n"
        '"Sport et loisirs" = "resultats"\n'
        "'Défense' = \"communique\"\n"
        '"caf\\u00e9" = "communique"\n'
        '"a.b" = "communique"\n'
    )
    found = key_lines(text)
    assert found[("sender",)] == 1 and found[("sender", "name")] == 2
    assert found[("import", "categories", "Sport et loisirs")] == 4
    assert found[("import", "categories", "Défense")] == 5
    assert found[("import", "categories", "café")] == 6
    assert found[("import", "categories", "a.b")] == 7  # a dot inside quotes is one key
    assert ("import", "categories", "a", "b") not in found


def test_arrays_of_tables_are_counted() -> None:
    text = (
        "[[sections]]\n"
        'kind = "communique"\n'
        "\n"
        "[[sections]]\n"
        'kind = "resultats"\n'
        "[sections.label]\n"
        'fr = "Armée de champions"\n'
        "[[sections.notes]]\n"
        "text = 1\n"
        "[[sections.notes]]\n"
        "text = 2\n"
    )
    found = lines_of(text)
    assert found["sections"] == found["sections.0"] == 1
    assert found["sections.1"] == 4 and found["sections.1.kind"] == 5
    assert found["sections.1.label.fr"] == 7
    assert found["sections.1.notes.0.text"] == 9
    assert found["sections.1.notes.1"] == 10


def test_the_first_line_that_sets_a_key_wins_and_windows_line_ends_count_once() -> None:
    text = '[sender]\r\naddress = "a@example.org"\r\n\r\n[send]\r\nvia = "sendmail -t"\r\n'
    assert lines_of(text) == {"sender": 1, "sender.address": 2, "send": 4, "send.via": 5}


def test_nearest_line_falls_back_to_the_table() -> None:
    found = key_lines('[send]\nmode = "list"\n')
    assert nearest_line(found, "send.mode") == 2
    assert nearest_line(found, "send.via") == 1
    assert nearest_line(found, "images.mode") is None


@pytest.mark.parametrize("text", ['a = "open\n', "[x\n", "a = [1,\n", "= 3\n", "a = '''"])
def test_text_that_is_not_toml_gives_what_was_found_before_it(text: str) -> None:
    found = key_lines("ok = 1\n" + text)
    assert found[("ok",)] == 1
