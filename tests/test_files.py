"""Writing files: atomic replacement, never overwriting, and nothing lost when interrupted."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lettre import files
from lettre.errors import LettreError

STEM = "lettre-2025-06-13"
SUFFIXES = (".eml", ".html", ".txt", ".json")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def earlier(tmp_path: Path) -> Path:
    """An output folder holding the files of an earlier run."""
    out = tmp_path / "out"
    out.mkdir()
    for suffix in SUFFIXES:
        (out / f"{STEM}{suffix}").write_bytes(f"earlier {suffix}\n".encode())
    return out


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def earlier_contents() -> dict[str, bytes]:
    return {f"{STEM}{s}": f"earlier {s}\n".encode() for s in sorted(SUFFIXES)}


def test_write_atomic_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    files.write_atomic(path, b"one")
    assert mode(path) == 0o666 & ~_umask()  # as any new file, not mkstemp's 0600
    path.chmod(0o640)
    files.write_atomic(path, b"two")
    assert (path.read_bytes(), mode(path)) == (b"two", 0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_write_new_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "items" / "2025-06-10-x.md"
    files.write_new(path, b"first")
    with pytest.raises(FileExistsError):
        files.write_new(path, b"second")
    assert path.read_bytes() == b"first"
    assert [p.name for p in path.parent.iterdir()] == ["2025-06-10-x.md"]


def test_disk_full_while_writing_leaves_earlier_outputs_intact(  # type: ignore[no-untyped-def]
    run, samples: Path, earlier: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync, calls = os.fsync, []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:  # the third file does not fit
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run("compose", "-C", samples, "--week", "2025-06-13", "--out", earlier)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {earlier}/{STEM}.txt: cannot write: No space left on device\n"
    assert contents(earlier) == earlier_contents()  # no new file, no temporary file left


def test_interrupt_while_writing_leaves_earlier_outputs_intact(  # type: ignore[no-untyped-def]
    run, samples: Path, earlier: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace, renamed = os.replace, []

    def replace(src: str, dst: str) -> None:
        if renamed:
            raise KeyboardInterrupt  # Ctrl-C between two renames
        renamed.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = run("compose", "-C", samples, "--week", "2025-06-13", "--out", earlier)
    assert (result.exit_code, result.stderr) == (130, "Error: interrupted\n")
    after = contents(earlier)
    assert sorted(after) == sorted(earlier_contents())  # no temporary file left
    changed = [name for name in after if after[name] != earlier_contents()[name]]
    assert changed == [f"{STEM}.eml"]  # the one renamed before Ctrl-C is whole and new
    assert after[f"{STEM}.eml"].startswith(b"From: ")


def test_a_killed_process_leaves_the_earlier_file_intact(tmp_path: Path) -> None:
    """SIGKILL just before the rename: the earlier file is whole, the new one never seen."""
    path = tmp_path / "lettre.html"
    path.write_bytes(b"earlier letter")
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from lettre import files\n"
        "os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)\n"
        "files.write_atomic(Path(sys.argv[1]), b'new letter' * 100000)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=False)
    assert result.returncode == -signal.SIGKILL
    assert path.read_bytes() == b"earlier letter"


def test_out_on_a_file_is_a_clear_error(run, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "out"
    blocker.write_bytes(b"not a folder")
    result = run("compose", "-C", samples, "--week", "2025-06-13", "--out", blocker / "sub")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {blocker}/sub/{STEM}.eml: cannot write: Not a directory\n"
    assert blocker.read_bytes() == b"not a folder"


def test_write_all_names_the_file_it_could_not_write(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    target = tmp_path / "taken"
    with pytest.raises(LettreError) as info:
        files.write_all({tmp_path / "a.txt": b"a", target: b"b"})
    assert str(info.value) == f"{target}: cannot write: a folder has this name"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_new_item_is_readable_like_any_file_and_an_interrupt_leaves_nothing(  # type: ignore[no-untyped-def]
    run, make_folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_folder()
    items = folder / "items"
    before = {p.name: p.read_bytes() for p in items.iterdir()}
    result = run(
        "new", "communique", "--title", "Une nouvelle", "--date", "2025-06-11", "-C", folder
    )
    assert result.exit_code == 0, result.stderr
    created = items / "2025-06-11-une-nouvelle.md"
    assert mode(created) == 0o666 & ~_umask()  # not mkstemp's 0600
    created.unlink()

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    result = run("new", "communique", "--title", "Une autre", "--date", "2025-06-11", "-C", folder)
    assert (result.exit_code, result.stderr) == (130, "Error: interrupted\n")
    assert {p.name: p.read_bytes() for p in items.iterdir()} == before  # no partial file


def test_create_numbered_takes_the_first_free_name(tmp_path: Path) -> None:
    from lettre.files import create_numbered

    (tmp_path / "2025-06-13-x.md").write_text("first")
    (tmp_path / "2025-06-13-x-2.md").write_text("second")
    made = create_numbered(tmp_path, "2025-06-13-x", b"third")
    assert made == tmp_path / "2025-06-13-x-3.md" and made.read_bytes() == b"third"
    assert create_numbered(tmp_path, "2025-06-13-x", b"", first=5).name == "2025-06-13-x-5.md"
    assert (tmp_path / "2025-06-13-x.md").read_text() == "first"  # never over a file
    (tmp_path / "a-file").write_text("")
    with pytest.raises(LettreError) as caught:
        create_numbered(tmp_path / "a-file" / "items", "x", b"")  # a file is in the way
    assert caught.value.message.startswith("cannot write: ")
    assert caught.value.path == tmp_path / "a-file" / "items" / "x.md"
