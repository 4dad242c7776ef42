from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from metrics.charts import HEIGHT, LEFT, TOP, WIDTH, history_chart

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def snap(hours, likes=None, reposts=None, replies=None, quotes=None):
    return SimpleNamespace(
        slot=START + timedelta(hours=hours), likes=likes, reposts=reposts, replies=replies, quotes=quotes
    )


def test_lines_span_the_plot_and_scale_to_the_largest_value():
    chart = history_chart([snap(0, likes=0, reposts=0), snap(5, likes=10, reposts=5), snap(10, likes=20, reposts=5)])
    likes = next(s for s in chart.series if s.name == "likes")
    assert likes.points[0].x == LEFT and likes.points[-1].x == WIDTH - 16
    assert likes.points[-1].y == TOP
    assert likes.points[0].y == HEIGHT - 36
    assert [value for _, value in chart.y_ticks] == [0, 10, 20]
    assert len(chart.x_ticks) == 3


def test_metrics_the_network_never_reports_get_no_line():
    chart = history_chart([snap(0, likes=3), snap(1, likes=4)])
    assert [s.name for s in chart.series] == ["likes"]


def test_a_single_pull_is_a_centred_point_and_no_pull_is_empty():
    chart = history_chart([snap(0, likes=3)])
    assert chart.series[0].points[0].x == LEFT + (WIDTH - LEFT - 16) / 2
    assert history_chart([]).empty
