"""WCAG 2.x contrast, for the one colour comms choose (the accent: white text on it, and it as text on white)."""

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG AA for normal-size text.
AA_NORMAL_TEXT = 4.5


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
