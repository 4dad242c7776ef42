from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge, Entry
from challenges.services import entry_create, entry_promotion_ask
from content_library.models import Post
from tests.content_library.factories import image_bytes
from tests.factories import UserFactory

from .conftest import GOOD_CAPTION, make_challenge

pytestmark = pytest.mark.django_db


def _entries(challenge, people):
    for person in people:
        caption = f"In my own words {challenge.hashtag} #employee"
        entry_create(challenge=challenge, author=person, caption=caption, network="linkedin")


class TestEmployeePages:
    def test_an_employee_enters_and_lands_on_the_share_handoff(self, client, alice, challenge):
        client.force_login(alice)
        page = client.get(reverse("challenges:detail", args=[challenge.slug]))
        assert page.status_code == 200 and b"#LaunchWeek" in page.content
        upload = SimpleUploadedFile("me.png", image_bytes("PNG", size=(600, 400)), content_type="image/png")
        response = client.post(
            reverse("challenges:enter", args=[challenge.slug]),
            {"caption": GOOD_CAPTION, "network": "linkedin", "image": upload, "image_alt_text": "My desk"},
        )
        entry = Entry.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("sharing:share_open", args=[entry.share_id])
        handoff = client.get(response["Location"])
        assert handoff.status_code == 200
        assert f"/s/{entry.share.code}".encode() in handoff.content

    def test_a_caption_without_the_hashtag_is_refused_and_kept(self, client, alice, challenge):
        client.force_login(alice)
        response = client.post(
            reverse("challenges:enter", args=[challenge.slug]), {"caption": "My own words #employee", "network": "x"}
        )
        assert response.status_code == 400
        assert "Add #LaunchWeek" in response.content.decode()
        assert "My own words #employee" in response.content.decode()
        assert not Entry.objects.exists()

    def test_an_empty_post_names_every_missing_field(self, client, alice, challenge):
        client.force_login(alice)
        response = client.post(reverse("challenges:enter", args=[challenge.slug]), {})
        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"caption", "network"}

    def test_drafts_are_hidden_from_employees(self, client, casey, alice):
        draft = make_challenge(casey, open_it=False, title="Secret", hashtag="#Secret")
        client.force_login(alice)
        assert client.get(reverse("challenges:detail", args=[draft.slug])).status_code == 404
        assert b"Secret" not in client.get(reverse("challenges:list")).content

    def test_the_author_answers_the_consent_question(self, client, casey, alice, challenge):
        entry = entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        entry_promotion_ask(entry=entry, actor=casey)
        client.force_login(alice)
        assert b"May they?" in client.get(reverse("challenges:my_entries")).content
        client.post(reverse("challenges:entry_consent", args=[entry.pk]), {"consent": "yes"})
        entry.refresh_from_db()
        assert entry.promotion == Entry.Promotion.CONSENTED

    def test_nobody_answers_for_someone_elses_entry(self, client, casey, alice, bob, challenge):
        entry = entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        entry_promotion_ask(entry=entry, actor=casey)
        client.force_login(bob)
        assert client.post(reverse("challenges:entry_consent", args=[entry.pk]), {"consent": "yes"}).status_code == 404
        entry.refresh_from_db()
        assert entry.promotion == Entry.Promotion.ASKED

    @pytest.mark.parametrize("count", [2, 9])
    def test_the_challenge_list_costs_the_same_queries_however_many(
        self, client, django_assert_num_queries, casey, alice, count
    ):
        for n in range(count):
            challenge = make_challenge(casey, title=f"C{n}", hashtag=f"#C{n}")
            _entries(challenge, [alice])
        client.force_login(alice)
        # session, user, the user's permissions (user and group: 2), nav badge (library new count), challenges with
        # their campaign and entry count
        # +1: the organisation's branding that every page's header reads (cached after the first page).
        with django_assert_num_queries(7):
            assert client.get(reverse("challenges:list")).status_code == 200

    @pytest.mark.parametrize("count", [2, 8])
    def test_the_challenge_page_costs_the_same_queries_however_many_entries(
        self, client, django_assert_num_queries, casey, alice, count
    ):
        challenge = make_challenge(casey)
        _entries(challenge, [UserFactory(username=f"p{n}") for n in range(count)])
        client.force_login(alice)
        # session, user, permissions (2), nav badge, challenge with campaign, board, draws, entries (with author,
        # team, post, share), their images
        # +1: the organisation's branding that every page's header reads (cached after the first page).
        with django_assert_num_queries(11):
            assert client.get(reverse("challenges:detail", args=[challenge.slug])).status_code == 200

    @pytest.mark.parametrize("count", [1, 4])
    def test_my_entries_costs_the_same_queries_however_many(
        self, client, django_assert_num_queries, casey, alice, count
    ):
        for n in range(count):
            _entries(make_challenge(casey, title=f"C{n}", hashtag=f"#C{n}"), [alice])
        client.force_login(alice)
        # session, user, permissions (2), nav badge, entries (with challenge, campaign, post, share), their images
        # +1: the organisation's branding that every page's header reads (cached after the first page).
        with django_assert_num_queries(8):
            assert client.get(reverse("challenges:my_entries")).status_code == 200


