"""The installable app's manifest, service worker and offline page, as the server sends them."""

import pytest
from django.conf import settings
from PIL import Image

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_and_its_icons_exist_in_their_sizes(client):
    response = client.get("/manifest.webmanifest")

    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["name"], manifest["start_url"], manifest["display"]) == ("Advocacy", "/", "standalone")
    assert manifest["theme_color"] == "#1f5fbf"
    for icon in manifest["icons"]:
        path = settings.BASE_DIR / "static" / icon["src"].removeprefix(settings.STATIC_URL)
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}


def test_the_service_worker_is_served_from_the_root_with_a_version_for_its_caches(client):
    response = client.get("/sw.js")

    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert "__VERSION__" not in script and '"offlineUrl": "/offline/"' in script
    assert "/static/css/site.css" in script


def test_every_page_links_the_manifest_and_the_policy_allows_the_worker(client, alice):
    client.force_login(alice)
    response = client.get("/")

    html = response.content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-service-worker="/sw.js" data-signed-in="yes"' in html
    policy = response["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_the_offline_page_says_what_works_offline(client):
    response = client.get("/offline/")

    assert response.status_code == 200
    assert "What works offline" in response.content.decode()
    assert 'data-signed-in="no"' in response.content.decode()
