"""Benchmark composing a week with ten camera photos: first run, later runs, no photos.

    python bench/photos.py               # 5 runs of each, in turns
    python bench/photos.py --runs 9

A copy of `samples/` in a temporary folder gets ten items in the week of 13 June 2025,
each with a camera photo (4000 × 3000 JPEG, about 6 MB, EXIF with orientation and GPS),
made with Pillow. Each figure is the median wall time of a whole `lettre compose`
process:
- the same week, its ten items without their photos (the reference), and with ten web
  images (https addresses, as before this work: the HTML has the same ten more <img>);
- first run: the photos prepared from scratch (`.lettre/images*` removed before each run);
- later runs: the prepared photos found in the cache (no image work), in publish mode
  and in embed mode (the photos read and base64-encoded into the message).
The later runs must add less than 50 ms to the week without photos. On a busy machine
whole processes vary by more than that: the same composition is also timed inside one
process (compose and the message's bytes, runs in turns, the fastest and the median),
which shows what the photos themselves cost.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive import ROOT, SAMPLES
from run import CONSOLE_SCRIPT, NOW, WEEK, Bench, Spec, machine

PHOTOS = 10
SIZE = (4000, 3000)


def camera_photo(seed: int) -> bytes:
    """A 4000 × 3000 JPEG as a camera writes it: detail everywhere, EXIF with GPS."""
    from PIL import Image

    image = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    tint = Image.new("RGB", SIZE, (40 + seed * 20 % 200, 90, 160 - seed * 10 % 120))
    image = Image.blend(image, tint, 0.5)
    grain = Image.effect_noise(SIZE, 25 + seed).convert("RGB")
    image = Image.blend(image, grain, 0.2)
    exif = Image.Exif()
    exif[0x0112] = 6 if seed % 2 else 1
    exif[0x010F] = "Canon"
    exif.get_ifd(0x8769)[0xA431] = f"SN-{seed:04d}"
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif)
    return buffer.getvalue()


def make_folder(where: Path, photos: list[bytes], mode: str | None) -> Path:
    """samples/ and ten more items in the week; with their photos unless `mode` is None
    ("web": each with a web image instead)."""
    folder = where / (mode or "no-photos")
    shutil.copytree(SAMPLES, folder)
    if mode in ("publish", "embed"):
        with (folder / "lettre.toml").open("a", encoding="utf-8") as config:
            config.write(f'\n[images]\nmode = "{mode}"\n')
        (folder / "photos").mkdir()
    for n, data in enumerate(photos):
        image = f"image: {{src: photos/photo-{n}.jpg, alt: Des marins sur le pont ({n})}}\n"
        if mode == "web":
            image = (
                f"image: {{src: 'https://www.example.org/photos/{n}.jpg', alt: Des marins, "
                "width: 1200, height: 1600}\n"
            )
        elif mode:
            (folder / "photos" / f"photo-{n}.jpg").write_bytes(data)
        (folder / "items" / f"2025-06-12-photo-{n}.md").write_text(
            "---\ndate: 2025-06-12\nkind: communique\n"
            f"title: Photo {n} de la semaine\n{image if mode else ''}"
            "---\nUne légende de quelques mots.\n",
            encoding="utf-8",
        )
    return folder


def forget(folder: Path) -> None:
    """No prepared photo: the next compose is a first run."""
    shutil.rmtree(folder / ".lettre" / "images", ignore_errors=True)
    (folder / ".lettre" / "images.json").unlink(missing_ok=True)


IN_PROCESS = """\
import datetime as dt, statistics, sys, time
from pathlib import Path
from lettre.compose import compose, open_folder
from lettre.weeks import parse_week
week = parse_week("2025-06-13", dt.date(2025, 6, 13))
configs = [open_folder(Path(folder)) for folder in sys.argv[2:]]
times = [[] for _ in configs]
for config in configs:
    compose(config, week).eml()  # warm: imports, Babel's data, premailer's first call
for _ in range(int(sys.argv[1])):
    for config, found in zip(configs, times):
        start = time.perf_counter()
        compose(config, week).eml()
        found.append(time.perf_counter() - start)
