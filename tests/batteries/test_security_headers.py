"""Security headers on real responses: a page, an API response, the tracked redirect and /healthz.

`manage.py check --deploy` with the production settings has its own test in
tests/advocacy/test_settings.py; here the headers themselves are read off responses,
with the transport settings taken from advocacy/settings/production.py.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.sharing.conftest import make_post, make_share

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


TRANSPORT_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
)


@pytest.fixture(scope="module")
def production_values():
    """The transport settings as production.py computes them (read in a child process: importing
    it here would change the dictionaries it shares with the test settings)."""
    script = (
        "import json, advocacy.settings.production as p; "
        f"print(json.dumps({{name: getattr(p, name) for name in {TRANSPORT_SETTINGS!r}}}))"
    )
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    env["SECRET_KEY"] = "k7#Qz" * 12
    env["EMAIL_BACKEND"] = "smtp"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


@pytest.fixture
def production_transport(settings, production_values):
    """The HSTS and TLS settings exactly as production.py sets them."""
    for name, value in production_values.items():
        setattr(settings, name, value)
    return production_values


def _responses(client, alice):
    share = make_share(user=alice, post=make_post())
    client.force_login(alice)
    return {
        "page": client.get(reverse("home"), secure=True),
        "api": client.get(reverse("people:api_me"), secure=True),
        "redirect": client.get(f"/s/{share.code}", secure=True),
        "healthz": client.get(reverse("healthz"), secure=True),
    }


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("kind", ["page", "api", "redirect", "healthz"])
def test_every_kind_of_response_carries_the_security_headers(client, alice, production_transport, kind):
    response = _responses(client, alice)[kind]
    assert response.status_code in (200, 302), f"{kind}: {response.status_code}"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"]
    csp = _directives(response["Content-Security-Policy"])
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_pages_keep_the_referrer_inside_the_site(client, alice):
    client.force_login(alice)
    assert client.get(reverse("home"))["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_plain_http_request_is_sent_to_https_in_production(client, production_transport):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    # No HSTS over plain HTTP: browsers ignore it there and it would only mislead.
    assert "Strict-Transport-Security" not in response


def test_session_and_csrf_cookies_are_secure_and_http_only_in_production(client, alice, production_transport):
    client.get(reverse("login"), secure=True)
    response = client.post(reverse("login"), {"username": "alice", "password": "advocacy-demo"}, secure=True)
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
