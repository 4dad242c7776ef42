"""Untrusted video uploads: probe with PyAV (FFmpeg's libraries, bundled in its wheels), never by name.

An upload is accepted only if FFmpeg's demuxer recognises the bytes themselves as MP4/MOV or WebM,
it has one video stream (and at most one audio stream) in a codec we accept, its picture and length
are within the limits, every packet can be read to the end, and its first frame decodes. What is
stored is a fresh container holding the same packets (a remux: no metadata, no trailing bytes, under
a name we choose), and a JPEG poster made by Pillow from the first frame. Anything but H.264/AAC in
MP4 is transcoded to that in the background (transcode_to_mp4), so every browser can play it.
"""

import io
import logging
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

logger = logging.getLogger(__name__)

# FFmpeg's demuxer names for the containers we take: what the bytes are, whatever the name says.
CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "webm"}
VIDEO_CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"}
AUDIO_CODECS = {"aac", "opus", "vorbis", "mp3"}
# Codecs each output container can carry as they are (a remux); others need the transcode.
REMUXABLE = {
    "mp4": ({"h264", "hevc", "av1", "mpeg4"}, {"aac", "mp3", "opus"}),
    "webm": ({"vp8", "vp9", "av1"}, {"opus", "vorbis"}),
}
CONTENT_TYPES = {"mp4": "video/mp4", "webm": "video/webm"}
_SUSPICIOUS_MARKERS = (b"<script", b"<html", b"<svg", b"<?php", b"<!doctype", b"<iframe", b"javascript:")
POSTER_MAX_SIDE = 1280


@dataclass(frozen=True)
class CleanVideo:
    content: bytes
    extension: str
    width: int
    height: int
    duration: float
    video_codec: str
    audio_codec: str
    poster: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]

    @property
    def needs_transcode(self) -> bool:
        """Not yet H.264 (with AAC or no sound) in MP4, the one form every browser and network plays."""
        return not (self.extension == "mp4" and self.video_codec == "h264" and self.audio_codec in ("aac", ""))

    def as_django_file(self, *, stem: str | None = None) -> ContentFile:
        return ContentFile(self.content, name=f"{stem or uuid.uuid4().hex}.{self.extension}")

    def poster_file(self, *, stem: str | None = None) -> ContentFile:
        return ContentFile(self.poster, name=f"{stem or uuid.uuid4().hex}.jpg")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _read_limited(upload, max_bytes: int) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _refuse(
            f"The video is larger than {max(max_bytes // (1024 * 1024), 1)} MB; please upload a shorter one.",
            "too_large",
        )
    if not data:
        raise _refuse("The file is empty.", "empty")
    return data


def _seconds(value, time_base) -> float:
    return float(value * time_base) if value is not None and time_base is not None else 0.0


def clean_uploaded_video(
    upload, *, max_bytes: int, max_seconds: float, max_pixels: int, max_side: int = 4096
) -> CleanVideo:
    """Probe, check and remux an uploaded video; raises ValidationError saying what is wrong (stores nothing)."""
    data = _read_limited(upload, max_bytes)
    edges = data[:4096].lower() + data[-4096:].lower()
    if any(marker in edges for marker in _SUSPICIOUS_MARKERS) or data.lstrip()[:1] == b"<":
        raise _refuse("This file is not a plain video (it contains markup).", "polyglot")
    try:
        return _probe_and_remux(data, max_seconds=max_seconds, max_pixels=max_pixels, max_side=max_side)
    except ValidationError:
        raise
    except (av.FFmpegError, ValueError, OverflowError, ZeroDivisionError, IndexError, KeyError, MemoryError) as exc:
        logger.info("Refused a video FFmpeg could not read: %r", exc)
        raise _refuse(
            "This is not a video we can read, or it is damaged or incomplete (MP4, MOV or WebM).", "unreadable"
        ) from None


