"""Local photos made ready for e-mail, and where each output points at them.

An item's `image.src` may name a file of the newsletter folder (`photos/defile.jpg`).
lettre reads it with Pillow, turns it upright (EXIF orientation), drops every metadata
block (EXIF with its GPS position and serial numbers, XMP, IPTC, ICC profiles, comments),
converts it to sRGB, narrows it to 1,200 pixels (the 600 px column, twice, for sharp
screens; never enlarged) and encodes it as JPEG (photos) or PNG (flat pictures,
transparency) within 200 KB. The result is kept in `.lettre/images/` under a
content-hashed name (`defile-3fa2c1.jpg`), and `.lettre/images.json` remembers it by the
source's size and modification time: a second compose does no image work, and a source
whose time changed but not its bytes is only hashed again.

Pillow is imported only by `encode`, so that commands without new photos stay quick.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import stat
import struct
import tempfile
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .body import is_local
from .errors import ImageError, LettreError
from .files import os_problem, read_bytes
from .folding import slugify
from .items import Item, PreparedImage
from .messages import _

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from .config import Config
    from .items import Letter

#: twice the letter's 600 px column: sharp on high-density screens
MAX_WIDTH = 1200
#: the most a prepared image may weigh, in bytes
MAX_BYTES = 200_000
#: a source file larger than this is refused before it is read (a video, a RAW file…)
MAX_SOURCE_BYTES = 100_000_000
#: bump when the way images are prepared changes: every cached image is then made again
PREPARATION = 1
SETTINGS = f"{PREPARATION}:{MAX_WIDTH}:{MAX_BYTES}"
CACHE_DIR = ".lettre"
CACHE_NAME = "images.json"
#: the prepared files, in `.lettre/` and in the web archive
IMAGES_DIR = "images"
ARCHIVE_RECORD = "archive.json"
NO_CACHE_ENV = "LETTRE_NO_CACHE"
JPEG_QUALITIES = (85, 72, 60)
SHRINK = 0.9  # at least, each further try when the lowest quality is still too heavy
LOSSLESS = frozenset({"PNG", "GIF", "BMP"})
HEIC_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
)  # fmt: skip


# --- where the picture is --------------------------------------------------------------------


def path_problem(src: str) -> str | None:
    """What is wrong with a local `src` as written (absolute, or leaving the folder), before
    any file is looked at; or None."""
    if src.startswith(("/", "\\")) or (len(src) > 2 and src[1] == ":" and src[2] in "/\\"):
        return _(
            "image {src!r}: an absolute path: give the path from the newsletter folder "
            "(photos/defile.jpg), where lettre.toml is"
        ).format(src=src)
    parts = posixpath.normpath(src.replace("\\", "/")).split("/")
    if parts[0] == "..":
        return _(
            "image {src!r}: outside the newsletter folder: copy the picture into the folder "
            "(photos/…) and give its path from there"
        ).format(src=src)
    return None


def _fail(item: Item, message: str) -> ImageError:
    line = item.image.line if item.image is not None else None
    return ImageError(message, item.path, line)


def locate(folder: Path, item: Item) -> tuple[Path, os.stat_result]:
    """The file of the item's local image and its status; ImageError at the line of `src`.

    The path must stay within the folder once every symbolic link is followed, and lead to
    a regular file that is not empty.
    """
    assert item.image is not None
    src = item.image.src
    problem = path_problem(src)
    if problem:
        raise _fail(item, problem)
    path = folder / src
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            target = os.readlink(path)
            message = _("a broken symbolic link (its target {target!r} does not exist)").format(
                target=target
            )
            raise _fail(
                item, _("image {src!r}: {message}").format(src=src, message=message)
            ) from None
        raise _fail(
            item,
            _(
                "image {src!r}: no such file (the path is read from the newsletter folder, where "
                "lettre.toml is)"
            ).format(src=src),
        ) from None
    except (OSError, RuntimeError) as err:  # a link loop, a folder that may not be read
        problem = os_problem(err, path) if isinstance(err, OSError) else str(err)
        raise _fail(item, _("image {src!r}: {message}").format(src=src, message=problem)) from None
    if not real.is_relative_to(folder.resolve()):
        raise _fail(
            item,
            _(
                "image {src!r}: a symbolic link to a file outside the newsletter folder: copy "
                "the picture into the folder"
            ).format(src=src),
        )
    try:
        info = real.stat()
    except OSError as err:
        raise _fail(
            item, _("image {src!r}: {message}").format(src=src, message=os_problem(err, path))
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise _fail(item, _("image {src!r}: a folder, not a picture file").format(src=src))
    if not stat.S_ISREG(info.st_mode):
        raise _fail(
            item,
            _("image {src!r}: not a regular file (a device, a pipe or a socket)").format(src=src),
        )
    if info.st_size == 0:
        raise _fail(
            item,
            _("image {src!r}: an empty file (0 bytes): copy the picture again").format(src=src),
        )
    if info.st_size > MAX_SOURCE_BYTES:
        size = f"{info.st_size / 1_000_000:,.0f} MB".replace(",", " ")
        limit = f"{MAX_SOURCE_BYTES // 1_000_000} MB"
        raise _fail(
            item,
            _("image {src!r}: file too large ({size}; at most {limit})").format(
                src=src, size=size, limit=limit
            ),
        )
    return real, info


# --- making one picture ready -------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """A picture as lettre sends it: bytes, format and pixel size."""

    data: bytes
    mime: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "png" if self.mime == "image/png" else "jpg"


class _Unreadable(Exception):
    """A picture Pillow cannot read; the message says why, without the file's name."""


