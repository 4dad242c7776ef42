"""Schemathesis against every API operation, as every role and as nobody (issue 10, API and forms).

The schema is the one drf-spectacular generates in-process, and requests go to the Django WSGI app
in the test's own thread (and so its own database transaction): nothing listens on a port and
nothing is fetched. Each operation gets generated cases, both schema-valid and schema-violating
(Schemathesis' positive and negative modes), and, where it has path parameters, cases aimed at an
object that exists. Checks:

- no response is a 5xx;
- every documented response matches the schema (body, content type);
- an anonymous caller gets 401/403 from every operation (none of them is public).

BATTERY_FULL=1 runs at least 100 examples per operation per visitor; the default keeps the
suite quick (see docs/battery-api-and-forms.md).
"""

import json
import os
import secrets
from urllib.parse import unquote, urlsplit

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from content_library.models import Post
from guidelines.services import acknowledgement_record
from sharing.services import share_create
from tests.content_library.factories import CampaignFactory, PostFactory
from tests.guidelines.factories import make_banned_term, make_policy

FULL = os.environ.get("BATTERY_FULL") == "1"
EXAMPLES_PER_OPERATION = 100 if FULL else 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _api_schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, so lazy strings and the like become what a client would download.
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(generated, default=str)))
    schema.app = get_wsgi_application()
    return schema


SCHEMA = _api_schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


def _operation_id(operation):
    return f"{operation.method.upper()} {operation.path}"


@pytest.fixture
def api_battery_objects(alice, bob, casey, harper):
    """Objects the path parameters can point at: a live post, a campaign, alice's share, a policy."""
    campaign = CampaignFactory(name="Spring launch")
    post = PostFactory(slug="battery-post", campaign=campaign, created_by=casey)
    PostFactory(slug="battery-draft", status=Post.Status.DRAFT, publish_at=None, created_by=casey)
    policy = make_policy(author=harper)
    acknowledgement_record(user=alice, version=policy.versions.order_by("-number").first())
    make_banned_term(author=harper)
    share, _ = share_create(user=alice, post=post, network="linkedin", caption="Proud of this launch #Launch #employee")
    return {"id": [post.pk, campaign.pk], "slug": [post.slug, "battery-draft"], "share_id": [share.pk]}


@pytest.fixture
def connection_kept_across_requests():
    """Keep the test's database connection open across WSGI requests, as Django's test client does.

    The WSGI handler closes "old" connections when a request ends; inside the test's transaction
    that would close the connection the test is using (PostgreSQL then reports it closed).
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _credentials(user):
    """Cookies and headers a logged-in browser would send: the session, and a CSRF token pair."""
    if user is None:
        return {}, {}
    client = Client()
    client.force_login(user)
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return cookies, {"X-CSRFToken": csrf}


def _strategy(operation, known):
    names = [p.name for p in operation.path_parameters]
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if names:
        # Random ids almost always 404; these reach the code behind the lookup.
        for values in zip(*(known[name] for name in names), strict=False):
            strategies.append(operation.as_strategy(path_parameters=dict(zip(names, values, strict=True))))
    return st.one_of(strategies)


def _no_such_route(response) -> bool:
    """A 404 from the URL router (a path parameter that cannot match, like a non-numeric id) reveals nothing."""
    if response.status_code != 404:
        return False
    try:
        resolve(unquote(urlsplit(response.request.url).path))
    except Resolver404:
        return True
    return False


def _fuzz(operation, *, cookies, headers, known, anonymous):
    seen = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=not FULL,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, known))
    def run(case):
        response = case.call(cookies=cookies, headers=headers)
        seen.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)
        if anonymous and not _no_such_route(response):
            assert response.status_code in (401, 403), f"{_operation_id(operation)} answered anonymously"

    run()
    return seen


VISITORS = ["alice", "bob", "casey", "harper", None]


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", VISITORS, ids=[v or "anonymous" for v in VISITORS])
@pytest.mark.parametrize("operation", OPERATIONS, ids=_operation_id)
def test_every_operation_holds_under_generated_requests(
    request, settings, visitor, operation, api_battery_objects, connection_kept_across_requests
):
    settings.REDIS_URL = ""  # clicks and counters go straight to the database
    user = request.getfixturevalue(visitor) if visitor else None
    cookies, headers = _credentials(user)
    statuses = _fuzz(operation, cookies=cookies, headers=headers, known=api_battery_objects, anonymous=user is None)
    assert len(statuses) >= min(EXAMPLES_PER_OPERATION, 1)


def test_the_battery_covers_every_api_route():
    paths = {operation.path for operation in OPERATIONS}
    assert "/api/shares/create/" in paths and "/api/comms/posts/{id}/transition/" in paths
    assert len(OPERATIONS) >= 25
