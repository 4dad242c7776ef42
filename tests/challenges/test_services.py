from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from challenges.models import Challenge, Entry
from challenges.services import (
    challenge_close,
    challenge_create,
    challenge_update,
    entry_create,
    entry_promote,
    entry_promotion_answer,
    entry_promotion_ask,
)
from content_library.models import Post, PostImage
from content_library.selectors import post_feed, post_list_for_comms
from guidelines.models import BannedTerm
from sharing.models import Share
from sharing.services import ShareRefused
from tests.content_library.factories import image_bytes

from .conftest import GOOD_CAPTION, make_challenge

pytestmark = pytest.mark.django_db


def _jpeg(name="me.jpg"):
    return SimpleUploadedFile(name, image_bytes("JPEG", size=(800, 600)), content_type="image/jpeg")


class TestChallenges:
    def test_it_creates_a_draft_whose_campaign_carries_the_hashtag(self, casey):
        challenge = make_challenge(casey, open_it=False, hashtag="LaunchWeek")
        assert challenge.status == Challenge.Status.DRAFT
        assert challenge.campaign.hashtag == "#LaunchWeek"
        assert challenge.hashtag == "#LaunchWeek"

    def test_only_comms_create_challenges(self, alice):
        today = timezone.localdate()
        with pytest.raises(PermissionDenied):
            challenge_create(actor=alice, title="T", prompt="P", hashtag="#T", starts_on=today, ends_on=today)

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"title": ""}, "title"),
            ({"hashtag": ""}, "hashtag"),
            ({"hashtag": "#two words"}, "hashtag"),
            ({"ends_on": timezone.localdate() - timedelta(days=9)}, "ends_on"),
            ({"starts_on": None}, "starts_on"),
        ],
    )
    def test_it_names_what_is_wrong_and_saves_nothing(self, casey, fields, field):
        today = timezone.localdate()
        data = {"title": "T", "prompt": "P", "hashtag": "#T", "starts_on": today, "ends_on": today, **fields}
        with pytest.raises(ValidationError) as caught:
            challenge_create(actor=casey, **data)
        assert field in caught.value.message_dict
        assert not Challenge.objects.exists()

    def test_the_hashtag_is_fixed_once_someone_entered(self, casey, alice, challenge):
        entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        with pytest.raises(ValidationError) as caught:
            challenge_update(
                challenge=challenge,
                actor=casey,
                title=challenge.title,
                prompt=challenge.prompt,
                hashtag="#Other",
                starts_on=challenge.starts_on,
                ends_on=challenge.ends_on,
            )
        assert "hashtag" in caught.value.message_dict
        challenge.campaign.refresh_from_db()
        assert challenge.campaign.hashtag == "#LaunchWeek"


class TestEntries:
    def test_an_entry_is_an_employee_post_shared_with_a_tracked_link(self, alice, challenge):
        entry = entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        assert entry.post.kind == Post.Kind.EMPLOYEE
        assert entry.post.created_by == alice
        assert entry.post.campaign == challenge.campaign
        share = Share.objects.get(pk=entry.share_id)
        assert (share.user, share.post, share.network, share.caption) == (alice, entry.post, "linkedin", GOOD_CAPTION)
        assert len(share.code) >= 8

    def test_it_is_never_in_anyones_library_or_the_comms_post_list(self, alice, bob, challenge):
        entry = entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        assert entry.post not in post_feed(user=alice)
        assert entry.post not in post_feed(user=bob)
        assert entry.post not in post_list_for_comms()

    def test_the_caption_must_carry_the_hashtag(self, alice, challenge):
        with pytest.raises(ShareRefused) as caught:
            entry_create(challenge=challenge, author=alice, caption="Great release #employee", network="linkedin")
        assert any("#LaunchWeek" in problem for problem in caught.value.problems)
        assert not Entry.objects.exists() and not Post.objects.filter(kind=Post.Kind.EMPLOYEE).exists()

    def test_the_same_caption_rules_as_every_share_apply(self, casey, alice, challenge):
        BannedTerm.objects.create(term="guaranteed", reason="We never promise results.", created_by=casey)
        with pytest.raises(ShareRefused) as caught:
            entry_create(
                challenge=challenge, author=alice, caption="Guaranteed wins #LaunchWeek #employee", network="linkedin"
            )
        assert any("We never promise results." in problem for problem in caught.value.problems)
        with pytest.raises(ShareRefused):
            entry_create(challenge=challenge, author=alice, caption="Loved it #LaunchWeek", network="linkedin")
        assert not Entry.objects.exists() and not Share.objects.exists()

    def test_a_photo_is_re_encoded_without_metadata(self, alice, challenge):
        entry = entry_create(
            challenge=challenge,
            author=alice,
            caption=GOOD_CAPTION,
            network="linkedin",
            image=_jpeg("../../evil.php.jpg"),
            image_alt_text="Me at my desk",
        )
        image = PostImage.objects.get(post=entry.post)
        assert image.alt_text == "Me at my desk"
        assert "evil" not in image.image.name and image.image.name.endswith(".jpg")

    def test_a_refused_photo_saves_nothing(self, alice, challenge):
        bad = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
        with pytest.raises(ValidationError) as caught:
            entry_create(
                challenge=challenge,
                author=alice,
                caption=GOOD_CAPTION,
                network="linkedin",
                image=bad,
                image_alt_text="x",
            )
        assert "image" in caught.value.message_dict
        assert not Entry.objects.exists() and not Post.objects.exists() and not PostImage.objects.exists()

    def test_a_photo_needs_a_description(self, alice, challenge):
        with pytest.raises(ValidationError) as caught:
            entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin", image=_jpeg())
        assert "image_alt_text" in caught.value.message_dict

    @pytest.mark.parametrize("state", ["draft", "closed", "future", "past"])
    def test_only_an_open_running_challenge_takes_entries(self, casey, alice, state):
        if state == "draft":
            challenge = make_challenge(casey, open_it=False)
        elif state == "closed":
            challenge = challenge_close(challenge=make_challenge(casey), actor=casey)
        elif state == "future":
            challenge = make_challenge(casey, days_before=-2, days_after=5)
        else:
            challenge = make_challenge(casey, days_before=9, days_after=-2)
        with pytest.raises(ValidationError, match="not open"):
            entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")

    def test_entries_per_person_are_capped(self, settings, alice, challenge):
        settings.CHALLENGE_MAX_ENTRIES_PER_PERSON = 2
        for network in ("linkedin", "x"):
            entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network=network)
        with pytest.raises(ValidationError, match="most anyone may"):
            entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="facebook")
        assert Entry.objects.count() == 2

    def test_nobody_else_can_share_an_employees_own_post(self, alice, bob, challenge):
        from sharing.services import share_create

        entry = entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        with pytest.raises(ShareRefused):
            share_create(user=bob, post=entry.post, network="x", caption=GOOD_CAPTION)
        share, created = share_create(user=alice, post=entry.post, network="x", caption=GOOD_CAPTION)
        assert created and share.user == alice

    def test_a_deactivated_person_cannot_enter(self, dan, challenge):
        with pytest.raises(PermissionDenied):
            entry_create(challenge=challenge, author=dan, caption=GOOD_CAPTION, network="linkedin")


