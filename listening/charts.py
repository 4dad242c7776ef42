"""Mentions per day as columns, the part employees wrote drawn at the foot of each column.

Coordinates are computed here and the template writes the SVG (the CSP forbids inline
scripts and styles), on the shared scale of advocacy/charts.py. Each column carries its
numbers in a <title>, and the same numbers are in the table beside the chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from advocacy.charts import ValueAxis

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True)
class Column:
    x: float
    width: float
    y: float
    height: float
    employee_y: float
    employee_height: float
    label: str
    mentions: int
    by_employees: int


@dataclass
class ColumnChart:
    width: int
    height: int
    columns: list[Column]
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str, str]]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT

    @property
    def empty(self) -> bool:
        return not any(column.mentions for column in self.columns)


def mentions_chart(days, *, date_format: str = "%d %b") -> ColumnChart:
    """One column per day (``Day`` rows from selectors.mentions_by_day, oldest first)."""
    days = list(days)
    plot_height = HEIGHT - TOP - BOTTOM
    axis = ValueAxis.fitting((day.mentions for day in days), plot_top=TOP, plot_height=plot_height)
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bottom = TOP + plot_height
    columns = []
    for index, day in enumerate(days):
        y, employee_y = axis.y(day.mentions), axis.y(day.by_employees)
        columns.append(
            Column(
                x=LEFT + index * slot + slot * 0.15,
                width=slot * 0.7,
                y=y,
                height=bottom - y,
                employee_y=employee_y,
                employee_height=bottom - employee_y,
                label=day.day.strftime(date_format),
                mentions=day.mentions,
                by_employees=day.by_employees,
            )
        )
    x_ticks = []
    if columns:
        ends = [(0, "start"), (len(columns) - 1, "end")] if len(columns) > 1 else [(0, "middle")]
        x_ticks = [(columns[i].x + (columns[i].width if a == "end" else 0), columns[i].label, a) for i, a in ends]
    return ColumnChart(width=WIDTH, height=HEIGHT, columns=columns, y_ticks=axis.ticks(), x_ticks=x_ticks)
