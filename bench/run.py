"""Benchmark lettre as a user runs it: whole processes, on samples/ and on a big archive.

    python bench/run.py                          # 20,000 items over ten years, 5 runs of each
    python bench/run.py --json b20k.json         # ... and keep the figures
    python bench/run.py --n 80000 --growth b20k.json   # 80,000 items, growth from 20,000
    python bench/run.py --items 2000 --runs 3

Each figure is the median wall time of several runs of a fresh process, with its CPU time
(its workers' included) and its peak memory: the largest sum, sampled every 20 ms, of the
proportional set sizes of the process and of every process it started (a forked worker's
pages shared with its parent counted once), or the process's own peak resident size when
that is larger (a short process can end between two samples).

The archive is built by bench/archive.py in a temporary folder; its week of 13 June 2025
is the one of samples/, so that composing it on both measures the cost of the archive's
size alone. Without `--command`, the lettre of this checkout (src/) runs the way its
console script does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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
IMPORT_FLOOR = "import jinja2, babel.dates, premailer, markdown_it, yaml, typer, rich"
GROUPS = ("compose", "archive", "list", "check", "import", "inline")
IMPORTED = "entree-importee"  # in the file names of the items the import figures create
INLINE_ONLY = """\
import sys, time
from pathlib import Path
from lettre.compose import load_week_items, open_folder
from lettre.letter import build_letter
from lettre.anniversaries import read_anniversaries
from lettre.render import HTML_TEMPLATE, render_template
from lettre.weeks import parse_week
import datetime as dt
config = open_folder(Path(sys.argv[1]))
week = parse_week(sys.argv[2], dt.date.today(), config.publication_day)
items = load_week_items(config, week)
letter = build_letter(items, config, week, read_anniversaries(config.folder / "anniversaries.yaml"))
html = render_template(HTML_TEMPLATE, {"letter": letter, "reader": None}, letter.locale, None)
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


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    """The proportional set size of a process, in kB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree_kb(pid: int) -> int:
    """The sum of the proportional set sizes of a process and of all its descendants."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _pss_kb(current)
        todo += _children(current)
    return total


