"""A figure a network does not report is "–" on the pages, an empty CSV cell and null in the API, never 0.

advocacy.networks.REPORTED_METRICS says what each network reports: LinkedIn no reposts or
impressions, Facebook and email nothing at all.
"""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.networks import REPORTED_METRICS, Network
from analytics import selectors
from analytics.rollups import rollups_refresh
from metrics.models import ShareMetrics
from metrics.providers.base import Provider
from sharing.models import Share
from tests.content_library.factories import PostFactory

pytestmark = pytest.mark.django_db


def _share(user, post, network, code, **metrics):
    share = Share.objects.create(
        user=user, post=post, network=network, code=code, caption="Hi", last_shared_at=timezone.now(), human_clicks=3
    )
    if metrics:
        ShareMetrics.objects.create(
            share=share, network=network, post_id=f"p{share.pk}", published_at=timezone.now(), **metrics
        )
    return share


@pytest.fixture
def mixed(alice, bob):
    post = PostFactory(title="Mixed networks")
    _share(alice, post, "linkedin", "mixlinked", likes=5, replies=1)  # LinkedIn reports likes and replies
    _share(bob, post, "facebook", "mixfacebk")
    _share(alice, post, "email", "mixemail0")
    _share(bob, post, "x", "mixxxxxxx", likes=2, reposts=0, replies=0, quotes=0, impressions=40)
    rollups_refresh()  # what the worker does within a minute
    return post


def _cells(html, table_id, label):
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group()
    # Cells carry data-label (the stacked phone layout) besides their class.
    row = re.search(rf"<tr>\s*<th[^>]* scope=\"row\">{label}</th>(.*?)</tr>", table, re.S).group(1)
    return re.findall(r'<td[^>]* class="num">(.*?)</td>', row)


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_every_provider_reports_what_the_table_says():
    for provider in Provider.__subclasses__():
        assert provider.reports == REPORTED_METRICS[provider.network], provider.network


def test_a_network_row_has_none_for_what_the_network_does_not_report(mixed):
    rows = {row["network"]: row for row in selectors.post_networks(post=mixed)}
    assert (rows["linkedin"]["likes"], rows["linkedin"]["replies"]) == (5, 1)
    assert rows["linkedin"]["reposts"] is None and rows["linkedin"]["impressions"] is None
    for network in ("facebook", "email"):
        assert [rows[network][m] for m in ("likes", "reposts", "replies", "impressions")] == [None] * 4
    assert rows["x"]["reposts"] == 0  # reported, and zero: a real 0
    totals = selectors.post_performance(post=mixed).totals
    assert (totals["likes"], totals["reposts"], totals["impressions"], totals["engagement"]) == (7, 0, 40, 8)


def test_a_stray_value_for_a_figure_the_network_does_not_report_is_left_out(alice):
    post = PostFactory()
    _share(alice, post, "linkedin", "straylink", likes=5, reposts=7, impressions=900)  # a hand edit, an old bug
    row = selectors.post_networks(post=post).get()
    assert (row["likes"], row["reposts"], row["impressions"], row["impressions_known"]) == (5, None, None, 0)


def test_totals_are_none_when_no_share_has_the_figure(alice):
    post = PostFactory()
    _share(alice, post, "email", "onlyemail")
    totals = selectors.post_performance(post=post).totals
    assert totals["likes"] is None and totals["engagement"] is None and totals["impressions"] is None
    assert totals["human_clicks"] == 3


def test_the_pages_show_a_dash_not_a_zero(client, casey, mixed):
    client.force_login(casey)
    html = client.get(reverse("analytics:post_performance", kwargs={"post_id": mixed.pk})).content.decode()
    # shares, human clicks, likes, reposts, replies, impressions
    assert _cells(html, "post-networks-table", "LinkedIn") == ["1", "3", "5", "–", "1", "–"]
    assert _cells(html, "post-networks-table", "Facebook") == ["1", "3", "–", "–", "–", "–"]
    assert _cells(html, "post-networks-table", "Email") == ["1", "3", "–", "–", "–", "–"]
    assert _cells(html, "post-networks-table", "X") == ["1", "3", "2", "0", "0", "40"]

    dashboard = client.get(reverse("analytics:comms_dashboard")).content.decode()
    assert _cells(dashboard, "networks-table", "LinkedIn") == ["1", "3", "5", "–", "1", "–"]
    assert _cells(dashboard, "networks-table", "Email") == ["1", "3", "–", "–", "–", "–"]


def test_the_dashboard_headline_says_dash_when_nothing_is_known(client, casey, alice):
    _share(alice, PostFactory(), "email", "onlyemail")
    rollups_refresh()
    client.force_login(casey)
    html = client.get(reverse("analytics:comms_dashboard")).content.decode()
    assert '<dd id="figure-engagement">–</dd>' in html
    assert '<dd id="figure-impressions">–</dd>' in html
    assert "– likes, – reposts, – replies" in html


def test_the_csv_exports_leave_the_cell_empty(client, casey, mixed):
    client.force_login(casey)
    rows = _csv(client.get(reverse("analytics:post_export", kwargs={"post_id": mixed.pk, "table": "networks"})))
    by_network = {row[0]: row[1:] for row in rows[1:]}
    assert by_network["LinkedIn"] == ["1", "3", "5", "", "1", ""]
    assert by_network["Email"] == ["1", "3", "", "", "", ""]
    assert by_network["X"] == ["1", "3", "2", "0", "0", "40"]
    networks = {row[0]: row[1:] for row in _csv(client.get(reverse("analytics:export", kwargs={"table": "networks"})))}
    assert networks["Facebook"] == ["1", "3", "", "", "", ""]
    shares = _csv(client.get(reverse("analytics:export", kwargs={"table": "shares"})))
    header, linkedin = shares[0], next(row for row in shares if row[2] == "LinkedIn")
    assert dict(zip(header, linkedin, strict=True))["Reposts"] == ""


def test_the_share_api_gives_null_for_what_the_network_does_not_report(client, alice, mixed):
    client.force_login(alice)
    shares = {s["network"]: s for s in client.get(reverse("sharing:api_share_list")).json()["results"]}
    assert shares["linkedin"]["metrics"] == {
        "likes": 5,
        "reposts": None,
        "replies": 1,
        "quotes": None,
        "impressions": None,
    }
    assert shares["email"]["metrics"] == dict.fromkeys(("likes", "reposts", "replies", "quotes", "impressions"))
    assert Network.EMAIL in REPORTED_METRICS and REPORTED_METRICS[Network.EMAIL] == ()
