"""The upload battery: 200+ generated hostile files posted to every upload endpoint, as raw multipart bodies.

For each endpoint and file: no 500; a refusal is a 400 that says why and stores nothing (no file under
MEDIA_ROOT, no row); an acceptance stores one re-encoded image under a name we chose. Memory is measured across
the whole run (Python allocations with tracemalloc, native ones through the process's peak RSS), with bombs that
would decode to gigabytes among the files.
"""

import io
import re
import resource
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from PIL import Image

from advocacy.imaging import DEFAULT_MAX_BYTES
from advocacy.people.forms import AVATAR_MAX_BYTES
from content_library.models import Post, PostImage, Suggestion
from guidelines.models import GuidelineImage
from tests.content_library.factories import PostFactory
from tests.content_library.test_uploads import _stored_files

from .generated_files import GeneratedFile, battery_files, size_limit_files

pytestmark = pytest.mark.django_db

CONTENT_MAX_BYTES = 1024 * 1024
# Python-side peak across a whole endpoint's battery, including the 8 MB at-limit file held in the request.
TRACEMALLOC_BOUND = 64 * 1024 * 1024
# Native memory (Pillow's pixel buffers are not traced by tracemalloc): the process's peak RSS may grow by at
# most this much during the battery. A single bomb decoded would need gigabytes.
RSS_GROWTH_BOUND = 256 * 1024 * 1024
OUR_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")
CLEAR_MESSAGES = (
    "larger than",
    "is empty",
    "not a plain image",
    "too large once decompressed",
    "over the limit of",
    "not an image we can read",
    "damaged or incomplete",
    "extra data after its end",
    "images are not accepted",
    "This field is required",
    "The submitted file is empty",
    "No file was submitted",
    "Ensure this filename has at most",
)


