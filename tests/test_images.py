"""Local photos: made ready for e-mail, cached, published with the archive or embedded.

Every picture is made here with Pillow; what is checked is what a reader's mail client
gets: the message parsed, its image read back with Pillow.
"""

from __future__ import annotations

import email
import email.policy
import io
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as PIL
from PIL import ImageCms

from conftest import CONFIG, item_text
from lettre import imagefiles, imagelinks, photos
from lettre.body import is_local
from lettre.compose import compose, open_folder
from lettre.weeks import parse_week

WEEK = "2025-06-13"
SERIAL = "SN-4242-XK"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator>Sergent Dupont</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)
EMBED = CONFIG + '\n[images]\nmode = "embed"\n'


def camera_photo(path: Path, size: tuple[int, int] = (4000, 3000), orientation: int = 6) -> None:
    """A camera's JPEG: red left half, blue right half as stored, grain, orientation 6 (the
    camera was turned: the stored left edge is the top), GPS position and body serial in
    its EXIF, XMP, an IPTC block, an sRGB profile and a comment."""
    width, height = size
    image = PIL.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (width // 2, 0, width, height))
    grain = PIL.effect_noise(size, 40).convert("RGB")
    image = PIL.blend(image, grain, 0.25)
    exif = PIL.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS R6"
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)})
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif, xmp=XMP, icc_profile=srgb, comment=b"secret")
    data = buffer.getvalue()
    # an IPTC block (Photoshop APP13, 8BIM resource 0x0404) right after the start of image
    iptc = b"\x1c\x02\x50\x00\x0eSergent Dupont"
    resource = b"8BIM\x04\x04\x00\x00" + len(iptc).to_bytes(4, "big") + iptc
    app13 = b"Photoshop 3.0\x00" + resource
    data = data[:2] + b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13 + data[2:]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def photo_folder(
    make_folder: Callable[..., Path], config: str = CONFIG, count: int = 1, **photo: Any
) -> Path:
    """A folder with `count` items of the week, each with its camera photo."""
    files = {
        f"2025-06-1{n}-photo-{n}.md": item_text(
            date=f"2025-06-1{n}",
            title=f"Photo {n}",
            image=f"{{src: photos/defile-{n}.jpg, alt: Des marins défilent ({n})}}",
        )
        for n in range(count)
    }
    folder = make_folder(files, config=config)
    for n in range(count):
        camera_photo(folder / "photos" / f"defile-{n}.jpg", **photo)
    return folder


