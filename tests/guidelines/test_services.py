from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from content_library.models import PostCaption
from guidelines.models import Acknowledgement, AcknowledgementReminder, GuidelineDocument
from guidelines.selectors import acknowledgement_required
from guidelines.services import (
    acknowledgement_record,
    acknowledgement_reminder_send,
    acknowledgement_reminders_request,
    banned_term_create,
    banned_term_update,
    caption_check,
    guideline_document_create,
    guideline_image_upload,
    guideline_version_create,
    portal_settings_update,
)
from tests.content_library.factories import PostFactory, image_bytes

from .factories import make_banned_term, make_policy

pytestmark = pytest.mark.django_db

GOOD = "Big day for us: we launched the new app #Launch #Acme #employee"


def codes(check):
    return [problem.code for problem in check.problems]


# --- caption_check ---------------------------------------------------------


def test_a_caption_that_follows_every_rule_is_ok(post):
    check = caption_check(post=post, network="x", caption=GOOD)
    assert check.ok and check.problems == []
    assert check.unchanged_from_suggestion is False
    assert set(check.counts) == {"linkedin", "x", "facebook", "mastodon", "bluesky", "threads", "email"}
    assert check.counts["x"] == {"count": len(GOOD) + 1 + 23, "limit": 280, "over": False}  # with the link


@pytest.mark.parametrize(
    "caption",
    [
        "Guaranteed returns for everyone #Launch #Acme #employee",
        "guaranteed   RETURNS!  #Launch #Acme #employee",
        "Get (guaranteed\nreturns) #Launch #Acme #employee",
    ],
)
def test_it_flags_a_banned_phrase_in_any_case_with_its_reason(post, banned, caption):
    check = caption_check(post=post, network="linkedin", caption=caption)
    assert not check.ok
    (problem,) = check.problems
    assert (problem.code, problem.term, problem.reason) == ("banned_term", "guaranteed returns", banned.reason)
    assert banned.reason in problem.message


def test_banned_terms_match_whole_words_only(post):
    make_banned_term(term="hype", reason="Let the product speak.")
    assert caption_check(post=post, network="x", caption=f"Hyperlinks everywhere {GOOD}").ok
    assert codes(caption_check(post=post, network="x", caption=f"So much HYPE. {GOOD}")) == ["banned_term"]


def test_paused_banned_terms_are_not_checked(post, banned):
    banned_term_update(banned_term=banned, term=banned.term, reason=banned.reason, is_active=False)
    assert caption_check(post=post, network="x", caption=f"guaranteed returns {GOOD}").ok


def test_it_asks_for_the_post_and_campaign_hashtags(post):
    check = caption_check(post=post, network="x", caption="We launched #launch #employee")
    assert [(p.code, p.term) for p in check.problems] == [("missing_hashtag", "#Acme")]
    assert "#Acme" in check.problems[0].message


def test_a_longer_hashtag_does_not_count_as_the_required_one(post):
    check = caption_check(post=post, network="x", caption="We launched #Launched #AcmeCloud #employees")
    assert codes(check) == ["missing_hashtag", "missing_hashtag", "missing_disclosure"]


def test_it_asks_for_the_disclosure_comms_configured(post):
    portal_settings_update(disclosure="#AcmeEmployee")
    check = caption_check(post=post, network="x", caption="Launched #Launch #Acme #employee")
    assert [(p.code, p.term) for p in check.problems] == [("missing_disclosure", "#AcmeEmployee")]
    portal_settings_update(disclosure="")
    assert caption_check(post=post, network="x", caption="Launched #Launch #Acme").ok


def test_a_share_that_enters_a_reward_draw_needs_the_reward_disclosure(post):
    with mock.patch("guidelines.services.post_enters_reward_draw", return_value=True):
        check = caption_check(post=post, network="x", caption=GOOD)
        assert [(p.code, p.term) for p in check.problems] == [("missing_disclosure", "#ad")]
        assert "reward draw" in check.problems[0].message
        assert caption_check(post=post, network="x", caption="Launched #Launch #Acme #ad").ok


