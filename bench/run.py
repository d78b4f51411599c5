"""Benchmark lettre as a user runs it: whole processes, on samples/ and on a big archive.

    python bench/run.py                  # 20,000 items over ten years, 5 runs of each
    python bench/run.py --items 2000 --runs 3

Each figure is the median wall time of several runs of a fresh process, with the peak
resident memory (ru_maxrss) of that process. The archive is built by bench/archive.py in
a temporary folder; its week of 13 June 2025 is the one of samples/, so that composing it
on both measures the cost of the archive's size alone. Without `--command`, the lettre of
this checkout (src/) runs the way its console script does.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive import ROOT, SAMPLES, busiest_week, make_archive

WEEK = "2025-06-13"
NOW = "2025-06-13T08:00"
CONSOLE_SCRIPT = "import sys; from lettre.cli import main; sys.argv[0] = 'lettre'; sys.exit(main())"
INLINE_ONLY = """\
import sys, time
from pathlib import Path
from lettre.compose import load_week_items, open_folder
from lettre.letter import build_letter
from lettre.readers import read_anniversaries
from lettre.render import HTML_TEMPLATE, render_template
from lettre.weeks import parse_week
import datetime as dt
config = open_folder(Path(sys.argv[1]))
week = parse_week(sys.argv[2], dt.date.today(), config.publication_day)
items = load_week_items(config, week)
letter = build_letter(items, config, week, read_anniversaries(config.folder / "anniversaries.yaml"))
html = render_template(HTML_TEMPLATE, letter, None)
t0 = time.perf_counter()
from lettre.render import inline_css
import premailer, cssutils
t1 = time.perf_counter()
inline_css(html)
t2 = time.perf_counter()
inline_css(html)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


@dataclass
class Figure:
    """The runs of one measured command."""

    name: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peaks_kb: list[int] = field(default_factory=list)
    target: str = ""
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def row(self) -> str:
        if not self.times:
            return f"| {self.name} | – | – | – | – | {self.target} | {self.note} |"
        spread = f"{min(self.times):.2f}–{max(self.times):.2f}"
        cpu = f"{statistics.median(self.cpu):.2f}" if self.cpu else "–"
        peak = max(self.peaks_kb) / 1024
        return (
            f"| {self.name} | {self.median:.2f} | {spread} | {cpu} | {peak:.0f} "
            f"| {self.target} | {self.note} |"
        )


@dataclass(frozen=True)
class Run:
    """One process: wall and CPU seconds, peak memory, exit code and output."""

    wall: float
    cpu: float
    peak_kb: int
    code: int
    out: bytes
    err: bytes


def run_once(command: Sequence[str], env: dict[str, str]) -> Run:
    """Run one process to its end; its own rusage gives its CPU time and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return Run(wall, cpu, usage.ru_maxrss, code, out.read(), err.read())


@dataclass
class Spec:
    """A command to measure, and what to do before each run of it."""

    name: str
    args: Sequence[str]
    before: Callable[[], None] | None = None
    env: dict[str, str] | None = None
    ok: Sequence[int] = (0,)
    target: str = ""
    command: Sequence[str] | None = None


class Bench:
    """Runs lettre commands and collects figures."""

    def __init__(self, lettre: list[str], env: dict[str, str], runs: int) -> None:
        self.lettre, self.env, self.runs = lettre, env, runs
        self.figures: list[Figure] = []

    def measure(self, name: str, args: Sequence[str], **options: Any) -> Figure:
        """Run one command `runs` times."""
        return self.interleave([Spec(name, args, **options)])[0]

    def interleave(self, specs: Sequence[Spec], runs: int | None = None) -> list[Figure]:
        """Run several commands in turns (A B A B …), so that they share the machine's mood."""
        figures = [Figure(spec.name, target=spec.target) for spec in specs]
        for _ in range(runs or self.runs):
            for spec, figure in zip(specs, figures, strict=True):
                if figure.note:
                    continue
                if spec.before:
                    spec.before()
                command = [*(spec.command or self.lettre), *spec.args]
                run = run_once(command, {**self.env, **(spec.env or {})})
                if run.code not in spec.ok:
                    figure.note = f"exit {run.code}: {run.err.decode(errors='replace')[:200]}"
                    figure.note = " ".join(figure.note.split()).replace("|", "/")
                    print(f"  {spec.name}: {figure.note}", file=sys.stderr)
                    continue
                figure.times.append(run.wall)
                figure.cpu.append(run.cpu)
                figure.peaks_kb.append(run.peak_kb)
        for figure in figures:
            self.figures.append(figure)
            if figure.times:
                peak = max(figure.peaks_kb) / 1024
                print(f"  {figure.name}: {figure.median:.3f} s, {peak:.0f} MB", flush=True)
        return figures

    def has_command(self, name: str) -> str | None:
        """The `--help` of a lettre command, or None when this lettre has no such command."""
        result = subprocess.run(
            [*self.lettre, name, "--help"], capture_output=True, text=True, env=self.env
        )
        return result.stdout if result.returncode == 0 else None


