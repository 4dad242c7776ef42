"""An employee browses the feed, filters it, opens a post and suggests content."""

import pytest

from content_library.models import Post
from tests.conftest import login_in_browser, nav_link, page_shows
from tests.content_library.factories import PostFactory, PostImageFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_feed_filters_and_counts_what_is_new(page, live_server, alice, bob):
    hiring = TopicFactory(name="Hiring")
    job = PostFactory(title="We are hiring engineers", content_type=Post.ContentType.JOB, topics=[hiring])
    PostImageFactory(post=job, alt_text="Our office")
    PostFactory(title="Quarterly numbers", is_featured=True)
    PostFactory(title="Sales kickoff", target_teams=[bob.team])

    login_in_browser(page, live_server, "alice")
    library = page.get_by_role("navigation", name="Main").get_by_role("link", name="Library")
    assert library.locator(".badge").inner_text() == "2"
    library.click()
    cards = page.locator("article.post-card h2")
    assert cards.all_inner_texts() == ["Quarterly numbers", "We are hiring engineers"]
    assert page.get_by_role("img", name="Our office").is_visible()
    assert (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").locator(".badge").count() == 0
    )

    page.get_by_label("Topic").select_option("hiring")
    page.get_by_role("button", name="Filter").click()
    assert cards.all_inner_texts() == ["We are hiring engineers"]
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Search").fill("quarterly")
    page.get_by_role("button", name="Filter").click()
    assert cards.all_inner_texts() == ["Quarterly numbers"]


def test_an_employee_suggestion_becomes_a_post_in_the_feed(page, browser, live_server, alice, casey):
    login_in_browser(page, live_server, "alice")
    nav_link(page, "My suggestions").click()
    page.get_by_role("link", name="Suggest content").click()
    page.get_by_label("Link").fill("https://example.com/award")
    page.get_by_label("What is it about?").fill("We won an industry award")
    page.get_by_role("button", name="Send suggestion").click()
    page_shows(page, "Waiting for review")

    comms = browser.new_context().new_page()
    login_in_browser(comms, live_server, "casey")
    nav_link(comms, "Review").click()
    item = comms.locator(".review-item", has_text="We won an industry award")
    item.get_by_label("Post title (if approved)").fill("An industry award")
    item.get_by_role("button", name="Approve suggestion").click()
    page_shows(comms, "is in the library")
    comms.context.close()

    page.goto(f"{live_server.url}/library/")
    card = page.locator("article.post-card", has_text="An industry award")
    assert "Suggested by Alice Archer" in card.inner_text()
