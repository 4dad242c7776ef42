from types import SimpleNamespace

import pytest

from advocacy.charts import ValueAxis, nice_ceiling, polyline


@pytest.mark.parametrize(("value", "ceiling"), [(0, 1), (1, 1), (3, 5), (7, 10), (18, 20), (24, 25), (101, 200)])
def test_the_scale_ends_on_a_readable_number(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_the_axis_puts_zero_at_the_bottom_and_the_ceiling_at_the_top_of_the_plot():
    axis = ValueAxis.fitting([3, 18, 7], plot_top=10, plot_height=200)
    assert axis.top == 20
    assert axis.y(0) == 210 and axis.y(20) == 10 and axis.y(10) == 110
    assert axis.ticks() == [(210, 0), (110, 10), (10, 20)]


def test_an_axis_over_nothing_still_has_a_ceiling_and_no_repeated_tick():
    axis = ValueAxis.fitting([], plot_top=0, plot_height=100)
    assert axis.top == 1
    assert axis.ticks() == [(100, 0), (0, 1)]


def test_polyline_writes_svg_points_with_one_decimal():
    points = [SimpleNamespace(x=1, y=2.25), SimpleNamespace(x=3.06, y=4)]
    assert polyline(points) == "1.0,2.2 3.1,4.0"
