"""The readers' CSV as spreadsheets export it, its bad rows, and the suppression file."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from lettre.errors import ItemErrors, ReadersError
from lettre.subscribers import (
    Suppression,
    check_readers,
    iter_readers,
    read_suppression,
    suppress,
)

NOW = dt.datetime(2025, 6, 14, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def write(tmp_path: Path, data: str | bytes, name: str = "abonnes.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_semicolons_bom_and_crlf_as_a_french_spreadsheet_exports_them(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "\ufeffEmail;Nom;Name;Locale;Grade\r\n"
        "lea.fontaine@example.net;x;Léa Fontaine;;Sergente\r\n"
        '"paul@example.net";y;"Martin; Paul";en_GB;\r\n'
        ";;;;\r\n",
    )
    checked = check_readers(path)
    assert checked.delimiter == ";"
    assert checked.columns == ("email", "nom", "name", "locale", "grade")
    assert checked.count == 2
    lea, paul = iter_readers(path)
    assert (lea.address, lea.name, lea.locale, lea.line) == (
        "lea.fontaine@example.net",
        "Léa Fontaine",
        None,
        2,
    )
    assert lea.fields()["grade"] == "Sergente" and lea.fields()["nom"] == "x"
    assert (paul.name, paul.locale, paul.line) == ("Martin; Paul", "en_GB", 3)
    assert checked.locales == (None, "en_GB")


def test_commas_and_only_an_email_column(tmp_path: Path) -> None:
    path = write(tmp_path, "email\nun@example.net\ndeux@example.net\n")
    assert [r.address for r in iter_readers(path)] == ["un@example.net", "deux@example.net"]
    assert check_readers(path).delimiter == ","


def test_duplicates_are_named_and_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "email,name\nlea@example.net,Léa\nx@example.net,\nLEA@Example.NET,L\n")
    checked = check_readers(path)
    assert checked.count == 2
    [dup] = checked.duplicates
    assert (dup.address, dup.line, dup.first_line) == ("LEA@Example.NET", 4, 2)
    assert [r.name for r in iter_readers(path)] == ["Léa", ""]


def test_every_bad_row_at_once_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "email;name;locale\n"
        "lea.example.net;Léa;\n"  # 2
        ";Sans adresse;\n"  # 3
        "paul@example.net;Paul;xx_YY\n"  # 4
        "ok@example.net;Ok;fr_FR\n"  # 5
        "trop@example.net;Trop;fr;en\n"  # 6
        '"multi@example.net";"Deux\nlignes";\n'  # 7-8
        "\n"  # 9: blank lines are fine
        "fin@example.net;Fin\n",  # 10: a missing last cell is fine
    )
    with pytest.raises(ItemErrors) as caught:
        check_readers(path)
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:2: 'lea.example.net' is not an e-mail address",
        f"{path}:3: no e-mail address (the 'email' cell is empty)",
        f"{path}:4: 'locale': unknown locale 'xx_YY': use a code such as fr_FR",
        f"{path}:6: 4 values, but the first line names 3 columns (a value holding the "
        "separator must be in quotes)",
        f"{path}:7: 'name' holds a line break or a control character: one line per value",
    ]


def test_file_level_problems(tmp_path: Path) -> None:
    cases = {
        "courriel;nom\na@example.net;A\n": "1: no 'email' column: the first line names the "
        "columns, and names 'courriel', 'nom' (rename 'courriel' to 'email')",
        "": "empty file: the first line names the columns (email, name…)",
        "email;email\n": "1: column 'email' is named twice on the first line",
        'email\n"a@example.net\n': "2: invalid CSV: a quoted value is not closed (a '\"' is "
        "missing)",
    }
    for number, (text, message) in enumerate(cases.items()):
        path = write(tmp_path, text, f"{number}.csv")
        with pytest.raises(ReadersError) as caught:
            check_readers(path)
        where = f"{path}:" if message[0].isdigit() else f"{path}: "
        assert str(caught.value) == where + message
    latin = write(tmp_path, "email;name\nlea@example.net;L\xe9a\n".encode("latin-1"), "l.csv")
    with pytest.raises(ReadersError) as caught:
        check_readers(latin)
    assert str(caught.value) == (
        f"{latin}:2: not UTF-8: byte 0xE9 cannot be decoded; export the file again as 'CSV UTF-8'"
    )
    with pytest.raises(ReadersError, match="no such file"):
        check_readers(tmp_path / "absent.csv")


def test_suppression_file_is_appended_once_per_address(tmp_path: Path) -> None:
    path = tmp_path / "state" / "unsubscribed.csv"
    assert suppress(path, "Lea@example.net", "one-click", NOW)
    assert not suppress(path, "lea@EXAMPLE.net", "lettre unsubscribe", NOW)  # idempotent
    assert suppress(path, "paul@example.net", "lettre unsubscribe", NOW)
    assert path.read_text(encoding="utf-8") == (
        "email,date,source\n"
        "Lea@example.net,2025-06-14T10:00:00+02:00,one-click\n"
        "paul@example.net,2025-06-14T10:00:00+02:00,lettre unsubscribe\n"
    )
    assert read_suppression(path) == {
        "lea@example.net": "2025-06-14T10:00:00+02:00",
        "paul@example.net": "2025-06-14T10:00:00+02:00",
    }
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_simultaneous_unsubscriptions_all_land(tmp_path: Path) -> None:
    path = tmp_path / "unsubscribed.csv"
    addresses = [f"lecteur{n}@example.net" for n in range(40)]
    threads = [
        threading.Thread(target=suppress, args=(path, a, "one-click", NOW)) for a in addresses
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "email,date,source" and len(lines) == 41
    assert sorted(read_suppression(path)) == sorted(addresses)


def test_suppression_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "unsubscribed.csv"
    followed = Suppression(path)
    followed.refresh()
    assert "lea@example.net" not in followed
    suppress(path, "lea@example.net", "one-click", NOW)
    followed.refresh()
    assert "LEA@example.net" in followed
    assert followed.date_of("lea@example.net") == "2025-06-14T10:00:00+02:00"
    # written by hand: a bare address per line counts too, a wrong one is named
    path.write_text("email,date,source\nlea@example.net\nnot-an-address\n", encoding="utf-8")
    with pytest.raises(ReadersError) as caught:
        followed.refresh()
    assert str(caught.value) == (
        f"{path}:3: 'not-an-address' is not an e-mail address (one address per line, in "
        "the 'email' column)"
    )
