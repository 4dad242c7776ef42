from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from programme import ambassadorship, preview
from programme.models import PostFeedback
from tests.content_library.factories import PostFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ambassador(user, *, by):
    ambassadorship.ambassador_invite(user=user, invited_by=by)
    ambassadorship.invitation_accept(user=user)


def _upcoming(**extra):
    return PostFactory(publish_at=timezone.now() + timedelta(days=2), **extra)


def test_ambassadors_see_scheduled_posts_before_they_go_live(alice, casey):
    _ambassador(alice, by=casey)
    upcoming = _upcoming(title="Next week's launch")
    live = PostFactory(title="Already live")
    unscheduled = PostFactory(title="Approved, not scheduled", publish_at=None)
    posts = list(preview.upcoming_posts_for(user=alice))
    assert upcoming in posts and live not in posts and unscheduled not in posts


def test_the_preview_keeps_team_targeting(alice, casey, sales):
    _ambassador(alice, by=casey)
    for_sales = _upcoming(target_everyone=False)
    for_sales.target_teams.set([sales])
    assert for_sales not in preview.upcoming_posts_for(user=alice)
    assert for_sales in preview.upcoming_posts_for(user=casey)


def test_a_beta_campaign_is_previewed_only_by_its_cohort_and_comms(client, alice, bob, casey):
    from tests.content_library.factories import CampaignFactory

    _ambassador(alice, by=casey)
    _ambassador(bob, by=casey)
    cohort = ambassadorship.cohort_create(name="2027 Insiders", created_by=casey)
    ambassadorship.cohort_add(cohort=cohort, user=alice)
    campaign = CampaignFactory()
    ambassadorship.beta_group_set(
        campaign=campaign, cohort=cohort, opens_to_everyone_at=timezone.now() + timedelta(days=7), created_by=casey
    )
    beta_post = _upcoming(campaign=campaign, title="Beta launch")
    assert beta_post in preview.upcoming_posts_for(user=alice)
    assert beta_post in preview.upcoming_posts_for(user=casey)
    assert beta_post not in preview.upcoming_posts_for(user=bob)
    url = reverse("programme:preview_post", kwargs={"post_id": beta_post.pk})
    client.force_login(bob)
    assert "Beta launch" not in client.get(reverse("programme:preview")).content.decode()
    assert client.get(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 200
    # Once the beta opens to everyone, every ambassador previews it.
    ambassadorship.beta_group_end(group=ambassadorship.beta_group_list().get())
    assert beta_post in preview.upcoming_posts_for(user=bob)


def test_employees_who_are_not_ambassadors_cannot_preview(client, bob):
    post = _upcoming()
    client.force_login(bob)
    assert client.get(reverse("programme:preview")).status_code == 403
    assert client.get(reverse("programme:preview_post", kwargs={"post_id": post.pk})).status_code == 403
    with pytest.raises(PermissionDenied):
        preview.feedback_add(post=post, author=bob, text="Let me in")


def test_ambassadors_and_comms_discuss_a_post_and_comms_see_it_in_the_editor(client, alice, casey):
    _ambassador(alice, by=casey)
    post = _upcoming(title="Summer hiring")
    client.force_login(alice)
    url = reverse("programme:preview_post", kwargs={"post_id": post.pk})
    assert client.post(url, {"text": "Could we name the Lisbon office?"}).status_code == 302
    client.force_login(casey)
    assert client.post(url, {"text": "Good idea, done."}).status_code == 302
    editor = client.get(reverse("content_library:comms_post_edit", kwargs={"pk": post.pk})).content.decode()
    assert "Ambassadors' feedback" in editor
    assert editor.index("Could we name the Lisbon office?") < editor.index("Good idea, done.")
    assert url in editor  # the way to reply, while the post is upcoming


def test_the_editor_does_not_link_to_a_thread_that_no_longer_takes_replies(client, casey):
    post = PostFactory()  # live
    client.force_login(casey)
    editor = client.get(reverse("content_library:comms_post_edit", kwargs={"pk": post.pk})).content.decode()
    assert "Ambassadors' feedback" in editor
    assert reverse("programme:preview_post", kwargs={"post_id": post.pk}) not in editor


def test_empty_feedback_is_refused_with_a_message(client, alice, casey):
    _ambassador(alice, by=casey)
    post = _upcoming()
    client.force_login(alice)
    response = client.post(reverse("programme:preview_post", kwargs={"post_id": post.pk}), {"text": "   "})
    assert response.status_code == 400
    assert not PostFeedback.objects.exists()
    with pytest.raises(ValidationError, match="Write your feedback"):
        preview.feedback_add(post=post, author=alice, text=" ")


def test_a_live_post_is_no_longer_in_the_preview(client, alice, casey):
    _ambassador(alice, by=casey)
    post = PostFactory()
    client.force_login(alice)
    assert client.get(reverse("programme:preview_post", kwargs={"post_id": post.pk})).status_code == 404


# Queries: session, user, permissions (2), the Library nav badge, is an ambassador, the upcoming posts
# with campaigns and feedback counts; +1 branding.
@pytest.mark.parametrize("size", [1, 4])
def test_the_preview_list_query_count_does_not_grow(client, alice, casey, django_assert_num_queries, size):
    _ambassador(alice, by=casey)
    for _ in range(size):
        post = _upcoming()
        preview.feedback_add(post=post, author=casey, text="What do you think?")
    client.force_login(alice)
    with django_assert_num_queries(8):
        assert client.get(reverse("programme:preview")).status_code == 200


# Queries: session, user, permissions (2), the Library nav badge, is an ambassador, the post, its images,
# the thread with authors and teams; +1 branding.
@pytest.mark.parametrize("size", [1, 4])
def test_the_thread_query_count_does_not_grow(client, alice, casey, django_assert_num_queries, size):
    _ambassador(alice, by=casey)
    post = _upcoming()
    for n in range(size):
        author = UserFactory(username=f"ambassador-{size}-{n}")
        _ambassador(author, by=casey)
        preview.feedback_add(post=post, author=author, text="Looks good")
    client.force_login(alice)
    with django_assert_num_queries(10):
        assert client.get(reverse("programme:preview_post", kwargs={"post_id": post.pk})).status_code == 200
