"""Access battery: every route × every unsafe method, CSRF on every write, and no list leaks another person's objects.

The access matrix (tests/test_access_matrix.py with tests/<app>/access.py) says what
each visitor gets for the methods each route is meant to take. This battery sweeps the
methods nobody listed too, and proves refusals change nothing in the database.
"""

import hashlib

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leaderboard.services import points_adjust
from sharing.models import Share
from tests.access import LOGIN, Route
from tests.content_library.factories import SuggestionFactory
from tests.sharing.conftest import make_post, make_share
from tests.test_access_matrix import ROUTES

pytestmark = pytest.mark.django_db

UNSAFE_METHODS = ("post", "put", "patch", "delete")
# The one view that takes a write without a CSRF token, on purpose: one-click unsubscribe
# (RFC 8058) comes from mail clients with no session; the signed token is the credential.
CSRF_EXEMPT = {"notifications:unsubscribe"}
# SCIM (/scim/v2/) takes writes from identity providers with a bearer token and never reads the
# session cookie, so there is nothing for CSRF to protect: a browser session gets 401 and changes nothing.
BEARER_ONLY = "scim:"


@pytest.fixture
def cast(alice, bob, casey, harper, dan):
    return {"employee": alice, "other_employee": bob, "comms": casey, "hr": harper, "deactivated": dan}