def multipart(fields: dict, file: GeneratedFile, *, field_name: str = "image") -> tuple[bytes, str]:
    """Encode a form by hand, so hostile file names reach the server byte for byte (the test client would tidy them)."""
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; filename="{file.name}"\r\n'
    if file.content_type:
        head += f"Content-Type: {file.content_type}\r\n"
    parts.append(head.encode("utf-8", "surrogatepass") + b"\r\n" + file.data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Endpoint:
    name: str
    user: str
    max_bytes: int
    field_name: str
    url: Callable[[], str]
    fields: Callable[[], dict]
    rows: Callable[[], int]


@pytest.fixture
def upload_endpoints(alice, casey, settings):
    settings.CONTENT_IMAGE_MAX_BYTES = CONTENT_MAX_BYTES

    def profile_fields():
        return {"display_name": "Alice Archer", "team": alice.team_id, "job_title": "Engineer",
                "digest_frequency": "weekly"}  # fmt: skip

    return [
        Endpoint(
            "avatar",
            "alice",
            AVATAR_MAX_BYTES,
            "avatar",
            lambda: reverse("people:profile"),
            profile_fields,
            lambda: int(bool(type(alice).objects.get(pk=alice.pk).avatar)),
        ),  # fmt: skip
        # A fresh draft each time: a post holds at most four images, and that limit is not under test here.
        Endpoint(
            "post image",
            "casey",
            CONTENT_MAX_BYTES,
            "image",
            lambda: reverse(
                "content_library:comms_post_image_add",
                kwargs={"pk": PostFactory(status=Post.Status.DRAFT, created_by=casey).pk},
            ),
            lambda: {"alt_text": "Alt"},
            PostImage.objects.count,
        ),  # fmt: skip
        Endpoint(
            "suggestion",
            "alice",
            CONTENT_MAX_BYTES,
            "image",
            lambda: reverse("content_library:suggestion_new"),
            lambda: {"url": "https://example.com/news", "image_alt_text": "Alt"},
            Suggestion.objects.count,
        ),  # fmt: skip
        Endpoint(
            "guideline image",
            "casey",
            DEFAULT_MAX_BYTES,
            "image",
            lambda: reverse("guidelines:images"),
            lambda: {"alt_text": "Alt"},
            GuidelineImage.objects.count,
        ),  # fmt: skip
    ]


def _names(media_root) -> set[str]:
    return set(_stored_files(media_root))


def _check_one(client, endpoint: Endpoint, file: GeneratedFile, media_root) -> str:
    url = endpoint.url()
    before_files, before_rows = _names(media_root), endpoint.rows()
    body, content_type = multipart(endpoint.fields(), file, field_name=endpoint.field_name)
    response = client.post(url, data=body, content_type=content_type)
    new_files = _names(media_root) - before_files
    where = f"{endpoint.name} ← {file.label}"
    assert response.status_code in (302, 400), f"{where}: HTTP {response.status_code}"
    if response.status_code == 400:
        assert file.expect != "accept", f"{where}: a good image was refused"
        text = response.content.decode()
        assert any(message in text for message in CLEAR_MESSAGES), f"{where}: refused without a clear message"
        assert not new_files, f"{where}: refused but stored {new_files}"
        assert endpoint.rows() == before_rows, f"{where}: refused but a row was written"
        return "rejected"
    assert file.expect != "reject", f"{where}: accepted"
    if not new_files:  # the multipart parser dropped a nameless file: the (optional) avatar is simply unchanged
        assert endpoint.name == "avatar" and file.kind == "file-name", f"{where}: accepted but nothing stored"
        return "dropped"
    assert len(new_files) == 1, f"{where}: stored {new_files}"
    stored = new_files.pop()
    basename = stored.rsplit("/", 1)[-1]
    assert OUR_NAME.match(basename), f"{where}: stored under {basename!r}"
    with open(stored, "rb") as handle:
        content = handle.read()
    assert content != file.data, f"{where}: stored the uploaded bytes as they came"
    with Image.open(io.BytesIO(content)) as image:
        assert image.format in ("JPEG", "PNG", "WEBP")
        assert not image.getexif(), f"{where}: metadata survived"
    if endpoint.name != "avatar":
        assert endpoint.rows() == before_rows + 1
    return "accepted"


@pytest.mark.parametrize("endpoint_index", [0, 1, 2, 3], ids=["avatar", "post-image", "suggestion", "guideline-image"])
def test_every_upload_endpoint_survives_the_battery(client, upload_endpoints, settings, endpoint_index, alice, casey):
    endpoint = upload_endpoints[endpoint_index]
    files = [*battery_files(), *size_limit_files(endpoint.max_bytes)]
    assert len(files) >= 200
    client.force_login({"alice": alice, "casey": casey}[endpoint.user])
    outcomes = Counter()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    try:
        for file in files:
            outcomes[_check_one(client, endpoint, file, settings.MEDIA_ROOT)] += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before

    assert peak < TRACEMALLOC_BOUND, f"Python memory peaked at {peak / 2**20:.1f} MB"
    assert rss_growth < RSS_GROWTH_BOUND, f"peak RSS grew by {rss_growth / 2**20:.1f} MB"
    expected_accepts = sum(1 for file in files if file.expect == "accept")
    assert outcomes["accepted"] >= expected_accepts
    assert outcomes["rejected"] >= sum(1 for file in files if file.expect == "reject")
    print(f"{endpoint.name}: {len(files)} files, {dict(outcomes)}, peak {peak / 2**20:.1f} MB traced")


# --- Videos ----------------------------------------------------------------------------------------------

OUR_VIDEO_NAME = re.compile(r"^[0-9a-f]{32}\.(mp4|webm|jpg)$")
VIDEO_MESSAGES = (
    "MP4, MOV or WebM",
    "is empty",
    "larger than",
    "over the limit",
    "contains markup",
    "damaged or incomplete",
    "picture track",
    "encoding is not one we accept",
    "The submitted file is empty",
    "No file was submitted",
    "Ensure this filename has at most",
)


def video_battery_files(max_bytes: int) -> list[GeneratedFile]:
    """Hostile and honest videos, made with PyAV here (nothing binary is committed)."""
    from tests.advocacy.videos import make_video

    mp4 = make_video(metadata={"location": "+48.8584+002.2945/", "title": "Home sweet home"})
    webm = make_video(container="webm", codec="libvpx-vp9", audio="libopus")
    mov = make_video(container="mov", audio=None)
    png = Image.new("RGB", (32, 32), (200, 10, 10))
    png_bytes = io.BytesIO()
    png.save(png_bytes, "PNG")

    def f(label, data, expect, name="clip.mp4", content_type="video/mp4"):
        return GeneratedFile(kind=f"video {label}", name=name, data=data, content_type=content_type, expect=expect)

    files = [
        f("mp4 with GPS", mp4, "accept"),
        f("webm vp9/opus", webm, "accept", "clip.webm", "video/webm"),
        f("mov without sound", mov, "accept", "clip.mov", "video/quicktime"),
        f("mp4 named .txt", mp4, "accept", "notes.txt", "text/plain"),
        f("mp4 with a hostile name", mp4, "accept", "../../etc/passwd%00.mp4", "video/mp4"),
        f("zero-length", b"", "reject"),
        f("one byte", b"\x00", "reject"),
        f("truncated header", mp4[:64], "reject"),
        f("truncated half", mp4[: len(mp4) // 2], "reject"),
        f("truncated webm", webm[: len(webm) // 3], "reject", "clip.webm", "video/webm"),
        f("png named .mp4", png_bytes.getvalue(), "reject"),
        f("html named .mp4", b"<!doctype html><script>alert(1)</script>", "reject"),
        f("polyglot mp4 + html", mp4 + b"<html><script>alert(1)</script></html>", "reject"),
        f("polyglot html + mp4", b"<svg onload=alert(1)>" + mp4, "reject"),
        f("random bytes", bytes(range(256)) * 64, "reject"),
        f("too long", make_video(seconds=4, fps=5), "reject"),
        f("huge dimensions", make_video(size=(192, 48), audio=None), "reject"),
        f("over the size limit", mp4 + b"\x00" * (max_bytes - len(mp4) + 1), "reject"),
        f("ftyp then garbage", mp4[:32] + b"\xff" * 5000, "reject"),
    ]
    return files


@pytest.fixture
def video_endpoints(casey, alice, settings):
    from challenges.models import Entry
    from content_library.models import PostVideo
    from tests.challenges.conftest import GOOD_CAPTION, make_challenge

    settings.CONTENT_VIDEO_MAX_BYTES = 256 * 1024
    settings.CONTENT_VIDEO_MAX_SECONDS = 3
    settings.CONTENT_VIDEO_MAX_SIDE = 128
    settings.REDIS_URL = ""
    challenge = make_challenge(casey)
    return [
        Endpoint(
            "post video",
            "casey",
            settings.CONTENT_VIDEO_MAX_BYTES,
            "video",
            lambda: reverse("content_library:comms_post_video_set", kwargs={"pk": PostFactory(created_by=casey).pk}),
            lambda: {"video_description": "The team waves"},
            PostVideo.objects.count,
        ),
        Endpoint(
            "challenge entry video",
            "alice",
            settings.CONTENT_VIDEO_MAX_BYTES,
            "video",
            lambda: reverse("challenges:enter", kwargs={"slug": challenge.slug}),
            # A fresh network each time would run out; the cap on entries is not under test here.
            lambda: {"caption": GOOD_CAPTION, "network": "linkedin", "video_description": "Me, waving"},
            Entry.objects.count,
        ),
    ]


def _check_video(client, endpoint: Endpoint, file: GeneratedFile, media_root) -> str:
    before_files, before_rows = _names(media_root), endpoint.rows()
    body, content_type = multipart(endpoint.fields(), file, field_name=endpoint.field_name)
    response = client.post(endpoint.url(), data=body, content_type=content_type)
    new_files = _names(media_root) - before_files
    where = f"{endpoint.name} ← {file.label}"
    assert response.status_code in (302, 400), f"{where}: HTTP {response.status_code}"
    if response.status_code == 400:
        assert file.expect != "accept", f"{where}: a good video was refused: {response.content.decode()[-3000:]}"
        text = response.content.decode()
        assert any(message in text for message in VIDEO_MESSAGES), f"{where}: refused without a clear message"
        assert not new_files, f"{where}: refused but stored {new_files}"
        assert endpoint.rows() == before_rows, f"{where}: refused but a row was written"
        return "rejected"
    assert file.expect != "reject", f"{where}: accepted"
    assert endpoint.rows() == before_rows + 1
    assert len(new_files) == 2, f"{where}: stored {new_files}"  # the video and its poster
    for stored in new_files:
        basename = stored.rsplit("/", 1)[-1]
        assert OUR_VIDEO_NAME.match(basename), f"{where}: stored under {basename!r}"
        with open(stored, "rb") as handle:
            content = handle.read()
        assert content != file.data and b"Home sweet home" not in content, f"{where}: stored what came, or metadata"
    return "accepted"


@pytest.mark.parametrize("endpoint_index", [0, 1], ids=["post-video", "challenge-entry-video"])
def test_every_video_upload_survives_the_battery(client, video_endpoints, settings, endpoint_index, alice, casey):
    endpoint = video_endpoints[endpoint_index]
    files = video_battery_files(endpoint.max_bytes)
    client.force_login({"alice": alice, "casey": casey}[endpoint.user])
    if endpoint.name == "challenge entry video":
        settings.CHALLENGE_MAX_ENTRIES_PER_PERSON = 50
    outcomes = Counter(_check_video(client, endpoint, file, settings.MEDIA_ROOT) for file in files)
    assert outcomes["accepted"] == sum(1 for file in files if file.expect == "accept")
    assert outcomes["rejected"] == sum(1 for file in files if file.expect == "reject")
