"""Webhook settings: empty means off, https is required, nonsense stops the process."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.base_settings import load_base_settings


def test_webhooks_are_off_by_default_and_the_digest_is_scheduled(monkeypatch, tmp_path):
    base = load_base_settings(monkeypatch, VAR_DIR=str(tmp_path))
    assert base.NOTIFY_SLACK_WEBHOOK_URL == "" and base.NOTIFY_TEAMS_WEBHOOK_URL == ""
    entry = base.CELERY_BEAT_SCHEDULE["notifications-weekly-digest"]
    assert entry["task"] == "notifications.queue_weekly_digests"


def test_it_takes_https_webhook_urls(monkeypatch, tmp_path):
    slack = "https://hooks.slack.com/services/T000/B000/XXXX"
    teams = "https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"
    base = load_base_settings(
        monkeypatch, VAR_DIR=str(tmp_path), NOTIFY_SLACK_WEBHOOK_URL=slack, NOTIFY_TEAMS_WEBHOOK_URL=teams
    )
    configured = {"slack": base.NOTIFY_SLACK_WEBHOOK_URL, "teams": base.NOTIFY_TEAMS_WEBHOOK_URL}
    assert configured == {"slack": slack, "teams": teams}


@pytest.mark.parametrize(
    "value",
    [
        "hooks.slack.com/services/T000/B000/XXXX",
        "http://hooks.slack.com/services/T000/B000/XXXX",
        "ftp://hooks.slack.com/x",
        "https://",
        "https://hooks.slack.com:notaport/x",
        "https://hooks.slack.com/services/with a space",
    ],
)
def test_it_refuses_a_webhook_url_that_is_not_https(monkeypatch, tmp_path, value):
    with pytest.raises(ImproperlyConfigured, match="NOTIFY_SLACK_WEBHOOK_URL"):
        load_base_settings(monkeypatch, VAR_DIR=str(tmp_path), NOTIFY_SLACK_WEBHOOK_URL=value)


def test_plain_http_is_only_for_a_loopback_relay(monkeypatch, tmp_path):
    base = load_base_settings(monkeypatch, VAR_DIR=str(tmp_path), NOTIFY_TEAMS_WEBHOOK_URL="http://127.0.0.1:8081/hook")
    assert base.NOTIFY_TEAMS_WEBHOOK_URL == "http://127.0.0.1:8081/hook"


@pytest.mark.parametrize(("name", "value"), [("NOTIFY_WEBHOOK_TIMEOUT", "0"), ("NOTIFY_MAX_RETRIES", "lots")])
def test_it_refuses_nonsense_numbers(monkeypatch, tmp_path, name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        load_base_settings(monkeypatch, VAR_DIR=str(tmp_path), **{name: value})


def test_push_is_off_without_vapid_keys_and_featured_posts_are_checked_by_beat(monkeypatch, tmp_path):
    base = load_base_settings(monkeypatch, VAR_DIR=str(tmp_path))
    assert (base.VAPID_PUBLIC_KEY, base.VAPID_PRIVATE_KEY, base.VAPID_SUBJECT) == ("", "", "")
    entry = base.CELERY_BEAT_SCHEDULE["notifications-push-featured-gone-live"]
    assert entry["task"] == "notifications.push_featured_gone_live"


def test_it_takes_the_pair_the_vapid_keys_command_prints(monkeypatch, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("vapid_keys", stdout=out)
    printed = dict(line.split("=", 1) for line in out.getvalue().splitlines() if not line.startswith("#"))
    base = load_base_settings(monkeypatch, VAR_DIR=str(tmp_path), VAPID_SUBJECT="mailto:it@example.com", **printed)
    assert printed["VAPID_PUBLIC_KEY"] == base.VAPID_PUBLIC_KEY and len(base.VAPID_PUBLIC_KEY) == 87


def _pair():
    from advocacy.vapid import vapid_keys_generate

    return vapid_keys_generate()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (lambda p, s: {"VAPID_PUBLIC_KEY": p}, "together"),
        (lambda p, s: {"VAPID_PUBLIC_KEY": p, "VAPID_PRIVATE_KEY": s, "VAPID_SUBJECT": "it@example.com"}, "mailto:"),
        (lambda p, s: {"VAPID_PUBLIC_KEY": p, "VAPID_PRIVATE_KEY": s, "VAPID_SUBJECT": "http://x.example"}, "mailto:"),
        (
            lambda p, s: {"VAPID_PUBLIC_KEY": _pair()[0], "VAPID_PRIVATE_KEY": s, "VAPID_SUBJECT": "mailto:a@b.c"},
            "public half",
        ),
        (
            lambda p, s: {"VAPID_PUBLIC_KEY": p, "VAPID_PRIVATE_KEY": s[:20], "VAPID_SUBJECT": "mailto:a@b.c"},
            "not the 32",
        ),
        (
            lambda p, s: {"VAPID_PUBLIC_KEY": p, "VAPID_PRIVATE_KEY": "@@@@", "VAPID_SUBJECT": "mailto:a@b.c"},
            "VAPID_PRIVATE_KEY",
        ),
    ],
)
def test_it_refuses_vapid_settings_that_cannot_work(monkeypatch, tmp_path, env, message):
    public, private = _pair()
    with pytest.raises(ImproperlyConfigured, match=message):
        load_base_settings(monkeypatch, VAR_DIR=str(tmp_path), **env(public, private))
