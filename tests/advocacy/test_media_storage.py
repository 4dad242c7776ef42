"""Media in S3-compatible object storage (MEDIA_STORAGE=s3), against an S3 server this test starts."""

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile

from advocacy.people.services import person_erase
from advocacy.settings.base import media_origin, media_storage_from_environment
from content_library.models import PostImage
from content_library.renditions import RENDITIONS
from content_library.services import post_image_add
from tests.batteries.conftest import faults_free_port
from tests.content_library.factories import PostFactory, image_bytes

BUCKET = "advocacy-media"
KEYS = {"MEDIA_S3_ACCESS_KEY_ID": "testing-key", "MEDIA_S3_SECRET_ACCESS_KEY": "testing-secret"}


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = faults_free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch):
    """The settings' own S3 storage, pointed at the test's server, with a fresh bucket."""
    for name, value in {
        "MEDIA_STORAGE": "s3",
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "eu-west-1",
        **KEYS,
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-west-1",
        aws_access_key_id=KEYS["MEDIA_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["MEDIA_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_from_environment()}
    assert type(storages["default"]).__name__ == "S3Storage"
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


@pytest.mark.django_db
def test_an_uploaded_post_image_goes_to_the_bucket_and_its_renditions_follow(
    s3_media, casey, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from advocacy.celery import app

    app.conf.task_always_eager = True
    try:
        upload = SimpleUploadedFile("team.jpg", image_bytes("JPEG", size=(2000, 1200)), content_type="image/jpeg")
        with django_capture_on_commit_callbacks(execute=True):
            image = post_image_add(post=PostFactory(), upload=upload, alt_text="The team", actor=casey)
    finally:
        app.conf.task_always_eager = False
    image.refresh_from_db()
    assert image.image.name in _keys(s3_media)
    assert set(image.renditions) == set(RENDITIONS)
    assert set(image.renditions.values()) <= _keys(s3_media)
    with default_storage.open(image.renditions["thumb"], "rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff", "a JPEG rendition, read back through the storage API"
    # Signed, expiring links to the bucket: no web node needs the file on its disk.
    url = image.image.url
    assert url.startswith(f"{settings.STORAGES['default']['OPTIONS']['endpoint_url']}/{BUCKET}/")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url
    assert PostImage.objects.get(pk=image.pk).image.storage.exists(image.image.name)


@pytest.mark.django_db
def test_erasure_deletes_the_avatar_from_the_bucket(s3_media, alice, harper):
    alice.avatar.save("face.png", ContentFile(b"not really a png"), save=True)
    name = alice.avatar.name
    assert name in _keys(s3_media)
    person_erase(user=alice, actor=harper)
    assert name not in _keys(s3_media)


def test_local_disk_stays_the_default(monkeypatch):
    monkeypatch.delenv("MEDIA_STORAGE", raising=False)
    storage = media_storage_from_environment()
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert media_origin(storage) == ""


def test_the_csp_allows_images_from_the_media_origin(monkeypatch):
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.setenv("MEDIA_S3_BUCKET", BUCKET)
    monkeypatch.setenv("MEDIA_S3_CUSTOM_DOMAIN", "media.example.com")
    monkeypatch.setenv("MEDIA_S3_QUERYSTRING_AUTH", "off")
    storage = media_storage_from_environment()
    assert storage["OPTIONS"]["custom_domain"] == "media.example.com"
    assert storage["OPTIONS"]["querystring_auth"] is False
    assert media_origin(storage) == "https://media.example.com"
    monkeypatch.delenv("MEDIA_S3_CUSTOM_DOMAIN")
    monkeypatch.delenv("MEDIA_S3_QUERYSTRING_AUTH")
    monkeypatch.setenv("MEDIA_S3_REGION", "eu-central-1")
    assert media_origin(media_storage_from_environment()) == f"https://{BUCKET}.s3.eu-central-1.amazonaws.com"


@pytest.mark.parametrize(
    "environment,message",
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE='ftp' is unknown"),
        ({"MEDIA_STORAGE": "s3"}, "needs MEDIA_S3_BUCKET"),
        ({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": BUCKET, "MEDIA_S3_ACCESS_KEY_ID": "k"}, "or neither"),
        ({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": BUCKET, "MEDIA_S3_ENDPOINT_URL": "minio:9000"}, "must start"),
        ({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": BUCKET, "MEDIA_S3_CUSTOM_DOMAIN": "https://cdn"}, "host name"),
        (
            {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": BUCKET, "MEDIA_S3_CUSTOM_DOMAIN": "cdn.example.com",
             "MEDIA_S3_QUERYSTRING_AUTH": "on"},
            "leave MEDIA_S3_QUERYSTRING_AUTH off",
        ),
    ],
)  # fmt: skip
def test_an_incomplete_s3_configuration_fails_loudly(monkeypatch, environment, message):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage_from_environment()
