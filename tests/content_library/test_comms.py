import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from content_library.models import Campaign, Post, PostImage, Suggestion, Topic

from .factories import CampaignFactory, PostFactory, PostImageFactory, SuggestionFactory

pytestmark = pytest.mark.django_db


def _post_form(**overrides):
    data = {
        "title": "Big launch",
        "body": "We launched.",
        "destination_url": "https://example.com/launch",
        "content_type": "product",
        "suggested_caption": "Look what we built",
        "caption_editable": "on",
        "hashtags": "#Launch",
        "target_everyone": "on",
        "caption_x": "Short for X",
    }
    data.update(overrides)
    return data


def test_a_comms_admin_creates_a_post_with_captions_topics_and_an_image(client, casey, jpeg_upload):
    client.force_login(casey)
    response = client.post(
        reverse("content_library:comms_post_new"),
        _post_form(new_topics="Rockets, Space", image=jpeg_upload, image_alt_text="The rocket"),
    )
    post = Post.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("content_library:comms_post_detail", kwargs={"pk": post.pk})
    assert post.status == Post.Status.DRAFT and post.created_by == casey
    assert {c.network: c.text for c in post.captions.all()} == {"x": "Short for X"}
    assert sorted(post.topics.values_list("name", flat=True)) == ["Rockets", "Space"]
    assert post.images.get().alt_text == "The rocket"
    page = client.get(response["Location"]).content.decode()
    assert "Submit for review" in page and "Short for X" in page


