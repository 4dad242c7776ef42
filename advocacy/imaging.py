"""Untrusted image uploads: decode, check, and re-encode from pixels.

Used for avatars and post images alike. An upload is accepted only if Pillow
decodes it completely as JPEG, PNG or WebP within the byte and pixel limits and
nothing is hidden before or after the image data. What is stored is a fresh
encoding of the pixels (orientation applied, EXIF/GPS and every other piece of
metadata gone) under a name we choose, never the uploaded bytes or file name.
"""

import io
import struct
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
# Markup or script inside an "image" means someone is building a polyglot.
_SUSPICIOUS_MARKERS = (b"<script", b"<html", b"<svg", b"<?php", b"<!doctype", b"<iframe", b"javascript:")


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return ALLOWED_FORMATS[self.format]

    def as_django_file(self, *, stem: str | None = None) -> ContentFile:
        return ContentFile(self.content, name=f"{stem or uuid.uuid4().hex}.{self.extension}")


def _read_limited(upload, max_bytes: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            f"The file is larger than {max_bytes // (1024 * 1024) or 1} MB; please upload a smaller image.",
            code="too_large",
        )
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    return data


def _check_no_trailing_data(data: bytes, image_format: str) -> None:
    if image_format == "JPEG":
        end = _jpeg_end(data)
        if end is None or data[end:].strip(b"\x00"):
            raise ValidationError("The image has extra data after its end; it cannot be accepted.", code="polyglot")
    elif image_format == "PNG":
        iend = data.rfind(b"IEND")
        if iend == -1 or len(data) != iend + 8:
            raise ValidationError("The image has extra data after its end; it cannot be accepted.", code="polyglot")
    elif image_format == "WEBP":
        declared = int.from_bytes(data[4:8], "little") + 8
        if declared != len(data) and declared + 1 != len(data):
            raise ValidationError("The image has extra data after its end; it cannot be accepted.", code="polyglot")


