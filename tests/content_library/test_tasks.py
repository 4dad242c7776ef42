import pytest
from django.core.files.base import ContentFile

from content_library.models import PostImage
from content_library.selectors import post_preview_image
from content_library.services import post_image_add
from content_library.tasks import make_renditions

from .factories import PostFactory, PostImageFactory, image_bytes

pytestmark = pytest.mark.django_db


def test_an_upload_gets_its_renditions_once_committed(casey, celery_eager, django_capture_on_commit_callbacks):
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = post_image_add(post=post, upload=ContentFile(image_bytes(), name="a.jpg"), alt_text="A", actor=casey)
    assert PostImage.objects.get().renditions == {}, "the upload request does not wait for renditions"
    assert post_preview_image(post=post)["url"] == image.image.url
    for callback in callbacks:
        callback()
    image.refresh_from_db()
    assert set(image.renditions) == {"1200x627", "1600x900", "1080x1080", "thumb"}
    assert post_preview_image(post=post)["url"].endswith("-1200x627.jpg")


def test_the_task_can_run_twice():
    image = PostImageFactory()
    make_renditions(image.pk)
    first = PostImage.objects.get().renditions
    make_renditions(image.pk)
    assert PostImage.objects.get().renditions == first


def test_the_task_ignores_an_image_deleted_in_the_meantime():
    image = PostImageFactory()
    image_id = image.pk
    image.delete()
    make_renditions(image_id)