def _probe_and_remux(data: bytes, *, max_seconds: float, max_pixels: int, max_side: int) -> CleanVideo:
    with av.open(io.BytesIO(data), mode="r", metadata_errors="ignore") as source:
        extension = CONTAINERS.get(source.format.name)
        if extension is None:
            raise _refuse("Videos must be MP4, MOV or WebM.", "format")
        videos, audios = list(source.streams.video), list(source.streams.audio)
        if len(videos) != 1 or len(audios) > 1:
            raise _refuse("A video needs exactly one picture track and at most one sound track.", "streams")
        video = videos[0]
        audio = audios[0] if audios else None
        video_codec = video.codec_context.name
        audio_codec = audio.codec_context.name if audio is not None else ""
        if video_codec not in VIDEO_CODECS or (audio is not None and audio_codec not in AUDIO_CODECS):
            raise _refuse("This video's encoding is not one we accept (H.264, HEVC, VP8, VP9 or AV1).", "codec")
        width, height = video.codec_context.width, video.codec_context.height
        if width <= 0 or height <= 0:
            raise _refuse("This video has no picture size; it is damaged or incomplete.", "unreadable")
        if width > max_side or height > max_side or width * height > max_pixels:
            raise _refuse(f"The video is {width}×{height}, over the limit of {max_side} pixels a side.", "too_big")
        declared = source.duration / av.time_base if source.duration else 0.0
        if declared > max_seconds:
            raise _refuse(f"The video is {declared:.0f} seconds long, over the limit of {max_seconds:.0f}.", "too_long")
        poster = _first_frame_poster(source, video)
        source.seek(0)
        content, duration = _remux(source, video, audio, extension, max_seconds=max_seconds)
    if duration <= 0:
        raise _refuse("This video has no playable frames; it is damaged or incomplete.", "unreadable")
    if declared and duration < declared - max(0.25, declared * 0.05):
        # The header promises more than the packets hold: the file was cut short.
        raise _refuse(
            f"This video stops at {duration:.1f} of its {declared:.1f} seconds; it is damaged or incomplete.",
            "truncated",
        )
    return CleanVideo(
        content=content,
        extension=extension,
        width=width,
        height=height,
        duration=round(duration, 3),
        video_codec=video_codec,
        audio_codec=audio_codec,
        poster=poster,
    )


def _first_frame_poster(source, video) -> bytes:
    for frame in source.decode(video):
        image = frame.to_image()
        image.thumbnail((POSTER_MAX_SIDE, POSTER_MAX_SIDE), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
        return buffer.getvalue()
    raise _refuse("This video has no picture we can show; it is damaged or incomplete.", "unreadable")


@contextmanager
def _output(extension: str):
    """An output container in a temporary file (MP4's faststart rewrites the file, which a BytesIO cannot take)."""
    with tempfile.TemporaryDirectory(prefix="video-") as folder:
        path = Path(folder) / f"out.{extension}"
        options = {"movflags": "+faststart"} if extension == "mp4" else {}
        holder: dict = {}
        with av.open(str(path), mode="w", format=extension, options=options) as target:
            yield target, holder
        holder["bytes"] = path.read_bytes()


def _remux(source, video, audio, extension: str, *, max_seconds: float) -> tuple[bytes, float]:
    """Copy every packet into a new container of our own (no metadata); returns it and the real length in seconds."""
    end = 0.0
    with _output(extension) as (target, holder):
        mapping = {video.index: target.add_stream_from_template(video)}
        if audio is not None:
            mapping[audio.index] = target.add_stream_from_template(audio)
        for stream in mapping.values():
            for key in list(stream.metadata):
                del stream.metadata[key]  # a template copies the stream's tags (language, handler, sometimes more)
        for packet in source.demux(*(s for s in (video, audio) if s is not None)):
            if packet.dts is None and packet.pts is None:
                continue  # the flush packet at the end of each stream
            moment = _seconds(
                (packet.pts if packet.pts is not None else packet.dts) + (packet.duration or 0), packet.time_base
            )
            if moment > max_seconds + 1:
                raise _refuse(f"The video is longer than the limit of {max_seconds:.0f} seconds.", "too_long")
            end = max(end, moment)
            packet.stream = mapping[packet.stream.index]
            target.mux(packet)
    return holder["bytes"], end


def transcode_to_mp4(data: bytes, *, max_side: int = 1920) -> tuple[bytes, int, int, float]:
    """Decode every frame and encode H.264 (yuv420p) with AAC sound in MP4; returns (bytes, width, height, seconds)."""
    with av.open(io.BytesIO(data), mode="r") as source, _output("mp4") as (target, holder):
        video = source.streams.video[0]
        audio = source.streams.audio[0] if source.streams.audio else None
        width, height = video.codec_context.width, video.codec_context.height
        scale = min(1.0, max_side / max(width, height))
        # H.264 with 4:2:0 chroma needs even sides.
        width, height = max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)
        rate = video.average_rate or Fraction(30, 1)
        if rate > 60:
            rate = Fraction(60, 1)
        encoder = target.add_stream("libx264", rate=rate)
        encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
        encoder.options = {"preset": "veryfast", "crf": "23"}
        sound = target.add_stream("aac", rate=48000) if audio is not None else None
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000) if sound is not None else None
        streams = [s for s in (video, audio) if s is not None]
        last = 0.0
        for packet in source.demux(*streams):
            for frame in packet.decode():
                if packet.stream.type == "video":
                    last = max(last, _seconds(frame.pts, frame.time_base) if frame.pts is not None else last)
                    picture = frame.reformat(width=width, height=height, format="yuv420p")
                    picture.pts = None
                    for out_packet in encoder.encode(picture):
                        target.mux(out_packet)
                elif sound is not None:
                    for chunk in resampler.resample(frame):
                        chunk.pts = None
                        for out_packet in sound.encode(chunk):
                            target.mux(out_packet)
        for out_packet in encoder.encode(None):
            target.mux(out_packet)
        if sound is not None:
            for out_packet in sound.encode(None):
                target.mux(out_packet)
    return holder["bytes"], width, height, last