def database_fingerprint() -> str:
    """A digest of every row of every table but the sessions (whose expiry any request may touch)."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        if model is Session:
            continue
        rows = model.objects.order_by("pk").values_list()
        digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


def _first_route_per_name() -> list[Route]:
    seen = {}
    for route in ROUTES:
        # A GET route builds the least state; fall back to whatever the matrix has.
        if route.name not in seen or (route.method == "get" and seen[route.name].method != "get"):
            seen[route.name] = route
    return sorted(seen.values(), key=lambda route: route.name)


ROUTE_PER_NAME = _first_route_per_name()
WRITES = [route for route in ROUTES if route.method != "get"]


def _protected_from(route: Route, visitor: str) -> bool:
    return route.outcomes[visitor] in (LOGIN, 403, 404)


@pytest.mark.parametrize("route", ROUTE_PER_NAME, ids=lambda route: route.name)
def test_unsafe_methods_from_outsiders_are_refused_and_change_nothing(client, cast, route):
    kwargs = route.kwargs(cast)
    url = reverse(route.name, kwargs=kwargs) + route.query
    for visitor in ("anonymous", "employee"):
        if visitor == "employee":
            client.force_login(cast["employee"])
        if not _protected_from(route, visitor):
            # Theirs to use (or public): any method may answer, but never with a server error.
            for method in UNSAFE_METHODS:
                assert getattr(client, method)(url).status_code < 500, f"{method.upper()} {url} as {visitor}"
            continue
        for method in UNSAFE_METHODS:
            before = database_fingerprint()
            response = getattr(client, method)(url, content_type="application/json")
            status = response.status_code
            if visitor == "anonymous":
                refused = status in (403, 404, 405) or (
                    status == 302 and response["Location"].startswith(reverse("login"))
                )
            else:
                # A step that exists only before sign-in (the code after the password) sends others to the login.
                refused = status in (403, 404, 405) or (
                    route.outcomes[visitor] == LOGIN
                    and status == 302
                    and response["Location"].startswith(reverse("login"))
                )
            assert refused, f"{method.upper()} {url} as {visitor}: {status}"
            assert database_fingerprint() == before, f"{method.upper()} {url} as {visitor} changed the database"


def test_the_sweep_reaches_every_url_pattern():
    from tests.test_access_matrix import _url_names

    names = {route.name for route in ROUTE_PER_NAME}
    assert not [name for name in _url_names() if name not in names and not name.startswith("admin:")]


def _allowed_visitor(route: Route) -> str | None:
    """Someone the matrix lets through (a success, a redirect or a validation error), so only CSRF can stop them.

    None for a route nobody in the cast may write to as the matrix sets it up: one switched off
    (single sign-on not configured: 404) or a step that needs a half-finished sign-in.
    """
    for visitor in ("employee", "comms", "hr", "other_employee", "anonymous"):
        outcome = route.outcomes[visitor]
        if outcome not in (LOGIN, 403, 404) and outcome < 500:
            return visitor
    return None


@pytest.mark.parametrize("route", WRITES, ids=lambda route: f"{route.method.upper()} {route.name}")
def test_writes_without_a_csrf_token_are_refused_and_change_nothing(cast, route):
    visitor = _allowed_visitor(route) or "anonymous"
    client = Client(enforce_csrf_checks=True)
    if visitor != "anonymous":
        client.force_login(cast[visitor])
    url = reverse(route.name, kwargs=route.kwargs(cast)) + route.query
    data = route.data(cast) if route.data else {}
    extra = {"content_type": route.content_type} if route.content_type else {}
    before = database_fingerprint()
    response = getattr(client, route.method)(url, data, **extra)
    if route.name in CSRF_EXEMPT:
        assert response.status_code < 400
        return
    if route.name.startswith(BEARER_ONLY):
        assert response.status_code == 401, f"{visitor} {route.method.upper()} {route.name}: {response.status_code}"
        assert database_fingerprint() == before
        return
    if _allowed_visitor(route) is None:
        refused = response.status_code in (403, 404) or (
            response.status_code == 302 and response["Location"].startswith(reverse("login"))
        )
        assert refused, f"{route.method.upper()} {route.name}: {response.status_code}"
    else:
        assert response.status_code == 403, f"{visitor} {route.method.upper()} {route.name}: {response.status_code}"
    assert database_fingerprint() == before


def test_the_login_form_needs_a_csrf_token_too(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "alice", "password": "advocacy-demo"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_write_with_the_token_goes_through(alice):
    # The refusals above are about the missing token, not a broken form: with it, the same kind of post works.
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"), {"username": "alice", "password": "advocacy-demo", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


# --- Two people, one list: alice never sees bob's private objects -------------------------------

BOBS_MARKERS = ("BobCode001", "BOB-PRIVATE-CAPTION", "BOB-PRIVATE-SUGGESTION", "BOB-PRIVATE-POINTS", "Bob Baker")
PRIVATE_LISTS = (
    "sharing:my_activity",
    "sharing:api_share_list",
    "content_library:suggestion_list",
    "content_library:api_suggestions",
    "leaderboard:my_points",
    "leaderboard:my_points_csv",
    "leaderboard:api_my_points",
    "people:my_data",
    "people:api_me",
)


@pytest.fixture
def two_histories(alice, bob, harper):
    post = make_post()
    for user, code in ((alice, "AliceCode1"), (bob, "BobCode001")):
        share = make_share(user=user, post=post, code=code, human_clicks=2)
        Share.objects.filter(pk=share.pk).update(caption=f"{user.username.upper()}-PRIVATE-CAPTION")
        SuggestionFactory(author=user, text=f"{user.username.upper()}-PRIVATE-SUGGESTION")
        points_adjust(user=user, points=3, actor=harper, reason=f"{user.username.upper()}-PRIVATE-POINTS")
    return timezone.now()


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


@pytest.mark.parametrize("name", PRIVATE_LISTS)
def test_a_private_list_shows_alice_nothing_of_bobs(client, alice, bob, two_histories, name):
    client.force_login(bob)
    own = _body(client.get(reverse(name)))
    # The list does show its owner their things (else the check below could not fail).
    assert any(marker in own for marker in BOBS_MARKERS), f"{name} shows bob none of his own objects"
    client.force_login(alice)
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = _body(response)
    assert not [marker for marker in BOBS_MARKERS if marker in body], f"{name} leaks bob's objects to alice"
    assert "ALICE-PRIVATE" in body or "AliceCode1" in body or "Alice Archer" in body


def test_the_fingerprint_notices_a_change(alice):
    # The "changed nothing" checks above are only as good as this digest.
    before = database_fingerprint()
    make_share(user=alice, post=make_post())
    assert database_fingerprint() != before
