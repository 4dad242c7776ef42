"""Builds the upload battery in memory: hostile, broken and borderline files, nothing committed to the repository.

Every case says what the upload checker (advocacy/imaging.py) must do with it:
- "accept": stored, re-encoded, under a name we chose;
- "reject": a 400 with a readable message, and nothing stored;
- "either": a damaged file that may still decode (a flipped bit in JPEG entropy data is just a wrong pixel),
  or a file name the multipart parser drops; any outcome but a 500 or a stored foreign name is fine.

The flips come from a seeded generator, so a failure reproduces exactly.
"""

import functools
import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image

from tests.content_library.factories import image_bytes
from tests.content_library.test_uploads import SVG, _png_chunk, deflate_bomb, png_bomb

SEED = 20261123


@dataclass(frozen=True)
class GeneratedFile:
    kind: str
    name: str
    data: bytes
    content_type: str
    expect: str  # "accept", "reject" or "either"

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name!r}"[:120]


# --- building blocks --------------------------------------------------------------------------------------------


def _jpeg() -> bytes:
    return image_bytes("JPEG", size=(320, 200))


def _png() -> bytes:
    return image_bytes("PNG", size=(320, 200))


def _webp() -> bytes:
    return image_bytes("WEBP", size=(320, 200))


def _webp_lossless() -> bytes:
    return image_bytes("WEBP", size=(64, 64), lossless=True)


def _png_rgba() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 80), (10, 200, 30, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _jpeg_rotated() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS, which must not survive
    return image_bytes("JPEG", size=(300, 100), exif=exif.tobytes())


def exact_size_png(size: int) -> bytes:
    """A valid PNG of exactly `size` bytes, padded with a private ancillary chunk (decoders skip it)."""
    image = _png()
    signature, rest = image[:8], image[8:]
    ihdr_end = 8 + 25  # IHDR is always 13 bytes of data + 12 of framing
    padding = size - len(image) - 12
    if padding < 0:
        raise ValueError(f"{size} bytes is smaller than the base image")
    filler = _png_chunk(b"prVt", b"a" * padding)
    return signature + rest[: ihdr_end - 8] + filler + rest[ihdr_end - 8 :]


def _patch_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at != -1:
            return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]
    raise ValueError("no SOF marker")


def _webp_header_bomb() -> bytes:
    """A lossless WebP whose VP8L header claims 16384×16384 (268 M pixels); the bitstream stays 64×64."""
    data = bytearray(_webp_lossless())
    at = data.find(b"VP8L") + 8
    assert data[at] == 0x2F
    bits = int.from_bytes(data[at + 1 : at + 5], "little")
    bits = (bits & ~((1 << 28) - 1)) | (16383 << 14) | 16383
    data[at + 1 : at + 5] = bits.to_bytes(4, "little")
    return bytes(data)


def _webp_vp8x_bomb() -> bytes:
    """An extended-format WebP header announcing a 16777216×16777216 canvas in front of a tiny image."""
    inner = _webp()[12:]
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + b"\xff\xff\xff" + b"\xff\xff\xff"
    body = b"WEBP" + vp8x + inner
    return b"RIFF" + struct.pack("<I", len(body)) + body