class TestPromotion:
    @pytest.fixture
    def entry(self, alice, challenge):
        return entry_create(
            challenge=challenge,
            author=alice,
            caption=GOOD_CAPTION,
            network="linkedin",
            image=_jpeg(),
            image_alt_text="Me at my desk",
        )

    def test_promotion_needs_the_authors_consent(self, casey, entry):
        with pytest.raises(ValidationError, match="not agreed"):
            entry_promote(entry=entry, actor=casey)
        entry_promotion_ask(entry=entry, actor=casey)
        with pytest.raises(ValidationError, match="not agreed"):
            entry_promote(entry=entry, actor=casey)
        assert not Post.objects.filter(kind=Post.Kind.LIBRARY).exists()

    def test_a_consenting_authors_post_enters_the_library_credited(self, casey, alice, bob, entry):
        entry_promotion_ask(entry=entry, actor=casey)
        answered = entry_promotion_answer(entry=entry, author=alice, consent=True)
        assert answered.promotion == Entry.Promotion.CONSENTED and answered.promotion_answered_at is not None
        copy = entry_promote(entry=entry, actor=casey)
        assert copy.kind == Post.Kind.LIBRARY and copy.suggested_by == alice
        assert copy.status == Post.Status.APPROVED and copy.suggested_caption == GOOD_CAPTION
        assert copy.images.get().alt_text == "Me at my desk"
        entry.refresh_from_db()
        assert entry.promotion == Entry.Promotion.PROMOTED and entry.promoted_post == copy
        assert entry_promote(entry=entry, actor=casey) == copy  # twice: still one copy
        assert Post.objects.filter(kind=Post.Kind.LIBRARY).count() == 1
        assert copy in post_list_for_comms()

    def test_a_refusal_stands(self, casey, alice, entry):
        entry_promotion_ask(entry=entry, actor=casey)
        entry_promotion_answer(entry=entry, author=alice, consent=False)
        with pytest.raises(ValidationError):
            entry_promote(entry=entry, actor=casey)
        with pytest.raises(ValidationError, match="said no"):
            entry_promotion_ask(entry=entry, actor=casey)

    def test_only_the_author_answers(self, casey, bob, entry):
        entry_promotion_ask(entry=entry, actor=casey)
        with pytest.raises(PermissionDenied):
            entry_promotion_answer(entry=entry, author=bob, consent=True)
        with pytest.raises(PermissionDenied):
            entry_promotion_answer(entry=entry, author=casey, consent=True)

    def test_the_author_cannot_answer_before_being_asked(self, alice, entry):
        with pytest.raises(ValidationError, match="Nobody has asked"):
            entry_promotion_answer(entry=entry, author=alice, consent=True)

    def test_only_comms_ask_and_promote(self, alice, entry):
        with pytest.raises(PermissionDenied):
            entry_promotion_ask(entry=entry, actor=alice)
        with pytest.raises(PermissionDenied):
            entry_promote(entry=entry, actor=alice)
