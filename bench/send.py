"""Benchmark `lettre send`: 1,000 and 10,000 readers, a sender command that discards.

    python bench/send.py                      # 1,000 and 10,000 readers, one run each
    python bench/send.py --readers 1000 --readers 50000 --runs 3

Each figure is a whole `lettre send` process on a copy of samples/ (the letter of
13 June 2025) with a readers' CSV of N rows (two in three with a name, one in ten in
English), `--via` a shell script that reads its input into /dev/null: the cost measured
is lettre's own (composing once per locale, personalising, the journal's fsync per
message) plus one fork and exec of the sender per message, as with sendmail. Peak memory
is the process's ru_maxrss; it must not grow with the number of readers. A second line
times the personalising alone (slots filled, message assembled), in one process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive import ROOT, SAMPLES
from run import CONSOLE_SCRIPT, machine, run_once

WEEK = "2025-06-13"
NAMES = ["Léa Fontaine", "Paul Martin", "Zoé Bernard", "Éric Dubois", "Inès Moreau"]
PERSONALISE_ONLY = """\
import sys, time, datetime as dt
from pathlib import Path
from lettre.compose import open_folder
from lettre.send import personalise, prepare
from lettre.subscribers import iter_readers
from lettre.weeks import parse_week
config = open_folder(Path(sys.argv[1]))
week = parse_week("2025-06-13", dt.date.today(), config.publication_day)
csv = Path(sys.argv[2])
plan = prepare(config, week, readers_path=csv, state_dir=config.folder / "state", check_via=False)
start = time.perf_counter()
count = size = 0
for reader in iter_readers(csv):
    size += len(personalise(plan, reader, b"0" * 64).data)
    count += 1
print(count, time.perf_counter() - start, size / count)
"""


def readers_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("email;name;locale;grade\r\n")
        for number in range(count):
            name = f"{NAMES[number % 5]}" if number % 3 else ""
            locale = "en_GB" if number % 10 == 7 else ""
            handle.write(f"lecteur{number:06}@example.net;{name};{locale};Sergent\r\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--readers", type=int, action="append", help="readers in the CSV (repeatable)"
    )
    parser.add_argument("--runs", type=int, default=1, help="runs of each size (median)")
    args = parser.parse_args(argv)
    sizes = args.readers or [1_000, 10_000]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.pop("LETTRE_SECRET", None)
    print(f"# {machine()}")
    print("| readers | messages/s | wall | CPU (lettre and the senders) | peak memory |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="lettre-bench-send-") as tmp:
        root = Path(tmp)
        sender = root / "discard"
        sender.write_text("#!/bin/sh\ncat > /dev/null\n", encoding="utf-8")
        sender.chmod(0o755)
        for size in sizes:
            csv = root / f"readers-{size}.csv"
            readers_csv(csv, size)
            walls, cpus, peaks = [], [], []
            for _ in range(args.runs):
                folder = root / f"folder-{size}"
                shutil.rmtree(folder, ignore_errors=True)
                shutil.copytree(SAMPLES, folder)
                command = [
                    sys.executable, "-c", CONSOLE_SCRIPT, "send", "-C", str(folder),
                    "--week", WEEK, "--readers", str(csv), "--via", str(sender),
                ]  # fmt: skip
                run = run_once(command, env)
                if run.code != 0:
                    sys.stderr.write(run.err.decode())
                    return 1
                sent = sum(1 for _ in (folder / "state" / "sent" / f"{WEEK}.jsonl").open()
                           if _.startswith('{"event": "sent"'))  # fmt: skip
                assert sent == size + 1, (sent, size)  # the readers and the bcc copy
                walls.append(run.wall)
                cpus.append(run.cpu)
                peaks.append(run.peak_kb)
            wall = statistics.median(walls)
            print(
                f"| {size:,} | {(size + 1) / wall:.0f} | {wall:.1f} s | "
                f"{statistics.median(cpus):.1f} s | {max(peaks) / 1024:.0f} MB |"
            )
        csv = root / f"readers-{max(sizes)}.csv"
        folder = root / "personalise"
        shutil.copytree(SAMPLES, folder)
        out = subprocess.run(
            [sys.executable, "-c", PERSONALISE_ONLY, str(folder), str(csv)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        count, seconds, average = int(out[0]), float(out[1]), float(out[2])
        print(
            f"\npersonalising alone ({count:,} messages of {average / 1024:.0f} KB, no sender): "
            f"{count / seconds:,.0f} messages/s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