def run_once(command: Sequence[str], env: dict[str, str]) -> Run:
    """Run one process to its end; its rusage gives its CPU time (its reaped workers'
    included); its memory is sampled with its descendants' (see the module's doc)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], _tree_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if Path("/proc/self/smaps_rollup").exists():
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sampler.is_alive():
            sampler.join()
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return Run(wall, cpu, max(usage.ru_maxrss, peak[0]), code, out.read(), err.read())


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
    runs: int | None = None  # fewer runs for the slowest commands


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
        for turn in range(runs or self.runs):
            for spec, figure in zip(specs, figures, strict=True):
                if figure.note or (spec.runs is not None and turn >= spec.runs):
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


def feed_of(count: int) -> bytes:
    """An RSS feed of `count` entries, each with its own id and link (for `lettre import`)."""
    items = []
    for number in range(count):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=number % 300)
        stamp = f"{day.strftime('%a, %d %b %Y')} 08:00:00 +0000"
        items.append(
            f"<item><title>Entrée importée n° {number}</title>"
            f"<link>https://www.example.org/communiques/{number}.html</link>"
            f"<guid>https://www.example.org/communiques/{number}</guid>"
            f"<pubDate>{stamp}</pubDate>"
            f"<description>Résumé de l'entrée {number} : quelques mots.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        "<title>Communiqués</title><link>https://www.example.org/</link>"
        "<description>Flux</description>" + "".join(items) + "</channel></rss>\n"
    ).encode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--items", "--n", type=int, default=20_000, help="items in the archive (default 20,000)"
    )
    parser.add_argument("--years", type=int, default=10, help="years the archive spans")
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    parser.add_argument(
        "--heavy-runs", type=int, default=3, help="runs of a first `archive` (default 3)"
    )
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
    parser.add_argument(
        "--only", help=f"only these groups, comma-separated: {', '.join(GROUPS)} (default: all)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--growth",
        type=Path,
        help="the --json of a run at another size: print each command's growth from it",
    )
    args = parser.parse_args(argv)
    groups = set(args.only.split(",")) if args.only else set(GROUPS)

    env = {k: v for k, v in os.environ.items() if k != "LETTRE_NO_CACHE"}
    env.setdefault("COLUMNS", "100")
    if args.command:
        lettre = args.command.split()
    else:
        lettre = [sys.executable, "-c", CONSOLE_SCRIPT]
        paths = [str(args.src.resolve()), env.get("PYTHONPATH", "")]
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        # lettre's bytecode, as an installed lettre has it (pip compiles a wheel's modules,
        # as it did the libraries of the import floor): with PYTHONDONTWRITEBYTECODE set, a
        # checkout's src/ would otherwise be compiled again by every process measured
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(args.src.resolve() / "lettre")],
            check=True,
        )
        if env.get("PYTHONDONTWRITEBYTECODE"):
            print("lettre's bytecode compiled in src/ (PYTHONDONTWRITEBYTECODE is set)")
    bench = Bench(lettre, env, args.runs)
    print(f"Machine: {machine()}")
    samples = later = floor = first = None
    identical = None

    with tempfile.TemporaryDirectory(prefix="lettre-bench-") as tmp:
        folder = args.keep or Path(tmp) / "archive"
        if not (folder / "items").is_dir():
            start = time.perf_counter()
            make_archive(folder, args.items, args.years, samples=args.samples)
            print(f"Archive: {args.items} items in {folder} ({time.perf_counter() - start:.1f} s)")
        for path in (folder / "items").glob(f"*-{IMPORTED}-*.md"):
            path.unlink()  # left by an interrupted run
        count = sum(1 for _ in (folder / "items").iterdir())
        archive_size = sum(p.stat().st_size for p in (folder / "items").iterdir())
        print(f"Archive: {count} files, {archive_size / 1e6:.1f} MB of items; {args.runs} runs\n")
        cache = folder / ".lettre"
        size = f"{args.items:,}".replace(",", " ")

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
        if "compose" in groups:
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
            run_once([*lettre, *compose, "-C", str(args.samples)], env)
            floor, _, samples, later, _ = bench.interleave(
                [
                    Spec(
                        "import floor: python -c 'import jinja2, babel.dates, premailer, "
                        "markdown_it, yaml, typer, rich'",
                        [],
                        command=[sys.executable, "-c", IMPORT_FLOOR],
                    ),
                    Spec(
                        "import floor and pydantic (typer 0.29 imports it to read the options)",
                        [],
                        command=[sys.executable, "-c", IMPORT_FLOOR + ", pydantic"],
                    ),
                    Spec(
                        "compose, samples/, later runs",
                        [*compose, "-C", str(args.samples)],
                        target="≤ 1.5 × import floor",
                    ),
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
            busy = busiest_week(folder).isoformat()
            bench.measure(
                f"compose, archive, its fullest week ({busy}), later runs",
                ["compose", "--week", busy, "--now", NOW, "-C", str(folder)],
            )
            for name, limit in (("weeks", "≤ 5 s"), ("preview", "")):
                options = ["-C", str(folder)] + (["--week", WEEK] if name == "preview" else [])
                bench.measure(
                    f"{name}, archive, first run (no cache)",
                    [name, *options],
                    before=forget,
                    target=limit,
                )
                bench.measure(f"{name}, archive, later runs", [name, *options])

        if "archive" in groups:
            out = Path(tmp) / "public"
            edited = sorted((folder / "items").glob("*.md"))[count // 2]
            original = edited.read_bytes()
            edits = [0]

            def from_scratch() -> None:
                forget()
                shutil.rmtree(out, ignore_errors=True)

            def edit_one() -> None:
                edits[0] += 1
                edited.write_bytes(original + f"\nÉdité {edits[0]} fois.\n".encode())

            archive = ["archive", "--out", str(out), "-C", str(folder)]
            bench.measure(
                "archive --out DIR, first run (no cache, empty folder)",
                archive,
                before=from_scratch,
                target="≤ 20 s, ≤ 250 MB at 80,000",
                runs=args.heavy_runs,
            )
            run_once([*lettre, *archive], env)  # once more, its items at rest
            bench.measure("archive, nothing changed", archive, target="≤ 2 s")
            bench.measure("archive, one item edited", archive, before=edit_one, target="≤ 3 s")
            edited.write_bytes(original)
            run_once([*lettre, *archive], env)
            shutil.rmtree(out, ignore_errors=True)

        if "list" in groups:
            listing = ["list", "--all", "-C", str(folder)]
            bench.measure(
                "list --all > file, first run (no cache)",
                listing,
                before=forget,
                target="≤ 2 s, ≤ 150 MB",
            )
            run_once([*lettre, *listing], env)
            bench.measure("list --all > file, later runs", listing, target="≤ 2 s, ≤ 150 MB")

        if "check" in groups:
            check = ["check", "-C", str(folder)]
            bench.measure(
                "check, first run (no cache)",
                check,
                before=forget,
                ok=(0, 1),
                target="≤ 4 s, ≤ 200 MB at 80,000",
            )
            run_once([*lettre, *check], env)
            bench.measure("check, nothing changed", check, ok=(0, 1), target="≤ 1 s")
            bench.measure("check --no-cache", [*check, "--no-cache"], ok=(0, 1))
            bench.measure(
                "check --week 2025-06-13, later runs", [*check, "--week", WEEK], ok=(0, 1)
            )

        if "import" in groups:
            feed = Path(tmp) / "feed.xml"
            feed.write_bytes(feed_of(1000))
            command = ["import", str(feed), "-C", str(folder)]

            def unimport() -> None:
                for path in (folder / "items").glob(f"*-{IMPORTED}-*.md"):
                    path.unlink()

            run_once([*lettre, "weeks", "-C", str(folder)], env)  # the index at rest
            bench.measure("import, 1,000 new entries", command, before=unimport)
            time.sleep(3.5)  # the new files at rest, as they are a week later
            run_once([*lettre, "weeks", "-C", str(folder)], env)
            bench.measure("import, the same 1,000 entries again", command, target="≤ 1 s")
            unimport()

        if "inline" in groups:
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
        if "compose" in groups:
            identical = same_letter()

    growth: dict[str, Any] = {}
    if args.growth:
        earlier = json.loads(args.growth.read_text(encoding="utf-8"))
        growth = {f["name"]: f for f in earlier["figures"]}
        print(f"\nGrowth: from {earlier['items']:,} items (x) to {args.items:,} items")
    print(f"\nAt {size} items.\n")
    print("| what | median (s) | min–max (s) | CPU (s) | peak memory (MB) | target | note |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for figure in bench.figures:
        row = figure.row()
        before = growth.get(figure.name)
        if before and figure.times and before.get("median"):
            ratio = figure.median / before["median"]
            memory = max(figure.peaks_kb) / 1024 / before["peak_mb"] if before["peak_mb"] else 0
            row = row.rstrip(" |") + f" growth ×{ratio:.2f} in time, ×{memory:.2f} in memory |"
        print(row)
    if floor and samples and floor.times and samples.times:
        ratio = samples.median / floor.median
        cpu = statistics.median(samples.cpu) / statistics.median(floor.cpu)
        print(
            f"\ncompose on samples/ / import floor: {ratio:.2f} in wall time, {cpu:.2f} in CPU "
            "time (target ≤ 1.5)"
        )
    if samples and later and samples.times and later.times:
        ratio = later.median / samples.median
        cpu = statistics.median(later.cpu) / statistics.median(samples.cpu)
        print(
            f"compose on the archive (later runs) / on samples/: {ratio:.2f} in wall time, "
            f"{cpu:.2f} in CPU time (target ≤ 1.3)"
        )
    if first and first.times:
        print(f"compose on the archive, first run: {first.median:.2f} s (target ≤ 3 s)")
    if identical is not None:
        print(f"the archive's letter of {WEEK} is the one of samples/: {identical}")
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        figures = [
            {
                "name": f.name,
                "median": f.median if f.times else None,
                "cpu": statistics.median(f.cpu) if f.cpu else None,
                "peak_mb": max(f.peaks_kb) / 1024 if f.peaks_kb else None,
            }
            for f in bench.figures
        ]
        args.json.write_text(json.dumps({"items": args.items, "figures": figures}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