def evict(folder: Path) -> None:
    """Drop the items' pages from the OS file cache (only our own temporary files)."""
    for path in (folder / "items").iterdir():
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; load average before: {load}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=20_000, help="items in the archive")
    parser.add_argument("--years", type=int, default=10, help="years the archive spans")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    parser.add_argument(
        "--command", help="how to start lettre (default: this checkout's src/, e.g. 'lettre')"
    )
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="measure the lettre of this src/ folder"
    )
    parser.add_argument(
        "--samples", type=Path, default=SAMPLES, help="the sample folder (default: samples/)"
    )
    parser.add_argument("--no-cold", action="store_true", help="skip the evicted-cache runs")
    args = parser.parse_args(argv)

    env = {k: v for k, v in os.environ.items() if k != "LETTRE_NO_CACHE"}
    env.setdefault("COLUMNS", "100")
    if args.command:
        lettre = args.command.split()
    else:
        lettre = [sys.executable, "-c", CONSOLE_SCRIPT]
        paths = [str(args.src.resolve()), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    bench = Bench(lettre, env, args.runs)
    print(f"Machine: {machine()}")

    with tempfile.TemporaryDirectory(prefix="lettre-bench-") as tmp:
        folder = args.keep or Path(tmp) / "archive"
        if not (folder / "items").is_dir():
            start = time.perf_counter()
            make_archive(folder, args.items, args.years, samples=args.samples)
            print(f"Archive: {args.items} items in {folder} ({time.perf_counter() - start:.1f} s)")
        archive_size = sum(p.stat().st_size for p in (folder / "items").iterdir())
        print(f"Archive: {archive_size / 1e6:.1f} MB of items; {args.runs} runs of each\n")
        cache = folder / ".lettre"

        def forget() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        def same_letter() -> bool:
            texts = []
            for where in (args.samples, folder):
                result = subprocess.run(
                    [*lettre, "compose", "-C", str(where), "-w", WEEK, "-f", "text"],
                    capture_output=True, env=env,
                )  # fmt: skip
                texts.append(result.stdout if result.returncode == 0 else None)
            return texts[0] is not None and texts[0] == texts[1]

        compose = ["compose", "--week", WEEK, "--now", NOW, "--seed", "bench"]
        bench.measure("lettre --help", ["--help"], target="≤ 0.25 s")
        bench.measure(
            "shell completion (lettre compose --<TAB>)",
            [],
            env={
                "_LETTRE_COMPLETE": "complete_bash",
                "COMP_WORDS": "lettre compose --",
                "COMP_CWORD": "2",
            },
        )
        first = bench.measure(
            "compose, archive, first run (no cache)",
            [*compose, "-C", str(folder)],
            before=forget,
            target="≤ 3 s",
        )
        run_once([*lettre, *compose, "-C", str(folder)], env)  # the index, once more at rest
        samples, later, _ = bench.interleave(
            [
                Spec("compose, samples/", [*compose, "-C", str(args.samples)]),
                Spec(
                    "compose, archive, later runs",
                    [*compose, "-C", str(folder)],
                    target="≤ 1.3 × samples/, ≤ 150 MB",
                ),
                Spec(
                    "compose, archive, LETTRE_NO_CACHE=1 (dates read from the files)",
                    [*compose, "-C", str(folder)],
                    env={"LETTRE_NO_CACHE": "1"},
                ),
            ],
            runs=2 * args.runs,
        )
        if not args.no_cold and hasattr(os, "posix_fadvise"):
            bench.measure(
                "compose, archive, later runs, items evicted from the OS cache",
                [*compose, "-C", str(folder)],
                before=lambda: evict(folder),
            )
            bench.measure(
                "compose, archive, LETTRE_NO_CACHE=1, items evicted from the OS cache",
                [*compose, "-C", str(folder)],
                before=lambda: evict(folder),
                env={"LETTRE_NO_CACHE": "1"},
            )
        busy = busiest_week(folder).isoformat()
        bench.measure(
            f"compose, archive, its fullest week ({busy}), later runs",
            ["compose", "--week", busy, "--now", NOW, "-C", str(folder)],
        )
        for name, limit in (("weeks", "≤ 5 s"), ("check", "≤ 5 s"), ("preview", "")):
            usage = bench.has_command(name)
            if usage is None:
                figure = Figure(f"{name}, archive", target=limit, note="no such command yet")
                bench.figures.append(figure)
                continue
            options = ["-C", str(folder)]
            if "--week" in usage and name != "weeks":
                options += ["--week", WEEK]
            ok = (0, 1) if name == "check" else (0,)
            bench.measure(
                f"{name}, archive, first run (no cache)",
                [name, *options],
                before=forget,
                ok=ok,
                target=limit,
            )
            bench.measure(f"{name}, archive, later runs", [name, *options], ok=ok)
        inline = Figure("CSS inlining alone (premailer), the letter of samples/")
        imports, seconds = [], []
        script = [sys.executable, "-c", INLINE_ONLY, str(args.samples), WEEK]
        for _ in range(args.runs):
            run = run_once(script, env)
            if run.code != 0:
                inline.note = run.err.decode(errors="replace").strip().splitlines()[-1]
                break
            load, once, again = (float(x) for x in run.out.split())
            imports.append(load)
            inline.times.append(once)
            inline.peaks_kb.append(run.peak_kb)
            seconds.append(again)
        if inline.times:
            inline.note = (
                "first call in a process (peak: of that whole process); import premailer "
                f"{statistics.median(imports):.3f} s, a second call "
                f"{statistics.median(seconds):.3f} s"
            )
            print(f"  {inline.name}: {inline.median:.3f} s")
        bench.figures.append(inline)
        identical = same_letter()

    print("\n| what | median (s) | min–max (s) | CPU (s) | peak memory (MB) | target | note |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for figure in bench.figures:
        print(figure.row())
    if samples.times and later.times:
        ratio = later.median / samples.median
        cpu = statistics.median(later.cpu) / statistics.median(samples.cpu)
        print(
            f"\ncompose on the archive (later runs) / on samples/: {ratio:.2f} in wall time, "
            f"{cpu:.2f} in CPU time (target ≤ 1.3)"
        )
    if first.times:
        print(f"compose on the archive, first run: {first.median:.2f} s (target ≤ 3 s)")
    print(f"the archive's letter of {WEEK} is the one of samples/: {identical}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
