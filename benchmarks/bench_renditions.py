"""Renditions: three network sizes plus a thumbnail, against one naive full-size resize.

The naive baseline decodes the whole original and resizes it once (to 1600×900,
the largest rendition) with LANCZOS, then encodes it. Our make_renditions makes
all four renditions from one shrunk decode (JPEG draft(), otherwise reduce()).
Both run side by side here on the same images; the ratio must stay at or below 1.
"""

import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw

from content_library.renditions import RENDITION_SAVE_OPTIONS, RENDITIONS, make_renditions

ROUNDS = 3


def _source(fmt: str, size: tuple[int, int]) -> bytes:
    image = Image.new("RGB", size, (40, 90, 160))
    draw = ImageDraw.Draw(image)
    for step in range(0, size[0], 97):
        draw.line((step, 0, size[0] - step, size[1]), fill=(step % 255, 200, 90), width=9)
        draw.ellipse((step, step % size[1], step + 300, step % size[1] + 200), outline=(250, 250, 250), width=5)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return buffer.getvalue()


def naive_resize(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image = image.convert("RGB")
        resized = image.resize(RENDITIONS["1600x900"], Image.Resampling.LANCZOS)
        output = io.BytesIO()
        resized.save(output, "JPEG", **RENDITION_SAVE_OPTIONS)
        return output.getvalue()


def _best_of(function, data: bytes) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        function(data)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    worst = 0.0
    print(f"{'source':<22}{'naive 1 resize':>16}{'our 4 renditions':>18}{'ratio':>8}")
    for fmt, size in (("JPEG", (6000, 4000)), ("PNG", (4000, 3000)), ("WEBP", (4000, 3000)), ("JPEG", (1600, 900))):
        data = _source(fmt, size)
        naive = _best_of(naive_resize, data)
        ours = _best_of(make_renditions, data)
        ratio = ours / naive
        worst = max(worst, ratio) if size[0] > 2000 else worst
        label = f"{fmt} {size[0]}×{size[1]}"
        print(f"{label:<22}{naive * 1000:>13.0f} ms{ours * 1000:>15.0f} ms{ratio:>8.2f}")
    print(f"worst ratio on large originals: {worst:.2f} (must be <= 1.00)")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