def composed_message(run: Any, folder: Path, *args: str) -> EmailMessage:
    result = run("compose", "-C", folder, "--week", WEEK, *args)
    assert result.exit_code == 0, result.stderr
    message = email.message_from_bytes(result.stdout_bytes, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def img_tags(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'(\w+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]*>", html)]


def html_part(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


# --- the camera photo of the issue ---------------------------------------------------------


def test_a_camera_photo_reaches_the_message_upright_small_and_without_metadata(
    run: Any, make_folder: Callable[..., Path]
) -> None:
    folder = photo_folder(make_folder, EMBED)
    message = composed_message(run, folder)
    [part] = [p for p in message.walk() if p.get_content_maintype() == "image"]
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    image = PIL.open(io.BytesIO(data))
    assert image.format == "JPEG"
    # 3000 × 4000 once turned, narrowed to 1200 px: 1200 × 1600
    assert image.size == (1200, 1600)
    assert len(data) <= 200_000
    # rightly turned: the stored left half (red) is now the top, the right half the bottom
    top, bottom = image.getpixel((600, 200)), image.getpixel((600, 1400))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[0] > 120 and top[2] < 100, top
    assert bottom[2] > 120 and bottom[0] < 100, bottom
    # not one metadata block left
    assert len(image.getexif()) == 0
    assert image.getexif().get_ifd(0x8825) == {}
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "photoshop", "comment"):
        assert key not in image.info, key
    assert image.applist == [("APP0", image.applist[0][1])]  # JFIF only
    for secret in (SERIAL.encode(), b"Exif", b"Canon", b"Dupont", b"secret", b"xmpmeta"):
        assert secret not in data
    # width and height written from the result: the column's 552 px, proportions kept
    [tag] = img_tags(html_part(message))
    assert (tag["width"], tag["height"]) == ("552", "736")
    assert tag["alt"] == "Des marins défilent (0)"


def test_an_embedded_letter_is_related_around_alternative_and_every_cid_resolves(
    run: Any, make_folder: Callable[..., Path]
) -> None:
    folder = photo_folder(make_folder, EMBED, count=2)
    message = composed_message(run, folder)
    assert message.get_content_type() == "multipart/related"
    assert message.get_param("type") == "multipart/alternative"
    first, *photos = message.iter_parts()
    assert first.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in first.iter_parts()] == ["text/plain", "text/html"]
    assert [p.get_content_type() for p in photos] == ["image/jpeg", "image/jpeg"]
    ids = {str(p["Content-ID"]).strip("<>"): p for p in photos}
    cids = [tag["src"] for tag in img_tags(html_part(message))]
    assert len(cids) == 2 and all(src.startswith("cid:") for src in cids)
    assert {src.removeprefix("cid:") for src in cids} == set(ids)
    for part in photos:
        assert part.get_content_disposition() == "inline"
        assert re.fullmatch(r"defile-\d-[0-9a-f]{6}\.jpg", str(part.get_filename()))
    # the Content-Language of the letter stays on the message
    assert message["Content-Language"] == "fr"
    # --format html points at the prepared files, never at cid:
    html = run("compose", "-C", folder, "--week", WEEK, "-f", "html").stdout
    srcs = [tag["src"] for tag in img_tags(html)]
    assert srcs and all(src.startswith("file://") for src in srcs)
    assert all(Path(src.removeprefix("file://")).is_file() for src in srcs)


def test_a_published_letter_points_at_the_archive_which_holds_the_photos(
    run: Any, make_folder: Callable[..., Path], tmp_path: Path
) -> None:
    folder = photo_folder(make_folder, count=2)
    config = open_folder(folder)
    message = composed_message(run, folder)
    assert message.get_content_type() == "multipart/alternative"
    srcs = [tag["src"] for tag in img_tags(html_part(message))]
    pattern = r"https://lettre\.example\.org/lettres/images/defile-\d-[0-9a-f]{6}\.jpg"
    assert len(srcs) == 2 and all(re.fullmatch(pattern, src) for src in srcs)
    # `send` refuses until the archive is written
    letter = compose(config, parse_week(WEEK, _day())).letter
    missing = imagelinks.missing_from_archive(config, letter)
    assert [m.item.name for m in missing] == ["2025-06-10-photo-0.md", "2025-06-11-photo-1.md"]
    assert str(missing[0].error()) == (
        f"{folder}/items/2025-06-10-photo-0.md:5: image 'photos/defile-0.jpg' is not in the "
        f"web archive yet (images/{missing[0].name}): run 'lettre archive --out DIR' and "
        "publish it before sending"
    )
    out = tmp_path / "public" / "lettres"
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    for src in srcs:
        name = src.rsplit("/", 1)[1]
        copy = out / "images" / name
        assert copy.is_file()
        assert copy.read_bytes() == (folder / ".lettre" / "images" / name).read_bytes()
        assert f'src="images/{name}"' in (out / f"{WEEK}.html").read_text(encoding="utf-8")
    assert imagelinks.missing_from_archive(config, letter) == []
    # a photo replaced: its new version is not published yet
    camera_photo(folder / "photos" / "defile-1.jpg", size=(1600, 1200), orientation=1)
    letter = compose(config, parse_week(WEEK, _day())).letter
    assert [m.src for m in imagelinks.missing_from_archive(config, letter)] == [
        "photos/defile-1.jpg"
    ]
    result = run("archive", "-C", folder, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert imagelinks.missing_from_archive(config, letter) == []
    # the old copy is removed with the archive's other stale files
    assert len(list((out / "images").iterdir())) == 2


def _day() -> Any:
    import datetime as dt

    return dt.date(2025, 6, 13)


def test_embed_mode_needs_no_archive(make_folder: Callable[..., Path]) -> None:
    folder = photo_folder(make_folder, EMBED)
    config = open_folder(folder)
    letter = compose(config, parse_week(WEEK, _day())).letter
    assert imagelinks.missing_from_archive(config, letter) == []


def test_compose_out_copies_the_photos_beside_the_html(
    run: Any, make_folder: Callable[..., Path], tmp_path: Path
) -> None:
    folder = photo_folder(make_folder)
    out = tmp_path / "build"
    result = run("compose", "-C", folder, "--week", WEEK, "--out", out)
    assert result.exit_code == 0, result.stderr
    [src] = [tag["src"] for tag in img_tags((out / f"lettre-{WEEK}.html").read_text())]
    assert src.startswith("images/") and (out / src).is_file()


# --- preparing one picture -----------------------------------------------------------------


def encoded(image: PIL.Image, fmt: str = "PNG", **options: Any) -> photos.Encoded:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return photos.encode(buffer.getvalue())


def test_a_small_picture_is_never_enlarged() -> None:
    result = encoded(PIL.effect_noise((300, 200), 30).convert("RGB"), "JPEG")
    assert (result.width, result.height, result.mime) == (300, 200, "image/jpeg")


def test_a_flat_picture_stays_png_and_a_photo_saved_as_png_becomes_jpeg() -> None:
    flat = PIL.new("RGB", (1600, 400), (255, 255, 255))
    flat.paste((0, 0, 145), (100, 100, 700, 300))
    result = encoded(flat)
    assert (result.mime, result.width, result.height) == ("image/png", 1200, 300)
    photo = encoded(PIL.effect_noise((1600, 1200), 60).convert("RGB"))
    assert photo.mime == "image/jpeg" and len(photo.data) <= photos.MAX_BYTES


def test_transparency_is_kept_in_a_png_within_the_limit() -> None:
    logo = PIL.effect_noise((2000, 2000), 80).convert("RGBA")
    logo.putalpha(PIL.new("L", (2000, 2000), 0).point(lambda _: 0))
    logo.paste((200, 30, 30, 255), (500, 500, 1500, 1500))
    result = photos.encode(_png_bytes(logo))
    assert result.mime == "image/png" and len(result.data) <= photos.MAX_BYTES
    back = PIL.open(io.BytesIO(result.data)).convert("RGBA")
    assert back.getpixel((0, 0))[3] == 0 and back.getpixel((600, 600))[3] == 255  # type: ignore[index]


def _png_bytes(image: PIL.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def linear_rgb_profile() -> bytes:
    """A minimal ICC v2 display profile: sRGB's primaries, but a linear tone curve (gamma 1),
    so that a grey of 128 in it is a grey of 188 in sRGB."""

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + _s15(x) + _s15(y) + _s15(z)

    text = b"Linear RGB (test)\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 78
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0100) + b"\0\0"
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    header = (
        struct.pack(">I", offset + len(data))
        + b"\0" * 4
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_picture_in_another_colour_space_is_converted_to_srgb(fmt: str) -> None:
    grey = PIL.new("RGB", (640, 480), (128, 128, 128))
    result = encoded(grey, fmt, icc_profile=linear_rgb_profile())
    back = PIL.open(io.BytesIO(result.data))
    assert "icc_profile" not in back.info
    red, green, blue = back.convert("RGB").getpixel((320, 240))  # type: ignore[misc]
    assert all(abs(value - 188) <= 2 for value in (red, green, blue)), (red, green, blue)


def test_an_srgb_picture_keeps_its_values() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = encoded(PIL.new("RGB", (640, 480), (128, 128, 128)), "PNG", icc_profile=srgb)
    back = PIL.open(io.BytesIO(result.data))
    assert back.convert("RGB").getpixel((1, 1)) == (128, 128, 128)
    assert "icc_profile" not in back.info


def test_a_cmyk_jpeg_becomes_rgb() -> None:
    result = encoded(PIL.new("CMYK", (800, 600), (0, 100, 200, 0)), "JPEG")
    back = PIL.open(io.BytesIO(result.data))
    assert back.mode == "RGB" and back.size == (800, 600)


def test_a_heavy_photo_is_brought_under_200_kb() -> None:
    noise = PIL.merge("RGB", [PIL.effect_noise((3000, 2000), 120) for _ in range(3)])
    result = encoded(noise, "JPEG", quality=98)
    assert len(result.data) <= photos.MAX_BYTES and result.width <= 1200


def test_paths_that_leave_the_folder_are_refused_as_written() -> None:
    assert imagefiles.path_problem("photos/defile.jpg") is None
    assert imagefiles.path_problem("photos/../defile.jpg") is None
    assert imagefiles.path_problem("photos/../../defile.jpg") is not None
    assert imagefiles.path_problem("/etc/passwd") is not None
    assert imagefiles.path_problem("C:\\Photos\\defile.jpg") is not None
    assert is_local("photos/défilé du 14.jpg")
    assert not is_local("https://www.example.org/p.jpg")
    assert not is_local("//www.example.org/p.jpg")


# --- the cache -----------------------------------------------------------------------------

SECOND_RUN = """\
import sys
from pathlib import Path
from lettre.compose import compose, open_folder
from lettre.weeks import parse_week
import datetime as dt
config = open_folder(Path(sys.argv[1]))
compose(config, parse_week("2025-06-13", dt.date(2025, 6, 13)))
print("PIL" in sys.modules)
"""


def _compose_in_a_process(folder: Path) -> bool:
    """Compose in a fresh process; whether it imported Pillow (did any image work)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", SECOND_RUN, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return result.stdout.strip() == "True"


def test_a_second_compose_does_no_image_work(make_folder: Callable[..., Path]) -> None:
    folder = photo_folder(make_folder, count=2, size=(1600, 1200))
    assert _compose_in_a_process(folder) is True  # the first run prepares the photos
    assert _compose_in_a_process(folder) is False  # the second one does not even load Pillow
    prepared = sorted(p.name for p in (folder / ".lettre" / "images").iterdir())
    # touched but not changed: hashed again, not re-encoded
    photo = folder / "photos" / "defile-0.jpg"
    os.utime(photo, ns=(photo.stat().st_atime_ns, photo.stat().st_mtime_ns + 10**9))
    assert _compose_in_a_process(folder) is False
    # changed: prepared again, under a new name
    camera_photo(photo, size=(1200, 1600), orientation=1)
    assert _compose_in_a_process(folder) is True
    again = sorted(p.name for p in (folder / ".lettre" / "images").iterdir())
    assert again != prepared and len(again) == 3
    # a deleted cache is simply made again
    for path in (folder / ".lettre" / "images").iterdir():
        path.unlink()
    assert _compose_in_a_process(folder) is True
    assert (folder / ".lettre" / ".gitignore").is_file()


# --- check and preview ---------------------------------------------------------------------


def test_check_warns_for_an_alt_text_that_repeats_the_file_name(
    run: Any, make_folder: Callable[..., Path]
) -> None:
    folder = make_folder(
        {
            "2025-06-10-a.md": item_text(image="{src: photos/IMG_1234.jpg, alt: IMG_1234}"),
            "2025-06-11-b.md": item_text(
                date="2025-06-11", image="{src: photos/defile.jpg, alt: défilé.JPG}"
            ),
            "2025-06-12-c.md": item_text(
                date="2025-06-12", image="{src: photos/IMG_1234.jpg, alt: Des marins défilent}"
            ),
        }
    )
    for name in ("IMG_1234.jpg", "defile.jpg"):
        camera_photo(folder / "photos" / name, size=(400, 300))
    out = run("check", "-C", folder).stdout
    assert (
        "items/2025-06-10-a.md:5: warning: 'image.alt' repeats the file name ('IMG_1234'): "
        "describe what the picture shows, for those who cannot see it"
    ) in out
    assert "2025-06-11-b.md:5: warning: 'image.alt' repeats the file name" not in out  # accents
    assert "2025-06-12-c.md" not in out


def test_check_week_says_when_published_photos_have_no_address(
    run: Any, make_folder: Callable[..., Path]
) -> None:
    config = CONFIG.replace('base_url = "https://lettre.example.org/"\n', "")
    folder = photo_folder(make_folder, config, size=(800, 600))
    result = run("check", "-C", folder, "--week", WEEK)
    assert result.exit_code == 1
    assert (
        f"{folder}/items/2025-06-10-photo-0.md:5: error: image 'photos/defile-0.jpg' is "
        "published with the web archive, but lettre.toml gives the archive no address: set "
        'base_url or [archive] url, or embed the photos in the message ([images] mode = "embed")'
    ) in result.stdout.splitlines()
    assert "is not at an http(s) address" not in result.stdout
    result = run("compose", "-C", folder, "--week", WEEK)
    assert result.stderr.startswith("Warning: the e-mail's photos point nowhere")


def test_check_week_warns_when_embedded_photos_pass_1_mb(
    run: Any, make_folder: Callable[..., Path]
) -> None:
    folder = photo_folder(make_folder, EMBED, count=1)
    out = run("check", "-C", folder, "--week", WEEK).stdout
    assert "embedded photos" not in out
    for n in range(1, 5):  # four more photos of grain only, as heavy as lettre lets them be
        path = folder / "photos" / f"grain-{n}.jpg"
        PIL.merge("RGB", [PIL.effect_noise((1200, 900), 120) for _ in range(3)]).save(path)
        (folder / "items" / f"2025-06-12-grain-{n}.md").write_text(
            item_text(date="2025-06-12", title=f"Grain {n}",
                      image=f"{{src: photos/grain-{n}.jpg, alt: Du grain}}"),
            encoding="utf-8",
        )  # fmt: skip
    out = run("check", "-C", folder, "--week", WEEK).stdout
    assert re.search(
        r"lettre\.toml: warning: the message is 1\.\d MB with its embedded photos \(over 1 MB\)",
        out,
    ), out


def test_preview_shows_the_alt_text_and_the_final_size(
    run: Any, make_folder: Callable[..., Path]
) -> None:
    folder = photo_folder(make_folder, size=(2400, 1600), orientation=1)
    out = run("preview", "-C", folder, "--week", WEEK).stdout
    size = (folder / ".lettre" / "images").iterdir().__next__().stat().st_size
    assert f"[Des marins défilent (0)] 1200 × 800 px, {round(size / 1000)} kB" in out
