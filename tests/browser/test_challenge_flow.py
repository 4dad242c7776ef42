"""Issue 26's "Done when", clicked through: a challenge, an employee's own post with a short video,
its tracked link and board, promotion into the library with consent, and the mention monitor.

The networks are a fake Bluesky AppView and a fake Mastodon instance on loopback
(tests/listening/fake_networks.py, the documented formats); the monitor's collection runs as
the beat job's Celery tasks, eagerly, against them. The video is made with PyAV in the test.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import Entry
from listening.tasks import queue_collections
from sharing import clickstream
from sharing.links import tracked_link
from tests.advocacy.videos import make_video
from tests.conftest import login_in_browser, nav_link, page_shows
from tests.listening.fake_networks import FakeListening
from tests.metrics.conftest import serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HASHTAG = "#FlowWeek"
ALICE_ON_BLUESKY = "alice-archer.bsky.social"


@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url
    settings.REDIS_URL = ""  # clicks and tracked links in the database
    clickstream.reset_state()
    with serving() as api:
        networks = FakeListening(api)
        networks.configure(settings, instances=("mastodon.example",))
        yield networks
    clickstream.reset_state()


def _no_traffic_off_the_machine(context, live_server_url):
    context.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(live_server_url) else route.abort()
    )


def _signed_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    _no_traffic_off_the_machine(context, live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login_in_browser(page, live_server, username)
    return page


def test_a_challenge_from_opening_to_the_library_and_the_monitor_hears_it(
    browser, live_server, site, celery_eager, alice, bob, casey
):
    today = timezone.localdate()

    # Comms open a challenge.
    comms = _signed_in(browser, live_server, "casey")
    comms.goto(f"{live_server.url}/")
    nav_link(comms, "Challenges admin").click()
    comms.get_by_label("Title").fill("Flow week")
    comms.get_by_label("Prompt").fill("Show us how you get into flow.")
    comms.get_by_label("Hashtag").fill(HASHTAG)
    comms.get_by_label("Starts on").fill((today - timedelta(days=1)).isoformat())
    comms.get_by_label("Ends on").fill((today + timedelta(days=6)).isoformat())
    comms.get_by_role("button", name="Create challenge").click()
    comms.get_by_role("button", name="Open for entries").click()
    assert "open for entries" in comms.locator(".messages, [role=status], body").first.inner_text()

    # An employee enters with their own words and a short video, and lands on the share hand-off.
    employee = _signed_in(browser, live_server, "alice")
    employee.goto(f"{live_server.url}/")
    nav_link(employee, "Challenges").click()
    employee.get_by_role("link", name="Flow week").first.click()
    employee.get_by_role("textbox", name="Your post").fill(f"Headphones on, notifications off. {HASHTAG} #employee")
    employee.get_by_label("Share it on").select_option("bluesky")
    employee.locator("input[name=video]").set_input_files(
        files=[{"name": "flow.mp4", "mimeType": "video/mp4", "buffer": make_video(seconds=1.0)}]
    )
    employee.get_by_label("What happens in the video").fill("Me putting headphones on at my desk")
    employee.get_by_role("button", name="Post and share").click()
    employee.wait_for_url("**/shares/*/open/")
    entry = Entry.objects.select_related("share", "post__video").get()
    link = tracked_link(entry.share.code)
    assert link in employee.locator("code").all_inner_texts()
    assert entry.post.video.poster.name.endswith(".jpg")

    # She publishes it on Bluesky with the tracked link and pastes the post back.
    site.skeet(
        handle=ALICE_ON_BLUESKY, name="Alice Archer", text=f"Headphones on. {HASHTAG} {link}", when=timezone.now()
    )
    employee.get_by_label("Link to your published post").fill(
        f"https://bsky.app/profile/{ALICE_ON_BLUESKY}/post/3kflow"
    )
    employee.get_by_role("button", name="Save the link").click()
    employee.wait_for_load_state()

    # A colleague follows the tracked link; the entry is on the challenge's hashtag board, with its video.
    visitor = _signed_in(browser, live_server, "bob")
    visitor.goto(f"{live_server.url}/challenges/{entry.challenge.slug}/")
    board = visitor.get_by_role("region", name=f"{HASHTAG} board")
    assert "Alice Archer" in board.inner_text()
    player = visitor.locator("video").first
    assert player.get_attribute("poster") == entry.post.video.poster.url

    # Comms ask; the author agrees; comms promote it into the library, credited to her.
    comms.reload()
    comms.get_by_role("button", name="Ask to put in the library").click()
    employee.goto(f"{live_server.url}/challenges/mine/")
    employee.get_by_label("Yes, put it in the library with my name").check()
    employee.get_by_role("button", name="Answer").click()
    page_shows(employee, "Thanks, your answer is recorded.")
    comms.goto(f"{live_server.url}/challenges/manage/{entry.challenge.slug}/")
    comms.get_by_role("button", name="Promote into the library").click()
    comms.wait_for_url("**/comms/library/posts/*/")
    page_shows(comms, "Suggested by Alice Archer")

    # Comms listen for the hashtag; the beat job collects from the fake Bluesky and Mastodon.
    site.skeet(handle="robin.bsky.social", name="Robin Reader", text=f"Love this {HASHTAG}", when=timezone.now())
    site.toot(
        username="sam",
        home="mastodon.example",
        content='<p>Trying it too <a href="https://mastodon.example/tags/flowweek" class="hashtag">'
        "#<span>FlowWeek</span></a></p>",
        when=timezone.now(),
    )
    comms.goto(f"{live_server.url}/")
    nav_link(comms, "Listening").click()
    page_shows(comms, "Nothing to listen for yet")
    comms.get_by_role("link", name="Add a hashtag").click()
    comms.get_by_label("Hashtag or handle").fill(HASHTAG)
    comms.get_by_role("button", name="Add").click()
    page_shows(comms, f"Listening for {HASHTAG}")
    assert queue_collections.delay().get() == 1

    comms.get_by_role("link", name="Open the monitor").click()
    wall = comms.locator("#mention-wall")
    assert wall.locator("li.mention").count() == 3
    assert "Employee: Alice Archer" in wall.locator(f"li:has-text('{ALICE_ON_BLUESKY}')").inner_text()
    assert "@sam@mastodon.example" in wall.inner_text() and "Robin Reader" in wall.inner_text()
    assert "<span" not in wall.inner_text()
    stats = comms.locator(".stat-grid").inner_text()
    assert "3" in stats and "33%" in stats
    assert comms.locator("#mentions-chart svg .mentions-employees").count() == 1
    sources = comms.locator("#sources-table").inner_text()
    assert sources.count("Working") == 2
    # On a phone the filled monitor still fits: no sideways scrolling.
    comms.set_viewport_size({"width": 390, "height": 844})
    comms.reload()
    assert comms.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    for context in (comms.context, employee.context, visitor.context):
        context.close()
