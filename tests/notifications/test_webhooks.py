"""Featured posts reach Slack and Teams through their incoming webhooks (a local server stands in for both)."""

import pytest
from django.conf import settings
from django.urls import reverse

from content_library.models import Post
from content_library.services import post_create, post_transition, post_update
from notifications.models import Delivery
from notifications.tasks import post_featured_webhook
from tests.content_library.factories import CampaignFactory, PostFactory

pytestmark = pytest.mark.django_db


def by_channel(server) -> dict[str, list[dict]]:
    channels = {"slack": [], "teams": []}
    for request in server.requests:
        channels["slack" if "/services/" in request["path"] else "teams"].append(request["json"])
    return channels


def test_featuring_a_live_post_posts_the_documented_payload_to_slack_and_teams(
    casey, celery_eager, webhook_server, django_capture_on_commit_callbacks
):
    post = PostFactory(title="We <3 launches & more", slug="launch", campaign=CampaignFactory(name="Spring"))
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, actor=casey, is_featured=True)

    sent = by_channel(webhook_server)
    link = f"{settings.SITE_URL}/library/launch/"
    [slack] = sent["slack"]
    assert set(slack) == {"text", "blocks"}
    assert slack["text"] == f"Featured post: We <3 launches & more {link}"
    assert f"<{link}|We &lt;3 launches &amp; more>" in slack["blocks"][0]["text"]["text"]
    assert {block["type"] for block in slack["blocks"]} == {"section", "context", "actions"}
    assert slack["blocks"][-1]["elements"][0]["url"] == link
    [teams] = sent["teams"]
    assert teams["type"] == "message"
    [attachment] = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][1]["text"] == "We <3 launches & more"
    assert {"title": "Campaign", "value": "Spring"} in card["body"][-1]["facts"]
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open and share", "url": link}]
    assert all(r["headers"]["Content-Type"].startswith("application/json") for r in webhook_server.requests)


def test_a_featured_post_is_announced_once_however_often_it_is_saved(
    casey, celery_eager, webhook_server, django_capture_on_commit_callbacks
):
    post = PostFactory(is_featured=True)
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, actor=casey, title="Edited once")
        post_update(post=post, actor=casey, title="Edited twice")
    post_featured_webhook.delay(post.pk, "slack")

    assert len(by_channel(webhook_server)["slack"]) == 1
    assert len(by_channel(webhook_server)["teams"]) == 1


def test_a_featured_draft_waits_until_it_is_approved(
    casey, celery_eager, webhook_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = post_create(actor=casey, title="Featured from the start", is_featured=True)
        post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=casey)
    assert webhook_server.requests == []
    assert not Delivery.objects.filter(kind=Delivery.Kind.POST_FEATURED).exists()

    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, actor=casey, publish_at=timezone.now())
        post_transition(post=post, to_status=Post.Status.APPROVED, actor=casey)
    assert len(webhook_server.requests) == 2


def test_nothing_is_posted_when_no_webhook_is_configured(
    casey, celery_eager, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SLACK_WEBHOOK_URL = settings.NOTIFY_TEAMS_WEBHOOK_URL = ""
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_update(post=post, actor=casey, is_featured=True)
    # Other apps may follow the save (the share tracker refreshes its cached links); notifications queue nothing.
    assert [callback for callback in callbacks if callback.__module__.startswith("notifications")] == []


def test_a_failing_webhook_is_retried_and_each_failure_is_logged(
    casey, celery_eager, webhook_server, notification_logs, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_TEAMS_WEBHOOK_URL = ""
    webhook_server.plan = [500, 503, 200]
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, actor=casey, is_featured=True)

    assert len(webhook_server.requests) == 3
    delivery = Delivery.objects.get(kind=Delivery.Kind.POST_FEATURED, recipient="slack")
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 3
    warnings = notification_logs.messages()
    assert len(warnings) == 2
    assert "slack" in warnings[0] and f"post {post.pk}" in warnings[0] and "HTTP 500" in warnings[0]
    assert "HTTP 503" in warnings[1]
    assert not any("slack-secret" in message for message in notification_logs.messages(level=0))


def test_a_webhook_that_times_out_is_given_up_on_and_logged_without_raising(
    casey, celery_eager, webhook_server, notification_logs, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_TEAMS_WEBHOOK_URL = ""
    webhook_server.plan = ["hang", "hang", "hang"]
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, actor=casey, is_featured=True)

    delivery = Delivery.objects.get(kind=Delivery.Kind.POST_FEATURED)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert "timed out" in delivery.last_error
    assert any("Gave up on slack webhook for featured post" in m for m in notification_logs.messages())


@pytest.mark.django_db(transaction=True)
def test_featuring_a_post_through_the_api_succeeds_while_the_webhook_is_down(
    client, casey, celery_eager, webhook_server, notification_logs, settings
):
    settings.NOTIFY_MAX_RETRIES = 1
    webhook_server.plan = [500] * 4
    post = PostFactory(title="Down but fine")
    client.force_login(casey)

    # A real commit: the webhook task runs (eagerly) inside this request, after the save commits.
    response = client.patch(
        reverse("content_library:api_comms_post", kwargs={"pk": post.pk}),
        {"is_featured": True},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    post.refresh_from_db()
    assert post.is_featured
    assert len(webhook_server.requests) == 4  # two channels, two attempts each
    assert len([m for m in notification_logs.messages() if m.startswith("Gave up")]) == 2


def test_a_webhook_that_redirects_is_a_failure(
    casey, celery_eager, webhook_server, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_TEAMS_WEBHOOK_URL = ""
    settings.NOTIFY_MAX_RETRIES = 0
    webhook_server.plan = [302]
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post_update(post=post, actor=casey, is_featured=True)
    assert Delivery.objects.get().last_error.startswith("HTTP 302")
