"""advocacy/video.py: what the probe accepts, what it refuses, and what it stores."""

import io

import av
import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from advocacy.video import clean_uploaded_video, transcode_to_mp4
from tests.content_library.factories import image_bytes

from .videos import make_video

LIMITS = {"max_bytes": 5 * 1024 * 1024, "max_seconds": 10, "max_pixels": 1920 * 1080, "max_side": 1920}


def _clean(data: bytes, **limits):
    return clean_uploaded_video(io.BytesIO(data), **{**LIMITS, **limits})


@pytest.mark.parametrize(
    ("options", "extension", "video_codec", "audio_codec", "needs_transcode"),
    [
        ({}, "mp4", "h264", "aac", False),
        ({"container": "mov"}, "mp4", "h264", "aac", False),
        ({"audio": None}, "mp4", "h264", "", False),
        ({"container": "webm", "codec": "libvpx-vp9", "audio": "libopus"}, "webm", "vp9", "opus", True),
        ({"container": "webm", "codec": "libvpx", "audio": None}, "webm", "vp8", "", True),
    ],
)
def test_it_accepts_short_videos_and_says_which_need_the_transcode(
    options, extension, video_codec, audio_codec, needs_transcode
):
    clean = _clean(make_video(**options))
    assert (clean.extension, clean.video_codec, clean.audio_codec) == (extension, video_codec, audio_codec)
    assert clean.needs_transcode is needs_transcode
    assert (clean.width, clean.height) == (64, 48)
    assert 0.9 <= clean.duration <= 1.1
    with Image.open(io.BytesIO(clean.poster)) as poster:
        assert poster.format == "JPEG" and poster.size == (64, 48)


def test_it_strips_metadata_and_keeps_the_pictures():
    data = make_video(metadata={"location": "+48.8584+002.2945/", "title": "Home sweet home"})
    assert b"Home sweet home" in data
    clean = _clean(data)
    assert b"Home sweet home" not in clean.content and b"+48.8584" not in clean.content
    with av.open(io.BytesIO(clean.content)) as stored:
        assert not {
            key
            for key in stored.metadata
            if key not in ("major_brand", "minor_version", "compatible_brands", "encoder")
        }
        assert sum(1 for _ in stored.decode(video=0)) == 10


def test_it_goes_by_the_bytes_not_the_name():
    # An MP4 called photo.png is a video; a PNG called clip.mp4 is not.
    upload = io.BytesIO(make_video())
    upload.name = "photo.png"
    assert clean_uploaded_video(upload, **LIMITS).extension == "mp4"
    with pytest.raises(ValidationError, match="MP4, MOV or WebM"):
        _clean(image_bytes("PNG", size=(64, 48)))


@pytest.mark.parametrize(
    ("make", "limits", "message"),
    [
        (lambda: b"", {}, "empty"),
        (lambda: make_video()[:200], {}, "damaged or incomplete"),
        (lambda: make_video()[: len(make_video()) // 2], {}, "damaged or incomplete"),
        (lambda: make_video(size=(160, 48)), {"max_side": 96}, "over the limit of 96 pixels"),
        (lambda: make_video(seconds=3), {"max_seconds": 2}, "over the limit of 2"),
        (lambda: make_video(), {"max_bytes": 1000}, "larger than"),
        (lambda: make_video() + b"<html><script>alert(1)</script></html>", {}, "contains markup"),
        (lambda: b"<!doctype html><video>" + make_video(), {}, "contains markup"),
        (lambda: b"\x00" * 4096, {}, "MP4, MOV or WebM"),
        (lambda: image_bytes("GIF", size=(32, 32)), {}, "MP4, MOV or WebM"),
    ],
    ids=[
        "zero-length",
        "truncated-header",
        "truncated-half",
        "huge-dimensions",
        "too-long",
        "too-big",
        "polyglot-tail",
        "polyglot-head",
        "zeros",
        "gif",
    ],  # fmt: skip
)
def test_it_refuses_hostile_files_with_a_clear_message(make, limits, message):
    with pytest.raises(ValidationError, match=message):
        _clean(make(), **limits)


def test_audio_alone_is_not_a_video():
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as target:
        target.add_stream("aac", rate=48000)
    with pytest.raises(ValidationError):
        _clean(out.getvalue() or b"\x00")


def test_the_transcode_makes_h264_aac_mp4():
    webm = _clean(make_video(container="webm", codec="libvpx-vp9", audio="libopus", size=(66, 50)))
    content, width, height, _seconds = transcode_to_mp4(webm.content)
    mp4 = _clean(content)
    assert (mp4.extension, mp4.video_codec, mp4.audio_codec, mp4.needs_transcode) == ("mp4", "h264", "aac", False)
    assert (width, height) == (66, 50)


def test_the_transcode_scales_down_to_the_limit_with_even_sides():
    webm = _clean(make_video(container="webm", codec="libvpx", audio=None, size=(200, 100)))
    _content, width, height, _seconds = transcode_to_mp4(webm.content, max_side=101)
    assert (width, height) == (100, 50)
