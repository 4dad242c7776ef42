"""Connecting and posting against a real Bluesky PDS (@atproto/pds from tests/peers) on loopback.

Skipped when Node.js or the peer is not installed (`npm ci --prefix tests/peers`), unless
REQUIRE_SERVICES=1 or REQUIRE_BROWSER=1, as for the SSO peers.
"""

import io
import socket

import pytest
import requests
from django.urls import reverse
from PIL import Image

from connections.models import ConnectedAccount
from connections.publishers import Draft, DraftImage, LinkCard, publisher_for
from connections.refresh import account_refresh
from connections.services import connected_account_disconnect
from tests.sso.conftest import PEERS, Peer, peers_missing, start_node_peer

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def real_pds(settings, tmp_path):
    if not (PEERS / "node_modules" / "@atproto" / "pds").is_dir():
        peers_missing("tests/peers/node_modules/@atproto/pds")
    process, said = start_node_peer("bluesky_pds.mjs", {"port": _free_port()}, tmp_path)
    peer = Peer(process, said["url"])
    settings.CONNECTIONS_BLUESKY_SERVICE_URL = peer.issuer
    try:
        yield peer.issuer
    finally:
        peer.stop()


def _xrpc(base, method, *, token=None, **body):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.post(f"{base}/xrpc/{method}", json=body, headers=headers, timeout=10)
    answer.raise_for_status()
    return answer.json() if answer.content else {}


def _account_with_app_password(base):
    account = {"handle": "alice.test", "email": "alice@example.com", "password": "the-main-password"}
    created = _xrpc(base, "com.atproto.server.createAccount", **account)
    app = _xrpc(base, "com.atproto.server.createAppPassword", token=created["accessJwt"], name="advocacy")
    return created, app["password"]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 63), (200, 30, 90)).save(out, format="PNG")
    return out.getvalue()


def test_connect_post_refresh_and_disconnect_against_a_real_pds(client, alice, real_pds):
    created, app_password = _account_with_app_password(real_pds)
    client.force_login(alice)

    wrong = client.post(
        reverse("connections:connect_bluesky"), {"identifier": "alice.test", "app_password": "zzzz-zzzz-zzzz-zzzz"}
    )
    assert "Bluesky did not accept that handle and app password" in wrong.content.decode()
    page = client.post(
        reverse("connections:connect_bluesky"), {"identifier": "alice.test", "app_password": app_password}, follow=True
    )
    assert "Bluesky connected as @alice.test." in page.content.decode()
    account = ConnectedAccount.objects.get(person=alice)
    assert account.remote_account_id == created["did"]
    assert account.instance_url == real_pds, "the didDoc's #atproto_pds"
    assert account.scopes == "com.atproto.appPass"
    assert account.access_expires_at is not None and account.expires_at is not None

    thumb = DraftImage(content=_png(), mime_type="image/png", alt_text="", width=120, height=63)
    url = "https://go.example.com/s/abc123"
    text = f"Café 🎉 新しいオフィス {url} #Office"
    published = publisher_for("bluesky")(
        account, Draft(text=text, link=LinkCard(url=url, title="Office", description="May", thumbnail=thumb), lang="fr")
    )

    rkey = published.post_id.rsplit("/", 1)[1]
    assert published.url == f"https://bsky.app/profile/alice.test/post/{rkey}"
    answer = requests.get(
        f"{real_pds}/xrpc/com.atproto.repo.getRecord",
        params={"repo": created["did"], "collection": "app.bsky.feed.post", "rkey": rkey},
        timeout=10,
    )
    record = answer.json()["value"]
    assert record["text"] == text and record["langs"] == ["fr"]
    spans = [text.encode()[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in record["facets"]]
    assert spans == [url, "#Office"]
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert record["embed"]["external"]["thumb"]["mimeType"] == "image/png"

    old_refresh = account.refresh_token
    refreshed = account_refresh(account)
    assert refreshed.refresh_token != old_refresh

    done = connected_account_disconnect(person=alice, account_id=refreshed.pk)
    assert done.revoke.revoked is True, done.revoke.detail
    after = requests.post(
        f"{real_pds}/xrpc/com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {refreshed.refresh_token}"},
        timeout=10,
    )
    assert after.status_code in (400, 401), "the session is ended at the PDS"
