"""HR's SCIM tokens page: create (shown once), list with last use, revoke."""

import pytest
from django.urls import reverse

from scim.models import ScimToken
from scim.services import token_authenticate

pytestmark = pytest.mark.django_db
URL = "/hr/scim-tokens/"


def test_it_shows_a_new_token_once_and_keeps_only_its_hash(client, harper):
    client.force_login(harper)
    response = client.post(URL, {"name": "Okta"})
    assert response.status_code == 201
    raw = response.context["raw_token"]
    assert raw in response.content.decode()
    token = ScimToken.objects.get()
    assert raw not in (token.digest, token.prefix) and raw.startswith(token.prefix)
    listing = client.get(URL).content.decode()
    assert raw not in listing
    assert f"{token.prefix}…" in listing
    assert "never" in listing
    assert "/scim/v2/" in listing
    assert token_authenticate(raw=raw) == token
    assert "never" not in client.get(URL).content.decode()


def test_a_nameless_token_is_refused_with_a_message(client, harper):
    client.force_login(harper)
    response = client.post(URL, {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not ScimToken.objects.exists()


def test_revoking_stops_the_token_at_once(client, harper):
    client.force_login(harper)
    raw = client.post(URL, {"name": "Entra ID"}).context["raw_token"]
    token = ScimToken.objects.get()
    response = client.post(reverse("scim_tokens:revoke", kwargs={"token_id": token.pk}), follow=True)
    assert "Revoked “Entra ID”" in response.content.decode()
    assert token_authenticate(raw=raw) is None
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_hr_finds_the_page_in_the_menu(client, harper, alice):
    client.force_login(harper)
    assert URL in client.get("/").content.decode()
    client.force_login(alice)
    assert URL not in client.get("/").content.decode()
    assert client.get(URL).status_code == 403
