import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def _png(size=(64, 64)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _form(alice, **overrides):
    data = {
        "display_name": "Alice A.",
        "team": alice.team_id,
        "job_title": "",
        "linkedin_profile_url": "",
        "x_handle": "",
        "mastodon_handle": "@alice@mastodon.example",
        "bluesky_handle": "alice.bsky.social",
        "digest_frequency": "weekly",
        "notify_suggestion_updates": "on",
    }
    data.update(overrides)
    return data


def test_it_saves_the_profile(client, alice):
    client.force_login(alice)
    response = client.post(reverse("people:profile"), _form(alice, hide_from_leaderboards="on"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Alice A."
    assert alice.mastodon_instance == "mastodon.example"
    assert alice.hide_from_leaderboards is True


def test_it_explains_a_bad_handle_and_keeps_what_was_saved(client, alice):
    client.force_login(alice)
    response = client.post(reverse("people:profile"), _form(alice, display_name="Changed", mastodon_handle="alice"))
    assert response.status_code == 400
    assert b"@name@instance.example" in response.content
    alice.refresh_from_db()
    assert alice.display_name == "Alice Archer"


def test_it_stores_a_reencoded_avatar(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("../../etc/passwd.png", _png(), content_type="image/png")
    response = client.post(reverse("people:profile"), {**_form(alice), "avatar": upload})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.avatar.name.startswith("avatars/")
    assert "passwd" not in alice.avatar.name
    with Image.open(alice.avatar.path) as stored:
        assert stored.format == "PNG"


def test_it_rejects_an_avatar_that_is_not_an_image(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("me.png", b"<svg onload=alert(1)></svg>", content_type="image/png")
    response = client.post(reverse("people:profile"), {**_form(alice), "avatar": upload})
    assert response.status_code == 400
    assert b"not a plain image" in response.content
    alice.refresh_from_db()
    assert not alice.avatar


def test_the_api_returns_and_updates_my_profile(client, alice):
    client.force_login(alice)
    response = client.get(reverse("people:api_me"))
    assert response.status_code == 200
    assert response.json()["roles"] == ["Employee"]
    response = client.patch(
        reverse("people:api_me"), {"bluesky_handle": "not a handle"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "bluesky_handle" in response.json()
    response = client.patch(reverse("people:api_me"), {"team": "sales"}, content_type="application/json")
    assert response.status_code == 400
    response = client.patch(reverse("people:api_me"), {"hide_from_leaderboards": True}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["hide_from_leaderboards"] is True


def test_the_team_directory_counts_only_active_members(client, casey, alice, dan):
    client.force_login(casey)
    response = client.get(reverse("people:team_list"))
    assert response.status_code == 200
    engineering = next(team for team in response.context["teams"] if team.slug == "engineering")
    assert engineering.member_count == 1
