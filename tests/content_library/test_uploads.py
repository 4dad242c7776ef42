"""The upload battery: every kind of bad image is refused with a clear message, and nothing refused is stored."""

import io
import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from content_library.models import Post, PostImage, Suggestion

from .factories import PostFactory, image_bytes

pytestmark = pytest.mark.django_db


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width=100_000, height=100_000) -> bytes:
    """A few hundred bytes that claim ten billion pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1024, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def deflate_bomb() -> bytes:
    """Within the pixel limit of Pillow's warning, but over ours: 9000×9000 of one colour compresses to ~80 KB."""
    buffer = io.BytesIO()
    Image.new("L", (9000, 9000)).save(buffer, "PNG", optimize=False)
    return buffer.getvalue()


def _noise_png(size=(400, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    return buffer.getvalue()


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>'
)

VALID = [
    ("photo.jpg", lambda: image_bytes("JPEG"), "JPEG"),
    ("diagram.png", lambda: image_bytes("PNG", size=(800, 600)), "PNG"),
    ("modern.webp", lambda: image_bytes("WEBP", size=(800, 600)), "WEBP"),
    ("misnamed.jpg", lambda: image_bytes("PNG", size=(640, 480)), "PNG"),  # judged by content, not name
]

REFUSED = [
    ("bomb.png", png_bomb, "too large once decompressed"),
    ("deflate-bomb.png", deflate_bomb, "limit"),
    ("truncated.jpg", lambda: image_bytes("JPEG")[:2000], "damaged or incomplete"),
    ("truncated.png", lambda: image_bytes("PNG")[:-40], "damaged or incomplete"),
    ("notes.jpg", lambda: b"These are my meeting notes, not a picture." * 10, "not an image we can read"),
    ("polyglot.jpg", lambda: image_bytes("JPEG") + b"<script>alert(1)</script>", "not a plain image"),
    ("polyglot-zip.png", lambda: image_bytes("PNG") + b"PK\x03\x04" + b"\x00" * 200, "extra data"),
    ("polyglot-php.jpg", lambda: image_bytes("JPEG") + b"<?php system($_GET['c']); ?>", "not a plain image"),
    ("vector.svg", lambda: SVG, "not a plain image"),
    ("vector.png", lambda: SVG, "not a plain image"),
    ("animation.gif", lambda: image_bytes("GIF", size=(64, 64)), "not accepted"),
    ("scan.tiff", lambda: image_bytes("TIFF", size=(64, 64)), "not accepted"),
    ("huge.png", _noise_png, "larger than"),
    ("empty.jpg", lambda: b"", "empty"),
]


@pytest.fixture
def small_limits(settings):
    # Small enough that the oversize case and the deflate bomb are quick to build.
    settings.CONTENT_IMAGE_MAX_BYTES = 300 * 1024
    settings.CONTENT_IMAGE_MAX_PIXELS = 12_000_000


def _stored_files(media_root) -> list[str]:
    if not media_root.exists():
        return []
    return [str(path) for path in media_root.rglob("*") if path.is_file()]


@pytest.mark.parametrize(("name", "make", "fmt"), VALID, ids=[case[0] for case in VALID])
def test_it_accepts_jpeg_png_and_webp(client, casey, settings, small_limits, name, make, fmt):
    post = PostFactory(status=Post.Status.DRAFT)
    client.force_login(casey)
    upload = SimpleUploadedFile(name, make(), content_type="application/octet-stream")
    response = client.post(
        reverse("content_library:comms_post_image_add", kwargs={"pk": post.pk}), {"image": upload, "alt_text": "Alt"}
    )
    assert response.status_code == 302
    image = PostImage.objects.get()
    with Image.open(image.image.path) as stored:
        assert stored.format == fmt
    assert image.image.name.endswith({"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt])


@pytest.mark.parametrize(("name", "make", "message"), REFUSED, ids=[case[0] for case in REFUSED])
def test_it_refuses_bad_images_clearly_and_stores_nothing(
    client, casey, alice, settings, small_limits, name, make, message
):
    post = PostFactory(status=Post.Status.DRAFT)
    data = make()
    client.force_login(casey)

    def upload():
        return SimpleUploadedFile(name, data, content_type="image/jpeg")

    # 1. Adding an image to an existing post.
    response = client.post(
        reverse("content_library:comms_post_image_add", kwargs={"pk": post.pk}), {"image": upload(), "alt_text": "Alt"}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    # 2. Creating a post with an image: the post is not created either.
    response = client.post(
        reverse("content_library:comms_post_new"),
        {"title": "With a bad image", "content_type": "company_news", "target_everyone": "on",
         "caption_editable": "on", "image": upload(), "image_alt_text": "Alt"},
    )  # fmt: skip
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Post.objects.filter(title="With a bad image").exists()
    # 3. An employee's suggestion.
    client.force_login(alice)
    response = client.post(
        reverse("content_library:suggestion_new"),
        {"url": "https://example.com", "image": upload(), "image_alt_text": "Alt"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()

    assert not PostImage.objects.exists()
    assert not Suggestion.objects.exists()
    assert _stored_files(settings.MEDIA_ROOT) == []