def _register_heif() -> bool:
    """Let Pillow read HEIC photos when the optional pillow-heif is installed."""
    try:
        import pillow_heif  # optional, heavy
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def _is_heic(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in HEIC_BRANDS


def encode(data: bytes) -> Encoded:
    """The bytes of a picture → the picture ready for e-mail; _Unreadable says what fails."""
    from PIL import Image as PIL
    from PIL import ImageOps, UnidentifiedImageError

    heif = _register_heif() if _is_heic(data) else False
    if _is_heic(data) and not heif:
        raise _Unreadable(
            _(
                "a HEIC photo, which lettre reads with its optional HEIC support: pip install "
                "'lettre[heif]' (or export the photo as JPEG)"
            )
        )
    try:
        with warnings.catch_warnings():
            # Pillow's own limit stays: over twice MAX_IMAGE_PIXELS it raises, below it warns
            warnings.simplefilter("ignore", PIL.DecompressionBombWarning)
            opened = PIL.open(io.BytesIO(data))
            source_format = opened.format or ""
            if source_format in ("JPEG", "MPO"):
                # decode at 1/2, 1/4 or 1/8 scale when the result is still wide enough
                opened.draft(None, (MAX_WIDTH, MAX_WIDTH))
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except PIL.DecompressionBombError:
        raise _Unreadable(
            _(
                "too many pixels (over Pillow's limit against decompression bombs): export the "
                "picture at a smaller size"
            )
        ) from None
    except UnidentifiedImageError:
        raise _Unreadable(
            _(
                "not a picture lettre can read (JPEG, PNG, GIF, WebP, TIFF, or HEIC with "
                "lettre[heif])"
            )
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        raise _Unreadable(
            _(
                "a damaged or incomplete picture (it cannot be decoded to the end): copy or "
                "export it again"
            )
        ) from None
    image = _to_srgb(image)
    if image.width > MAX_WIDTH:
        height = max(1, round(image.height * MAX_WIDTH / image.width))
        image = image.resize((MAX_WIDTH, height), PIL.Resampling.LANCZOS, reducing_gap=3.0)
    transparent = image.mode == "RGBA"
    if transparent or source_format in LOSSLESS:
        png = _png(image, transparent)
        if png is not None:
            return png
    return _jpeg(image.convert("RGB") if image.mode not in ("RGB", "L") else image)


def _to_srgb(image: PILImage) -> PILImage:
    """The picture in sRGB, as RGB, RGBA or L, with no metadata left in `info`."""
    from PIL import ImageCms

    icc = image.info.get("icc_profile")
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey (PNG, TIFF)
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    mode = "RGBA" if alpha else ("L" if image.mode in ("L", "1") else "RGB")
    if icc and image.mode in ("RGB", "RGBA", "CMYK") and not _is_srgb(icc):
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGBA" if image.mode == "RGBA" else "RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # a broken profile: the values are taken as sRGB
        if converted is not None:
            image = converted
    if image.mode != mode:
        image = image.convert(mode)
    if mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # an alpha channel that hides nothing
    image.info = {}  # EXIF, XMP, IPTC, ICC, comments: nothing is written back
    return image


def _is_srgb(icc: bytes) -> bool:
    from PIL import ImageCms

    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return "srgb" in ImageCms.getProfileDescription(profile).lower().replace(" ", "")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return False


def _save(image: PILImage, fmt: str, **options: Any) -> bytes:
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _smaller(image: PILImage, weight: int) -> PILImage | None:
    """The picture narrowed so that `weight` bytes would come near MAX_BYTES (bytes go with
    the number of pixels), by SHRINK at least; None below 16 pixels."""
    from PIL import Image as PIL

    factor = min(SHRINK, (MAX_BYTES / weight) ** 0.5 * 0.95)
    width, height = round(image.width * factor), round(image.height * factor)
    if width < 16 or height < 16:
        return None
    return image.resize((width, height), PIL.Resampling.LANCZOS)


def _jpeg(image: PILImage) -> Encoded:
    """Progressive JPEG at the best quality of JPEG_QUALITIES that fits, else smaller."""
    current: PILImage | None = image
    while current is not None:
        for quality in JPEG_QUALITIES:
            data = _save(current, "JPEG", quality=quality, optimize=True, progressive=True)
            if len(data) <= MAX_BYTES:
                return Encoded(data, "image/jpeg", current.width, current.height)
        current = _smaller(current, len(data))
    raise _Unreadable(_("cannot be made smaller than 200 KB"))  # pragma: no cover - 16 px


def _png(image: PILImage, transparent: bool) -> Encoded | None:
    """A PNG within MAX_BYTES (quantized to 256 colours if need be); None: a JPEG is better."""
    from PIL import Image as PIL

    data = _save(image, "PNG", compress_level=6)
    if len(data) <= MAX_BYTES:
        return Encoded(data, "image/png", image.width, image.height)
    if not transparent:
        return None  # a photo kept losslessly: JPEG suits it
    current: PILImage | None = image
    while current is not None:
        palette = current.quantize(256, method=PIL.Quantize.FASTOCTREE)
        data = _save(palette, "PNG", compress_level=9)
        if len(data) <= MAX_BYTES:
            return Encoded(data, "image/png", current.width, current.height)
        current = _smaller(current, len(data))
    return None  # pragma: no cover - 16 px


def prepared_name(source: Path, encoded: Encoded) -> str:
    """`defile-3fa2c1.jpg`: the source's name as a slug, and a hash of the prepared bytes."""
    digest = hashlib.sha256(encoded.data).hexdigest()[:6]
    return f"{slugify(source.stem) or 'image'}-{digest}.{encoded.extension}"


# --- the cache -------------------------------------------------------------------------------


def cache_dir(config: Config) -> Path:
    return config.folder / CACHE_DIR


def _load_cache(path: Path) -> dict[str, list[Any]]:
    if os.environ.get(NO_CACHE_ENV) == "1":
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("settings") != SETTINGS:
        return {}
    sources = data.get("sources")
    return sources if isinstance(sources, dict) else {}


def _save_cache(config: Config, sources: dict[str, list[Any]]) -> None:
    """Write the index atomically; a folder that cannot hold it simply goes without."""
    data = json.dumps({"settings": SETTINGS, "sources": sources}).encode()
    with contextlib.suppress(OSError, ValueError):
        _private_write(config, cache_dir(config) / CACHE_NAME, data)


def _private_write(config: Config, path: Path, data: bytes) -> None:
    """A file of `.lettre/`, written atomically (no fsync: a lost one is made again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = cache_dir(config) / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# lettre's caches: safe to delete, never to commit\n*\n")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _entry(cached: Any) -> tuple[int, int, str, str, int, int, int, str] | None:
    """A cache row as (size, mtime_ns, source sha256, name, width, height, bytes, mime)."""
    if not (isinstance(cached, list) and len(cached) == 8):
        return None
    size, mtime, digest, name, width, height, weight, mime = cached
    if not all(isinstance(v, int) for v in (size, mtime, width, height, weight)):
        return None
    if not all(isinstance(v, str) for v in (digest, name, mime)):
        return None
    if "/" in name or name.startswith("."):
        return None
    return size, mtime, digest, name, width, height, weight, mime


class Preparer:
    """Prepares the local images of a folder's items, through the cache of `.lettre/`."""

    def __init__(self, config: Config):
        self.config = config
        self.folder = config.folder
        self.out = cache_dir(config) / IMAGES_DIR
        self.sources = _load_cache(cache_dir(config) / CACHE_NAME)
        self.changed = False

    def prepare(self, item: Item) -> PreparedImage:
        """The item's local image, ready; ImageError (file and line of `src`) otherwise."""
        assert item.image is not None
        real, info = locate(self.folder, item)
        key = item.image.src.strip()
        row = _entry(self.sources.get(key))
        if row is not None and row[:2] == (info.st_size, info.st_mtime_ns):
            prepared = self._cached(real, row)
            if prepared is not None:
                return prepared
        data = self._read(item, real)
        digest = hashlib.sha256(data).hexdigest()
        if row is not None and row[2] == digest:  # touched, not changed
            prepared = self._cached(real, row)
            if prepared is not None:
                self._remember(key, info, digest, prepared)
                return prepared
        try:
            encoded = encode(data)
        except _Unreadable as err:
            raise _fail(item, _("image {src!r}: {message}").format(src=key, message=err)) from None
        name = prepared_name(real, encoded)
        path = self.out / name
        try:
            if not (path.is_file() and path.stat().st_size == len(encoded.data)):
                _private_write(self.config, path, encoded.data)
        except OSError as err:
            raise ImageError(
                _(
                    "cannot write the prepared image: {value} (lettre keeps prepared photos in "
                    ".lettre/: make the folder writable)"
                ).format(value=err.strerror or err),
                path,
            ) from None
        prepared = PreparedImage(
            real, name, path, encoded.width, encoded.height, len(encoded.data), encoded.mime
        )
        self._remember(key, info, digest, prepared)
        return prepared

    def _read(self, item: Item, real: Path) -> bytes:
        try:
            return read_bytes(real, MAX_SOURCE_BYTES)
        except LettreError as err:
            src = item.image.src.strip()  # type: ignore[union-attr]
            raise _fail(
                item, _("image {src!r}: {message}").format(src=src, message=err.message)
            ) from None

    def _cached(
        self, real: Path, row: tuple[int, int, str, str, int, int, int, str]
    ) -> PreparedImage | None:
        _size, _mtime, _digest, name, width, height, weight, mime = row
        path = self.out / name
        try:
            if path.stat().st_size != weight:
                return None
        except OSError:
            return None
        return PreparedImage(real, name, path, width, height, weight, mime)

    def _remember(
        self, key: str, info: os.stat_result, digest: str, prepared: PreparedImage
    ) -> None:
        self.sources[key] = [
            info.st_size,
            info.st_mtime_ns,
            digest,
            prepared.name,
            prepared.width,
            prepared.height,
            prepared.size,
            prepared.mime,
        ]
        self.changed = True

    def save(self) -> None:
        if self.changed and os.environ.get(NO_CACHE_ENV) != "1":
            _save_cache(self.config, self.sources)
            self.changed = False


def source_status(folder: Path, src: str) -> list[Any]:
    """What tells that a local image's file changed without reading it: [src, the status
    of the path (a link's own), the status of the file it leads to], each [mode, size,
    mtime, ctime, inode] or None when missing (a path refused whatever is on disk: both
    None). For the caches of `check` and `archive`, compared as JSON."""
    if path_problem(src):
        return [src, None, None]
    path = folder / src

    def status(follow: bool) -> list[int] | None:
        try:
            st = path.stat() if follow else path.lstat()
        except (OSError, ValueError):
            return None
        return [st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    return [src, status(False), status(True)]


def local_items(items: Iterable[Item]) -> list[Item]:
    """The items whose image is a file of the folder."""
    return [i for i in items if i.image is not None and is_local(i.image.src)]


def prepare_images(config: Config, items: Iterable[Item]) -> dict[Path, PreparedImage]:
    """The local image of each item that has one, ready, by item path.

    The first problem is raised (ImageError, naming the item's file and the line of `src`);
    the images prepared before it stay in the cache.
    """
    chosen = local_items(items)
    if not chosen:
        return {}
    preparer = Preparer(config)
    try:
        return {item.path: preparer.prepare(item) for item in chosen}
    finally:
        preparer.save()


# --- where each output points -------------------------------------------------------------

Link = Callable[[PreparedImage], str]


def content_id(photo: PreparedImage, config: Config) -> str:
    """The Content-ID of an embedded image, without its angle brackets."""
    return f"{photo.name}@{config.sender.domain}"


def email_link(config: Config) -> Link:
    """Where the e-mail points: `cid:` (embed), or the published copy (publish).

    Without an archive address, publish mode can only give a relative path: `lettre check
    --week` says so.
    """
    if config.images.mode == "embed":
        return lambda photo: "cid:" + content_id(photo, config)
    base = config.archive_url or ""
    return lambda photo: f"{base}{IMAGES_DIR}/{photo.name}"


def relative_link(photo: PreparedImage) -> str:
    """From a page beside the copied images (the web archive, `compose --out`)."""
    return f"{IMAGES_DIR}/{photo.name}"


def file_link(photo: PreparedImage) -> str:
    """The prepared file itself (`--format html`, previews)."""
    return photo.path.resolve().as_uri()


def files_of(photos: Iterable[PreparedImage]) -> dict[str, bytes]:
    """{`images/NAME`: bytes} of prepared photos, to copy beside a page that points at them."""
    return {relative_link(photo): photo.read() for photo in photos}


# --- publishing ------------------------------------------------------------------------------


def record_archive(config: Config, out_dir: Path, names: Iterable[str]) -> None:
    """Remember where `lettre archive` wrote and which images: `send` checks it."""
    data = {"out": str(out_dir.resolve()), "images": sorted(names)}
    with contextlib.suppress(OSError):
        _private_write(config, cache_dir(config) / ARCHIVE_RECORD, json.dumps(data).encode())


def last_archive(config: Config) -> Path | None:
    """The folder of the last `lettre archive --out`, when it is known."""
    try:
        data = json.loads((cache_dir(config) / ARCHIVE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    out = data.get("out") if isinstance(data, dict) else None
    return Path(out) if isinstance(out, str) and out else None


@dataclass(frozen=True)
class Missing:
    """A photo of the letter that the last archive does not hold."""

    item: Path  # the item file
    line: int | None  # the line of its `src`
    src: str  # as the item writes it
    name: str  # the prepared file's name, `defile-3fa2c1.jpg`

    def error(self) -> ImageError:
        return ImageError(
            _(
                "image {src!r} is not in the web archive yet ({images_dir}/{name}): run 'lettre "
                "archive --out DIR' and publish it before sending"
            ).format(src=self.src, images_dir=IMAGES_DIR, name=self.name),
            self.item,
            self.line,
        )


def missing_from_archive(config: Config, letter: Letter) -> list[Missing]:
    """In publish mode, the letter's photos that the last `lettre archive` did not write.

    The e-mail points at `{archive url}images/NAME`: a photo missing there would be a broken
    picture in every reader's mailbox. Empty in embed mode (the photos travel inside).
    """
    if config.images.mode != "publish":
        return []
    out = last_archive(config)
    missing = []
    for entry in letter.entries:
        photo, image = entry.photo, entry.item.image
        if photo is None or image is None:
            continue
        copy = out / IMAGES_DIR / photo.name if out is not None else None
        try:
            present = copy is not None and copy.stat().st_size == photo.size
        except OSError:
            present = False
        if not present:
            missing.append(Missing(entry.item.path, image.line, image.src.strip(), photo.name))
    return missing


def require_archived(config: Config, letter: Letter) -> None:
    """ImageError for the first photo missing from the last archive (publish mode)."""
    missing = missing_from_archive(config, letter)
    if missing:
        raise missing[0].error()


def with_links(letter: Letter, link: Link) -> Letter:
    """The same letter, its photos pointed at by `link` (another output)."""

    def entry(e: Any) -> Any:
        if e.photo is None or e.image is None:
            return e
        return replace(e, image=replace(e.image, src=link(e.photo)))

    sections = tuple(
        replace(s, entries=tuple(entry(e) for e in s.entries)) for s in letter.sections
    )
    return replace(letter, sections=sections)
