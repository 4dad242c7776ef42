import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from advocacy.people.selectors import person_data_export
from programme import ambassadorship, insiders
from programme.models import InsiderProfile
from sharing.models import Share
from tests.content_library.factories import PostFactory, image_bytes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ambassador(user, *, by):
    ambassadorship.ambassador_invite(user=user, invited_by=by)
    ambassadorship.invitation_accept(user=user)


def _share(user, post, code):
    return Share.objects.create(user=user, post=post, network="linkedin", code=code, last_shared_at=timezone.now())


@pytest.fixture
def featured(alice, casey):
    """Alice: an ambassador comms featured, who has shared two posts."""
    _ambassador(alice, by=casey)
    insiders.insider_feature(user=alice, featured_by=casey)
    first = _share(alice, PostFactory(title="We are hiring in Lisbon"), "PickOne111")
    second = _share(alice, PostFactory(title="Our engineering blog"), "PickTwo222")
    return first, second


def _page(client):
    return client.get(reverse("programme:insiders"))


def test_the_page_is_off_by_default_for_everyone_but_comms(client, casey):
    assert _page(client).status_code == 404
    client.force_login(casey)
    response = _page(client)
    assert response.status_code == 200 and "This page is off" in response.content.decode()


def test_a_featured_ambassador_shows_only_after_consenting_with_their_picks_as_tracked_links(
    client, alice, casey, featured
):
    first, second = featured
    insiders.insiders_page_set(enabled=True, changed_by=casey)
    assert "Alice Archer" not in _page(client).content.decode()
    consent_time = timezone.now() - timedelta(minutes=5)
    insiders.insider_profile_save(
        user=alice, bio="I write the backend.", share_ids=[second.pk, first.pk], consent=True, now=consent_time
    )
    assert InsiderProfile.objects.get(user=alice).consented_at == consent_time
    html = _page(client).content.decode()
    assert "Alice Archer" in html and "I write the backend." in html
    assert html.index("Our engineering blog") < html.index("We are hiring in Lisbon")
    assert "/s/PickTwo222" in html and "/s/PickOne111" in html


def test_withdrawing_consent_removes_them_from_the_page_at_once(client, alice, casey, featured):
    insiders.insiders_page_set(enabled=True, changed_by=casey)
    insiders.insider_profile_save(user=alice, bio="Hello.", share_ids=[], consent=True)
    assert "Alice Archer" in _page(client).content.decode()
    client.force_login(alice)
    client.post(reverse("programme:insider_withdraw"))
    client.logout()
    response = _page(client)
    assert "Alice Archer" not in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    profile = InsiderProfile.objects.get(user=alice)
    assert profile.withdrawn_at is not None and not profile.is_consenting


def test_unticking_consent_in_the_form_also_withdraws_it_with_its_time(alice, featured):
    insiders.insider_profile_save(user=alice, bio="Hello.", share_ids=[], consent=True)
    later = timezone.now() + timedelta(hours=1)
    insiders.insider_profile_save(user=alice, bio="Hello.", share_ids=[], consent=False, now=later)
    assert InsiderProfile.objects.get(user=alice).withdrawn_at == later
    assert insiders.insiders_on_page() == []


def test_a_person_who_was_not_featured_cannot_put_themselves_on_the_page(bob):
    with pytest.raises(ValidationError, match="not asked you"):
        insiders.insider_profile_save(user=bob, bio="Me!", share_ids=[], consent=True)


def test_only_ambassadors_can_be_featured(bob, casey):
    with pytest.raises(ValidationError, match="Only ambassadors"):
        insiders.insider_feature(user=bob, featured_by=casey)


def test_picks_must_be_their_own_shares_and_at_most_three(alice, bob, casey, featured):
    someone_elses = _share(bob, PostFactory(), "NotAlice33")
    with pytest.raises(ValidationError, match="posts you shared"):
        insiders.insider_profile_save(user=alice, bio="Hi.", share_ids=[someone_elses.pk], consent=True)
    with pytest.raises(ValidationError, match="at most 3"):
        insiders.insider_profile_save(user=alice, bio="Hi.", share_ids=[1, 2, 3, 4], consent=True)


def test_consent_needs_a_bio(alice, featured):
    with pytest.raises(ValidationError, match="short bio"):
        insiders.insider_profile_save(user=alice, bio="  ", share_ids=[], consent=True)


def test_the_photo_is_stored_re_encoded_without_its_metadata(client, alice, featured):
    source = Image.open(io.BytesIO(image_bytes(size=(400, 400))))
    exif = Image.Exif()
    exif[0x010F] = "Secret camera"
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", exif=exif)
    client.force_login(alice)
    upload = SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = client.post(reverse("programme:insider_profile_save"), {"bio": "Hi.", "photo": upload, "consent": "on"})
    assert response.status_code == 302
    profile = InsiderProfile.objects.get(user=alice)
    with profile.photo.open("rb") as stored:
        data = stored.read()
    assert b"Secret camera" not in data and not Image.open(io.BytesIO(data)).getexif()


def test_a_refused_photo_keeps_what_was_saved_and_says_why(client, alice, featured):
    insiders.insider_profile_save(user=alice, bio="Saved before.", share_ids=[], consent=True)
    client.force_login(alice)
    upload = SimpleUploadedFile("me.png", b"<svg onload=alert(1)></svg>", content_type="image/png")
    response = client.post(reverse("programme:insider_profile_save"), {"bio": "New bio", "photo": upload})
    assert response.status_code == 400
    profile = InsiderProfile.objects.get(user=alice)
    assert profile.bio == "Saved before." and profile.is_consenting


def test_the_insider_entry_is_in_the_download_and_goes_with_erasure(alice, casey, featured):
    insiders.insider_profile_save(user=alice, bio="Hello.", share_ids=[featured[0].pk], consent=True)
    section = person_data_export(user=alice)
    assert section["insider"]["bio"] == "Hello." and section["insider"]["picks"] == ["We are hiring in Lisbon"]
    assert section["ambassador_invitations"][0]["status"] == "accepted"
    from programme.personal_data import erase

    erase(user=alice)
    assert not InsiderProfile.objects.filter(user=alice).exists()


# Queries: the settings row, the profiles of consenting ambassadors with people and teams, their picks
# with shares and posts; +1 branding. The page is public: no session or permission reads for a visitor.
@pytest.mark.parametrize("size", [1, 4])
def test_the_insiders_page_query_count_does_not_grow(client, casey, django_assert_num_queries, size):
    insiders.insiders_page_set(enabled=True, changed_by=casey)
    for n in range(size):
        person = UserFactory(username=f"insider-{size}-{n}")
        _ambassador(person, by=casey)
        insiders.insider_feature(user=person, featured_by=casey)
        share = _share(person, PostFactory(), f"Code{size}x{n}")
        insiders.insider_profile_save(user=person, bio="Hello.", share_ids=[share.pk], consent=True)
    with django_assert_num_queries(4):
        assert _page(client).status_code == 200
