"""Network-sized copies of post images, made from one decode.

Every rendition is a centre crop to the network's aspect ratio, scaled down (never
up). The source is decoded once, already shrunk: JPEG through ``draft()`` (the
decoder skips DCT detail we would throw away), other formats through one
``reduce()`` by the largest integer factor that still leaves every rendition
enough pixels. Each rendition is then a small resize from that shared copy, so
all of them together cost less than one naive full-size resize
(``benchmarks/bench_renditions.py`` measures it).
"""

import io
import math

from PIL import Image

# key -> (width, height). The keys are stored in PostImage.renditions.
RENDITIONS: dict[str, tuple[int, int]] = {
    "1200x627": (1200, 627),  # LinkedIn, Facebook, X and Threads link previews
    "1600x900": (1600, 900),  # large 16:9 (Mastodon, Bluesky)
    "1080x1080": (1080, 1080),  # square feeds
    "thumb": (480, 270),  # library cards
}
# The rendition each network shows in its post card (the share panel's preview uses it).
NETWORK_RENDITIONS: dict[str, str] = {
    "linkedin": "1200x627",
    "x": "1200x627",
    "facebook": "1200x627",
    "email": "1200x627",
    "mastodon": "1600x900",
    "bluesky": "1600x900",
    "threads": "1200x627",
}
# What each downloadable rendition is for, as the download buttons say it.
RENDITION_USES: dict[str, str] = {
    "1200x627": "LinkedIn / X / Facebook / Threads",
    "1600x900": "Mastodon / Bluesky",
    "1080x1080": "Square",
}
RENDITION_QUALITY = 85
RENDITION_SAVE_OPTIONS = {"quality": RENDITION_QUALITY}


def crop_box(width: int, height: int, target: tuple[int, int]) -> tuple[int, int, int, int]:
    """The centred box of a width×height image that has the target's aspect ratio."""
    target_ratio = target[0] / target[1]
    if width / height > target_ratio:
        crop_width = max(1, round(height * target_ratio))
        left = (width - crop_width) // 2
        return left, 0, left + crop_width, height
    crop_height = max(1, round(width / target_ratio))
    top = (height - crop_height) // 2
    return 0, top, width, top + crop_height


def rendition_size(width: int, height: int, target: tuple[int, int]) -> tuple[int, int]:
    """The size of the rendition of a width×height original: the target, or smaller if the original is."""
    left, top, right, bottom = crop_box(width, height, target)
    crop_width, crop_height = right - left, bottom - top
    scale = min(1.0, target[0] / crop_width)
    return max(1, round(crop_width * scale)), max(1, round(crop_height * scale))


def _shrink_factor(width: int, height: int, targets: dict[str, tuple[int, int]]) -> int:
    """The largest integer factor the whole source can shrink by before any rendition lacks pixels."""
    needed = 0.0
    for target in targets.values():
        left, _, right, _ = crop_box(width, height, target)
        needed = max(needed, rendition_size(width, height, target)[0] / (right - left))
    return max(1, math.floor(1 / needed)) if needed else 1


def make_renditions(
    data: bytes, *, targets: dict[str, tuple[int, int]] = RENDITIONS
) -> dict[str, tuple[bytes, int, int]]:
    """Return {key: (jpeg_bytes, width, height)} for each target, from an already cleaned image."""
    with Image.open(io.BytesIO(data)) as source:
        width, height = source.size
        factor = _shrink_factor(width, height, targets)
        if source.format == "JPEG" and factor > 1:
            # draft() picks the smallest DCT scale (1/2, 1/4, 1/8) at least this big.
            source.draft("RGB", (math.ceil(width / factor), math.ceil(height / factor)))
        source.load()
        base = source
        if source.format != "JPEG" and factor > 1:
            base = source.reduce(factor)
        if base.mode not in ("RGB", "L"):
            flattened = Image.new("RGB", base.size, (255, 255, 255))
            rgba = base.convert("RGBA")
            flattened.paste(rgba, mask=rgba.getchannel("A"))
            base = flattened
        elif base.mode == "L":
            base = base.convert("RGB")
        scale_x, scale_y = base.width / width, base.height / height
        made: dict[str, Image.Image] = {}
        results = {}
        # Largest first, so a smaller rendition with the same shape (the 16:9 thumbnail) is
        # made from a finished larger one instead of from the base again.
        for key, target in sorted(targets.items(), key=lambda item: -item[1][0] * item[1][1]):
            size = rendition_size(width, height, target)
            same_shape = [
                image
                for image in made.values()
                if image.width >= size[0]
                and image.height >= size[1]
                and abs(image.width / image.height - target[0] / target[1]) < 0.01
            ]
            if same_shape:
                resized = min(same_shape, key=lambda image: image.width).resize(size, Image.Resampling.LANCZOS)
            else:
                left, top, right, bottom = crop_box(width, height, target)
                box = (left * scale_x, top * scale_y, right * scale_x, bottom * scale_y)
                resized = base.resize(size, Image.Resampling.LANCZOS, box=box)
            made[key] = resized
            output = io.BytesIO()
            resized.save(output, "JPEG", **RENDITION_SAVE_OPTIONS)
            results[key] = (output.getvalue(), size[0], size[1])
        return {key: results[key] for key in targets}
