"""The installable app in Chromium: manifest and icons, the service worker offline, and web push.

Headless Chromium cannot subscribe to a real push service (it has no connection to one), so the
push test gives the page a PushManager whose subscription points at a push endpoint the test runs
on 127.0.0.1, with keys the test generated. Everything after that is real: the page's script sends
the subscription to the server, Celery encrypts the message for those keys, the endpoint receives
it, the test decrypts it, and Chromium's service worker shows it (delivered over DevTools).
"""

import json

import pytest

from content_library.services import post_transition, post_update
from notifications.models import PushSubscription
from tests.conftest import login_in_browser
from tests.content_library.factories import PostFactory
from tests.notifications.push_helpers import BrowserKeys, PushEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTROLLED = """navigator.serviceWorker.ready.then(() => new Promise(resolve => navigator.serviceWorker.controller
    ? resolve(true)
    : navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true))))"""
PAGES_KEPT_EMPTY = """caches.keys()
    .then(keys => Promise.all(keys.filter(k => k.startsWith('pages-')).map(k => caches.open(k).then(c => c.keys()))))
    .then(all => all.every(keys => keys.length === 0))"""
SERVER_KEY = """btoa(String.fromCharCode(...new Uint8Array(window.__pushOptions.applicationServerKey)))
    .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')"""
NOTIFICATIONS = "navigator.serviceWorker.ready.then(r => r.getNotifications())"


@pytest.fixture
def app_site(settings, live_server):
    settings.SITE_URL = live_server.url
    return live_server


def _install(page, live_server):
    page.goto(live_server.url + "/")
    assert page.evaluate(CONTROLLED) is True


def test_the_app_installs_works_offline_and_forgets_pages_after_logout(page, app_site, alice):
    live_server = app_site
    PostFactory(title="Offline-readable post", slug="offline-readable")
    login_in_browser(page, live_server, "alice")
    _install(page, live_server)

    manifest = page.evaluate(
        """async () => {
            const link = document.querySelector('link[rel=manifest]');
            const response = await fetch(link.href);
            const data = await response.json();
            const sizes = await Promise.all(data.icons.map(icon => new Promise((resolve, reject) => {
                const image = new Image();
                image.onload = () => resolve(image.naturalWidth + 'x' + image.naturalHeight);
                image.onerror = reject;
                image.src = icon.src;
            })));
            return {type: response.headers.get('content-type'), data, sizes,
                    theme: document.querySelector('meta[name=theme-color]').content};
        }"""
    )
    assert manifest["type"] == "application/manifest+json"
    assert manifest["data"]["display"] == "standalone" and manifest["data"]["start_url"] == "/"
    assert (
        manifest["sizes"] == [icon["sizes"] for icon in manifest["data"]["icons"]] == ["192x192", "512x512", "512x512"]
    )
    assert [icon["purpose"] for icon in manifest["data"]["icons"]] == ["any", "any", "maskable"]
    assert manifest["theme"] == manifest["data"]["theme_color"]

    page.goto(live_server.url + "/library/offline-readable/")
    page.wait_for_load_state("networkidle")
    page.context.set_offline(True)
    page.goto(live_server.url + "/library/offline-readable/")
    assert page.get_by_role("heading", name="Offline-readable post").is_visible()  # kept from the last visit
    page.goto(live_server.url + "/leaderboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"
    assert "Pages you opened recently" in page.locator("main").inner_text()
    assert "Alice" not in page.locator("header.site-header").inner_text()

    page.context.set_offline(False)
    page.goto(live_server.url + "/library/offline-readable/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/**")
    page.wait_for_function(PAGES_KEPT_EMPTY)
    page.context.set_offline(True)
    page.goto(live_server.url + "/library/offline-readable/")
    assert page.get_by_role("heading", level=1).inner_text() == "You are offline"


FAKE_PUSH_MANAGER = """
(() => {
  // Kept across page loads, as the browser keeps a real subscription.
  const fake = %s;
  const subscription = {
    endpoint: fake.endpoint,
    expirationTime: null,
    toJSON: () => fake,
    unsubscribe: () => { localStorage.removeItem("fakePush"); return Promise.resolve(true); },
  };
  const current = () => (localStorage.getItem("fakePush") ? subscription : null);
  PushManager.prototype.getSubscription = function () { return Promise.resolve(current()); };
  PushManager.prototype.subscribe = function (options) {
    window.__pushOptions = options;
    localStorage.setItem("fakePush", "yes");
    return Promise.resolve(subscription);
  };
})();
"""


def _registration_id(page, cdp, live_server) -> str:
    found = {}

    def updated(event):
        for registration in event["registrations"]:
            if registration["scopeURL"].startswith(live_server.url) and not registration["isDeleted"]:
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if "id" in found:
            break
        page.wait_for_timeout(100)
    return found["id"]


def test_an_employee_turns_push_on_gets_a_featured_post_opens_it_and_turns_push_off(
    page, app_site, alice, casey, settings, celery_eager, django_capture_on_commit_callbacks
):
    from advocacy.vapid import vapid_keys_generate

    live_server = app_site
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys_generate()
    settings.VAPID_SUBJECT = "mailto:it@example.com"
    keys = BrowserKeys()
    with PushEndpoint() as endpoint:
        page.context.grant_permissions(["notifications"], origin=live_server.url)
        page.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(keys.subscription_json(endpoint.url("/push/1"))))
        login_in_browser(page, live_server, "alice")
        _install(page, live_server)

        page.goto(live_server.url + "/notifications/")
        assert page.get_by_text("Push is off for this device.").is_visible()
        page.get_by_role("button", name="Turn on push on this device").click()
        page.get_by_text("Push is on for this device.").wait_for()
        [subscription] = PushSubscription.objects.filter(user=alice)
        assert (subscription.endpoint, subscription.p256dh) == (endpoint.url("/push/1"), keys.p256dh)
        server_key = page.evaluate(SERVER_KEY)
        assert server_key == settings.VAPID_PUBLIC_KEY

        post = PostFactory(title="Our new office opens", slug="new-office", status="submitted")
        with django_capture_on_commit_callbacks(execute=True):
            post_update(post=post, actor=casey, is_featured=True)
            post_transition(post=post, to_status="approved", actor=casey)
        [message] = endpoint.messages
        payload = keys.decrypt(message["body"])
        assert payload["url"] == "/library/new-office/"

        # The push service would now hand the browser what it received; DevTools stands in for it.
        cdp = page.context.new_cdp_session(page)
        registration_id = _registration_id(page, cdp, live_server)
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_server.url + "/", "registrationId": registration_id, "data": json.dumps(payload)},
        )
        page.wait_for_function(
            "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => n.length === 1)"
        )
        shown = page.evaluate(NOTIFICATIONS + ".then(n => ({title: n[0].title, body: n[0].body, url: n[0].data.url}))")
        assert shown == {
            "title": "New featured post to share",
            "body": "Our new office opens",
            "url": "/library/new-office/",
        }
        page.goto(live_server.url + shown["url"])
        assert page.get_by_role("heading", name="Our new office opens").is_visible()

        page.goto(live_server.url + "/notifications/")
        page.get_by_role("button", name="Turn off push on this device").click()
        page.get_by_role("status").filter(has_text="nothing more will be pushed to this device").wait_for()
        assert page.get_by_role("button", name="Turn on push on this device").is_visible()
        assert not PushSubscription.objects.filter(user=alice).exists()
