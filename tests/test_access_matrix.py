"""Every URL pattern × every kind of visitor, with the outcome each must get."""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import LOGIN, VISITORS, Route

TESTS_DIR = Path(__file__).parent


def _collect_routes() -> list[Route]:
    routes = []
    for module_path in sorted(TESTS_DIR.glob("*/access.py")):
        module = importlib.import_module(f"tests.{module_path.parent.name}.access")
        routes.extend(module.ROUTES)
    return routes


def _url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {pattern.pattern}>")
    return names


ROUTES = _collect_routes()


def test_it_has_an_entry_for_every_url_pattern():
    covered = {route.name for route in ROUTES}
    # The admin site wraps every one of its views in its own login check; the
    # matrix samples it (admin:index and a changelist) rather than listing each model.
    missing = sorted(name for name in _url_names() if name not in covered and not name.startswith("admin:"))
    assert not missing, f"URL patterns missing from the access matrix (add them to tests/<app>/access.py): {missing}"


def test_it_lists_no_route_that_does_not_exist():
    existing = _url_names()
    assert not [route.name for route in ROUTES if route.name not in existing]


@pytest.fixture
def cast(alice, bob, casey, harper, dan):
    return {"employee": alice, "other_employee": bob, "comms": casey, "hr": harper, "deactivated": dan}


def _client_for(client, cast, visitor):
    if visitor == "anonymous":
        return client
    user = cast[visitor]
    if visitor == "deactivated":
        # Signed in while active, then deactivated: the old session must stop working.
        user.is_active = True
        user.save(update_fields=["is_active"])
        client.force_login(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method.upper()} {route.name}")
@pytest.mark.parametrize("visitor", VISITORS)
def test_it_gives_each_visitor_the_expected_outcome(client, cast, route, visitor):
    kwargs = route.kwargs(cast)
    url = reverse(route.name, kwargs=kwargs) + route.query
    client = _client_for(client, cast, visitor)
    request = getattr(client, route.method)
    data = route.data(cast) if route.data else None
    extra = {"content_type": route.content_type} if route.content_type else {}
    response = request(url, data, **extra) if data is not None else request(url, **extra)
    expected = route.outcomes[visitor]
    if expected == LOGIN:
        assert response.status_code == 302, f"{visitor} {route.name}: {response.status_code}"
        assert response["Location"].startswith(reverse("login")), response["Location"]
    else:
        assert response.status_code == expected, f"{visitor} {route.name}: got {response.status_code}"
