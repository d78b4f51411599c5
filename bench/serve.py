"""Time from saving a file to the page of `lettre serve` showing it, in a real browser.

    python bench/serve.py                 # samples/ (17 items), 10 saves
    python bench/serve.py --items 20000   # the synthetic ten-year archive of bench/archive.py

`lettre serve` runs as a process in a temporary copy of the folder; headless Chromium
(Debian's, through Playwright, as in the tests) shows its page. Each round saves the
item of 10 June 2025 with a new title, and measures the wall time until both frames (600
and 375 px) show it; then a broken front matter, until the error is shown in place of
the letter; then the fix, until the letter is back. Figures: median, min and max.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive import ROOT, SAMPLES, make_archive

WEEK = "2025-06-13"
ITEM = "items/2025-06-10-concours-photo-des-armees.md"
TITLE = "les lauréats récompensés"
CHROMIUM = os.environ.get("LETTRE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
BOTH_FRAMES = """(title) => ['frame-desktop', 'frame-phone'].every((id) => {
    const doc = document.getElementById(id).contentDocument;
    return doc && doc.body && doc.body.textContent.includes(title);
})"""


def start(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = folder.parent / "serve.out"
    with out.open("wb") as stdout, (folder.parent / "serve.err").open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "lettre", "serve", "--week", WEEK, "--port", "0"],
            cwd=folder,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    while not out.read_text().endswith("\n"):
        if process.poll() is not None:
            sys.exit("lettre serve stopped")
        time.sleep(0.02)
    return process, out.read_text().strip()


def timed(page: Any, write: Any, condition: str, argument: Any = None) -> float:
    begin = time.perf_counter()
    write()
    page.wait_for_function(condition, arg=argument, polling="raf", timeout=30_000)
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=0, help="an archive of this many items")
    parser.add_argument("--runs", type=int, default=10, help="saves of each kind")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "lettre"
        if args.items:
            make_archive(folder, args.items)
        else:
            shutil.copytree(SAMPLES, folder)
        process, url = start(folder)
        item = folder / ITEM
        good = item.read_text(encoding="utf-8")
        times: dict[str, list[float]] = {"title": [], "broken": [], "fixed": []}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # the page forbids eval (its CSP); the timing probes need it
                page = browser.new_page(viewport={"width": 1280, "height": 1000}, bypass_csp=True)
                page.route("https://lettre.example.org/**", lambda route: route.abort())
                page.goto(url)
                page.wait_for_function(BOTH_FRAMES, arg=TITLE, timeout=60_000)
                page.wait_for_function("document.getElementById('status').textContent == 'live'")
                for run in range(args.runs):
                    title = f"titre numéro {run}"
                    text = good.replace(TITLE, title)
                    times["title"].append(
                        timed(page, lambda t=text: item.write_text(t, "utf-8"), BOTH_FRAMES, title)
                    )
                    broken = text.replace("kind: communique", "kind: communique: oui", 1)
                    times["broken"].append(
                        timed(
                            page,
                            lambda b=broken: item.write_text(b, "utf-8"),
                            "!document.getElementById('problems').hidden",
                        )
                    )
                    times["fixed"].append(
                        timed(
                            page,
                            lambda t=text: item.write_text(t, "utf-8"),
                            "document.getElementById('problems').hidden && "
                            f"({BOTH_FRAMES})({title!r})",
                        )
                    )
                browser.close()
        finally:
            process.terminate()
            process.wait()
            item.write_text(good, encoding="utf-8")
        log = (folder.parent / "serve.err").read_text(encoding="utf-8")
    composing = [float(m) for m in re.findall(r"composed in ([0-9.]+) s", log)][1:]
    where = f"an archive of {args.items} items" if args.items else "samples/"
    print(f"lettre serve, {where}, {args.runs} saves of each kind; "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs")  # fmt: skip
    labels = {
        "title": "a new title, until both frames show it",
        "broken": "a broken front matter, until its error shows",
        "fixed": "the fix, until the letter is back",
    }
    for key, label in labels.items():
        values = times[key]
        print(
            f"  {label:<48} median {statistics.median(values):.2f} s"
            f"  min {min(values):.2f} s  max {max(values):.2f} s"
        )
    if composing:
        print(
            f"  {'of which the server composing the week':<48} median "
            f"{statistics.median(composing):.2f} s  min {min(composing):.2f} s"
            f"  max {max(composing):.2f} s"
        )


if __name__ == "__main__":
    main()