def test_the_editor_explains_mistakes_and_keeps_nothing_half_saved(client, casey, engineering):
    client.force_login(casey)
    response = client.post(
        reverse("content_library:comms_post_new"),
        _post_form(destination_url="javascript:alert(1)", target_everyone=""),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid URL" in page or "http://" in page
    response = client.post(reverse("content_library:comms_post_new"), _post_form(target_everyone=""))
    assert response.status_code == 400
    assert "Choose at least one team" in response.content.decode()
    response = client.post(
        reverse("content_library:comms_post_new"),
        _post_form(publish_at="2026-05-02T10:00", expires_at="2026-05-01T10:00"),
    )
    assert response.status_code == 400
    assert "must expire after it is published" in response.content.decode()
    assert "Constraint" not in response.content.decode()
    assert not Post.objects.exists()


def test_editing_a_post_targets_teams_and_clears_a_caption(client, casey, engineering):
    post = PostFactory(status=Post.Status.DRAFT)
    post.captions.create(network="x", text="Old")
    client.force_login(casey)
    response = client.post(
        reverse("content_library:comms_post_edit", kwargs={"pk": post.pk}),
        _post_form(title="Renamed", target_everyone="", target_teams=[engineering.pk], caption_x=""),
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Renamed" and not post.target_everyone
    assert list(post.target_teams.all()) == [engineering]
    assert not post.captions.exists()


def test_the_workflow_buttons_record_each_step(client, casey):
    post = PostFactory(status=Post.Status.DRAFT, publish_at=None)
    client.force_login(casey)
    url = reverse("content_library:comms_post_transition", kwargs={"pk": post.pk})
    assert client.post(url, {"to_status": "submitted"}).status_code == 302
    response = client.post(url, {"to_status": "rejected"})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert client.post(url, {"to_status": "approved", "note": "Ship it"}).status_code == 302
    response = client.post(url, {"to_status": "submitted"})
    assert response.status_code == 400 and "cannot become" in response.content.decode()
    history = client.get(reverse("content_library:comms_post_detail", kwargs={"pk": post.pk})).content.decode()
    assert "Ship it" in history and "Casey Comms" in history


def test_scheduling_sets_when_a_post_is_live(client, casey):
    post = PostFactory(publish_at=None)
    client.force_login(casey)
    url = reverse("content_library:comms_post_schedule", kwargs={"pk": post.pk})
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(
        url, {"publish_at": start.strftime("%Y-%m-%dT%H:%M"), "expires_at": start.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 400
    assert "expire after" in response.content.decode()
    response = client.post(url, {"publish_at": start.strftime("%Y-%m-%dT%H:%M"), "expires_at": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.publish_at.replace(second=0, microsecond=0) == start.replace(second=0, microsecond=0)


def test_removing_an_image_deletes_its_file_once_committed(client, casey, django_capture_on_commit_callbacks):
    image = PostImageFactory()
    path = Path(image.image.path)
    client.force_login(casey)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("content_library:comms_post_image_remove", kwargs={"pk": image.pk}))
    assert not PostImage.objects.exists()
    assert not path.exists()


def test_the_review_queue_lists_submitted_posts_and_pending_suggestions(client, casey, alice):
    PostFactory(title="Waiting post", status=Post.Status.SUBMITTED)
    PostFactory(title="Approved post")
    SuggestionFactory(author=alice, text="An idea from Alice")
    client.force_login(casey)
    page = client.get(reverse("content_library:comms_review")).content.decode()
    assert "Waiting post" in page and "An idea from Alice" in page and "Approved post" not in page


def test_approving_a_suggestion_from_the_queue_publishes_it(client, casey, alice):
    suggestion = SuggestionFactory(author=alice)
    client.force_login(casey)
    response = client.post(
        reverse("content_library:comms_suggestion_review", kwargs={"pk": suggestion.pk}),
        {"decision": "approve", "title": "Industry news", "publish_now": "on", "note": "Thanks"},
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert (post.title, post.suggested_by, post.status) == ("Industry news", alice, "approved")
    client.force_login(alice)
    assert "Industry news" in client.get(reverse("content_library:feed")).content.decode()
    assert "became “Industry news”" in client.get(reverse("content_library:suggestion_list")).content.decode()


def test_rejecting_a_suggestion_without_a_note_is_explained(client, casey, alice):
    suggestion = SuggestionFactory(author=alice)
    client.force_login(casey)
    response = client.post(
        reverse("content_library:comms_suggestion_review", kwargs={"pk": suggestion.pk}), {"decision": "reject"}
    )
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert Suggestion.objects.get().status == "pending"


def test_bulk_archive_from_the_post_list(client, casey):
    posts = PostFactory.create_batch(3)
    client.force_login(casey)
    response = client.post(reverse("content_library:comms_post_archive"), {"post": [posts[0].pk, posts[1].pk]})
    assert response.status_code == 302
    assert list(Post.objects.order_by("pk").values_list("status", flat=True)) == ["archived", "archived", "approved"]
    assert posts[0].transitions.get().actor == casey


@pytest.mark.parametrize("count", [2, 30])
def test_the_post_list_has_a_fixed_query_count(client, casey, django_assert_num_queries, engineering, count):
    for _ in range(count):
        post = PostFactory(target_teams=[engineering], campaign=CampaignFactory(name="C"))
        PostImageFactory(post=post)
    client.force_login(casey)
    # session, user, permissions (2), nav badge, count, the page of posts (with campaign,
    # state and the per-post rollup's shares and clicks), target teams, campaign choices
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(10):
        response = client.get(reverse("content_library:comms_post_list"), {"sort": "-shares"})
    assert response.status_code == 200
    assert response.content.decode().count('name="post"') == min(count, 25)


def _rows(client, **params):
    page = client.get(reverse("content_library:comms_post_list"), params)
    assert page.status_code == 200
    html = page.content.decode()
    return re.findall(r'<a href="/comms/library/posts/\d+/">([^<]+)</a>.*?data-state="(\w+)"', html, re.S)


def test_the_post_list_shows_each_posts_state(client, casey):
    now = timezone.now()
    PostFactory(title="A draft", status=Post.Status.DRAFT, publish_at=None)
    PostFactory(title="Waiting", status=Post.Status.SUBMITTED)
    PostFactory(title="Sent back", status=Post.Status.REJECTED)
    PostFactory(title="No date yet", publish_at=None)
    PostFactory(title="Tomorrow", publish_at=now + timedelta(days=1))
    PostFactory(title="Out now", publish_at=now - timedelta(days=1), expires_at=now + timedelta(days=1))
    PostFactory(title="Gone by", publish_at=now - timedelta(days=3), expires_at=now - timedelta(days=1))
    PostFactory(title="Put away", status=Post.Status.ARCHIVED)
    client.force_login(casey)
    assert sorted(_rows(client)) == sorted(
        [
            ("A draft", "draft"),
            ("Waiting", "submitted"),
            ("Sent back", "rejected"),
            ("No date yet", "approved"),
            ("Tomorrow", "scheduled"),
            ("Out now", "live"),
            ("Gone by", "expired"),
            ("Put away", "archived"),
        ]
    )
    assert _rows(client, state="live") == [("Out now", "live")]
    assert _rows(client, state="expired") == [("Gone by", "expired")]
    assert [title for title, _ in _rows(client, sort="state")][:2] == ["A draft", "Waiting"]


def test_the_post_list_filters_by_campaign_type_and_search_and_sorts(client, casey):
    autumn = CampaignFactory(name="Autumn")
    PostFactory(title="Bravo", campaign=autumn, content_type="job")
    PostFactory(title="Alpha", campaign=autumn, content_type="product")
    PostFactory(title="Charlie", content_type="job", body="mentions rockets")
    client.force_login(casey)
    assert [title for title, _ in _rows(client, campaign=autumn.pk, sort="title")] == ["Alpha", "Bravo"]
    assert [title for title, _ in _rows(client, campaign=autumn.pk, sort="-title")] == ["Bravo", "Alpha"]
    assert [title for title, _ in _rows(client, content_type="job", sort="title")] == ["Bravo", "Charlie"]
    assert [title for title, _ in _rows(client, q="rockets")] == ["Charlie"]


def test_the_post_list_pages_by_25_and_keeps_the_filters_in_the_links(client, casey):
    for n in range(27):
        PostFactory(title=f"Numbered {n:02d}", content_type="job")
    client.force_login(casey)
    first = _rows(client, content_type="job", sort="title")
    second = _rows(client, content_type="job", sort="title", page=2)
    assert len(first) == 25 and [title for title, _ in second] == ["Numbered 25", "Numbered 26"]
    html = client.get(reverse("content_library:comms_post_list"), {"content_type": "job", "sort": "title"})
    assert "content_type=job&amp;sort=title&amp;page=2" in html.content.decode()


def test_a_filter_that_cannot_apply_is_explained_and_lists_nothing(client, casey):
    PostFactory(title="Still here")
    client.force_login(casey)
    for params, message in [
        ({"state": "sideways"}, "Choose one of the states"),
        ({"campaign": "99999"}, "That campaign does not exist"),
        ({"sort": "mood"}, "cannot be sorted that way"),
    ]:
        response = client.get(reverse("content_library:comms_post_list"), params)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "Still here" not in response.content.decode()


def test_the_calendar_shows_what_goes_live_and_what_expires(client, casey):
    now = timezone.now()
    PostFactory(title="Coming soon", publish_at=now + timedelta(days=1))
    PostFactory(title="Leaving soon", publish_at=now - timedelta(days=2), expires_at=now + timedelta(days=2))
    PostFactory(title="Not yet scheduled", status=Post.Status.SUBMITTED, publish_at=None)
    client.force_login(casey)
    page = client.get(reverse("content_library:comms_calendar")).content.decode()
    assert "Coming soon" in page and "Leaving soon" in page and "Not yet scheduled" in page
    assert "Goes live" in page and "Expires" in page


def test_campaigns_are_created_and_edited(client, casey):
    client.force_login(casey)
    response = client.post(
        reverse("content_library:comms_campaigns"),
        {"name": "Autumn", "hashtag": "#Autumn", "starts_on": "2026-10-01", "ends_on": "2026-09-01"},
    )
    assert response.status_code == 400
    assert "must end on or after its first day" in response.content.decode()
    assert "Constraint" not in response.content.decode()
    assert not Campaign.objects.exists()
    client.post(reverse("content_library:comms_campaigns"), {"name": "Autumn", "hashtag": "#Autumn"})
    campaign = Campaign.objects.get()
    response = client.post(
        reverse("content_library:comms_campaign_edit", kwargs={"pk": campaign.pk}),
        {"name": "Autumn push", "hashtag": "#Autumn"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Autumn push" and campaign.slug == "autumn"


def test_new_topics_reuse_existing_ones(client, casey):
    Topic.objects.create(name="Space", slug="space")
    client.force_login(casey)
    client.post(reverse("content_library:comms_post_new"), _post_form(new_topics="space, Space ,"))
    assert Topic.objects.count() == 1
    assert Post.objects.get().topics.count() == 1


def test_a_refused_rejection_is_shown_at_that_suggestions_form_and_names_it(client, casey, alice, bob):
    SuggestionFactory(author=bob, url="https://example.com/first")
    suggestion = SuggestionFactory(author=alice, url="https://example.com/second")
    client.force_login(casey)
    url = reverse("content_library:comms_suggestion_review", kwargs={"pk": suggestion.pk})
    page = client.get(reverse("content_library:comms_review")).content.decode()
    assert f'action="{url}#suggestion-{suggestion.pk}"' in page
    response = client.post(url, {"decision": "reject", "title": "Kept title"})
    html = response.content.decode()
    article = html.split(f'id="suggestion-{suggestion.pk}"')[1].split("</article>")[0]
    assert f"Rejecting the suggestion from {alice.name} (https://example.com/second): Say why" in article
    assert 'value="Kept title"' in article
    assert html.count("Say why") == 1, "only at the suggestion that was refused, not at the top of the page"


def test_the_calendar_is_a_month_grid_monday_first_with_the_zone_named(client, casey, settings):
    PostFactory(title="December launch", publish_at=timezone.make_aware(timezone.datetime(2026, 12, 15, 9, 30)))
    PostFactory(title="January launch", publish_at=timezone.make_aware(timezone.datetime(2027, 1, 5, 9, 30)))
    client.force_login(casey)
    response = client.get(reverse("content_library:comms_calendar"), {"month": "2026-12"})
    weeks = response.context["weeks"]
    # 1 December 2026 is a Tuesday: the grid starts on Monday 30 November and ends on Sunday 3 January.
    assert (weeks[0][0]["day"].isoformat(), weeks[-1][-1]["day"].isoformat()) == ("2026-11-30", "2027-01-03")
    assert all(len(week) == 7 for week in weeks) and len(weeks) == 5
    page = response.content.decode()
    assert "Calendar: December 2026" in page and "December launch" in page and "January launch" not in page
    assert f"Times are in {settings.TIME_ZONE}" in page
    assert 'href="?month=2026-11"' in page and 'href="?month=2027-01"' in page


def test_the_week_view_shows_the_seven_days_from_monday(client, casey):
    PostFactory(title="Wednesday post", publish_at=timezone.make_aware(timezone.datetime(2026, 12, 9, 12, 0)))
    PostFactory(title="Next week post", publish_at=timezone.make_aware(timezone.datetime(2026, 12, 14, 12, 0)))
    client.force_login(casey)
    response = client.get(reverse("content_library:comms_calendar"), {"view": "week", "start": "2026-12-10"})
    (week,) = response.context["weeks"]
    assert [cell["day"].isoformat() for cell in (week[0], week[-1])] == ["2026-12-07", "2026-12-13"]
    page = response.content.decode()
    assert "Week of 7 December 2026" in page and "Wednesday post" in page and "Next week post" not in page
    assert 'href="?view=week&amp;start=2026-12-14"' in page


@pytest.mark.parametrize(
    "query", [{"month": "0001-01"}, {"month": "nonsense"}, {"view": "week", "start": "9999-12-31"}]
)
def test_the_calendar_shows_this_period_for_a_nonsense_date(client, casey, query):
    client.force_login(casey)
    assert client.get(reverse("content_library:comms_calendar"), query).status_code == 200


def test_the_post_editor_is_in_sections_with_links_and_folds_the_network_captions(client, casey):
    client.force_login(casey)
    page = client.get(reverse("content_library:comms_post_new")).content.decode()
    for anchor, heading in (("post-content", "Content"), ("post-audience", "Audience"), ("post-schedule", "Schedule")):
        assert f'<fieldset class="editor-section" id="{anchor}">' in page and f'href="#{anchor}">{heading}</a>' in page
    assert "<details>" in page.split('id="post-network-captions"')[1].split("</fieldset>")[0]
    refused = client.post(reverse("content_library:comms_post_new"), {"title": "", "caption_x": "Mine for X"})
    html = refused.content.decode()
    assert "<details open>" in html.split('id="post-network-captions"')[1]
    assert 'href="#post-content">Content</a> <span class="pill status-rejected">needs a fix</span>' in html
