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


def clean_uploaded_image(
    upload, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS
) -> CleanImage:
    """Return a re-encoded copy of an uploaded image, or raise ValidationError with a readable message."""
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
                # Decode fully first, so a cut-off file is reported as incomplete, not as a polyglot.
                image.load()
                _check_no_trailing_data(data, image_format)
                image = ImageOps.exif_transpose(image)
                return _reencode(image, image_format)
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


def _reencode(image: Image.Image, image_format: str) -> CleanImage:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    pixels = image.convert("RGBA" if has_alpha and image_format != "JPEG" else "RGB")
    output = io.BytesIO()
    if image_format == "JPEG":
        pixels.save(output, "JPEG", quality=88, optimize=True, progressive=True)
    elif image_format == "PNG":
        pixels.save(output, "PNG", optimize=True)
    else:
        pixels.save(output, "WEBP", quality=88, method=4)
    return CleanImage(content=output.getvalue(), format=image_format, width=pixels.width, height=pixels.height)
