"""A person's points per day as an inline SVG bar chart, drawn on the server (the CSP forbids inline
scripts and styles: the template writes the elements, CSS classes colour them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from advocacy.charts import ValueAxis

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 12, 28
CHART_DAYS = 30


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    points: int


@dataclass
class DailyChart:
    bars: list[Bar]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str, str]]
    first: date
    last: date
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def empty(self) -> bool:
        return not any(bar.points for bar in self.bars)


def daily_points_chart(totals: dict[date, int], *, today: date, days: int = CHART_DAYS) -> DailyChart:
    """One bar per day for the last ``days`` days up to ``today``; a day that lost points (a void) draws no bar."""
    first = today - timedelta(days=days - 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    series = [(first + timedelta(days=offset), totals.get(first + timedelta(days=offset), 0)) for offset in range(days)]
    axis = ValueAxis.fitting([max(0, value) for _, value in series], plot_top=TOP, plot_height=plot_height)
    slot = plot_width / days
    bars = []
    for index, (day, value) in enumerate(series):
        shown = max(0, value)
        y = axis.y(shown)
        bars.append(Bar(LEFT + index * slot + slot * 0.15, y, slot * 0.7, TOP + plot_height - y, day, value))
    x_ticks = [
        (LEFT, first.strftime("%d %b"), "start"),
        (LEFT + plot_width / 2, (first + timedelta(days=days // 2)).strftime("%d %b"), "middle"),
        (LEFT + plot_width, today.strftime("%d %b"), "end"),
    ]
    return DailyChart(bars, axis.ticks(), x_ticks, first, today, sum(value for _, value in series))
