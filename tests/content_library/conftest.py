import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .factories import image_bytes


@pytest.fixture
def jpeg_upload():
    return SimpleUploadedFile("photo.jpg", image_bytes("JPEG"), content_type="image/jpeg")


@pytest.fixture
def run_tasks_eagerly(settings):
    """Celery tasks run in-process when queued (on commit), as a worker would run them."""
    from advocacy.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
