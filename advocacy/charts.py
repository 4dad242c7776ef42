"""Scales shared by the server-drawn SVG charts (metrics history, dashboards).

The server computes coordinates and templates write the SVG elements, because the
CSP forbids inline scripts and styles. Every chart measures values against a
"nice" ceiling so its ticks read as round numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10^n at or above ``value`` (at least 1), for readable ticks."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return int(math.ceil(step * magnitude))
    return int(10 * magnitude)


@dataclass(frozen=True)
class ValueAxis:
    """A vertical axis from 0 (at the bottom of the plot) up to a nice ceiling of the largest value."""

    top: int
    plot_top: float
    plot_height: float

    @classmethod
    def fitting(cls, values: Iterable[int], *, plot_top: float, plot_height: float) -> ValueAxis:
        return cls(top=nice_ceiling(max(values, default=0)), plot_top=plot_top, plot_height=plot_height)

    def y(self, value: int) -> float:
        return self.plot_top + self.plot_height * (1 - value / self.top)

    def ticks(self) -> list[tuple[float, int]]:
        """Zero, half-way and the ceiling, as (y, value)."""
        return [(self.y(value), value) for value in sorted({0, self.top // 2, self.top})]


def polyline(points) -> str:
    """SVG ``points`` for anything with ``x`` and ``y``."""
    return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in points)
