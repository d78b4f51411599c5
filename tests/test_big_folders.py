"""What keeps big folders cheap: the archive composes only what changed, `check`
keeps unchanged files' findings, `list --all` streams, `import` asks the index.

Every cache is checked against a run without it: the same bytes, the same findings.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import lettre
from conftest import ROOT, Golden, item_text
from lettre import i18n, index, render, resources

SAMPLES = ROOT / "samples"
EDITED = "2025-06-12-repetitions-du-14-juillet.md"  # in the letter of 13 June 2025


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch) -> None:
    """Caches kept however small the folder, and files trusted as soon as written."""
    monkeypatch.setattr(index, "CACHE_MIN_ITEMS", 1)
    monkeypatch.setattr(index, "RACY_NS", 0)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "samples"
    shutil.copytree(SAMPLES, copy, ignore=shutil.ignore_patterns(".lettre"))
    return copy


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def composed(stderr: str) -> str:
    """`6 letters, 1 composed` from the summary line."""
    return stderr.strip().splitlines()[-1].split(":")[0]


# --- archive: a re-run composes exactly what changed ---------------------------------------


def _template(folder: Path) -> None:
    (folder / "templates").mkdir()
    text = (resources.templates_dir() / "letter.html.j2").read_text(encoding="utf-8")
    changed = text.replace("</body>", "<!-- une page de l'archive -->\n</body>")
    assert changed != text
    (folder / "templates" / "letter.html.j2").write_text(changed, encoding="utf-8")
    render.environment.cache_clear()


def _config(folder: Path) -> None:
    path = folder / "lettre.toml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace('fr = "Lettre hebdomadaire', 'fr = "La lettre hebdomadaire', 1)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def _date(folder: Path) -> None:  # from the letter of 13 June to the one of 20 June
    path = folder / "items" / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("date: 2025-06-12", "date: 2025-06-17"), encoding="utf-8")


def _edit(folder: Path) -> None:
    path = folder / "items" / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("répétitions", "répétitions générales", 1), encoding="utf-8")


def _delete(folder: Path) -> None:
    (folder / "items" / EDITED).unlink()


def _delete_a_letter(folder: Path) -> None:  # the only item of the letter of 30 July 2021
    (folder / "items" / "2021-07-26-premier-entretien-cema-homologue-americain.md").unlink()


@pytest.mark.parametrize(
    ("change", "summary"),
    [
        (_template, "6 letters, 6 composed"),
        (_config, "6 letters, 6 composed"),
        (_date, "6 letters, 2 composed"),
        (_edit, "6 letters, 1 composed"),
        (_delete, "6 letters, 1 composed"),
        (_delete_a_letter, "5 letters, 0 composed"),
    ],
)
def test_a_rerun_composes_what_changed_and_writes_what_a_full_run_writes(  # type: ignore[no-untyped-def]
    run, folder: Path, tmp_path: Path, cached: None, change: Callable[[Path], None], summary: str
) -> None:
    out = tmp_path / "public"
    first = run("archive", "-C", folder, "--out", out)
    assert composed(first.stderr) == "6 letters, 6 composed", first.stderr
    again = run("archive", "-C", folder, "--out", out)
    assert composed(again.stderr) == "6 letters, 0 composed", again.stderr
    change(folder)
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert composed(result.stderr) == summary
    full = run("archive", "-C", folder, "--out", tmp_path / "full")  # no record of it: all
    assert full.exit_code == 0, full.stderr
    assert files_of(out) == files_of(tmp_path / "full")
    render.environment.cache_clear()


def test_a_catalog_changed_composes_every_letter_again(  # type: ignore[no-untyped-def]
    run, folder: Path, tmp_path: Path, cached: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    packaged = tmp_path / "templates"
    shutil.copytree(resources.templates_dir(), packaged)
    for module in (resources, i18n, render):
        monkeypatch.setattr(module, "templates_dir", lambda: packaged)
    i18n.translations.cache_clear()
    render.environment.cache_clear()
    out = tmp_path / "public"
    assert composed(run("archive", "-C", folder, "--out", out).stderr) == "6 letters, 6 composed"
    assert "Voir la version en ligne" in (out / "2025-06-13.html").read_text(encoding="utf-8")

    po = packaged / "locale" / "fr" / "LC_MESSAGES" / "lettre.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    message = catalog["View this letter online"]
    assert message is not None
    message.string = "Lire la lettre en ligne"
    with (po.parent / "lettre.mo").open("wb") as handle:
        write_mo(handle, catalog)
    i18n.translations.cache_clear()
    render.environment.cache_clear()

    result = run("archive", "-C", folder, "--out", out)
    assert composed(result.stderr) == "6 letters, 6 composed"
    assert "Lire la lettre en ligne" in (out / "2025-06-13.html").read_text(encoding="utf-8")
    run("archive", "-C", folder, "--out", tmp_path / "full")
    assert files_of(out) == files_of(tmp_path / "full")
    i18n.translations.cache_clear()
    render.environment.cache_clear()


def test_a_page_changed_by_hand_is_composed_again(  # type: ignore[no-untyped-def]
    run, folder: Path, tmp_path: Path, cached: None
) -> None:
    out = tmp_path / "public"
    run("archive", "-C", folder, "--out", out)
    before = (out / "2025-06-13.html").read_bytes()
    (out / "2025-06-13.html").write_text("<p>abîmée</p>", encoding="utf-8")
    result = run("archive", "-C", folder, "--out", out)
    assert composed(result.stderr) == "6 letters, 1 composed"
    assert f"wrote {out}/2025-06-13.html\n" in result.stderr
    assert (out / "2025-06-13.html").read_bytes() == before


def test_lettre_no_cache_composes_every_letter(  # type: ignore[no-untyped-def]
    run, folder: Path, tmp_path: Path, cached: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "public"
    run("archive", "-C", folder, "--out", out)
    monkeypatch.setenv("LETTRE_NO_CACHE", "1")
    result = run("archive", "-C", folder, "--out", out)
    assert result.stderr.endswith(
        f"6 letters, 6 composed: 0 files written, 8 unchanged, 0 removed, in {out}\n"
    )


def test_one_process_or_several_write_the_same_archive(folder: Path, tmp_path: Path) -> None:
    from lettre.archive import archive
    from lettre.config import load_config

    config = load_config(folder)
    alone = archive(config, tmp_path / "alone", workers=1)
    together = archive(config, tmp_path / "together", workers=2)
    assert alone.composed == together.composed == 6
    assert files_of(tmp_path / "alone") == files_of(tmp_path / "together")


def test_a_broken_item_in_a_letter_to_compose_writes_nothing(  # type: ignore[no-untyped-def]
    run, folder: Path, tmp_path: Path, cached: None
) -> None:
    out = tmp_path / "public"
    run("archive", "-C", folder, "--out", out)
    before = files_of(out)
    path = folder / "items" / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "titre:"), encoding="utf-8")
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}:4: missing 'title:' in the front matter (did you mean it by 'titre:'?)\n"
    )
    assert files_of(out) == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# --- check: a stale cache is never served --------------------------------------------------


def _doctor(folder: Path, name: str) -> None:
    """Make the cached findings of `name` say something the file does not."""
    path = folder / ".lettre" / "check.json"
    data = json.loads(path.read_text())
    data["files"][name][1] = [["warning", "from the cache", 1, None]]
    path.write_text(json.dumps(data))


def test_check_serves_unchanged_files_from_its_cache(  # type: ignore[no-untyped-def]
    run, folder: Path, cached: None
) -> None:
    first = run("check", "-C", folder)
    assert (folder / ".lettre" / "check.json").is_file()
    _doctor(folder, EDITED)
    again = run("check", "-C", folder)
    assert f"{folder / 'items' / EDITED}:1: warning: from the cache\n" in again.stdout
    fresh = run("check", "-C", folder, "--no-cache")
    assert fresh.stdout == first.stdout and fresh.stderr == first.stderr


@pytest.mark.parametrize("change", ["edit", "touch-and-edit", "rename", "delete", "version"])
def test_check_never_serves_a_stale_finding(  # type: ignore[no-untyped-def]
    run, folder: Path, cached: None, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    items = folder / "items"
    (items / "2025-06-10-x.md").write_text(item_text(date="2025-06-10", title="X"))
    run("check", "-C", folder)
    _doctor(folder, "2025-06-10-x.md")
    expected_line = f"{items / '2025-06-10-x.md'}:1: warning: from the cache\n"
    assert expected_line in run("check", "-C", folder).stdout
    if change == "edit":
        (items / "2025-06-10-x.md").write_text(item_text(date="2025-06-10", title="[Y"))
        result = run("check", "-C", folder)
        assert f"{items / '2025-06-10-x.md'}:4: error: " in result.stdout
    elif change == "touch-and-edit":  # same size, same name: only the bytes tell
        (items / "2025-06-10-x.md").write_text(item_text(date="2025-06-10", title="Z"))
        result = run("check", "-C", folder)
        assert result.exit_code == 0
    elif change == "rename":  # same bytes, another name: its date no longer matches
        (items / "2025-06-10-x.md").rename(items / "2025-06-11-x.md")
        result = run("check", "-C", folder)
        assert (
            f"{items / '2025-06-11-x.md'}:2: warning: the file name says 2025-06-11 but "
            "'date:' is 2025-06-10\n"
        ) in result.stdout
    elif change == "delete":
        (items / "2025-06-10-x.md").unlink()
        result = run("check", "-C", folder)
        assert "2025-06-10-x.md" not in result.stdout
    else:
        monkeypatch.setattr(lettre, "__version__", lettre.__version__ + ".next")
        result = run("check", "-C", folder)
    assert "from the cache" not in result.stdout
    assert result.stdout == run("check", "-C", folder, "--no-cache").stdout


def test_check_finds_duplicates_among_cached_files(  # type: ignore[no-untyped-def]
    run, folder: Path, cached: None
) -> None:
    items = folder / "items"
    (items / "2025-06-10-a.md").write_text(item_text(date="2025-06-10", title="Même titre"))
    run("check", "-C", folder)
    (items / "2025-06-10-b.md").write_text(item_text(date="2025-06-10", title="même Titre"))
    result = run("check", "-C", folder)
    assert (
        f"{items / '2025-06-10-b.md'}:1: warning: same date and title as 2025-06-10-a.md: "
        "shown twice\n"
    ) in result.stdout


# --- list --all: plain lines, titles from the index ----------------------------------------


def test_list_all_is_plain_aligned_lines(run, golden: Golden) -> None:  # type: ignore[no-untyped-def]
    result = run("list", "--all", "-C", SAMPLES)
    assert result.exit_code == 0, result.stderr
    golden.check(ROOT / "tests" / "data" / "list-all-samples.txt", result.stdout)
    lines = [line for line in result.stdout.splitlines() if line]
    assert lines[0] == (
        "lundi 26 juillet 2021  Communiqués         "
        "2021-07-26-premier-entretien-cema-homologue-americain.md     "
        "Premier entretien du CEMA avec son homologue américain"
    )
    assert len(lines) == 18  # 17 items and the anniversary of anniversaries.yaml
    files = {
        re.search(r"  (\d{4}-\d\d-\d\d-|anniversaries\.yaml)", line).start(1) for line in lines
    }  # type: ignore[union-attr]
    assert files == {lines[0].index("2021-07-26-")}


def test_list_all_takes_titles_from_the_index_and_never_a_stale_one(  # type: ignore[no-untyped-def]
    run, folder: Path, cached: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run("list", "--all", "-C", folder)
    assert "premières répétitions\n" in first.stdout
    with monkeypatch.context() as patched:

        def no_parsing(*args: object, **kwargs: object) -> None:
            raise AssertionError("parsed again")

        patched.setattr("lettre.readers.parse_item", no_parsing)
        assert run("list", "--all", "-C", folder).stdout == first.stdout
    path = folder / "items" / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("premières répétitions", "dernières répétitions"), "utf-8")
    edited = run("list", "--all", "-C", folder)
    assert "dernières répétitions\n" in edited.stdout
    assert "premières" not in edited.stdout
    assert edited.stdout == first.stdout.replace("premières", "dernières")


# --- import: known entries from the index --------------------------------------------------


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Communiqués</title><link>https://www.example.org/</link>
<description>Flux</description>
<item><title>Une entrée</title><link>https://www.example.org/1.html</link>
<guid>https://www.example.org/1</guid><pubDate>Tue, 10 Jun 2025 08:00:00 +0000</pubDate></item>
</channel></rss>
"""


