from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from advocacy.counting import counts_as_shared
from content_library.caption_fit import NETWORK_BITS, post_caption_fit_refresh
from content_library.models import LibraryVisit, Post, PostCaption
from content_library.selectors import (
    library_new_count,
    post_calendar,
    post_feed,
    post_get_for_employee,
    post_preview_image,
)
from content_library.services import post_create, post_update
from sharing.models import Share

from .factories import CampaignFactory, PostFactory, PostImageFactory, TopicFactory

pytestmark = pytest.mark.django_db


def _slugs(posts):
    return [post.slug for post in posts]


def test_it_shows_live_posts_for_everyone(alice):
    post = PostFactory()
    assert _slugs(post_feed(user=alice)) == [post.slug]


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Post.Status.DRAFT},
        {"status": Post.Status.SUBMITTED},
        {"status": Post.Status.REJECTED},
        {"status": Post.Status.ARCHIVED},
        {"publish_at": None},
        # Parameters are built when the suite is collected, minutes before this runs: keep "future" far away.
        {"publish_at": timezone.now() + timedelta(days=30)},
        {"publish_at": timezone.now() - timedelta(days=3), "expires_at": timezone.now() - timedelta(seconds=1)},
    ],
    ids=["draft", "submitted", "rejected", "archived", "unscheduled", "future", "expired"],
)
def test_it_hides_posts_that_are_not_live(alice, overrides):
    post = PostFactory(**overrides)
    assert list(post_feed(user=alice)) == []
    with pytest.raises(Http404):
        post_get_for_employee(user=alice, slug=post.slug)


def test_a_post_expires_exactly_at_its_expiry_time(alice):
    now = timezone.now()
    PostFactory(publish_at=now - timedelta(days=1), expires_at=now + timedelta(seconds=30))
    assert post_feed(user=alice).count() == 1
    from content_library.selectors import post_live_q

    assert Post.objects.filter(post_live_q(now=now + timedelta(seconds=30))).count() == 0


def test_it_shows_targeted_posts_only_to_their_teams(alice, bob):
    post = PostFactory(target_teams=[bob.team])
    assert list(post_feed(user=alice)) == []
    assert _slugs(post_feed(user=bob)) == [post.slug]
    with pytest.raises(Http404):
        post_get_for_employee(user=alice, slug=post.slug)
    assert post_get_for_employee(user=bob, slug=post.slug) == post


def test_a_post_aimed_at_several_teams_appears_once(alice, bob):
    PostFactory(target_teams=[alice.team, bob.team])
    assert post_feed(user=alice).count() == 1


def test_someone_without_a_team_sees_only_posts_for_everyone(alice, bob):
    alice.team = None
    alice.save()
    everyone = PostFactory()
    PostFactory(target_teams=[bob.team])
    assert _slugs(post_feed(user=alice)) == [everyone.slug]


def test_featured_posts_come_first_then_the_newest(alice):
    now = timezone.now()
    old = PostFactory(publish_at=now - timedelta(days=3))
    new = PostFactory(publish_at=now - timedelta(hours=1))
    featured = PostFactory(publish_at=now - timedelta(days=9), is_featured=True)
    assert _slugs(post_feed(user=alice)) == [featured.slug, new.slug, old.slug]


def test_it_filters_by_topic_campaign_and_type(alice):
    topic, campaign = TopicFactory(name="Hiring"), CampaignFactory(name="Spring")
    tagged = PostFactory(topics=[topic])
    in_campaign = PostFactory(campaign=campaign, content_type=Post.ContentType.JOB)
    PostFactory()
    assert _slugs(post_feed(user=alice, topic="hiring")) == [tagged.slug]
    assert _slugs(post_feed(user=alice, campaign="spring")) == [in_campaign.slug]
    assert _slugs(post_feed(user=alice, content_type="job")) == [in_campaign.slug]


def test_search_looks_in_title_body_and_captions(alice):
    by_title = PostFactory(title="Quarterly rocket launch")
    by_body = PostFactory(body="A ROCKET made of cardboard")
    by_caption = PostFactory(suggested_caption="rocket science")
    by_override = PostFactory()
    PostCaption.objects.create(post=by_override, network="x", text="Rocket emoji time")
    PostFactory(title="Unrelated")
    assert set(_slugs(post_feed(user=alice, search="rocket"))) == {
        by_title.slug,
        by_body.slug,
        by_caption.slug,
        by_override.slug,
    }