class TestCommsPages:
    def test_comms_create_open_and_close_a_challenge(self, client, casey):
        client.force_login(casey)
        today = timezone.localdate()
        response = client.post(
            reverse("challenges:manage_list"),
            {
                "title": "Wellness week",
                "prompt": "How do you recharge?",
                "hashtag": "#WellnessWeek",
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=6)).isoformat(),
            },
        )
        challenge = Challenge.objects.get()
        assert response.status_code == 302 and challenge.status == Challenge.Status.DRAFT
        client.post(reverse("challenges:manage_status", args=[challenge.slug]), {"action": "open"})
        challenge.refresh_from_db()
        assert challenge.status == Challenge.Status.OPEN
        client.post(reverse("challenges:manage_status", args=[challenge.slug]), {"action": "close"})
        challenge.refresh_from_db()
        assert challenge.status == Challenge.Status.CLOSED and challenge.closed_at is not None

    def test_a_bad_challenge_form_keeps_what_was_typed(self, client, casey):
        client.force_login(casey)
        response = client.post(
            reverse("challenges:manage_list"),
            {
                "title": "Wellness week",
                "prompt": "P",
                "hashtag": "#two words",
                "starts_on": "2026-01-02",
                "ends_on": "2026-01-01",
            },
        )
        assert response.status_code == 400
        assert "Wellness week" in response.content.decode()
        assert not Challenge.objects.exists()

    def test_comms_ask_then_promote_with_consent(self, client, casey, alice, challenge):
        from challenges.services import entry_promotion_answer

        entry = entry_create(challenge=challenge, author=alice, caption=GOOD_CAPTION, network="linkedin")
        client.force_login(casey)
        client.post(reverse("challenges:manage_ask", args=[challenge.slug, entry.pk]))
        entry.refresh_from_db()
        assert entry.promotion == Entry.Promotion.ASKED
        refused = client.post(reverse("challenges:manage_promote", args=[challenge.slug, entry.pk]))
        assert refused.status_code == 302 and not Post.objects.filter(kind=Post.Kind.LIBRARY).exists()
        entry_promotion_answer(entry=entry, author=alice, consent=True)
        response = client.post(reverse("challenges:manage_promote", args=[challenge.slug, entry.pk]))
        copy = Post.objects.get(kind=Post.Kind.LIBRARY)
        assert response["Location"] == reverse("content_library:comms_post_detail", args=[copy.pk])
        detail = client.get(response["Location"])
        assert "Suggested by Alice Archer" in detail.content.decode()

    def test_employees_cannot_reach_the_admin_pages(self, client, alice, challenge):
        client.force_login(alice)
        assert client.get(reverse("challenges:manage_list")).status_code == 403
        assert (
            client.post(reverse("challenges:manage_status", args=[challenge.slug]), {"action": "close"}).status_code
            == 403
        )

    @pytest.mark.parametrize("count", [2, 7])
    def test_the_admin_list_costs_the_same_queries_however_many(self, client, django_assert_num_queries, casey, count):
        for n in range(count):
            make_challenge(casey, title=f"C{n}", hashtag=f"#C{n}")
        client.force_login(casey)
        # session, user, permissions (2), nav badge, challenges with campaign and entry count
        # +1: the organisation's branding that every page's header reads (cached after the first page).
        with django_assert_num_queries(7):
            assert client.get(reverse("challenges:manage_list")).status_code == 200