def test_a_second_import_knows_the_entry_without_reading_the_items(  # type: ignore[no-untyped-def]
    run, folder: Path, tmp_path: Path, cached: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(FEED, encoding="utf-8")
    assert run("import", str(feed), "-C", folder).exit_code == 0
    run("import", str(feed), "-C", folder)  # the index learns what each file says

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("read again")

    monkeypatch.setattr("lettre.importer._said", no_reading)
    result = run("import", str(feed), "-C", folder)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith("0 items created, 1 already imported, 0 skipped\n")


def test_check_in_several_processes_finds_what_one_finds(  # type: ignore[no-untyped-def]
    run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lettre import archive, check

    items = folder / "items"
    (items / "2025-06-10-x.md").write_text(item_text(date="2025-06-10", title="[x"))
    (items / "2025-06-11-y.md").write_text(item_text(date="2025-06-12", title="Y"))
    alone = run("check", "-C", folder)
    monkeypatch.setattr(check, "PARALLEL_FROM", 1)
    monkeypatch.setattr(check, "CHUNK", 3)
    monkeypatch.setattr(archive, "worker_count", lambda: 2)
    together = run("check", "-C", folder)
    assert together.exit_code == alone.exit_code == 1
    assert together.stdout == alone.stdout and together.stderr == alone.stderr
    assert "2025-06-11-y.md:2: warning: the file name says 2025-06-11" in together.stdout


def test_list_in_several_processes_shows_what_one_shows(  # type: ignore[no-untyped-def]
    run, folder: Path, cached: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lettre import archive, listing

    items = folder / "items"
    (items / "2025-06-10-x.md").write_text(item_text(date="2025-06-10", title="[x"))
    (items / "2025-06-11-y.md").write_text(item_text(date="2025-06-11", title="Y « z »"))
    (items / "2025-06-12-z.md").write_text(
        item_text(date="2025-06-12", title="Exemple", example="true")
    )
    alone = run("list", "--all", "-C", folder)
    shutil.rmtree(folder / ".lettre")
    monkeypatch.setattr(listing, "PARALLEL_FROM", 1)
    monkeypatch.setattr(listing, "CHUNK", 3)
    monkeypatch.setattr(archive, "worker_count", lambda: 2)
    together = run("list", "--all", "-C", folder)
    assert together.exit_code == alone.exit_code == 1
    assert together.stdout == alone.stdout and together.stderr == alone.stderr
    assert "2025-06-10-x.md" in together.stderr  # the broken file, and only it
    assert "[EXEMPLE] Exemple\n" in together.stdout
    lines = [line for line in together.stdout.splitlines() if line]
    assert len(lines) == 20  # 17 items of samples/, 2 more, and the anniversary
    (items / "2025-06-10-x.md").unlink()
    monkeypatch.setattr("lettre.readers.parse_item", None)  # the index has learnt the rest
    again = run("list", "--all", "-C", folder)
    assert (again.exit_code, again.stdout) == (0, alone.stdout)


# --- photos, drafts and examples in the per-letter pipeline and the check cache --------------


def tree_of(out: Path) -> dict[str, bytes]:
    """Every file under `out` (images/ included), by relative path."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _photo_folder(make_folder: Callable[..., Path]) -> Path:
    from PIL import Image

    items = {
        "2025-06-10-photo.md": item_text(
            date="2025-06-10",
            title="Le défilé",
            image="{src: photos/defile.jpg, alt: Des marins défilent}",
        ),
        "2025-06-17-autre.md": item_text(
            date="2025-06-17",
            title="Les couleurs",
            image="{src: photos/couleurs.jpg, alt: Le drapeau}",
        ),
        "2025-06-18-brouillon.md": item_text(date="2025-06-18", title="Pas fini") + "",
    }
    folder = make_folder(items)
    draft = folder / "items" / "2025-06-18-brouillon.md"
    draft.write_text(
        draft.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1),
        encoding="utf-8",
    )
    (folder / "photos").mkdir()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(folder / "photos" / "defile.jpg")
    Image.new("RGB", (800, 600), (30, 30, 200)).save(folder / "photos" / "couleurs.jpg")
    return folder


def test_a_photo_replaced_composes_its_letter_again_and_keeps_the_others_photos(  # type: ignore[no-untyped-def]
    run, make_folder: Callable[..., Path], tmp_path: Path, cached: None
) -> None:
    from PIL import Image

    folder = _photo_folder(make_folder)
    out = tmp_path / "public"
    first = run("archive", "-C", folder, "--out", out)
    assert first.exit_code == 0, first.stderr
    assert composed(first.stderr) == "2 letters, 2 composed"  # the drafts' week makes none
    assert len(list((out / "images").iterdir())) == 2
    assert "Pas fini" not in (out / "2025-06-20.html").read_text(encoding="utf-8")
    again = run("archive", "-C", folder, "--out", out)
    assert composed(again.stderr) == "2 letters, 0 composed", again.stderr
    Image.new("RGB", (640, 480), (30, 200, 30)).save(folder / "photos" / "defile.jpg")
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert composed(result.stderr) == "2 letters, 1 composed"
    full = run("archive", "-C", folder, "--out", tmp_path / "full")
    assert full.exit_code == 0, full.stderr
    assert tree_of(out) == tree_of(tmp_path / "full")  # the old copy removed, the other kept
    assert len(list((out / "images").iterdir())) == 2


def test_example_content_in_a_letter_to_compose_writes_nothing(  # type: ignore[no-untyped-def]
    run, folder: Path, tmp_path: Path, cached: None
) -> None:
    out = tmp_path / "public"
    run("archive", "-C", folder, "--out", out)
    before = tree_of(out)
    path = folder / "items" / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\nexample: true\n", 1), encoding="utf-8")
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 1
    assert "the archive holds example content" in result.stderr
    assert f"{path}:" in result.stderr
    assert tree_of(out) == before


def test_check_never_serves_a_stale_finding_of_a_local_image(  # type: ignore[no-untyped-def]
    run, make_folder: Callable[..., Path], cached: None
) -> None:
    from PIL import Image

    folder = make_folder(
        {
            "2025-06-10-photo.md": item_text(
                date="2025-06-10", title="Photo", image="{src: photos/defile.jpg, alt: Un défilé}"
            )
        }
    )
    missing = "image 'photos/defile.jpg': no such file"
    assert missing in run("check", "-C", folder).stdout
    assert (folder / ".lettre" / "check.json").is_file()
    (folder / "photos").mkdir()
    Image.new("RGB", (80, 60), (200, 30, 30)).save(folder / "photos" / "defile.jpg")
    assert missing not in run("check", "-C", folder).stdout
    (folder / "photos" / "defile.jpg").unlink()
    assert missing in run("check", "-C", folder).stdout
    fresh = run("check", "-C", folder, "--no-cache")
    assert fresh.stdout == run("check", "-C", folder).stdout
