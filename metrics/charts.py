"""A share's metric history as an inline SVG line chart, drawn on the server.

No JavaScript and no inline styles (the CSP forbids them): the template writes
the SVG elements from the coordinates computed here, and colours come from CSS
classes. Impressions are usually orders of magnitude larger than reactions, so
they stay in the table rather than flattening every other line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from advocacy.charts import ValueAxis, polyline

CHART_SERIES = (("likes", "Likes"), ("reposts", "Reposts"), ("replies", "Replies"), ("quotes", "Quotes"))
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    when: datetime


@dataclass
class Series:
    name: str
    label: str
    points: list[Point] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return polyline(self.points)

    @property
    def last(self) -> int | None:
        return self.points[-1].value if self.points else None


@dataclass
class Chart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str, str]]  # x, label, text-anchor (the ends stay inside the picture)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not any(series.points for series in self.series)


def history_chart(snapshots) -> Chart:
    """Lines for likes, reposts, replies and quotes over time; a metric the network never reports is left out."""
    snapshots = list(snapshots)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [getattr(s, name) for s in snapshots for name, _ in CHART_SERIES if getattr(s, name) is not None]
    axis = ValueAxis.fitting(values, plot_top=TOP, plot_height=plot_height)
    if snapshots:
        start, end = snapshots[0].slot, snapshots[-1].slot
    else:
        start = end = timezone.now()
    span = (end - start).total_seconds()

    def x_of(when: datetime) -> float:
        if span <= 0:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (when - start).total_seconds() / span

    series = []
    for name, label in CHART_SERIES:
        line = Series(name=name, label=label)
        for snapshot in snapshots:
            value = getattr(snapshot, name)
            if value is not None:
                line.points.append(Point(x_of(snapshot.slot), axis.y(value), value, snapshot.slot))
        if line.points:
            series.append(line)

    x_ticks = []
    if snapshots:
        local = timezone.localtime
        fmt = "%d %b %H:%M" if span < 3 * 86400 else "%d %b"
        if span > 0:
            middle = start + (end - start) / 2
            x_ticks = [
                (x_of(start), local(start).strftime(fmt), "start"),
                (x_of(middle), local(middle).strftime(fmt), "middle"),
                (x_of(end), local(end).strftime(fmt), "end"),
            ]
        else:
            x_ticks = [(x_of(start), local(start).strftime(fmt), "middle")]
    return Chart(width=WIDTH, height=HEIGHT, series=series, y_ticks=axis.ticks(), x_ticks=x_ticks)
