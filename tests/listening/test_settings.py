"""The listening settings refuse nonsense loudly, as every setting does."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.base_settings import load_base_settings


def test_the_defaults_read_the_public_bluesky_appview_and_no_mastodon_instance(monkeypatch, tmp_path):
    base = load_base_settings(monkeypatch, VAR_DIR=str(tmp_path))
    assert base.LISTENING_BLUESKY_SEARCH_URL == "https://public.api.bsky.app"
    assert base.LISTENING_MASTODON_INSTANCES == {}
    assert base.CELERY_BEAT_SCHEDULE["listening-queue-collections"]["schedule"].total_seconds() == 15 * 60


def test_instances_are_hosts_or_host_equals_url(monkeypatch, tmp_path):
    base = load_base_settings(
        monkeypatch,
        VAR_DIR=str(tmp_path),
        LISTENING_MASTODON_INSTANCES="Mastodon.Social, fosstodon.org=http://127.0.0.1:9999/",
        LISTENING_BLUESKY_SEARCH_URL="",
    )
    assert base.LISTENING_MASTODON_INSTANCES == {
        "mastodon.social": "https://mastodon.social",
        "fosstodon.org": "http://127.0.0.1:9999",
    }
    assert base.LISTENING_BLUESKY_SEARCH_URL == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LISTENING_BLUESKY_SEARCH_URL", "public.api.bsky.app", "must start with https://"),
        ("LISTENING_MASTODON_INSTANCES", "mastodon.social=ftp://x", "must look like"),
        ("LISTENING_MASTODON_INSTANCES", "https://mastodon.social", "must look like"),
        ("LISTENING_INTERVAL_MINUTES", "0", "below the minimum"),
        ("LISTENING_MAX_PAGES", "lots", "not a whole number"),
    ],
)
def test_it_refuses_nonsense(monkeypatch, tmp_path, name, value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_base_settings(monkeypatch, VAR_DIR=str(tmp_path), **{name: value})