def test_a_campaign_with_an_open_per_share_draw_asks_for_the_reward_disclosure(post):
    from draws.models import Draw
    from guidelines.selectors import post_enters_reward_draw
    from tests.draws.helpers import make_draw

    assert post_enters_reward_draw(post) is False
    make_draw(state="open", weighting=Draw.Weighting.PER_SHARE, campaign=post.campaign)
    assert post_enters_reward_draw(post) is True
    check = caption_check(post=post, network="x", caption=GOOD)
    assert [(p.code, p.term) for p in check.problems] == [("missing_disclosure", "#ad")]


def test_it_refuses_a_caption_too_long_for_the_chosen_network_only(post):
    caption = f"{'a' * 300} {GOOD}"
    check = caption_check(post=post, network="x", caption=caption)
    assert codes(check) == ["too_long"]
    assert "Too long for X" in check.problems[0].message
    assert check.counts["x"]["over"] is True and check.counts["linkedin"]["over"] is False
    assert caption_check(post=post, network="linkedin", caption=caption).ok


def test_x_counts_a_long_url_as_23(post):
    url = "https://example.com/" + "a" * 400
    check = caption_check(post=post, network="x", caption=f"{GOOD} {url}")
    assert check.ok
    assert check.counts["x"]["count"] == len(GOOD) + 1 + 23 + 1 + 23  # and the tracked link, 23 too


def test_a_locked_caption_cannot_change():
    post = PostFactory(suggested_caption="Exactly this. #employee", caption_editable=False)
    assert caption_check(post=post, network="x", caption="Exactly this. #employee\r\n").ok
    check = caption_check(post=post, network="x", caption="Exactly this! #employee")
    assert codes(check) == ["locked_caption"]
    assert check.unchanged_from_suggestion is False


def test_a_locked_caption_may_only_gain_the_required_tags_at_the_end():
    post = PostFactory(suggested_caption="Exactly this.", caption_editable=False, hashtags="#Launch")
    assert codes(caption_check(post=post, network="x", caption="Exactly this.")) == [
        "missing_hashtag",
        "missing_disclosure",
    ]
    assert caption_check(post=post, network="x", caption="Exactly this. #launch #employee").ok
    check = caption_check(post=post, network="x", caption="Exactly this. #employee #launch so cool")
    assert codes(check) == ["locked_caption"]


def test_a_locked_post_uses_the_networks_own_caption():
    post = PostFactory(suggested_caption="General #employee", caption_editable=False)
    PostCaption.objects.create(post=post, network="x", text="For X #employee")
    assert caption_check(post=post, network="x", caption="For X #employee").ok
    assert codes(caption_check(post=post, network="x", caption="General #employee")) == ["locked_caption"]


def test_it_nudges_when_the_caption_is_the_suggestion_word_for_word(post):
    check = caption_check(post=post, network="linkedin", caption=post.suggested_caption)
    assert check.ok and check.unchanged_from_suggestion
    assert not caption_check(post=post, network="linkedin", caption=GOOD).unchanged_from_suggestion


def test_an_unknown_network_is_refused(post):
    with pytest.raises(ValueError):
        caption_check(post=post, network="myspace", caption=GOOD)


# --- documents and versions ---------------------------------------------------


def test_the_first_version_is_major_and_rendered_safely(alice):
    document = guideline_document_create(
        title="Social media policy", kind="policy", body="# Hi\n\n<script>x()</script>ok", created_by=alice
    )
    version = document.versions.get()
    assert (version.number, version.is_major) == (1, True)
    assert "<script" not in version.body_html and "<h2" in version.body_html


def test_new_versions_are_numbered_and_need_a_summary(alice, policy):
    with pytest.raises(ValidationError) as error:
        guideline_version_create(document=policy, body="New text", change_summary="", is_major=False, created_by=alice)
    assert "change_summary" in error.value.message_dict
    version = guideline_version_create(
        document=policy, body="New text", change_summary="Shorter.", is_major=False, created_by=alice
    )
    assert version.number == 2 and not version.is_major


def test_publishing_the_same_text_again_is_refused(alice, policy):
    body = policy.versions.get().body
    with pytest.raises(ValidationError, match="Nothing changed since version 1"):
        guideline_version_create(document=policy, body=body, change_summary="Again", is_major=False, created_by=alice)


