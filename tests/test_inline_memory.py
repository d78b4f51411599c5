"""What premailer derives from the CSS alone, kept between runs in the user's cache
(inline._InlineMemory): the same HTML, and the file written only when something is new."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SAMPLES


def _compose(cache_home: Path, week: str = "2025-06-13") -> str:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop("LETTRE_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-m", "lettre", "compose", "-C", SAMPLES, "-w", week, "-f", "html"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_second_run_reads_the_memory_and_writes_nothing(tmp_path: Path) -> None:
    memory = tmp_path / "lettre" / "inline.json"
    first = _compose(tmp_path)
    written = memory.read_bytes()
    selectors = json.loads(written)["selectors"]
    # premailer compiles only its own lookups: the stylesheet's plain selectors are
    # answered from an index of the page (inline._Selection), made again by each process
    assert sorted(css for css, _xpath in selectors) == ["body", "head", "style"]
    assert all(xpath for _css, xpath in selectors)
    stamp = memory.stat().st_mtime_ns
    for _ in range(2):  # the selectors read from the file are kept in it: no run forgets them
        assert _compose(tmp_path) == first
        assert memory.stat().st_mtime_ns == stamp
        assert memory.read_bytes() == written


def test_what_a_later_letter_adds_is_kept_with_what_was_read(tmp_path: Path) -> None:
    """A letter with other style= attributes than the first one adds their declarations to
    the file, and keeps the selectors it read there: the next runs of either letter
    compile nothing again and write nothing."""
    memory = tmp_path / "lettre" / "inline.json"
    _compose(tmp_path, "2025-05-23")  # communiqués only
    first = json.loads(memory.read_bytes())
    full = _compose(tmp_path)  # results and anniversaries too
    later = json.loads(memory.read_bytes())
    assert len(later["pairs"]) > len(first["pairs"])
    assert later["selectors"] == first["selectors"]
    stamp = memory.stat().st_mtime_ns
    assert _compose(tmp_path) == full
    _compose(tmp_path, "2025-05-23")
    assert memory.stat().st_mtime_ns == stamp


def test_a_torn_memory_is_worked_out_again(tmp_path: Path) -> None:
    first = _compose(tmp_path)
    memory = tmp_path / "lettre" / "inline.json"
    memory.write_bytes(memory.read_bytes()[:100])
    assert _compose(tmp_path) == first
    assert json.loads(memory.read_bytes())["selectors"]
