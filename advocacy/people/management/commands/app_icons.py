import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw

# Browsers ask an installable app for a 192 and a 512 pixel icon, and a "maskable" one whose
# shape the phone crops (a circle, a squircle): its mark stays inside the middle 80%.
ICONS = {"icon-192.png": (192, False), "icon-512.png": (512, False), "icon-maskable-512.png": (512, True)}
SUPERSAMPLE = 4


def _favicon_parts(svg: str) -> tuple[str, str, list[tuple[float, float]]]:
    """The favicon's background colour, mark colour and mark outline (its one path, as absolute points)."""
    background = re.search(r'<rect[^>]*fill="(#[0-9a-fA-F]{3,6})"', svg)
    path = re.search(r'<path d="([^"]+)" fill="(#[0-9a-fA-F]{3,6})"', svg)
    if not background or not path:
        raise CommandError("static/favicon.svg is not the rectangle-and-path shape this command draws.")
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command, numbers in re.findall(r"([MmLlHhVvZz])([^MmLlHhVvZz]*)", path.group(1)):
        values = [float(v) for v in re.findall(r"-?\d*\.?\d+", numbers)]
        relative = command.islower()
        kind = command.upper()
        if kind in ("M", "L"):
            for dx, dy in zip(values[::2], values[1::2], strict=True):
                x, y = (x + dx, y + dy) if relative else (dx, dy)
                points.append((x, y))
        elif kind == "H":
            for value in values:
                x = x + value if relative else value
                points.append((x, y))
        elif kind == "V":
            for value in values:
                y = y + value if relative else value
                points.append((x, y))
    return background.group(1), path.group(2), points


class Command(BaseCommand):
    help = "Draw the web app icons (static/icons/) from static/favicon.svg; run again after changing the favicon."

    def handle(self, *args, **options):
        static = Path(settings.BASE_DIR) / "static"
        background, ink, outline = _favicon_parts((static / "favicon.svg").read_text())
        for name, (size, maskable) in ICONS.items():
            big = size * SUPERSAMPLE
            image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
            draw = ImageDraw.Draw(image)
            if maskable:
                draw.rectangle((0, 0, big, big), fill=background)
                scale, offset = big * 0.6 / 32, big * 0.2
            else:
                draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 7 / 32, fill=background)
                scale, offset = big / 32, 0
            draw.polygon([(offset + px * scale, offset + py * scale) for px, py in outline], fill=ink)
            image.resize((size, size), Image.LANCZOS).save(static / "icons" / name, optimize=True)
            self.stdout.write(f"static/icons/{name}")
