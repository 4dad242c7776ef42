"""An employee pastes someone else's post and sees "not yours"; their own is "verified" and earns points; HR sees both.

The network is a fake X API on loopback (tests/metrics/fake_networks.py); the pull runs
as the scheduled Celery task, eagerly, against it.
"""

import pytest
from django.utils import timezone

from leaderboard.tasks import scan_sources
from metrics.services import pulls_schedule
from sharing.links import tracked_link
from sharing.models import Share
from tests.conftest import login_in_browser
from tests.metrics.conftest import serving
from tests.metrics.fake_networks import FakeNetworks, FakePost
from tests.sharing.conftest import make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_x(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.REDIS_URL = ""
    with serving() as api:
        networks = FakeNetworks(api)
        networks.configure(settings)
        yield networks


def _paste(page, share, url):
    form = page.locator(f"#share-{share.pk} form")
    form.locator("input[name=url]").fill(url)
    form.get_by_role("button").click()
    page.wait_for_load_state()


def test_a_strangers_post_is_not_yours_your_own_is_verified_and_hr_sees_both(
    page, browser, live_server, fake_x, celery_eager, alice, harper
):
    alice.x_handle = "alice_archer"
    alice.save()
    now = timezone.now()
    stolen, honest = (
        Share.objects.create(
            user=alice, post=make_post(slug=slug, title=title), network="x", code=code, last_shared_at=now
        )
        for slug, title, code in [("stolen", "Stolen post", "Stolen123"), ("honest", "Honest post", "Honest123")]
    )
    strangers_url = fake_x.publish(
        FakePost("x", "1858462091736784915", "famous_person", "Big news", link=tracked_link(stolen.code), likes=134)
    )
    own_url = fake_x.publish(
        FakePost("x", "1858462091736784999", "alice_archer", "We shipped", link=tracked_link(honest.code), likes=12)
    )

    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/activity/")
    _paste(page, stolen, strangers_url)
    _paste(page, honest, own_url)
    assert page.locator(f"#share-{stolen.pk} [data-verification]").inner_text().startswith("Verifying")

    pulls_schedule()  # the beat job; its pull task runs at once (eager) against the fake X
    scan_sources()  # the leaderboard's minute scan awards what may be awarded
    page.reload()
    stolen_row, honest_row = page.locator(f"#share-{stolen.pk}"), page.locator(f"#share-{honest.pk}")
    assert "Not yours" in stolen_row.locator("[data-verification]").inner_text()
    assert "Only your own posts earn points" in stolen_row.inner_text()
    assert "134 likes" in stolen_row.inner_text()  # shown, labelled
    assert "not scored: not yours" in stolen_row.inner_text()
    assert "Verified" in honest_row.locator("[data-verification]").inner_text()
    assert "12 likes" in honest_row.inner_text() and "not scored" not in honest_row.inner_text()

    page.goto(f"{live_server.url}/leaderboard/me/")
    events = page.get_by_test_id("events").inner_text()
    assert "12 new likes on “Honest post”" in events
    assert "new likes on “Stolen post”" not in events

    hr = browser.new_context().new_page()
    login_in_browser(hr, live_server, "harper")
    hr.goto(f"{live_server.url}/leaderboard/review/")
    published = hr.get_by_test_id("published-posts")
    rows = published.locator("tbody tr")
    assert rows.count() == 2
    assert "Not yours" in published.locator('tr[data-verification="not_yours"]').inner_text()
    assert "Stolen post" in published.locator('tr[data-verification="not_yours"]').inner_text()
    assert "Honest post" in published.locator('tr[data-verification="verified"]').inner_text()
    hr.context.close()
