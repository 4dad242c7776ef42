"""The token-health page: each account's state, and a disconnect that asks first."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connections.models import ConnectedAccount
from tests.connections.conftest import connect

pytestmark = pytest.mark.django_db


def test_it_shows_each_account_with_its_health_and_never_a_token(client, alice, django_assert_num_queries):
    now = timezone.now()
    connect(alice, network="threads", handle="alice.archer", expires_at=now + timedelta(days=4), token="TOKEN-1")
    connect(alice, network="mastodon", handle="@alice@mastodon.example", token="TOKEN-2")
    connect(alice, network="bluesky", handle="alice.bsky.social", expires_at=now - timedelta(hours=1), token="TOKEN-3")
    client.force_login(alice)
    # Session, user, the user's and group permissions, the person's accounts (one query however
    # many), the Library nav badge, the organisation's branding.
    with django_assert_num_queries(7):
        response = client.get(reverse("connections:my_connections"))
    page = response.content.decode()
    assert "Expires in 4 days" in page
    assert "Needs reconnecting" in page
    assert page.count("pill-good") == 1
    assert page.count('data-confirm="Disconnect this account?') == 3
    assert "TOKEN-" not in page
    assert '<header class="page-header">' in page and "<h1>Connected accounts</h1>" in page


def test_it_says_nothing_needs_connecting_when_there_is_nothing(client, alice):
    client.force_login(alice)
    assert "No connected accounts" in client.get(reverse("connections:my_connections")).content.decode()


def test_disconnecting_deletes_the_account_and_says_what_happened(client, alice):
    account = connect(alice)
    client.force_login(alice)
    response = client.post(reverse("connections:disconnect", kwargs={"account_id": account.pk}), follow=True)
    assert not ConnectedAccount.objects.exists()
    assert "Threads disconnected" in response.content.decode()
    assert "remove the app in Threads" in response.content.decode()


def test_the_profile_links_to_the_page(client, alice):
    client.force_login(alice)
    page = client.get(reverse("people:profile")).content.decode()
    assert f'href="{reverse("connections:my_connections")}"' in page