def png_deflate_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A real, complete PNG of 900 M grey pixels (0.9 GB decoded) in well under a megabyte.

    Built without ever holding the pixels: after a full flush, deflating the same block of zeros always gives the
    same bytes, so one compressed block is repeated and the stream closed with the Adler-32 of the whole.
    """
    row = width + 1  # filter byte + one byte per pixel, all zero
    rows_per_block = 50
    assert height % rows_per_block == 0
    block = b"\x00" * (row * rows_per_block)
    compressor = zlib.compressobj(9)
    head = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(height // rows_per_block):
        adler = zlib.adler32(block, adler)
    stream = head + repeated * (height // rows_per_block - 1) + b"\x03\x00" + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = b"".join(_png_chunk(b"IDAT", stream[i : i + 65536]) for i in range(0, len(stream), 65536))
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + idat + _png_chunk(b"IEND", b"")


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return buffer.getvalue()


def _jpeg_with_comment(comment: bytes) -> bytes:
    data = _jpeg()
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
    b"trailer<<>>\n%%EOF\n"
)
HTML = b"<!doctype html><html><body><script>window.__xss=1</script></body></html>"
GIF_JS = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=window.__xss=1;//" + b"\x00" * 20 + b";"
SVG_VARIANTS = [
    SVG,
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'><foreignObject><iframe src=javascript:alert(1)>"
    b"</iframe></foreignObject></svg>",
    b"   \n<svg><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
]


# --- the battery ------------------------------------------------------------------------------------------------


def _valid() -> list[GeneratedFile]:
    return [
        GeneratedFile("valid", "photo.jpg", _jpeg(), "image/jpeg", "accept"),
        GeneratedFile("valid", "diagram.png", _png(), "image/png", "accept"),
        GeneratedFile("valid", "modern.webp", _webp(), "image/webp", "accept"),
        GeneratedFile("valid", "lossless.webp", _webp_lossless(), "image/webp", "accept"),
        GeneratedFile("valid", "alpha.png", _png_rgba(), "image/png", "accept"),
        GeneratedFile("valid", "rotated-with-gps.jpg", _jpeg_rotated(), "image/jpeg", "accept"),
        GeneratedFile(
            "valid", "progressive.jpg", image_bytes("JPEG", size=(200, 200), progressive=True), "image/jpeg", "accept"
        ),  # fmt: skip
        GeneratedFile("valid", "pixel.png", image_bytes("PNG", size=(1, 1)), "image/png", "accept"),
    ]


def _wrong_names_and_types() -> list[GeneratedFile]:
    cases = []
    for name, content_type in [
        ("photo.exe", "application/x-msdownload"),
        ("photo.html", "text/html"),
        ("photo.svg", "image/svg+xml"),
        ("photo.gif", "image/gif"),
        ("photo", "application/octet-stream"),
        ("photo.php", "application/x-php"),
        ("photo.png.js", "text/javascript"),
        ("photo.JPG", ""),
    ]:
        cases.append(GeneratedFile("wrong-extension", name, _jpeg(), content_type, "accept"))
    cases.append(GeneratedFile("wrong-extension", "diagram.jpg", _png(), "image/jpeg", "accept"))
    cases.append(GeneratedFile("wrong-extension", "modern.png", _webp(), "image/png", "accept"))
    for name, data in [
        ("notes.png", b"These are my meeting notes, not a picture.\n" * 20),
        ("archive.jpg", _zip_bytes()),
        ("binary.webp", bytes(range(256)) * 8),
        ("elf.png", b"\x7fELF\x02\x01\x01" + b"\x00" * 500),
    ]:
        cases.append(GeneratedFile("not-an-image", name, data, "image/png", "reject"))
    return cases


def _bombs() -> list[GeneratedFile]:
    jpeg = _jpeg()
    return [
        GeneratedFile("bomb-header", "png-100k.png", png_bomb(), "image/png", "reject"),
        GeneratedFile("bomb-header", "png-65535.png", png_bomb(65535, 65535), "image/png", "reject"),
        GeneratedFile("bomb-header", "png-tall.png", png_bomb(1, 2_000_000_000), "image/png", "reject"),
        GeneratedFile("bomb-header", "png-wide.png", png_bomb(2_000_000_000, 1), "image/png", "reject"),
        GeneratedFile("bomb-header", "png-max.png", png_bomb(2**31 - 1, 2**31 - 1), "image/png", "reject"),
        GeneratedFile("bomb-header", "jpeg-65000.jpg", _patch_jpeg_size(jpeg, 65000, 65000), "image/jpeg", "reject"),
        GeneratedFile("bomb-header", "jpeg-tall.jpg", _patch_jpeg_size(jpeg, 1, 65535), "image/jpeg", "either"),
        GeneratedFile(
            "bomb-header",
            "jpeg-progressive.jpg",
            _patch_jpeg_size(image_bytes("JPEG", size=(64, 64), progressive=True), 60000, 60000),
            "image/jpeg",
            "reject",
        ),  # fmt: skip
        GeneratedFile("bomb-header", "webp-vp8l.webp", _webp_header_bomb(), "image/webp", "reject"),
        GeneratedFile("bomb-header", "webp-vp8x.webp", _webp_vp8x_bomb(), "image/webp", "reject"),
        GeneratedFile("bomb-deflate", "grey-81mp.png", deflate_bomb(), "image/png", "reject"),
        GeneratedFile("bomb-deflate", "grey-900mp.png", png_deflate_bomb(), "image/png", "reject"),
        GeneratedFile("bomb-deflate", "grey-4gp.png", png_deflate_bomb(65_000, 65_000), "image/png", "reject"),
    ]


def _truncated() -> list[GeneratedFile]:
    cases = []
    for fmt, data in [("jpeg", _jpeg()), ("png", _png()), ("webp", _webp())]:
        size = len(data)
        offsets = sorted(
            {1, 2, 3, 4, 8, 12, 16, 24, 32, 64, 100, 200, 500, size // 4, size // 2, size * 3 // 4, size - 20}
            | {size - 2, size - 1}
        )
        for offset in offsets:
            if 0 < offset < size:
                cases.append(GeneratedFile("truncated", f"cut-{offset}.{fmt}", data[:offset], f"image/{fmt}", "reject"))
    return cases


def _bit_flipped() -> list[GeneratedFile]:
    rng = random.Random(SEED)
    cases = []
    for fmt, data in [("jpeg", _jpeg()), ("png", _png()), ("webp", _webp())]:
        for index in range(18):
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                position = rng.randrange(len(flipped))
                flipped[position] ^= 1 << rng.randrange(8)
            cases.append(GeneratedFile("bit-flip", f"flip-{index}.{fmt}", bytes(flipped), f"image/{fmt}", "either"))
    return cases


def _polyglots() -> list[GeneratedFile]:
    jpeg, png, webp = _jpeg(), _png(), _webp()
    return [
        GeneratedFile("polyglot", "jpeg-zip.jpg", jpeg + _zip_bytes(), "image/jpeg", "reject"),
        GeneratedFile("polyglot", "png-zip.png", png + _zip_bytes(), "image/png", "reject"),
        GeneratedFile("polyglot", "webp-zip.webp", webp + _zip_bytes(), "image/webp", "reject"),
        GeneratedFile("polyglot", "png-html.png", png + HTML, "image/png", "reject"),
        GeneratedFile("polyglot", "html-png.png", HTML + png, "image/png", "reject"),
        GeneratedFile("polyglot", "gif-js.gif", GIF_JS, "image/gif", "reject"),
        GeneratedFile("polyglot", "gif-js.jpg", GIF_JS, "image/jpeg", "reject"),
        GeneratedFile(
            "polyglot", "jpeg-script.jpg", jpeg + b"<script>window.__xss=1</script>", "image/jpeg", "reject"
        ),  # fmt: skip
        GeneratedFile("polyglot", "jpeg-php.jpg", jpeg + b"<?php system($_GET['c']); ?>", "image/jpeg", "reject"),
        GeneratedFile(
            "polyglot",
            "jpeg-comment-script.jpg",
            _jpeg_with_comment(b"<script>alert(1)</script>"),
            "image/jpeg",
            "reject",
        ),  # fmt: skip
        GeneratedFile("polyglot", "jpeg-pdf.jpg", jpeg + PDF, "image/jpeg", "reject"),
        GeneratedFile("polyglot", "pdf-jpeg.jpg", PDF + jpeg, "image/jpeg", "reject"),
        GeneratedFile(
            "polyglot",
            "png-text-script.png",
            png[:33] + _png_chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>") + png[33:],
            "image/png",
            "reject",
        ),  # fmt: skip
        GeneratedFile("polyglot", "jpeg-nul-tail.jpg", jpeg + b"\x00" * 64 + b"PK\x05\x06", "image/jpeg", "reject"),
        GeneratedFile("polyglot", "two-jpegs.jpg", jpeg + jpeg, "image/jpeg", "reject"),
        GeneratedFile("polyglot", "jpeg-zip-eoi.jpg", jpeg + _zip_bytes() + b"\xff\xd9", "image/jpeg", "reject"),
        GeneratedFile("polyglot", "png-zip-iend.png", png + _zip_bytes() + png[-12:], "image/png", "reject"),
    ]


def _not_images() -> list[GeneratedFile]:
    cases = [
        GeneratedFile("svg", f"vector-{index}.svg", data, "image/svg+xml", "reject")
        for index, data in enumerate(SVG_VARIANTS)
    ]
    cases += [
        GeneratedFile("svg", "vector.png", SVG, "image/png", "reject"),
        GeneratedFile("html", "page.html", HTML, "text/html", "reject"),
        GeneratedFile("html", "page.jpg", HTML, "image/jpeg", "reject"),
        GeneratedFile("pdf", "document.pdf", PDF, "application/pdf", "reject"),
        GeneratedFile("pdf", "document.png", PDF, "image/png", "reject"),
        GeneratedFile("empty", "empty.jpg", b"", "image/jpeg", "reject"),
        GeneratedFile("empty", "empty.png", b"", "image/png", "reject"),
        GeneratedFile("gif", "animation.gif", image_bytes("GIF", size=(64, 64)), "image/gif", "reject"),
        GeneratedFile("tiff", "scan.tiff", image_bytes("TIFF", size=(64, 64)), "image/tiff", "reject"),
        GeneratedFile("bmp", "paint.bmp", image_bytes("BMP", size=(64, 64)), "image/bmp", "reject"),
        GeneratedFile("ico", "favicon.ico", image_bytes("ICO", size=(32, 32)), "image/x-icon", "reject"),
    ]
    return cases


HOSTILE_NAMES = [
    "../../x.png",
    "../../../../etc/passwd",
    "..\\..\\x.png",
    "/etc/cron.d/x.png",
    "C:\\Windows\\x.png",
    "x\x00.png",
    "x.php\x00.png",
    "x\n.png",
    "x\r\nContent-Type: text/html\r\n\r\n<script>.png",
    'x".png',
    "x\t.png",
    "x\x1b[31m.png",
    "gnp.\u202eexe.png",
    "\u202egnp.exe",
    "a" * 300 + ".png",
    "é" * 200 + ".png",
    ".htaccess",
    "CON.png",
    "x.png.",
    " ",
    "%2e%2e%2fx.png",
    "<script>alert(1)</script>.png",
    "😀.png",
    "x;.png",
]


def _hostile_names() -> list[GeneratedFile]:
    jpeg = _jpeg()
    # The file is a good image: the name alone is under test, so it must never reach the disk.
    return [GeneratedFile("file-name", name, jpeg, "image/jpeg", "either") for name in HOSTILE_NAMES]


def size_limit_files(max_bytes: int) -> list[GeneratedFile]:
    return [
        GeneratedFile("size-limit", "at-limit.png", exact_size_png(max_bytes), "image/png", "accept"),
        GeneratedFile("size-limit", "one-over.png", exact_size_png(max_bytes + 1), "image/png", "reject"),
    ]


@functools.cache
def battery_files() -> tuple[GeneratedFile, ...]:
    """The endpoint-independent part of the battery (add size_limit_files for each endpoint's own limit)."""
    return tuple(
        _valid()
        + _wrong_names_and_types()
        + _bombs()
        + _truncated()
        + _bit_flipped()
        + _polyglots()
        + _not_images()
        + _hostile_names()
    )
