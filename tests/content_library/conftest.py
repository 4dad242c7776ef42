import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from .factories import image_bytes


@pytest.fixture
def jpeg_upload():
    return SimpleUploadedFile("photo.jpg", image_bytes("JPEG"), content_type="image/jpeg")