def test_the_network_filter_keeps_posts_whose_caption_fits(alice):
    short = PostFactory(suggested_caption="Short and sweet")
    PostFactory(suggested_caption="x" * 400)
    long_with_override = PostFactory(suggested_caption="y" * 400)
    PostCaption.objects.create(post=long_with_override, network="x", text="Fits on X")
    post_caption_fit_refresh(post=long_with_override)
    assert set(_slugs(post_feed(user=alice, network="x"))) == {short.slug, long_with_override.slug}
    assert post_feed(user=alice, network="linkedin").count() == 3


@pytest.mark.parametrize(
    ("caption", "fits_x"),
    [
        ("a" * 256, True),  # 256 + a space + the link counted 23 = 280
        ("a" * 257, False),  # 281 with the link: the editor says too long, so the filter must too
        ("🚀" * 128, True),  # emoji weigh 2 on X
        ("🚀" * 129, False),
        ("日本" * 64, True),  # CJK weighs 2 too
        ("日本" * 64 + "a", False),
    ],
)
def test_the_network_filter_agrees_with_the_caption_editors_count(alice, caption, fits_x):
    post = PostFactory(suggested_caption=caption)
    assert counts_as_shared(caption)["x"]["over"] is not fits_x
    assert (post in post_feed(user=alice, network="x")) is fits_x
    assert post in post_feed(user=alice, network="linkedin")


def test_the_services_keep_the_fit_when_captions_change(alice, casey):
    post = post_create(actor=casey, title="Fit", suggested_caption="short")
    assert post.caption_fit_mask & NETWORK_BITS["x"]
    post_update(post=post, actor=casey, suggested_caption="a" * 300)
    post.refresh_from_db()
    assert not post.caption_fit_mask & NETWORK_BITS["x"] and post.caption_fit_mask & NETWORK_BITS["linkedin"]
    post_update(post=post, actor=casey, captions={"x": "Fits on X"})
    post.refresh_from_db()
    assert post.caption_fit_mask & NETWORK_BITS["x"]


def test_it_marks_posts_the_person_already_shared(alice, bob):
    shared, other = PostFactory(), PostFactory()
    Share.objects.create(user=alice, post=shared, network="linkedin", code="abc", last_shared_at=timezone.now())
    marks = {post.slug: post.already_shared for post in post_feed(user=alice)}
    assert marks == {shared.slug: True, other.slug: False}
    assert not any(post.already_shared for post in post_feed(user=bob))
    assert not any(post.already_shared for post in post_feed(user=alice, network="x"))


def test_the_preview_image_falls_back_to_the_original_until_renditions_exist(alice):
    image = PostImageFactory()
    preview = post_preview_image(post=image.post)
    assert preview == {"url": image.image.url, "width": 1600, "height": 900, "alt": image.alt_text}
    image.renditions = {"1200x627": "posts/renditions/1/x-1200x627.jpg"}
    image.save()
    preview = post_preview_image(post=Post.objects.get(pk=image.post_id))
    assert preview["url"].endswith("x-1200x627.jpg")
    assert (preview["width"], preview["height"]) == (1200, 627)
    assert post_preview_image(post=PostFactory()) is None


def test_the_new_count_covers_posts_published_since_the_last_visit(alice, django_assert_num_queries):
    now = timezone.now()
    PostFactory(publish_at=now - timedelta(days=2))
    PostFactory(publish_at=now - timedelta(hours=1))
    PostFactory(publish_at=now - timedelta(hours=1), status=Post.Status.DRAFT)
    with django_assert_num_queries(1):
        assert library_new_count(user=alice) == 2
    LibraryVisit.objects.create(user=alice, seen_at=now - timedelta(days=1))
    assert library_new_count(user=alice) == 1


def test_the_calendar_lists_publications_and_expiries_by_day():
    now = timezone.now()
    going_live = PostFactory(publish_at=now + timedelta(days=2), status=Post.Status.APPROVED)
    leaving = PostFactory(publish_at=now - timedelta(days=5), expires_at=now + timedelta(days=3))
    PostFactory(status=Post.Status.DRAFT, publish_at=now + timedelta(days=1))
    unscheduled = PostFactory(status=Post.Status.SUBMITTED, publish_at=None)
    calendar = post_calendar(start=timezone.localdate())
    events = [(event["kind"], event["post"]) for _, day in calendar["days"] for event in day]
    assert events == [("publishes", going_live), ("expires", leaving)]
    assert list(calendar["unscheduled"]) == [unscheduled]
