"""A comms admin writes a post with an image, submits, approves and schedules it; the right people see it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from content_library.models import Post
from tests.conftest import login_in_browser, nav_link, page_shows
from tests.content_library.factories import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_post_goes_from_draft_to_the_targeted_feed(page, browser, live_server, casey, alice, bob):
    login_in_browser(page, live_server, "casey")
    nav_link(page, "Posts").click()
    page.get_by_role("link", name="New post").click()

    page.get_by_label("Title").fill("Engineering all-hands recap")
    page.get_by_label("Body").fill("Highlights from this month's all-hands.")
    page.get_by_label("Link (article, job posting, product page)").fill("https://example.com/all-hands")
    page.get_by_label("Suggested caption").fill("What a month for the team!")
    page.get_by_label("Hashtags").fill("#AllHands")
    # The live preview follows the caption, adds the required hashtag and counts characters.
    x_card = page.locator(".preview-card[data-network='x']")
    assert x_card.locator("[data-preview-caption]").inner_text() == "What a month for the team! #AllHands"
    # The per-network captions are folded away until asked for: the form stays short.
    assert page.get_by_label("X caption").is_hidden()
    page.get_by_text("Write a different caption for a network").click()
    page.get_by_label("X caption").fill("x" * 290)
    x_card.locator("[data-preview-count]").filter(has_text="too long for X").wait_for()
    page.get_by_label("X caption").fill("Short and sweet for X")  # 21 characters, plus " #AllHands"
    # Counted by the server as X will receive it: 31, a space and the tracked link (23).
    x_card.locator("[data-preview-count]").filter(has_text="55 / 280 characters with the link").wait_for()

    page.get_by_label("Show to everyone").uncheck()
    page.get_by_label("Engineering").check()
    page.get_by_label("Add an image").set_input_files(
        {"name": "recap.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(1200, 800))}
    )
    page.get_by_label("Image description (alt text)").fill("The team on stage")
    page.wait_for_function("document.querySelector(\".preview-card[data-network='x'] img\").src.startsWith('data:')")
    page.get_by_role("button", name="Save post").click()

    assert page.get_by_test_id("post-status").inner_text() == "Draft"
    assert page.get_by_role("img", name="The team on stage").count() >= 1
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_test_id("post-status").inner_text() == "Submitted"
    nav_link(page, "Review").click()
    item = page.locator(".review-item", has_text="Engineering all-hands recap")
    item.get_by_label("Note (required to reject)").fill("Lovely recap")
    item.get_by_role("button", name="Approve").click()
    assert "now approved" in page.get_by_role("status").inner_text()

    post = Post.objects.get(title="Engineering all-hands recap")
    page.goto(f"{live_server.url}/comms/library/posts/{post.pk}/")
    assert page.get_by_test_id("post-status").inner_text() == "Approved"
    assert "Lovely recap" in page.get_by_test_id("history").inner_text()
    page.get_by_label("Publish at").fill(_local_input(timezone.now() + timedelta(days=1)))
    page.get_by_role("button", name="Save schedule").click()
    page_shows(page, "Schedule saved")
    nav_link(page, "Calendar").click()
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.goto(f"{page.url.split('?')[0]}?month={tomorrow:%Y-%m}")  # tomorrow may be next month
    assert "Engineering all-hands recap" in page.get_by_test_id("calendar").inner_text()

    alice_page = browser.new_context().new_page()
    login_in_browser(alice_page, live_server, "alice")
    alice_page.goto(f"{live_server.url}/library/")
    assert "Engineering all-hands recap" not in alice_page.content(), "scheduled for tomorrow: not yet"

    # Tomorrow comes.
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    alice_page.reload()
    card = alice_page.locator("article.post-card", has_text="Engineering all-hands recap")
    assert card.count() == 1
    card.get_by_role("link", name="Engineering all-hands recap", exact=True).click()
    assert alice_page.get_by_role("heading", name="Engineering all-hands recap").is_visible()
    assert alice_page.get_by_role("link", name="Download original (1200×800)").is_visible()
    alice_api = alice_page.request.get(f"{live_server.url}/api/library/posts/", headers={"Accept": "application/json"})
    assert [item["slug"] for item in alice_api.json()["results"]] == [post.slug]

    bob_page = browser.new_context().new_page()
    login_in_browser(bob_page, live_server, "bob")
    bob_page.goto(f"{live_server.url}/library/")
    assert "Engineering all-hands recap" not in bob_page.content()
    assert bob_page.goto(f"{live_server.url}/library/{post.slug}/").status == 404
    api = bob_page.request
    json_only = {"Accept": "application/json"}
    assert api.get(f"{live_server.url}/api/library/posts/{post.slug}/", headers=json_only).status == 404
    feed = api.get(f"{live_server.url}/api/library/posts/", headers=json_only).json()
    assert post.slug not in [item["slug"] for item in feed["results"]]
    alice_page.context.close()
    bob_page.context.close()
