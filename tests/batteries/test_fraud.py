"""Fraud battery (issue 14): scripted click attacks on tracked links, and what they earn.

Each scenario prints one line, "fraud: <attack>: tried N, counted C, expected E", and asserts
counted == expected. The click scenarios run twice: clicks written straight to the database
(the embedded setup, or Redis down) and through a private redis-server (persistence on) and
the drain. BATTERY_FULL=1 runs larger attacks. Pasting someone else's post is in
test_fraud_posts.py.
"""

import os
import uuid
from collections import Counter

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from content_library.models import Post
from content_library.services import post_transition
from sharing import clickstream
from sharing.models import Click
from sharing.services import clicks_drain
from sharing.visitors import SHARER_COOKIE, set_sharer_cookie
from tests.sharing.conftest import HUMAN_UA, make_post, make_share
from tests.sharing.user_agents import LINK_PREVIEW_USER_AGENTS

pytestmark = pytest.mark.django_db

FULL = os.environ.get("BATTERY_FULL") == "1"
ROTATIONS = 500 if FULL else 50
VISITORS = 2000 if FULL else 200
REPLAYS = 200 if FULL else 20
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.{p}.0 Safari/537.36"
)


def _report(attack: str, *, tried: int, counted: int, expected: int) -> None:
    print(f"\nfraud: {attack}: tried {tried}, counted {counted}, expected {expected}")
    assert counted == expected, f"{attack}: counted {counted}, expected {expected}"


@pytest.fixture(params=["database", "redis"])
def through(request, settings):
    settings.REDIS_URL = ""
    if request.param == "redis":
        settings.REDIS_URL = request.getfixturevalue("faults_redis").url()
    clickstream.reset_state()
    yield request.param
    clickstream.reset_state()


@pytest.fixture
def link(alice, casey):
    return make_share(user=alice, post=make_post(slug="fraud", created_by=casey), code="Fraud0001")


def _counted(share) -> int:
    clicks_drain()
    share.refresh_from_db()
    assert share.human_clicks == Click.objects.filter(share=share, kind="human").count()
    return share.human_clicks


def _visitor_address(n: int) -> str:
    return f"198.51.{100 + n // 250}.{n % 250 + 1}"


def test_rotating_user_agents_from_one_address(through, link, client, harper):
    statuses = Counter()
    for n in range(ROTATIONS):
        ua = CHROME.format(v=90 + n % 40, p=n)
        statuses[client.get(f"/s/{link.code}", HTTP_USER_AGENT=ua, REMOTE_ADDR="203.0.113.99").status_code] += 1
    assert set(statuses) <= {302, 429}
    expected = django_settings.SHARE_CLICKS_PER_ADDRESS
    _report(
        f"{ROTATIONS} user agents from one address ({through})",
        tried=ROTATIONS,
        counted=_counted(link),
        expected=expected,
    )
    # HR sees why in words.
    hr = Client()
    hr.force_login(harper)
    page = hr.get(reverse("leaderboard:review_person", args=[link.user_id])).content.decode()
    assert "different browsers from one address clicked this link" in page


def test_replaying_one_click_with_and_without_cookies(through, link, alice):
    bare = Client()
    for _ in range(REPLAYS):
        bare.get(f"/s/{link.code}", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR="192.0.2.10")
    for n in range(REPLAYS):
        fresh = Client()  # a new cookie jar each time, with a made-up cookie
        fresh.cookies["sessionid"] = uuid.uuid4().hex
        fresh.cookies[SHARER_COOKIE] = f"{n}:forged"
        fresh.get(f"/s/{link.code}", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR="192.0.2.11")
    sharer = Client()
    out = HttpResponse()
    set_sharer_cookie(sharer.get("/healthz").wsgi_request, out, user_id=alice.pk)
    sharer.cookies[SHARER_COOKIE] = out.cookies[SHARER_COOKIE].value
    for _ in range(REPLAYS):
        sharer.get(f"/s/{link.code}", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR="192.0.2.12")
    _report(
        f"replays without cookies, with forged cookies, with the sharer's own cookie ({through})",
        tried=3 * REPLAYS,
        counted=_counted(link),
        expected=2,
    )
    kinds = Counter(Click.objects.filter(share=link).values_list("kind", flat=True))
    # Past SHARE_REDIRECT_RATE_LIMIT a minute one browser gets 429s, which are not recorded.
    assert kinds["self"] == min(REPLAYS, django_settings.SHARE_REDIRECT_RATE_LIMIT)


def test_link_preview_fetchers(through, link, client):
    assert len(LINK_PREVIEW_USER_AGENTS) >= 40
    for n, ua in enumerate(LINK_PREVIEW_USER_AGENTS):
        response = client.get(f"/s/{link.code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=_visitor_address(n))
        assert response.status_code == 302, ua  # previews still work
    _report(
        f"{len(LINK_PREVIEW_USER_AGENTS)} real link-preview fetchers ({through})",
        tried=len(LINK_PREVIEW_USER_AGENTS),
        counted=_counted(link),
        expected=0,
    )


def test_clicks_on_an_archived_post(through, link, client, casey, django_capture_on_commit_callbacks):
    assert client.get(f"/s/{link.code}", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR="192.0.2.20").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        post_transition(post=link.post, to_status=Post.Status.ARCHIVED, actor=casey)
    statuses = Counter(
        client.get(f"/s/{link.code}", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR=_visitor_address(n)).status_code
        for n in range(REPLAYS)
    )
    assert statuses == {410: REPLAYS}
    _report(
        f"clicks after the post was archived ({through})",
        tried=REPLAYS,
        counted=_counted(link) - 1,
        expected=0,
    )


def test_a_redis_restart_between_two_visits_of_the_same_visitors(settings, faults_redis, link, client):
    """Half the first visits go through Redis, half straight to the database while it is down; then all come back."""
    settings.REDIS_URL = faults_redis.url()
    clickstream.reset_state()

    def visit(n):
        response = client.get(f"/s/{link.code}", HTTP_USER_AGENT=HUMAN_UA, REMOTE_ADDR=_visitor_address(n))
        assert response.status_code == 302

    try:
        for n in range(VISITORS // 2):
            visit(n)
        faults_redis.kill()
        for n in range(VISITORS // 2, VISITORS):
            visit(n)
        faults_redis.start()
        clickstream.reset_state()  # the back-off after the failure is over
        for n in range(VISITORS):
            visit(n)
        counted = _counted(link)
    finally:
        clickstream.reset_state()
    kinds = Counter(Click.objects.filter(share=link).values_list("kind", flat=True))
    assert kinds == {"human": VISITORS, "duplicate": VISITORS}
    _report(
        f"{VISITORS} visitors twice, Redis restarted in between (persistence on)",
        tried=2 * VISITORS,
        counted=counted,
        expected=VISITORS,
    )
