"""The events other apps report reach the right inboxes, once, with text, HTML and absolute links."""

import pytest
from django.conf import settings
from django.db import transaction

from content_library.models import Post
from content_library.services import post_create, post_transition, suggestion_approve, suggestion_create
from guidelines.services import acknowledgement_record, guideline_version_create
from notifications.models import Delivery
from notifications.services import notification_email_send, notification_fan_out
from notifications.tasks import fan_out, send_email
from tests.content_library.factories import SuggestionFactory
from tests.guidelines.factories import POLICY_V2, make_policy

pytestmark = pytest.mark.django_db


def _submit(actor, title="Spring launch"):
    post = post_create(actor=actor, title=title, body="The new app is out.")
    return post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=actor, note="Ready for a look")


def _html(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def test_comms_admins_hear_about_a_submitted_post_except_whoever_submitted_it(
    casey, quinn, alice, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = _submit(casey)

    assert [message.to for message in mailoutbox] == [[quinn.email]]
    message = mailoutbox[0]
    assert message.subject == "Waiting for review: Spring launch"
    link = f"{settings.SITE_URL}/comms/library/posts/{post.pk}/"
    assert link in message.body and f'href="{link}"' in _html(message)
    assert "Ready for a look" in message.body
    # Work notifications for comms have no unsubscribe list.
    assert "List-Unsubscribe" not in message.extra_headers


def test_a_submission_task_run_twice_sends_one_email(
    casey, quinn, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = _submit(casey)
    with django_capture_on_commit_callbacks(execute=True):
        fan_out.delay(Delivery.Kind.POST_SUBMITTED, post.pk)
    delivery = Delivery.objects.get(kind=Delivery.Kind.POST_SUBMITTED)
    send_email.delay(delivery.kind, delivery.object_key, quinn.pk)

    assert len(mailoutbox) == 1
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1


def test_a_post_submitted_again_after_going_back_to_draft_is_announced_again(
    casey, quinn, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = _submit(casey)
    with django_capture_on_commit_callbacks(execute=True):
        post_transition(post=post, to_status=Post.Status.DRAFT, actor=casey)
        post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=casey)

    assert len(mailoutbox) == 2
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


def test_nobody_is_asked_to_review_a_post_that_was_reviewed_before_the_email_went_out(
    casey, quinn, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = _submit(casey)
        post_transition(post=post, to_status=Post.Status.APPROVED, actor=casey)

    assert mailoutbox == []


def test_comms_admins_hear_about_a_new_suggestion(
    alice, casey, quinn, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggestion_create(author=alice, url="https://example.com/story", text="Our CTO on stage")

    assert sorted(message.to[0] for message in mailoutbox) == sorted([casey.email, quinn.email])
    message = mailoutbox[0]
    assert message.subject == "New content suggestion from Alice Archer"
    assert f"{settings.SITE_URL}/comms/library/suggestions/{suggestion.pk}/review/" in message.body
    assert "Our CTO on stage" in _html(message)


def test_the_author_hears_that_their_suggestion_was_approved(
    alice, casey, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    suggestion = SuggestionFactory(author=alice, text="Read this")
    with django_capture_on_commit_callbacks(execute=True):
        post = suggestion_approve(suggestion=suggestion, reviewer=casey, note="Lovely find", title="A find")

    # Approving creates, submits and approves the post at once: nobody is asked to review it.
    assert [message.to for message in mailoutbox] == [[alice.email]]
    message = mailoutbox[0]
    assert message.subject == "Your content suggestion was approved"
    assert "Lovely find" in message.body and "A find" in _html(message)
    assert f"{settings.SITE_URL}/suggestions/" in message.body
    assert post.publish_at is None and "once it is scheduled" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body and unsubscribe.strip("<>") in _html(message)


def test_an_author_who_switched_suggestion_emails_off_hears_nothing(
    alice, casey, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    alice.notify_suggestion_updates = False
    alice.save()
    suggestion = SuggestionFactory(author=alice)
    with django_capture_on_commit_callbacks(execute=True):
        suggestion_approve(suggestion=suggestion, reviewer=casey)

    assert mailoutbox == []


def test_a_preference_changed_after_the_event_is_honoured_when_sending(alice, casey, mailoutbox):
    suggestion = SuggestionFactory(author=alice)
    suggestion_approve(suggestion=suggestion, reviewer=casey)
    notification_fan_out(kind=Delivery.Kind.SUGGESTION_APPROVED, object_id=suggestion.pk)
    alice.notify_suggestion_updates = False
    alice.save()

    assert (
        notification_email_send(
            kind=Delivery.Kind.SUGGESTION_APPROVED, object_key=f"suggestion:{suggestion.pk}", user_id=alice.pk
        )
        is False
    )
    assert mailoutbox == []
    assert Delivery.objects.get().status == Delivery.Status.SKIPPED


def test_everyone_who_must_acknowledge_a_new_major_policy_version_is_emailed(
    alice, bob, casey, harper, dan, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    bob.notify_policy_updates = False
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        policy = make_policy()

    assert sorted(message.to[0] for message in mailoutbox) == sorted([alice.email, casey.email, harper.email])
    message = next(message for message in mailoutbox if message.to == [alice.email])
    assert message.subject == "New version of the Social media policy: please read and acknowledge it"
    assert f"{settings.SITE_URL}/guidelines/acknowledge/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    mailoutbox.clear()
    acknowledgement_record(user=casey, version=policy.versions.get())
    with django_capture_on_commit_callbacks(execute=True):
        guideline_version_create(
            document=policy, body=POLICY_V2, change_summary="Typo fixed.", is_major=False, created_by=harper
        )
    assert mailoutbox == []  # a minor version asks nobody again

    with django_capture_on_commit_callbacks(execute=True):
        guideline_version_create(
            document=policy,
            body=POLICY_V2 + "\nNew rule.\n",
            change_summary="A new rule.",
            is_major=True,
            created_by=harper,
        )
    assert sorted(message.to[0] for message in mailoutbox) == sorted([alice.email, casey.email, harper.email])
    assert "A new rule." in mailoutbox[0].body


def test_someone_who_acknowledged_before_the_email_went_out_is_not_emailed(alice, mailoutbox):
    policy = make_policy()
    version = policy.versions.get()
    notification_fan_out(kind=Delivery.Kind.POLICY_MAJOR_VERSION, object_id=version.pk)
    acknowledgement_record(user=alice, version=version)

    sent = notification_email_send(
        kind=Delivery.Kind.POLICY_MAJOR_VERSION, object_key=f"version:{version.pk}", user_id=alice.pk
    )
    assert sent is False and mailoutbox == []


def test_a_rolled_back_change_queues_nothing(
    casey, quinn, alice, celery_eager, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _submit(casey)
        suggestion_create(author=alice, url="https://example.com/x")
        raise RuntimeError("the request failed after the writes")

    assert callbacks == [] and mailoutbox == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_emails_leave_only_when_the_transaction_commits(casey, quinn, celery_eager, mailoutbox):
    post = post_create(actor=casey, title="Committed or not")
    with pytest.raises(RuntimeError), transaction.atomic():
        post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=casey)
        raise RuntimeError("rolled back")
    assert mailoutbox == []

    post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=casey)
    assert [message.to for message in mailoutbox] == [[quinn.email]]