class TestVideoEntries:
    def test_an_entry_with_a_video_shows_it_with_its_poster_on_the_wall(self, client, alice, bob, challenge):
        from tests.advocacy.videos import make_video

        client.force_login(alice)
        upload = SimpleUploadedFile("me.webm", make_video(container="webm", codec="libvpx", audio=None))
        response = client.post(
            reverse("challenges:enter", args=[challenge.slug]),
            {"caption": GOOD_CAPTION, "network": "linkedin", "video": upload, "video_description": "Me, waving"},
        )
        assert response.status_code == 302
        video = Entry.objects.get().post.video
        assert video.content_type == "video/webm" and video.status == "processing"
        client.force_login(bob)
        wall = client.get(reverse("challenges:detail", args=[challenge.slug])).content.decode()
        assert f'poster="{video.poster.url}"' in wall and "Me, waving" in wall

    def test_a_video_without_a_description_is_refused_and_nothing_is_kept(self, client, alice, challenge, settings):
        from tests.advocacy.videos import make_video
        from tests.content_library.test_uploads import _stored_files

        client.force_login(alice)
        upload = SimpleUploadedFile("me.mp4", make_video())
        response = client.post(
            reverse("challenges:enter", args=[challenge.slug]),
            {"caption": GOOD_CAPTION, "network": "linkedin", "video": upload},
        )
        assert response.status_code == 400 and "video_description" in response.context["form"].errors
        assert not Entry.objects.exists() and not _stored_files(settings.MEDIA_ROOT)


class TestPageComponents:
    """Titles are the page-header component and tables stack into labelled cards on a phone."""

    def test_the_challenge_page_has_the_page_header_and_a_labelled_board(self, client, alice, challenge):
        _entries(challenge, [alice])
        client.force_login(alice)
        page = client.get(reverse("challenges:detail", args=[challenge.slug])).content.decode()
        assert '<header class="page-header">' in page and "<h1>Launch week</h1>" in page
        assert '<table class="data-table table challenge-board">' in page
        assert '<td data-label="Person">Alice Archer' in page
        assert '<td data-label="Entries" class="num">1</td>' in page

    def test_my_entries_puts_all_challenges_in_the_header_and_labels_each_cell(self, client, alice, challenge):
        _entries(challenge, [alice])
        client.force_login(alice)
        page = client.get(reverse("challenges:my_entries")).content.decode()
        header = page.split('<header class="page-header">', 1)[1].split("</header>", 1)[0]
        assert "<h1>Your challenge entries</h1>" in header
        assert f'href="{reverse("challenges:list")}">All challenges</a>' in header
        assert '<td data-label="Challenge"><a href=' in page
        assert '<td data-label="Human clicks" class="num">0</td>' in page

    def test_an_empty_table_row_is_not_labelled_with_the_first_column(self, client, casey):
        client.force_login(casey)
        page = client.get(reverse("challenges:manage_list")).content.decode()
        assert "<h1>Challenges</h1>" in page and '<table class="data-table table">' in page
        assert '<td colspan="5" data-label="">No challenges yet.</td>' in page

    def test_the_admin_entries_table_is_labelled(self, client, casey, alice, challenge):
        _entries(challenge, [alice])
        client.force_login(casey)
        page = client.get(reverse("challenges:manage_detail", args=[challenge.slug])).content.decode()
        assert "<h1>Launch week</h1>" in page
        assert '<td data-label="Author">Alice Archer</td>' in page
        assert '<td data-label="Library">' in page