for found in times:
    print(f"{min(found) * 1000:.1f} {statistics.median(found) * 1000:.1f}")
print("PIL" in sys.modules)
"""


def in_process(env: dict[str, str], folders: list[Path], runs: int) -> list[tuple[float, float]]:
    """(fastest, median) milliseconds of compose + eml for each folder, in one process."""
    result = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(runs), *map(str, folders)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    *lines, pil = result.stdout.split("\n")[:-1]
    assert pil == "False", "a later run loaded Pillow: it did image work"
    return [(float(a), float(b)) for a, b in (line.split() for line in lines)]


def make_folders(where: Path) -> None:
    """The four folders, made in a process of their own (see main)."""
    photos = [camera_photo(n) for n in range(PHOTOS)]
    for mode in (None, "web", "publish", "embed"):
        make_folder(where, photos, mode)
    sizes = [len(data) for data in photos]
    print(f"  sources: {sum(sizes) / 1e6:.0f} MB in all, {max(sizes) / 1e6:.1f} MB at most")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="lettre's sources")
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.make:
        make_folders(options.make)
        return 0
    env = {"PYTHONPATH": str(options.src.resolve()), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    lettre = [sys.executable, "-c", CONSOLE_SCRIPT]
    print(machine())
    with tempfile.TemporaryDirectory(prefix="lettre-bench-photos-") as tmp:
        print(f"making {PHOTOS} photos of {SIZE[0]} × {SIZE[1]} pixels…", flush=True)
        # in another process: a child forked from one that held the photos would report
        # their memory as its own peak (ru_maxrss counts the pages before exec)
        subprocess.run([sys.executable, __file__, "--make", tmp], check=True)
        plain, web, publish, embed = (
            Path(tmp) / n for n in ("no-photos", "web", "publish", "embed")
        )
        bench = Bench(lettre, env, options.runs)
        week = ["compose", "--week", WEEK, "--now", NOW, "--seed", "bench"]
        # the cache of the later runs is made once, before any of them is timed
        bench.interleave(
            [Spec("(warm-up)", [*week, "-C", str(folder)]) for folder in (publish, embed)], 1
        )
        first, without, web_images, later, later_embed = bench.interleave(
            [
                Spec(
                    "first run: 10 photos prepared",
                    [*week, "-C", str(publish)],
                    before=lambda: forget(publish),
                ),
                Spec("the same week, its items without photos", [*week, "-C", str(plain)]),
                Spec("the same week, 10 web images (https)", [*week, "-C", str(web)]),
                Spec("later runs: 10 photos, publish", [*week, "-C", str(publish)]),
                Spec("later runs: 10 photos, embed", [*week, "-C", str(embed)]),
            ]
        )
        prepared = list((embed / ".lettre" / "images").iterdir())
        weight = sum(p.stat().st_size for p in prepared)
        print("in one process…", flush=True)
        inside = in_process(env, [plain, web, publish, embed], options.runs * 4)
    print()
    print("| what | median | spread | CPU | peak memory | target | note |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for figure in (without, web_images, first, later, later_embed):
        print(figure.row())
    for figure in (later, later_embed):
        if figure.times and without.times and web_images.times:
            added = (figure.median - without.median) * 1000
            cpu = (statistics.median(figure.cpu) - statistics.median(without.cpu)) * 1000
            verdict = "within" if added < 50 else "OVER"
            print(
                f"{figure.name}: {added:+.0f} ms wall, {cpu:+.0f} ms CPU over the week without "
                f"photos ({verdict} the 50 ms target); "
                f"{(figure.median - web_images.median) * 1000:+.0f} ms over 10 web images"
            )
    print(f"prepared: {len(prepared)} photos, {weight / 1000:.0f} kB in all (each ≤ 200 kB)")
    print()
    print("In one process, compose + the message's bytes (later runs), fastest / median:")
    names = ("without photos", "10 web images", "10 photos, publish", "10 photos, embed")
    for name, (fastest, median) in zip(names, inside, strict=True):
        added = fastest - inside[0][0]
        print(f"  {name}: {fastest:.0f} ms / {median:.0f} ms ({added:+.0f} ms fastest vs none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
