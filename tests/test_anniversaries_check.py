"""`anniversaries.yaml`: a missing date is named plainly; `check` reports every bad entry."""

from __future__ import annotations

from conftest import item_text

ANNIVERSARIES = """\
- name: Premier régiment
  founded: 1995-06-13
- name: Deuxième régiment
- name: Troisième régiment
  founded: hier
- name: Quatrième régiment
  founded:
"""


def test_check_names_every_bad_entry(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-a.md": item_text()})
    (folder / "anniversaries.yaml").write_text(ANNIVERSARIES, encoding="utf-8")
    result = run("check", "-C", folder)
    path = folder / "anniversaries.yaml"
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:3: error: missing 'founded:' (e.g. 'founded: 1995-06-13') in the entry of"
        " 'Deuxième régiment'",
        f"{path}:5: error: 'founded': expected a date like 2025-06-13, not 'hier'",
        f"{path}:7: error: 'founded' has no value (e.g. 'founded: 1995-06-13') in the entry of"
        " 'Quatrième régiment'",
    ]
    assert "None" not in result.stdout


def test_compose_stops_at_the_first_bad_entry(run, make_folder) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder({"2025-06-10-a.md": item_text()})
    (folder / "anniversaries.yaml").write_text(ANNIVERSARIES, encoding="utf-8")
    result = run("compose", "-C", folder, "-w", "2025-06-13")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder / 'anniversaries.yaml'}:3: missing 'founded:' (e.g. 'founded:"
        " 1995-06-13') in the entry of 'Deuxième régiment'\n"
    )
