"""Post videos: stored without metadata with a poster, converted in the background, served with ranges."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content_library.models import Post, PostVideo
from content_library.services import post_video_set, post_video_transcode
from tests.advocacy.videos import make_video
from tests.content_library.test_uploads import _stored_files

from .factories import PostFactory

pytestmark = pytest.mark.django_db


def _upload(data=None, name="clip.mov", **options):
    return SimpleUploadedFile(name, data if data is not None else make_video(**options), content_type="video/quicktime")


class TestPostVideoSet:
    def test_comms_add_a_video_stored_under_our_name_with_a_poster(self, casey, settings):
        post = PostFactory()
        video = post_video_set(
            post=post, upload=_upload(metadata={"title": "Secret"}), description="The team waves", actor=casey
        )
        assert video.status == PostVideo.Status.READY and video.content_type == "video/mp4"
        assert video.file.name.endswith(".mp4") and "clip" not in video.file.name
        assert video.poster.name.endswith(".jpg")
        with default_storage.open(video.file.name, "rb") as handle:
            assert b"Secret" not in handle.read()
        assert (video.width, video.height) == (64, 48) and video.size == default_storage.size(video.file.name)

    def test_a_refused_video_stores_nothing(self, casey, settings):
        post = PostFactory()
        with pytest.raises(Exception) as caught:
            post_video_set(post=post, upload=_upload(make_video()[:300]), description="x", actor=casey)
        assert "video" in caught.value.message_dict
        assert not PostVideo.objects.exists() and not _stored_files(settings.MEDIA_ROOT)

    def test_a_video_needs_a_description(self, casey):
        with pytest.raises(Exception) as caught:
            post_video_set(post=PostFactory(), upload=_upload(), description=" ", actor=casey)
        assert "video_description" in caught.value.message_dict

    def test_only_comms_add_videos_to_library_posts(self, alice):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            post_video_set(post=PostFactory(), upload=_upload(), description="x", actor=alice)

    def test_a_webm_is_converted_to_mp4_once_committed(self, casey, django_capture_on_commit_callbacks, monkeypatch):
        queued = []
        monkeypatch.setattr("content_library.tasks.transcode_video.delay", queued.append)
        with django_capture_on_commit_callbacks(execute=True):
            video = post_video_set(
                post=PostFactory(),
                upload=_upload(name="clip.webm", container="webm", codec="libvpx-vp9", audio="libopus"),
                description="Waves",
                actor=casey,
            )
        assert video.status == PostVideo.Status.PROCESSING and video.content_type == "video/webm"
        assert queued == [video.pk]
        webm = video.file.name
        assert post_video_transcode(video_id=video.pk) == PostVideo.Status.READY
        video.refresh_from_db()
        assert video.content_type == "video/mp4" and video.file.name.endswith(".mp4")
        assert not default_storage.exists(webm) and default_storage.exists(video.file.name)
        # Twice: nothing changes.
        assert post_video_transcode(video_id=video.pk) == PostVideo.Status.READY
        assert post_video_transcode(video_id=999_999) == "gone"


class TestServing:
    @pytest.fixture
    def video(self, casey):
        return post_video_set(post=PostFactory(), upload=_upload(), description="Waves", actor=casey)

    def test_it_serves_the_whole_file_and_says_it_takes_ranges(self, client, video):
        response = client.get(reverse("content_library:video_file", args=[video.pk]))
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Accept-Ranges"] == "bytes"
        assert response["Content-Type"] == "video/mp4" and len(body) == video.size

    @pytest.mark.parametrize(
        ("header", "start", "end"), [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)]
    )
    def test_it_answers_a_range_with_206(self, client, video, header, start, end):
        with default_storage.open(video.file.name, "rb") as handle:
            whole = handle.read()
        response = client.get(reverse("content_library:video_file", args=[video.pk]), HTTP_RANGE=header)
        body = b"".join(response.streaming_content)
        assert response.status_code == 206
        expected = whole[-50:] if start is None else whole[start : (end + 1 if end is not None else None)]
        assert body == expected
        first = len(whole) - 50 if start is None else start
        assert response["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(whole)}"
        assert response["Content-Length"] == str(len(expected))

    def test_a_range_past_the_end_is_416(self, client, video):
        response = client.get(reverse("content_library:video_file", args=[video.pk]), HTTP_RANGE="bytes=999999-")
        assert response.status_code == 416 and response["Content-Range"] == f"bytes */{video.size}"

    @pytest.mark.parametrize("header", ["bytes=0-1,5-9", "lines=0-4", "bytes=9-2", "nonsense"])
    def test_a_range_we_do_not_take_gets_the_whole_file(self, client, video, header):
        response = client.get(reverse("content_library:video_file", args=[video.pk]), HTTP_RANGE=header)
        assert response.status_code == 200 and int(response["Content-Length"]) == video.size

    def test_download_asks_the_browser_to_save_it(self, client, video):
        response = client.get(reverse("content_library:video_file", args=[video.pk]), {"download": "1"})
        assert response["Content-Disposition"] == f'attachment; filename="{video.post.slug}.mp4"'

    def test_a_video_of_an_archived_post_is_gone(self, client, video):
        Post.objects.filter(pk=video.post_id).update(status=Post.Status.ARCHIVED)
        assert client.get(reverse("content_library:video_file", args=[video.pk])).status_code == 404

    def test_the_feed_card_shows_its_poster_frame(self, client, alice, video):
        client.force_login(alice)
        page = client.get(reverse("content_library:feed")).content.decode()
        card = page[page.index(f'data-post="{video.post.slug}"') :]
        card = card[: card.index("</article>")]
        assert f'poster="{video.poster.url}"' in card and 'preload="none"' in card
        assert reverse("content_library:video_file", args=[video.pk]) in card

    def test_the_post_page_shows_it_with_its_poster(self, client, alice, video):
        client.force_login(alice)
        page = client.get(reverse("content_library:post_detail", args=[video.post.slug])).content.decode()
        assert f'poster="{video.poster.url}"' in page
        assert reverse("content_library:video_file", args=[video.pk]) in page
