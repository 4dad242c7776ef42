"""Small videos made with PyAV for the tests (nothing binary is committed)."""

import array
import io
import math
from fractions import Fraction

import av
from PIL import Image, ImageDraw


def make_video(
    *,
    container: str = "mp4",
    codec: str = "libx264",
    seconds: float = 1.0,
    size: tuple[int, int] = (64, 48),
    fps: int = 10,
    audio: str | None = "aac",
    metadata: dict | None = None,
) -> bytes:
    """A short clip of moving colour bars (and a tone), with container metadata when asked."""
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as target:
        for key, value in (metadata or {}).items():
            target.metadata[key] = value
        stream = target.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        sound = None
        if audio:
            sound = target.add_stream(audio, rate=48000)
            sound.layout = "stereo"
        frames = max(1, int(seconds * fps))
        for n in range(frames):
            picture = Image.new("RGB", size, ((n * 25) % 255, 40, 90))
            ImageDraw.Draw(picture).rectangle((0, 0, size[0] // 2, size[1]), fill=(20, 200, (n * 9) % 255))
            frame = av.VideoFrame.from_image(picture)
            frame.pts = n
            frame.time_base = Fraction(1, fps)
            for packet in stream.encode(frame):
                target.mux(packet)
        for packet in stream.encode(None):
            target.mux(packet)
        if sound is not None:
            samples_per_frame = sound.codec_context.frame_size or 960
            total = int(seconds * 48000)
            pts = 0
            while pts < total:
                tone = array.array(
                    "f", (0.2 * math.sin(2 * math.pi * 440 * (i + pts) / 48000) for i in range(samples_per_frame))
                ).tobytes()
                chunk = av.AudioFrame(format="fltp", layout="stereo", samples=samples_per_frame)
                for plane in chunk.planes:
                    plane.update(tone)
                chunk.sample_rate, chunk.pts = 48000, pts
                for packet in sound.encode(chunk):
                    target.mux(packet)
                pts += samples_per_frame
            for packet in sound.encode(None):
                target.mux(packet)
    return out.getvalue()
