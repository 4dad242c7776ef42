"""The comms post list's performance columns come from the per-post rollup and equal the raw shares."""

import re

import pytest
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from analytics.rollups import rollups_refresh
from content_library.selectors import post_list_for_comms
from sharing.models import Share

pytestmark = pytest.mark.django_db


def _raw_totals():
    return {
        row["post_id"]: (row["n"], row["c"])
        for row in Share.objects.order_by().values("post_id").annotate(n=Count("pk"), c=Sum("human_clicks"))
    }


def test_it_shows_each_posts_shares_and_human_clicks_as_the_raw_shares_count_them(program):
    raw = _raw_totals()
    listed = {post.pk: (post.share_count, post.human_click_count) for post in post_list_for_comms()}
    assert {pk: figures for pk, figures in listed.items() if pk in raw} == raw
    assert all(figures == (0, 0) for pk, figures in listed.items() if pk not in raw)


def test_it_sorts_by_shares_then_clicks_most_first(program):
    raw = _raw_totals()
    order = [post.pk for post in post_list_for_comms(sort="-shares") if post.pk in raw]
    assert order == sorted(raw, key=lambda pk: (-raw[pk][0], -raw[pk][1], -pk))
    order = [post.pk for post in post_list_for_comms(sort="clicks") if post.pk in raw]
    assert order == sorted(raw, key=lambda pk: (raw[pk][1], raw[pk][0], pk))


def test_a_new_share_shows_after_the_worker_runs(program, casey, client):
    # The first person of each team has not shared yet.
    post = program.posts[0]
    before = dict(_raw_totals())[post.pk]
    Share.objects.create(
        user=program.users[0], post=post, network="x", code="later01", human_clicks=3, last_shared_at=timezone.now()
    )
    rollups_refresh()
    client.force_login(casey)
    page = client.get(reverse("content_library:comms_post_list"), {"q": post.title}).content.decode()
    row = re.search(rf">{post.title}</a>.*?</tr>", page, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(\d+)</td>", row)  # cells carry data-label for the stacked phone view
    assert cells == [str(before[0] + 1), str(before[1] + 3)]