def test_there_is_only_one_social_media_policy(alice, policy):
    with pytest.raises(ValidationError, match="already a social media policy"):
        guideline_document_create(title="Another", kind="policy", body="x", created_by=alice)
    other = guideline_document_create(title="Acknowledge", kind="other", body="x", created_by=alice)
    assert other.slug == "acknowledge-guide"  # portal URLs keep their names
    assert GuidelineDocument.objects.count() == 2


def test_an_uploaded_image_is_reencoded_and_needs_alt_text(alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("logo.png", image_bytes("PNG", size=(64, 64)), content_type="image/png")
    with pytest.raises(ValidationError):
        guideline_image_upload(upload=upload, alt_text=" ", uploaded_by=alice)
    image = guideline_image_upload(upload=upload, alt_text="Our logo", uploaded_by=alice)
    assert image.image.name.startswith("guidelines/") and image.width == 64
    svg = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        guideline_image_upload(upload=svg, alt_text="x", uploaded_by=alice)
    assert "not a plain image" in str(error.value)


# --- acknowledgement -------------------------------------------------------------


def test_acknowledging_twice_keeps_one_record(alice, policy):
    version = policy.versions.get()
    first = acknowledgement_record(user=alice, version=version)
    again = acknowledgement_record(user=alice, version=version)
    assert first.pk == again.pk and Acknowledgement.objects.count() == 1


def test_only_the_policy_is_acknowledged(alice):
    document = guideline_document_create(title="Brand", kind="brand", body="x", created_by=alice)
    with pytest.raises(ValidationError):
        acknowledgement_record(user=alice, version=document.versions.get())


# --- reminders ---------------------------------------------------------------------


def test_reminders_go_to_everyone_who_has_not_acknowledged_once(
    alice, bob, casey, harper, dan, policy, celery_eager, django_capture_on_commit_callbacks
):
    acknowledgement_record(user=bob, version=policy.versions.get())
    with django_capture_on_commit_callbacks(execute=True):
        batch = acknowledgement_reminders_request(requested_by=harper)
    assert batch.queued == 3  # alice, casey, harper; not bob (acknowledged) nor dan (deactivated)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alice@example.com",
        "casey@example.com",
        "harper@example.com",
    ]
    assert "/guidelines/acknowledge/" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        again = acknowledgement_reminders_request(requested_by=harper)
    assert (again.queued, again.skipped_recently_reminded, len(mail.outbox)) == (0, 3, 3)


