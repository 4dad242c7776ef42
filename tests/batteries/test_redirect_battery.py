"""The tracked redirect under 500 generated hostile requests (tests/sharing/test_redirect.py has the hand-picked ones).

The rule: a request whose path decodes to exactly /s/<a live code> gets a 302 whose Location is, byte for byte, the
stored destination of that code with the UTM parameters the sharing app adds (or a 429); everything else is a
404, 405 or 410, and carries no Location. Nothing in the query, headers, method or the code's spelling may steer it.
A Host header outside ALLOWED_HOSTS is the one exception: Django refuses it with a 400 before any routing.
"""

import random
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone

from sharing import clickstream
from sharing.selectors import share_link_entry
from tests.sharing.conftest import HUMAN_UA, make_post, make_share

pytestmark = pytest.mark.django_db

SEED = 20261123
REQUESTS = 500
LIVE_CODES = ["Abc123XYZ", "Land00001", "Uni000001", "Frag00001"]
EXPIRED_CODE = "Gone00001"
EVIL = ("evil", "attacker", "javascript:", "\r", "\n")

CODE_SPELLINGS = [
    "{code}",
    "{code}/",
    "{code}%2F",
    "{code}%2f..%2f..%2fevil.example",
    "{code}/../../evil.example",
    "..%2F{code}",
    "%2e%2e/{code}",
    "{code}%00",
    "{code}%0d%0aLocation:%20https://evil.example",
    "{code}%0aSet-Cookie:%20hijack=1",
    "{code}\u202e",
    "{code}%E2%80%AE",
    "{lower}",
    "{upper}",
    "{code}{code}",
    "{head}",
    "{code}X",
    "%41bc123XYZ",
    "{code}%20",
    "%20{code}",
    "{code};jsessionid=1",
    "{code}.html",
    "{code}@evil.example",
    "{code}%5C%5Cevil.example",
    "A" * 4096,
    "%" * 20,
    "%ZZ%ZZ",
    "\u0410bc123XYZ",  # Cyrillic A
    "Abc123XY\uff3a",  # full-width Z
    "Nope00000",
    "",
    "0" * 9,
    "-_-_-_-_-",
    "{code}#frag",
]
QUERIES = [
    "",
    "?next=//evil.example",
    "?next=https://evil.example/",
    "?url=https%3A%2F%2Fevil.example",
    "?redirect=%2F%2Fevil.example",
    "?redirect_uri=javascript:alert(1)",
    "?to=%0d%0aLocation:%20https://evil.example",
    "?utm_source=evil&utm_campaign=evil",
    "?next=%5C%5Cevil.example&next=//evil.example",
    "?" + "a=1&" * 200,
    "?%ff%fe=%00",
]
HEADER_SETS = [
    {},
    {"HTTP_HOST": "evil.example"},
    {"HTTP_X_FORWARDED_HOST": "evil.example"},
    {"HTTP_X_FORWARDED_PROTO": "javascript"},
    {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "evil.example:443"},
    {"HTTP_REFERER": "https://evil.example/?next=//evil.example"},
    {"HTTP_X_ORIGINAL_URL": "//evil.example", "HTTP_X_REWRITE_URL": "//evil.example"},
    {"HTTP_FORWARDED": "host=evil.example;proto=https"},
    {"HTTP_X_FORWARDED_FOR": "1.2.3.4, evil.example"},
    {"HTTP_USER_AGENT": "LinkedInBot/1.0"},
    {"HTTP_USER_AGENT": ""},
    {"HTTP_COOKIE": "sharer=1:forged; next=//evil.example"},
]
METHODS = ["get"] * 6 + ["head"] * 2 + ["post", "put", "patch", "delete", "options", "trace"]


@pytest.fixture
def redirect_battery_shares(alice, casey, settings):
    settings.REDIS_URL = ""  # the database path; Redis behaviour is the faults battery's business
    settings.SHARE_REDIRECT_RATE_LIMIT = 10_000  # so the battery reaches the redirect rather than the limiter
    clickstream.reset_state()
    posts = [
        make_post(slug="launch-day", destination_url="https://example.com/launch?ref=news", created_by=casey),
        make_post(slug="landing", destination_url="", created_by=casey),
        make_post(
            slug="unicode", destination_url="https://example.com/caf%C3%A9/na%C3%AFve?q=a%20b&x=%2F", created_by=casey
        ),  # fmt: skip
        make_post(
            slug="fragment", destination_url="https://example.com/a?utm_source=spam&id=3#section-2", created_by=casey
        ),  # fmt: skip
        make_post(
            slug="gone",
            destination_url="https://example.com/old",
            created_by=casey,
            expires_at=timezone.now() - timedelta(minutes=1),
        ),  # fmt: skip
    ]
    for post, code in zip(posts, [*LIVE_CODES, EXPIRED_CODE], strict=True):
        make_share(user=alice, post=post, code=code)
    yield {code: share_link_entry(code=code)["d"] for code in LIVE_CODES}
    clickstream.reset_state()


def _requests(rng: random.Random):
    for _ in range(REQUESTS):
        code = rng.choice([*LIVE_CODES, EXPIRED_CODE])
        spelling = rng.choice(CODE_SPELLINGS).format(code=code, lower=code.lower(), upper=code.upper(), head=code[:-1])
        yield f"/s/{spelling}{rng.choice(QUERIES)}", rng.choice(METHODS), rng.choice(HEADER_SETS)


def test_the_stored_destination_is_the_only_place_a_tracked_link_goes(client, redirect_battery_shares):
    destinations = redirect_battery_shares
    # The stored form, as the sharing app builds it: one spot check, so the comparison below is not circular.
    assert destinations["Abc123XYZ"] == (
        "https://example.com/launch?ref=news&utm_source=linkedin&utm_medium=employee_advocacy&utm_campaign=launch-day"
    )
    statuses: dict[int, int] = {}
    for path, method, headers in _requests(random.Random(SEED)):
        headers = {"HTTP_USER_AGENT": HUMAN_UA, "REMOTE_ADDR": "203.0.113.7", **headers}
        response = getattr(client, method)(path, **headers)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        where = f"{method.upper()} {path!r} {headers}"
        decoded = unquote(path.split("?", 1)[0].split("#", 1)[0], errors="replace")
        target = decoded.removeprefix("/s/")
        if response.status_code == 400:
            assert headers.get("HTTP_HOST") == "evil.example", where
        elif method in ("get", "head") and target in destinations:
            assert response.status_code in (302, 429), where
        elif method in ("get", "head"):
            assert response.status_code in (404, 410, 429), where
        elif "/" in target or not target:  # no route at all, whatever the method
            assert response.status_code == 404, where
        else:
            assert response.status_code == 405, where
        if response.status_code == 302:
            assert response["Location"] == destinations[target], where
        else:
            assert "Location" not in response, where
        for name, value in response.items():
            assert not any(marker in value for marker in EVIL), f"{where}: header {name}: {value!r}"
    print(f"redirect battery: {REQUESTS} requests, statuses {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) == REQUESTS
    # The battery must reach every branch, or it proves little.
    assert {302, 404, 405, 410} <= set(statuses), statuses
