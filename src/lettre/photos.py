"""The bytes of a picture → the picture as lettre sends it by e-mail (Pillow).

lettre reads the picture with Pillow, turns it upright (EXIF orientation), drops every
metadata block (EXIF with its GPS position and serial numbers, XMP, IPTC, ICC profiles,
comments), converts it to sRGB, narrows it to 1,200 pixels (the 600 px column, twice, for
sharp screens; never enlarged) and encodes it as JPEG (photos) or PNG (flat pictures,
transparency) within 200 KB.

Pillow is imported only by `encode` and its helpers, so that commands without new photos
stay quick.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .messages import _

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

#: twice the letter's 600 px column: sharp on high-density screens
MAX_WIDTH = 1200
#: the most a prepared image may weigh, in bytes
MAX_BYTES = 200_000
JPEG_QUALITIES = (85, 72, 60)
SHRINK = 0.9  # at least, each further try when the lowest quality is still too heavy
LOSSLESS = frozenset({"PNG", "GIF", "BMP"})
HEIC_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
)  # fmt: skip


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


class Unreadable(Exception):
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
    """The bytes of a picture → the picture ready for e-mail; Unreadable says what fails."""
    from PIL import Image as PIL  # heavy: only when a photo is prepared
    from PIL import ImageOps, UnidentifiedImageError

    heif = _register_heif() if _is_heic(data) else False
    if _is_heic(data) and not heif:
        raise Unreadable(
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
        raise Unreadable(
            _(
                "too many pixels (over Pillow's limit against decompression bombs): export the "
                "picture at a smaller size"
            )
        ) from None
    except UnidentifiedImageError:
        raise Unreadable(
            _(
                "not a picture lettre can read (JPEG, PNG, GIF, WebP, TIFF, or HEIC with "
                "lettre[heif])"
            )
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error):
        raise Unreadable(
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
    from PIL import ImageCms  # heavy

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
    from PIL import ImageCms  # heavy

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
    from PIL import Image as PIL  # heavy

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
    raise Unreadable(_("cannot be made smaller than 200 KB"))  # pragma: no cover - 16 px


def _png(image: PILImage, transparent: bool) -> Encoded | None:
    """A PNG within MAX_BYTES (quantized to 256 colours if need be); None: a JPEG is better."""
    from PIL import Image as PIL  # heavy

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
