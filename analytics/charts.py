"""Bar and line charts for the dashboards, as coordinates the templates draw as inline SVG.

Same approach as metrics/charts.py, on the scales of advocacy/charts.py: the server
computes positions, templates write SVG elements, and CSS classes colour them, because the
CSP forbids inline styles and scripts. Nothing depends on colour alone: every bar carries
its value as a text label, line points are marked with different shapes per series, and
each chart has a table with the same numbers beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advocacy.charts import ValueAxis, nice_ceiling, polyline

WIDTH = 640
BAR_HEIGHT, BAR_GAP = 22, 8
LABEL_WIDTH, VALUE_WIDTH = 170, 60
LINE_HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    text_x: float  # where the value label goes, just after the bar


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    bars: list[Bar]

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bar_chart(rows, *, label: str, value: str) -> BarChart:
    """Horizontal bars, one per row (``row[label]``, ``row[value]``), longest first as given."""
    rows = list(rows)
    top = nice_ceiling(max((row[value] or 0 for row in rows), default=0))
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, row in enumerate(rows):
        amount = row[value] or 0
        width = plot * amount / top
        bars.append(
            Bar(
                label=str(row[label]),
                value=amount,
                y=index * (BAR_HEIGHT + BAR_GAP),
                width=width,
                text_x=LABEL_WIDTH + width + 6,
            )
        )
    height = max(len(rows) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return BarChart(width=WIDTH, height=height, label_width=LABEL_WIDTH, bar_height=BAR_HEIGHT, bars=bars)


@dataclass(frozen=True)
class LinePoint:
    x: float
    y: float
    value: int
    label: str


@dataclass
class LineSeries:
    name: str
    label: str
    marker: str  # "circle" or "square": told apart by shape as well as colour
    points: list[LinePoint] = field(default_factory=list)

    @property
    def polyline(self) -> str:
        return polyline(self.points)

    @property
    def last(self) -> LinePoint | None:
        return self.points[-1] if self.points else None


@dataclass
class LineChart:
    width: int
    height: int
    series: list[LineSeries]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str, str]]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT

    @property
    def empty(self) -> bool:
        return not any(point.value for line in self.series for point in line.points)


def line_chart(rows, *, x: str, series: list[tuple[str, str]], date_format: str = "%d %b") -> LineChart:
    """One line per (key, label) in ``series`` over ``rows`` evenly spaced in order (a filled time series)."""
    rows = list(rows)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, LINE_HEIGHT - TOP - BOTTOM
    axis = ValueAxis.fitting((row[key] for row in rows for key, _ in series), plot_top=TOP, plot_height=plot_height)

    def x_of(index: int) -> float:
        return LEFT + (plot_width * index / (len(rows) - 1) if len(rows) > 1 else plot_width / 2)

    lines = []
    for position, (key, label) in enumerate(series):
        line = LineSeries(name=key, label=label, marker=("circle", "square")[position % 2])
        for index, row in enumerate(rows):
            line.points.append(LinePoint(x_of(index), axis.y(row[key]), row[key], row[x].strftime(date_format)))
        lines.append(line)
    x_ticks = []
    if rows:
        ends = [(0, "start"), (len(rows) - 1, "end")] if len(rows) > 1 else [(0, "middle")]
        x_ticks = [(x_of(i), rows[i][x].strftime(date_format), anchor) for i, anchor in ends]
    return LineChart(width=WIDTH, height=LINE_HEIGHT, series=lines, y_ticks=axis.ticks(), x_ticks=x_ticks)