def test_reminders_can_target_one_team(alice, bob, policy, harper, celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = acknowledgement_reminders_request(requested_by=harper, team=bob.team)
    assert batch.queued == 1 and [m.to for m in mail.outbox] == [["bob@example.com"]]


def test_a_reminder_task_run_twice_sends_one_email(alice, policy, harper):
    with mock.patch("guidelines.tasks.send_acknowledgement_reminder.delay"):
        acknowledgement_reminders_request(requested_by=harper)
    reminder = AcknowledgementReminder.objects.get(user=alice)
    assert acknowledgement_reminder_send(reminder_id=reminder.pk) is True
    assert acknowledgement_reminder_send(reminder_id=reminder.pk) is False
    assert len(mail.outbox) == 1


def test_no_reminder_is_sent_to_someone_who_acknowledged_meanwhile(alice, policy, harper):
    with mock.patch("guidelines.tasks.send_acknowledgement_reminder.delay"):
        acknowledgement_reminders_request(requested_by=harper)
    acknowledgement_record(user=alice, version=policy.versions.get())
    assert acknowledgement_reminder_send(reminder_id=AcknowledgementReminder.objects.get(user=alice).pk) is False
    assert mail.outbox == []


def test_a_failed_send_releases_the_reminder_for_a_retry(alice, policy, harper):
    with mock.patch("guidelines.tasks.send_acknowledgement_reminder.delay"):
        acknowledgement_reminders_request(requested_by=harper)
    reminder = AcknowledgementReminder.objects.get(user=alice)
    with mock.patch("guidelines.services.send_mail", side_effect=ConnectionError), pytest.raises(ConnectionError):
        acknowledgement_reminder_send(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.sent_at is None
    assert acknowledgement_reminder_send(reminder_id=reminder.pk) is True


# --- rules and settings ------------------------------------------------------------------


def test_banned_terms_are_unique_ignoring_case(casey, banned):
    with pytest.raises(ValidationError, match="already on the list"):
        banned_term_create(term="Guaranteed  Returns", reason="dup", created_by=casey)


def test_a_banned_term_needs_a_reason(casey):
    with pytest.raises(ValidationError) as error:
        banned_term_create(term="crypto", reason="", created_by=casey)
    assert "reason" in error.value.message_dict


def test_a_disclosure_must_stay_short(db):
    with pytest.raises(ValidationError):
        portal_settings_update(disclosure="this is far too long to be a disclosure tag")


def test_acknowledgement_can_be_switched_off(settings, alice, policy):
    assert acknowledgement_required(user=alice)
    settings.GUIDELINES_REQUIRE_ACKNOWLEDGEMENT = False
    assert not acknowledgement_required(user=alice)


def test_policy_helper_builds_versions(db):
    assert make_policy(versions=3).versions.count() == 3


def test_a_version_with_a_nul_character_is_refused_with_a_clear_message(db):
    from guidelines.services import guideline_document_create

    with pytest.raises(ValidationError, match="NUL character"):
        guideline_document_create(title="Odd", kind="other", body="fine\x00text", created_by=None)


def test_the_starting_caption_adds_what_is_required_once_and_still_counts_as_the_suggestion(post):
    from guidelines.services import caption_completed, caption_requirements

    hashtags, disclosure, _reason = caption_requirements(post=post)
    assert (hashtags, disclosure) == (["#Launch", "#Acme"], "#employee")
    start = caption_completed(caption="We launched #launch", required=[*hashtags, disclosure])
    assert start == "We launched #launch #Acme #employee"
    assert caption_completed(caption=start, required=[*hashtags, disclosure]) == start
    PostCaption.objects.create(post=post, network="bluesky", text="Shipped it")
    check = caption_check(post=post, network="bluesky", caption="Shipped it #Launch #Acme #employee")
    assert check.ok and check.unchanged_from_suggestion


# --- Length as the network receives it -----------------------------------------------------


def _padded(length, *, unit="a"):
    """A caption of ``length`` characters (code points) that follows the post's other rules."""
    return unit * (length - len(GOOD) - 1) + " " + GOOD


def test_a_caption_at_exactly_the_limit_is_too_long_once_the_tracked_link_is_added(post):
    # Seen: accepted at 280, arrived on X at 304; accepted at 300, arrived on Bluesky at 335.
    check = caption_check(post=post, network="x", caption=_padded(280))
    assert codes(check) == ["too_long"]
    assert check.counts["x"] == {"count": 304, "limit": 280, "over": True}
    assert "304 of 280 characters, with the tracked link" in check.problems[0].message
    assert caption_check(post=post, network="x", caption=_padded(256)).ok

    check = caption_check(post=post, network="bluesky", caption=_padded(300))
    assert check.counts["bluesky"] == {"count": 335, "limit": 300, "over": True}
    assert caption_check(post=post, network="bluesky", caption=_padded(265)).ok


def test_facebook_counts_the_caption_alone(post):
    check = caption_check(post=post, network="facebook", caption=GOOD)
    assert check.counts["facebook"]["count"] == len(GOOD)


def test_the_share_itself_refuses_what_the_check_refuses(post, alice, policy):
    from guidelines.services import acknowledgement_record
    from sharing.services import ShareRefused, share_create

    acknowledgement_record(user=alice, version=policy.versions.get())
    with pytest.raises(ShareRefused):
        share_create(user=alice, post=post, network="x", caption=_padded(280), visitor_hash="")
    share, _ = share_create(user=alice, post=post, network="x", caption=_padded(256), visitor_hash="")
    assert share.caption == _padded(256)


def test_the_shares_own_link_is_counted_when_given(post):
    longer = "https://advocacy.example.com/s/Abc123XYZ"  # 40 characters: Bluesky counts all of them
    check = caption_check(post=post, network="bluesky", caption=GOOD, link=longer)
    assert check.counts["bluesky"]["count"] == len(GOOD) + 2 + 40
    assert check.counts["x"]["count"] == len(GOOD) + 1 + 23  # any link is 23 on X
