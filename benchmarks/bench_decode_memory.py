"""Peak memory of one image upload's decode, for the worst images each upload accepts.

Every case runs in a fresh subprocess: it reads the file, notes its peak RSS, runs
``clean_uploaded_image`` with the limits of that upload, and prints how far the
peak RSS rose above the RSS just before the call (the kernel's ``VmHWM``, reset through
``/proc/self/clear_refs``; not Python's own allocation count, and not ``ru_maxrss``, which
a child inherits from its parent across fork and exec). Linux only. The cases are
the largest images the limits let through, in every mode that costs differently (RGB,
RGBA, palette, greyscale, EXIF-rotated JPEG, a camera JPEG decoded at reduced scale),
plus the 36-megapixel PNG of issue 16. Exits non-zero if any accepted upload adds more
than 150 MB.

    .venv/bin/python benchmarks/bench_decode_memory.py
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT_MB = 150.0

CHILD = r"""
import io, json, sys
import django
django.setup()
from django.conf import settings
from django.core.exceptions import ValidationError
from advocacy.imaging import clean_uploaded_image, employee_decode_budget
from PIL import Image

def status_kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])


case = json.loads(sys.argv[1])
data = open(case["path"], "rb").read()
upload = io.BytesIO(data)
# Reset the peak to the current RSS, so the high-water mark that follows is this decode's alone.
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = status_kb("VmRSS")
budget = employee_decode_budget() if case["audience"] == "employee" else None
try:
    clean = clean_uploaded_image(upload, max_bytes=50 * 1024 * 1024, max_pixels=settings.CONTENT_IMAGE_MAX_PIXELS,
                                 max_decode_bytes=budget)
    outcome = f"accepted {clean.width}x{clean.height}"
except ValidationError as error:
    outcome = "refused: " + error.messages[0][:70]
after = status_kb("VmHWM")
print(json.dumps({"added_mb": (after - before) / 1024, "outcome": outcome}))
"""


def _largest(budget_bytes: int, per_pixel: int, aspect=(4, 3)) -> tuple[int, int]:
    """The largest width × height of this aspect whose estimated cost fits the budget."""
    import math

    unit = math.isqrt(budget_bytes // (per_pixel * aspect[0] * aspect[1]))
    return unit * aspect[0], unit * aspect[1]


def build_cases(folder: Path) -> list[dict]:
    from django.conf import settings
    from PIL import Image

    from advocacy.imaging import comms_decode_budget, decode_cost, employee_decode_budget

    cases = []

    def add(name, audience, image, fmt, rotated=False, **save):
        path = folder / f"{name}.{fmt.lower()}"
        image.save(path, fmt, **save)
        cases.append({"name": name, "audience": audience, "path": str(path), "size": "x".join(map(str, image.size))})
        image.close()

    def largest(budget, mode, fmt, rotated=False):
        return _largest(budget, decode_cost(width=1, height=1, mode=mode, image_format=fmt, rotated=rotated))

    # Where the limits allow, the largest image of each kind that still fits; WebP stops at 16383 px a side.
    for audience, budget in (("comms", comms_decode_budget()), ("employee", employee_decode_budget())):
        add(f"{audience}-rgb-png", audience, Image.new("RGB", largest(budget, "RGB", "PNG"), (40, 90, 160)), "PNG")
        rgba = Image.new("RGBA", largest(budget, "RGBA", "PNG"), (40, 90, 160, 128))
        add(f"{audience}-rgba-png", audience, rgba, "PNG")
        add(f"{audience}-rgb-webp", audience, Image.new("RGB", largest(budget, "RGB", "WEBP"), (40, 90, 160)), "WEBP")
        palette = Image.new("RGB", largest(budget, "P", "PNG"), (200, 30, 30)).quantize(8)
        add(f"{audience}-palette-png", audience, palette, "PNG")
        add(f"{audience}-grey-png", audience, Image.new("L", largest(budget, "L", "PNG"), 128), "PNG")
        add(f"{audience}-rgb-jpeg", audience, Image.new("RGB", largest(budget, "RGB", "JPEG"), (10, 120, 60)), "JPEG")
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90°: the transpose needs a second buffer
        rotated = Image.new("RGB", largest(budget, "RGB", "JPEG", rotated=True), (10, 120, 60))
        add(f"{audience}-rotated-jpeg", audience, rotated, "JPEG", exif=exif)
        add(f"{audience}-camera-jpeg-36mp", audience, Image.new("RGB", (6928, 5196), (90, 90, 90)), "JPEG")
    add("issue16-png-36mp", "comms", Image.new("RGB", (6000, 6000), (255, 255, 255)), "PNG")
    add("issue16-png-36mp-employee", "employee", Image.new("RGB", (6000, 6000), (255, 255, 255)), "PNG")
    assert settings.CONTENT_IMAGE_MAX_PIXELS >= 36_000_000
    return cases


def main() -> int:
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advocacy.settings.test")
    import django

    django.setup()
    from django.conf import settings

    print(
        f"decode budgets: comms {settings.CONTENT_IMAGE_MAX_DECODE_MB} MB, "
        f"employee {settings.EMPLOYEE_IMAGE_MAX_DECODE_MB} MB; limit {LIMIT_MB:.0f} MB added peak RSS"
    )
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for case in build_cases(Path(folder)):
            size_kb = Path(case["path"]).stat().st_size / 1024
            result = subprocess.run(
                [sys.executable, "-c", CHILD, json.dumps(case)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                check=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            accepted = figures["outcome"].startswith("accepted")
            if accepted:
                worst = max(worst, figures["added_mb"])
            print(
                f"{case['name']:<30} {case['size']:>11} {size_kb:>8.0f} KB  +{figures['added_mb']:>6.1f} MB  "
                f"{figures['outcome']}"
            )
    verdict = "PASS" if worst <= LIMIT_MB else "FAIL"
    print(f"worst accepted upload: +{worst:.1f} MB peak RSS (limit {LIMIT_MB:.0f} MB): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
