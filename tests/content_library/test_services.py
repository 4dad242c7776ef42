import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from content_library.models import Post, PostImage, Suggestion
from content_library.services import (
    campaign_create,
    post_archive_many,
    post_create,
    post_image_add,
    post_image_make_renditions,
    post_transition,
    post_update,
    suggestion_approve,
    suggestion_create,
    suggestion_reject,
)

from .factories import PostFactory, PostImageFactory, SuggestionFactory, image_bytes

pytestmark = pytest.mark.django_db


def test_a_new_post_is_a_draft_with_its_creation_recorded(casey):
    post = post_create(actor=casey, title="Launch day", captions={"x": "Short one", "linkedin": ""})
    assert post.status == Post.Status.DRAFT
    assert post.slug == "launch-day"
    assert [(t.from_status, t.to_status, t.actor) for t in post.transitions.all()] == [("", "draft", casey)]
    assert {c.network: c.text for c in post.captions.all()} == {"x": "Short one"}
    assert post_create(actor=casey, title="Launch day").slug == "launch-day-2"


def test_only_comms_admins_curate(alice):
    with pytest.raises(PermissionDenied):
        post_create(actor=alice, title="Sneaky")
    post = PostFactory(status=Post.Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        post_transition(post=post, to_status=Post.Status.APPROVED, actor=alice)
    post.refresh_from_db()
    assert post.status == Post.Status.SUBMITTED


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.com/x", "/relative"])
def test_only_http_links_are_stored(casey, url):
    with pytest.raises(ValidationError) as error:
        post_create(actor=casey, title="Link", destination_url=url)
    assert "destination_url" in error.value.message_dict
    post = PostFactory()
    with pytest.raises(ValidationError):
        post_update(post=post, actor=casey, destination_url=url)
    with pytest.raises(ValidationError):
        suggestion_create(author=casey, url=url, text="hi")
    assert not Post.objects.filter(destination_url=url).exists()


def test_a_post_for_no_one_is_refused(casey):
    with pytest.raises(ValidationError) as error:
        post_create(actor=casey, title="Nobody", target_everyone=False)
    assert "target_teams" in error.value.message_dict


def test_a_post_cannot_expire_before_it_is_published(casey):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        post_create(actor=casey, title="Backwards", publish_at=now, expires_at=now - timedelta(hours=1))
    assert "expires_at" in error.value.message_dict


def test_the_workflow_goes_draft_submitted_approved_archived_and_is_recorded(casey):
    post = post_create(actor=casey, title="Flow")
    with pytest.raises(ValidationError):
        post_transition(post=post, to_status=Post.Status.APPROVED, actor=casey)
    post_transition(post=post, to_status=Post.Status.SUBMITTED, actor=casey)
    post_transition(post=post, to_status=Post.Status.APPROVED, actor=casey, note="Great")
    post_transition(post=post, to_status=Post.Status.ARCHIVED, actor=casey)
    steps = [(t.from_status, t.to_status, t.note) for t in post.transitions.all()]
    assert steps == [("", "draft", ""), ("draft", "submitted", ""), ("submitted", "approved", "Great"),
                     ("approved", "archived", "")]  # fmt: skip


def test_a_rejection_needs_a_note(casey):
    post = PostFactory(status=Post.Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        post_transition(post=post, to_status=Post.Status.REJECTED, actor=casey, note="  ")
    assert "note" in error.value.message_dict
    post_transition(post=post, to_status=Post.Status.REJECTED, actor=casey, note="Needs a quote")
    assert post.transitions.get().note == "Needs a quote"


def test_bulk_archive_skips_posts_already_archived(casey):
    posts = [PostFactory(), PostFactory(status=Post.Status.DRAFT), PostFactory(status=Post.Status.ARCHIVED)]
    assert post_archive_many(post_ids=[p.pk for p in posts], actor=casey) == 2
    assert set(Post.objects.values_list("status", flat=True)) == {"archived"}


def _jpeg_with_exif_and_rotation() -> bytes:
    image = Image.new("RGB", (300, 200), (10, 20, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise when shown
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPS
    exif[0x010F] = "SpyCam"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_images_are_reencoded_without_metadata_and_upright(casey, django_capture_on_commit_callbacks):
    post = PostFactory()
    upload = SimpleUploadedFile("../../evil.php.jpg", _jpeg_with_exif_and_rotation(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks() as callbacks:
        image = post_image_add(post=post, upload=upload, alt_text="Dark rectangle", actor=casey)
    assert len(callbacks) == 1, "renditions are queued once the upload is committed"
    assert "evil" not in image.image.name and image.image.name.startswith("posts/")
    with Image.open(image.image.path) as stored:
        assert stored.size == (200, 300)
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert (image.width, image.height) == (200, 300)


def test_a_post_has_at_most_four_images_each_with_alt_text(casey):
    post = PostFactory()
    with pytest.raises(ValidationError) as error:
        post_image_add(post=post, upload=ContentFile(image_bytes(), name="a.jpg"), alt_text=" ", actor=casey)
    assert "alt_text" in error.value.message_dict
    for n in range(4):
        post_image_add(post=post, upload=ContentFile(image_bytes(), name="a.jpg"), alt_text=f"Image {n}", actor=casey)
    assert list(post.images.values_list("position", flat=True)) == [0, 1, 2, 3]
    with pytest.raises(ValidationError) as error:
        post_image_add(post=post, upload=ContentFile(image_bytes(), name="a.jpg"), alt_text="Fifth", actor=casey)
    assert "at most 4" in str(error.value)
    assert PostImage.objects.count() == 4


def test_renditions_are_made_once_and_reused(settings):
    image = PostImageFactory()
    names = post_image_make_renditions(image_id=image.pk)
    assert set(names) == {"1200x627", "1600x900", "1080x1080", "thumb"}
    image.refresh_from_db()
    assert image.renditions == names
    with Image.open(settings.MEDIA_ROOT / names["1200x627"]) as rendition:
        assert rendition.size == (1200, 627)
    with Image.open(settings.MEDIA_ROOT / names["1080x1080"]) as rendition:
        assert rendition.size == (900, 900)  # never scaled up from a 1600×900 original
    mtime = (settings.MEDIA_ROOT / names["thumb"]).stat().st_mtime_ns
    assert post_image_make_renditions(image_id=image.pk) == names
    assert (settings.MEDIA_ROOT / names["thumb"]).stat().st_mtime_ns == mtime
    assert post_image_make_renditions(image_id=999_999) == {}


def test_renditions_are_remade_when_a_file_went_missing(settings):
    image = PostImageFactory()
    names = post_image_make_renditions(image_id=image.pk)
    (settings.MEDIA_ROOT / names["thumb"]).unlink()
    again = post_image_make_renditions(image_id=image.pk)
    assert (settings.MEDIA_ROOT / again["thumb"]).exists()
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "posts/renditions" / str(image.pk)).iterdir()) == sorted(
        name.rsplit("/", 1)[1] for name in again.values()
    )


def test_approving_a_suggestion_makes_a_post_credited_to_its_author(alice, casey):
    upload = ContentFile(image_bytes("PNG", size=(400, 300)), name="mine.png")
    suggestion = suggestion_create(
        author=alice, url="https://example.com/story", text="Our team won a prize\nmore", image=upload,
        image_alt_text="The trophy", draft_caption="We won!",
    )  # fmt: skip
    post = suggestion_approve(suggestion=suggestion, reviewer=casey, note="Lovely", publish_at=timezone.now())
    assert (post.title, post.destination_url, post.suggested_caption) == (
        "Our team won a prize",
        "https://example.com/story",
        "We won!",
    )
    assert post.suggested_by == alice and post.status == Post.Status.APPROVED
    assert post.images.get().alt_text == "The trophy"
    assert [t.to_status for t in post.transitions.all()] == ["draft", "submitted", "approved"]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.post, suggestion.reviewed_by) == ("approved", post, casey)
    with pytest.raises(ValidationError):
        suggestion_approve(suggestion=suggestion, reviewer=casey)
    assert Post.objects.count() == 1


def test_a_suggestion_needs_a_link_or_text_and_alt_text_for_its_image(alice):
    with pytest.raises(ValidationError) as error:
        suggestion_create(author=alice)
    assert "url" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        suggestion_create(author=alice, text="Look", image=ContentFile(image_bytes(), name="a.jpg"))
    assert "image_alt_text" in error.value.message_dict
    assert not Suggestion.objects.exists()


def test_rejecting_a_suggestion_needs_a_note_and_only_comms_may(alice, casey):
    suggestion = SuggestionFactory(author=alice)
    with pytest.raises(PermissionDenied):
        suggestion_reject(suggestion=suggestion, reviewer=alice, note="no")
    with pytest.raises(ValidationError):
        suggestion_reject(suggestion=suggestion, reviewer=casey, note="")
    suggestion_reject(suggestion=suggestion, reviewer=casey, note="Off topic")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.review_note) == ("rejected", "Off topic")


def test_campaign_dates_and_hashtag_are_checked(casey):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        campaign_create(actor=casey, name="Backwards", starts_on=today, ends_on=today - timedelta(days=1))
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        campaign_create(actor=casey, name="Spaces", hashtag="#two words")
    assert campaign_create(actor=casey, name="Spring launch", hashtag="#Spring").slug == "spring-launch"
