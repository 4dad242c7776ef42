"""The metrics settings refuse nonsense loudly, as every setting does."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.base_settings import load_base_settings


def test_the_defaults_point_at_the_real_networks_without_credentials(monkeypatch, tmp_path):
    base = load_base_settings(monkeypatch, VAR_DIR=str(tmp_path))
    assert base.METRICS_BLUESKY_APPVIEW_URL == "https://public.api.bsky.app"
    assert base.METRICS_X_API_URL == "https://api.x.com"
    assert base.METRICS_X_BEARER_TOKEN == "" and base.METRICS_LINKEDIN_TOKEN == ""
    assert base.METRICS_PULL_SCHEDULE == ((24, 1), (168, 6), (720, 24))
    assert base.CELERY_BEAT_SCHEDULE["metrics-schedule-pulls"]["task"] == "metrics.schedule_pulls"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("METRICS_X_API_URL", "api.x.com", "must start with https://"),
        ("METRICS_LINKEDIN_VERSION", "2026-10", "must be YYYYMM"),
        ("METRICS_PULL_SCHEDULE", "24h:1", "must look like 24:1"),
        ("METRICS_PULL_SCHEDULE", "168:6,24:1", "ages increasing"),
        ("METRICS_MASTODON_INSTANCE_URLS", "mastodon.example", "host=https://url"),
        ("METRICS_BACKOFF_MAX_SECONDS", "5", "must not be below"),
    ],
)
def test_nonsense_stops_the_process_with_a_clear_message(monkeypatch, tmp_path, name, value, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_base_settings(monkeypatch, VAR_DIR=str(tmp_path), **{name: value})


def test_mastodon_instances_can_be_sent_to_a_local_server(monkeypatch, tmp_path):
    base = load_base_settings(
        monkeypatch, VAR_DIR=str(tmp_path), METRICS_MASTODON_INSTANCE_URLS="Mastodon.Example=http://127.0.0.1:8999/"
    )
    assert base.METRICS_MASTODON_INSTANCE_URLS == {"mastodon.example": "http://127.0.0.1:8999"}