def _jpeg_end(data: bytes) -> int | None:
    """Where the first complete JPEG in `data` ends, found by walking its segments (not by searching for FFD9,
    which a second image or an archive appended to the first would also end with)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    position, size = 2, len(data)
    while position + 2 <= size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == 0xD9:
            return position + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
            continue
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:  # entropy-coded data runs to the next marker that is not a stuffed zero or a restart
            while True:
                position = data.find(b"\xff", position)
                if position == -1 or position + 1 >= size:
                    return None
                following = data[position + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    position += 1 if following == 0xFF else 2
                    continue
                break
    return None


# Bytes Pillow keeps per pixel while decoding in each mode (RGB is stored padded to four).
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
OUTPUT_BYTES_PER_PIXEL = 4  # what we re-encode from: RGB or RGBA, four bytes a pixel either way
# What the codecs hold on top, per pixel, measured with benchmarks/bench_decode_memory.py: libwebp
# decodes into its own RGBA canvas and encodes through another copy plus YUV planes; the
# optimised progressive JPEG encoder keeps every coefficient until the end.
_CODEC_BYTES_PER_PIXEL = {"PNG": 0, "JPEG": 3, "WEBP": 13}


def decode_cost(*, width: int, height: int, mode: str, image_format: str, rotated: bool = False) -> int:
    """Peak bytes a decode and re-encode of this image holds, known from the header before decoding:
    the decoded pixels, the RGB(A) copy when the mode needs converting or the orientation turning,
    and what the codec keeps (see _CODEC_BYTES_PER_PIXEL)."""
    per_pixel = _BYTES_PER_PIXEL.get(mode, 4) + _CODEC_BYTES_PER_PIXEL[image_format]
    if mode not in ("RGB", "RGBA") or rotated:
        per_pixel += OUTPUT_BYTES_PER_PIXEL
    return width * height * per_pixel


def comms_decode_budget() -> int:
    return settings.CONTENT_IMAGE_MAX_DECODE_MB * 1024 * 1024


def employee_decode_budget() -> int:
    return settings.EMPLOYEE_IMAGE_MAX_DECODE_MB * 1024 * 1024


def clean_uploaded_image(
    upload,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_decode_bytes: int | None = None,
) -> CleanImage:
    """Return a re-encoded copy of an uploaded image, or raise ValidationError with a readable message.

    ``max_decode_bytes`` bounds the memory the decode may take (default: the comms budget,
    ``CONTENT_IMAGE_MAX_DECODE_MB``; employee-facing forms pass the smaller ``employee_decode_budget()``).
    It is judged from the header before decoding: a JPEG over it is decoded at 1/2, 1/4 or 1/8 scale
    (the decoder's own reduction, so the full-size pixels never exist); any other format over it is refused.
    """
    budget = comms_decode_budget() if max_decode_bytes is None else max_decode_bytes
    data = _read_limited(upload, max_bytes)
    lowered = data[:4096].lower() + data[-4096:].lower()
    if any(marker in lowered for marker in _SUSPICIOUS_MARKERS) or data.lstrip()[:1] == b"<":
        raise ValidationError(
            "This file is not a plain image (SVG, HTML or script content found). Upload a JPEG, PNG or WebP.",
            code="not_image",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        f"{image_format or 'This'} images are not accepted. Upload a JPEG, PNG or WebP.",
                        code="format",
                    )
                if width * height > max_pixels:
                    raise ValidationError(
                        f"The image is {width}×{height} pixels, over the limit of {max_pixels:,} pixels.",
                        code="too_many_pixels",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                orientation = _orientation(image)
                _fit_decode_budget(image, budget, rotated=orientation not in (0, 1))
                # Decode fully first, so a cut-off file is reported as incomplete, not as a polyglot.
                image.load()
                _check_no_trailing_data(data, image_format)
                return _reencode(_upright(image, orientation), image_format)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image is too large once decompressed.", code="bomb") from None
    except UnidentifiedImageError:
        raise ValidationError(
            "This file is not an image we can read. Upload a JPEG, PNG or WebP.", code="not_image"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, MemoryError, struct.error):
        raise ValidationError("The image is damaged or incomplete; please upload it again.", code="corrupt") from None


def _fit_decode_budget(image: Image.Image, budget: int, *, rotated: bool) -> None:
    width, height = image.size
    cost = {"mode": image.mode, "image_format": image.format, "rotated": rotated}
    if decode_cost(width=width, height=height, **cost) <= budget:
        return
    if image.format == "JPEG":
        for scale in (2, 4, 8):
            scaled = (-(-width // scale), -(-height // scale))
            if decode_cost(width=scaled[0], height=scaled[1], **cost) <= budget:
                image.draft(image.mode, scaled)  # libjpeg's own 1/scale decode, in the same mode
                return
    per_pixel = decode_cost(width=1, height=1, **cost)
    raise ValidationError(
        f"The image is {width}×{height} pixels; here a {image.format} image may have about "
        f"{budget / per_pixel / 1_000_000:.1f} million pixels at most. Save it smaller (or as a JPEG) and upload it "
        f"again.",
        code="too_many_pixels",
    )


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation as known from the header. A PNG may keep its EXIF after the pixels, and
    asking Pillow for it then decodes the whole image, so only an EXIF chunk ahead of the pixels counts."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    return image.getexif().get(0x0112, 1)


def _upright(image: Image.Image, orientation: int) -> Image.Image:
    """Apply the EXIF orientation read before decoding; an upright image is returned as it is, not copied."""
    if orientation in (0, 1):
        return image
    return ImageOps.exif_transpose(image)


def _reencode(image: Image.Image, image_format: str) -> CleanImage:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha and image_format != "JPEG" else "RGB"
    # Converting to the mode it already has would only copy every pixel.
    pixels = image if image.mode == mode else image.convert(mode)
    output = io.BytesIO()
    if image_format == "JPEG":
        pixels.save(output, "JPEG", quality=88, optimize=True, progressive=True)
    elif image_format == "PNG":
        pixels.save(output, "PNG", optimize=True)
    else:
        pixels.save(output, "WEBP", quality=88, method=4)
    return CleanImage(content=output.getvalue(), format=image_format, width=pixels.width, height=pixels.height)
