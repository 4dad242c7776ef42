import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from content_library.models import LibraryVisit, Post, PostCaption, Suggestion
from sharing.models import Share

from .factories import CampaignFactory, PostFactory, PostImageFactory, TopicFactory, image_bytes

pytestmark = pytest.mark.django_db


def _make_posts(count, *, alice):
    campaign = CampaignFactory()
    topics = [TopicFactory(name="Alpha"), TopicFactory(name="Beta")]
    for n in range(count):
        post = PostFactory(campaign=campaign, topics=topics, is_featured=n == 0)
        PostImageFactory(post=post)
        PostImageFactory(post=post)
        PostCaption.objects.create(post=post, network="x", text="On X")
        Share.objects.create(user=alice, post=post, network="x", code=f"c{n}", last_shared_at=timezone.now())


@pytest.mark.parametrize("count", [2, 14])
def test_the_feed_costs_the_same_number_of_queries_however_many_posts(client, alice, django_assert_num_queries, count):
    _make_posts(count, alice=alice)
    client.force_login(alice)
    # session, user, the user's permissions (user and group: 2), topic filter menu,
    # campaign filter menu, page count, last visit read, last visit upsert, nav badge
    # count, page of posts (with campaign, suggester and the already-shared marker),
    # images, topics, captions
    # +1: the organisation's branding that every page's header reads (cached after the first page).
    with django_assert_num_queries(15):
        response = client.get(reverse("content_library:feed"))
    assert response.status_code == 200
    assert len(response.context["posts"]) == min(count, 12)
    assert sum(post.already_shared for post in response.context["posts"]) == min(count, 12)
    with django_assert_num_queries(14):
        client.get(reverse("content_library:feed"), {"topic": "alpha", "network": "x", "q": "post", "page": 2})


def test_the_feed_shows_cards_with_the_already_shared_marker(client, alice):
    shared = PostFactory(title="Shared before")
    PostFactory(title="Fresh one")
    Share.objects.create(user=alice, post=shared, network="linkedin", code="s1", last_shared_at=timezone.now())
    client.force_login(alice)
    page = client.get(reverse("content_library:feed")).content.decode()
    assert "Shared before" in page and "Fresh one" in page
    assert page.count('data-testid="already-shared"') == 1


def test_the_feed_paginates_and_keeps_filters_in_page_links(client, alice):
    for n in range(14):
        PostFactory(content_type=Post.ContentType.CULTURE, title=f"Culture {n}")
    client.force_login(alice)
    response = client.get(reverse("content_library:feed"), {"content_type": "culture"})
    assert len(response.context["posts"]) == 12
    assert "content_type=culture&amp;page=2" in response.content.decode()
    response = client.get(reverse("content_library:feed"), {"content_type": "culture", "page": 2})
    assert len(response.context["posts"]) == 2


def test_the_feed_hides_what_the_person_may_not_see(client, alice, bob):
    now = timezone.now()
    PostFactory(title="Expired thing", publish_at=now - timedelta(days=5), expires_at=now - timedelta(days=1))
    PostFactory(title="Future thing", publish_at=now + timedelta(days=1))
    PostFactory(title="Draft thing", status=Post.Status.DRAFT)
    PostFactory(title="For sales only", target_teams=[bob.team])
    client.force_login(alice)
    page = client.get(reverse("content_library:feed")).content.decode()
    for title in ("Expired thing", "Future thing", "Draft thing", "For sales only"):
        assert title not in page


def test_the_detail_page_has_the_images_downloads_and_the_share_panel(client, alice):
    post = PostFactory(title="Detail", hashtags="#One")
    PostImageFactory(post=post, alt_text="First picture")
    PostImageFactory(post=post, alt_text="Second picture")
    PostCaption.objects.create(post=post, network="x", text="Short for X")
    client.force_login(alice)
    response = client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug}))
    assert response.status_code == 200
    assert "sharing/_share_panel.html" in [t.name for t in response.templates]
    assert response.context["captions_by_network"]["x"] == "Short for X"
    assert response.context["captions_by_network"]["linkedin"] == post.suggested_caption
    page = response.content.decode()
    assert page.count("Download original") == 2
    assert 'alt="First picture"' in page and 'alt="Second picture"' in page


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Post.Status.DRAFT},
        {"publish_at": None},
        {"publish_at": timezone.now() - timedelta(days=3), "expires_at": timezone.now() - timedelta(hours=1)},
    ],
    ids=["unapproved", "unpublished", "expired"],
)
def test_the_detail_url_of_a_post_that_is_not_live_is_404(client, alice, overrides):
    post = PostFactory(**overrides)
    client.force_login(alice)
    assert client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug})).status_code == 404
    assert client.get(reverse("content_library:api_feed_post", kwargs={"slug": post.slug})).status_code == 404


def test_the_navigation_counts_new_posts_until_the_feed_is_opened(client, alice):
    PostFactory.create_batch(3)
    client.force_login(alice)
    page = client.get(reverse("home")).content.decode()
    assert 'aria-label="3 new"' in page
    client.get(reverse("content_library:feed"))
    assert LibraryVisit.objects.filter(user=alice).exists()
    page = client.get(reverse("home")).content.decode()
    assert "new</span>" not in page and 'class="badge"' not in page
    PostFactory(publish_at=timezone.now())
    assert 'aria-label="1 new"' in client.get(reverse("home")).content.decode()


def test_an_employee_suggests_content_and_sees_it_in_their_list(client, alice, jpeg_upload):
    client.force_login(alice)
    response = client.post(
        reverse("content_library:suggestion_new"),
        {"url": "example.com/story", "text": "Read this", "image": jpeg_upload, "image_alt_text": "Cover"},
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.url == "https://example.com/story" and suggestion.author == alice
    assert suggestion.image.name.startswith("suggestions/")
    page = client.get(reverse("content_library:suggestion_list")).content.decode()
    assert "Waiting for review" in page and "example.com/story" in page


def test_a_suggestion_with_a_javascript_link_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(reverse("content_library:suggestion_new"), {"url": "javascript:alert(1)", "text": "x"})
    assert response.status_code == 400
    assert not Suggestion.objects.exists()


def test_others_do_not_see_my_suggestions(client, alice, bob):
    client.force_login(alice)
    client.post(reverse("content_library:suggestion_new"), {"text": "Alice's private idea"})
    client.force_login(bob)
    assert "Alice's private idea" not in client.get(reverse("content_library:suggestion_list")).content.decode()


def test_each_distinct_download_size_is_offered_once_labelled_by_its_use(client, alice):
    from content_library.services import post_image_make_renditions

    post = PostFactory(title="Sizes")
    # A 1200×675 original: the 16:9 rendition is the same size as the original.
    image = PostImageFactory(post=post, image=ContentFile(image_bytes(size=(1200, 675)), name="small.jpg"))
    post_image_make_renditions(image_id=image.pk)
    client.force_login(alice)
    page = client.get(reverse("content_library:post_detail", kwargs={"slug": post.slug})).content.decode()
    downloads = re.findall(r"data-download>([^<]+)</a>", page)
    assert page.count("(1200×675)") == 1
    assert downloads == [
        "Download original (1200×675), also for Mastodon / Bluesky",
        "Download LinkedIn / X / Facebook / Threads (1200×627)",
        "Download Square (675×675)",
    ]
