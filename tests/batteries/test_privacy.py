"""Privacy battery: no raw IP address is kept anywhere; people can take their data and be erased."""

import json
import logging
import re

import pytest
from celery.app.task import Task
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse
from django.utils import timezone

from advocacy.people.models import User
from advocacy.people.selectors import person_data_export
from advocacy.people.services import ERASED_DISPLAY_NAME, ErasureRefused, person_erase
from draws.models import Entrant
from draws.selectors import draw_verification
from guidelines.models import Acknowledgement
from leaderboard.models import Standing
from leaderboard.services import points_adjust
from leaderboard.standings_rebuild import standings_rebuild
from sharing.models import Click, Share
from tests.content_library.factories import SuggestionFactory
from tests.draws.helpers import make_draw
from tests.guidelines.factories import make_policy
from tests.sharing.conftest import make_post, make_share

pytestmark = pytest.mark.django_db

KNOWN_IP = "203.0.113.77"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)


class _Capture(logging.Handler):
    """Every record any logger emits, formatted with its arguments and extras (the suite runs with -p no:logging)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(f"{record.getMessage()} {record.__dict__!r}")


@pytest.fixture
def captured_logs():
    handler = _Capture()
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(before)


@pytest.fixture
def queued_tasks(monkeypatch):
    """What would reach the broker: the name, arguments and options of every task queued."""
    queued = []

    def record(task, args=None, kwargs=None, **options):
        queued.append(repr((task.name, args, kwargs, options)))

    monkeypatch.setattr(Task, "apply_async", record)
    return queued


def _text_in_database(needle: str) -> list[str]:
    """Every text, varchar or JSON value of every table holding `needle` (sessions decoded first)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not columns:
            continue
        for row in model.objects.values_list("pk", *columns):
            for column, value in zip(columns, row[1:]):
                if value is not None and needle in (json.dumps(value) if not isinstance(value, str) else value):
                    found.append(f"{model._meta.label}.{column} (pk {row[0]})")
    for session in Session.objects.all():
        if needle in json.dumps(session.get_decoded(), default=str):
            found.append(f"session {session.session_key}")
    return found


def test_no_raw_address_reaches_the_database_tasks_or_logs(
    client, alice, settings, captured_logs, queued_tasks, django_capture_on_commit_callbacks
):
    # Clicks written straight to the database (the embedded path), so the table scan sees them even
    # where REDIS_URL is set; the Redis path hashes the visitor in the same code before capture.
    settings.REDIS_URL = ""
    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        # The sharer shares from the address (their browser hash is kept to ignore their own clicks).
        client.force_login(alice)
        client.post(
            reverse("sharing:share", kwargs={"slug": post.slug}),
            {"network": "linkedin", "caption": "Proud of the team: the new app is out! #employee"},
            REMOTE_ADDR=KNOWN_IP,
            HTTP_USER_AGENT=BROWSER,
        )
        client.logout()
        share = Share.objects.get(user=alice)
        # Clicks: straight from the address, then through a trusted proxy that reports it.
        for _ in range(3):
            client.get(f"/s/{share.code}", REMOTE_ADDR=KNOWN_IP, HTTP_USER_AGENT=BROWSER)
        settings.TRUSTED_PROXY_COUNT = 1
        for _ in range(3):
            client.get(
                f"/s/{share.code}", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=KNOWN_IP, HTTP_USER_AGENT=BROWSER
            )
        # Failed and successful logins from the address.
        for password in ("wrong", "also wrong", "advocacy-demo"):
            client.post(
                reverse("login"),
                {"username": "alice", "password": password},
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR=KNOWN_IP,
            )
        client.get(reverse("home"), REMOTE_ADDR=KNOWN_IP)

    assert Click.objects.filter(share=share).count() == 6, (
        "the clicks must have been recorded for the scan to mean anything"
    )
    assert _text_in_database(KNOWN_IP) == []
    assert [task for task in queued_tasks if KNOWN_IP in task] == []
    assert captured_logs, "nothing was logged: the log scan would prove nothing"
    assert [line for line in captured_logs if KNOWN_IP in line] == []


def test_the_scan_finds_an_address_when_one_is_stored(alice):
    # The scanner itself must be able to fail: a raw address in a text column is reported.
    Share.objects.filter(pk=make_share(user=alice, post=make_post()).pk).update(caption=f"seen from {KNOWN_IP}")
    assert _text_in_database(KNOWN_IP) == [f"sharing.Share.caption (pk {Share.objects.get().pk})"]


# --- Download my data --------------------------------------------------------------------------


@pytest.fixture
def alices_history(alice, bob, harper):
    post = make_post()
    make_share(user=alice, post=post, code="AliceCode1", human_clicks=7)
    bobs = make_share(user=bob, post=post, code="BobCode001", human_clicks=3)
    Share.objects.filter(pk=bobs.pk).update(caption="Bob's private caption")
    points_adjust(user=alice, points=5, actor=harper, reason="Helped at the fair")
    points_adjust(user=bob, points=9, actor=harper, reason="Bob's own bonus")
    version = make_policy().versions.get()
    Acknowledgement.objects.create(user=alice, version=version, acknowledged_at=timezone.now())
    SuggestionFactory(author=alice, text="Alice suggests the launch blog")
    SuggestionFactory(author=bob, text="Bob suggests something private")
    draw = make_draw(state="drawn", require_policy_acknowledgement=False)
    return draw


def test_an_employee_downloads_all_their_data_as_json(client, alice, alices_history):
    client.force_login(alice)
    response = client.get(reverse("people:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["username"] == "alice"
    assert data["profile"]["display_name"] == "Alice Archer"
    assert [share["link_code"] for share in data["shares"]] == ["AliceCode1"]
    assert data["clicks"]["total_human_clicks"] == 7
    assert data["points"]["total"] == 5
    assert [event["reason"] for event in data["points"]["events"]] == ["Helped at the fair"]
    assert [ack["version"] for ack in data["acknowledgements"]] == [1]
    assert [s["text"] for s in data["suggestions"]] == ["Alice suggests the launch blog"]
    entrant = Entrant.objects.get(draw=alices_history, user=alice)
    assert data["draw_entries"] == [
        {
            "draw": alices_history.name,
            "entrant_id": entrant.entrant_id,
            "weight": entrant.weight,
            "shares": 1,
            "free_entry": False,
        }
    ]


def test_the_download_holds_nothing_of_anyone_else(alice, alices_history):
    document = json.dumps(person_data_export(user=alice))
    for private in ("BobCode001", "Bob's private caption", "Bob's own bonus", "Bob suggests", "bob@"):
        assert private not in document


# --- Erasure -------------------------------------------------------------------------------------


def test_erasure_anonymises_the_person_and_recomputes_the_boards(
    alice, bob, harper, alices_history, celery_eager, django_capture_on_commit_callbacks
):
    standings_rebuild()
    assert Standing.objects.filter(user=alice, unranked=False).exists()
    draw = alices_history
    assert draw_verification(draw=draw).ok

    with django_capture_on_commit_callbacks(execute=True):
        person_erase(user=alice, actor=harper)

    alice.refresh_from_db()
    assert alice.username == f"erased-{alice.pk}"
    assert (alice.email, alice.first_name, alice.last_name) == ("", "", "")
    assert alice.display_name == ERASED_DISPLAY_NAME
    assert (alice.x_handle, alice.mastodon_handle, alice.bluesky_handle, alice.avatar.name) == ("", "", "", "")
    assert not alice.is_active and not alice.has_usable_password()
    # The queued rebuild ran: she is on no board any more; bob still is.
    assert not Standing.objects.filter(user=alice, unranked=False).exists()
    assert Standing.objects.filter(user=bob, unranked=False).exists()
    # The finished draw still checks out from what it published.
    draw.refresh_from_db()
    assert draw_verification(draw=draw).ok
    assert "alice" not in draw.list_text.lower()


def test_erasure_removes_the_avatar_file(alice, harper, settings):
    from django.core.files.base import ContentFile

    alice.avatar.save("face.png", ContentFile(b"not really a png"), save=True)
    path = alice.avatar.path
    person_erase(user=alice, actor=harper)
    import os

    assert not os.path.exists(path)


def test_nobody_erases_themselves(harper):
    with pytest.raises(ErasureRefused):
        person_erase(user=harper, actor=harper)
    assert User.objects.get(pk=harper.pk).is_active


def test_hr_erases_someone_only_after_typing_their_username(client, bob, harper):
    client.force_login(harper)
    url = reverse("people:person_erase", kwargs={"user_id": bob.pk})
    response = client.post(url, {"confirm_username": "not bob"})
    assert response.status_code == 400
    assert b"Type bob to confirm" in response.content
    assert User.objects.get(pk=bob.pk).username == "bob"
    response = client.post(url, {"confirm_username": "bob"})
    assert response.status_code == 302
    assert User.objects.get(pk=bob.pk).username == f"erased-{bob.pk}"


def test_an_erased_person_can_no_longer_log_in(client, alice, harper):
    person_erase(user=alice, actor=harper)
    for username in ("alice", f"erased-{alice.pk}"):
        response = client.post(reverse("login"), {"username": username, "password": "advocacy-demo"})
        assert response.status_code == 200


# --- Access logs (issue 15): gunicorn and nginx, as deployed, never write the client's address ---

_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")


def _get_from(port: int, path: str, *, source: str, headers: dict) -> int:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        connection.request("GET", path, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_access_logs_of_a_real_gunicorn_and_nginx_hold_no_client_address(tmp_path):
    from .conftest import faults_subprocess_env
    from .stack import Gunicorn, Nginx, nginx_binary

    environment = faults_subprocess_env(
        database_url=f"sqlite:///{tmp_path / 'logs.sqlite3'}", redis_url="", var_dir=tmp_path, DEBUG="0"
    )
    environment.update(ALLOWED_HOSTS="127.0.0.1,localhost", TRUSTED_PROXY_COUNT="1")
    gunicorn = Gunicorn(environment=environment, directory=tmp_path, name="gunicorn", workers=1)
    nginx = Nginx(upstream_ports=[gunicorn.port], directory=tmp_path) if nginx_binary() else None
    visitor, forged = "127.9.8.7", "203.0.113.99"
    headers = {"User-Agent": BROWSER, "X-Forwarded-For": forged, "Host": "127.0.0.1"}
    try:
        for port in [gunicorn.port] + ([nginx.port] if nginx else []):
            for path in ("/healthz", f"/healthz?from={KNOWN_IP}", "/no-such-page"):
                assert _get_from(port, path, source=visitor, headers=headers) in (200, 404, 503)
    finally:
        if nginx:
            nginx.stop()
        gunicorn.stop()
    logs = {"gunicorn": gunicorn.access_log.read_text()}
    if nginx:
        logs["nginx"] = nginx.access_log.read_text()
    for name, text in logs.items():
        assert text.count("/healthz") >= 2 and "/no-such-page" in text, f"{name} wrote no access log: {text!r}"
        addresses = _IPV4.findall(text)
        assert not addresses, f"{name}'s access log holds client addresses {addresses}:\n{text}"
    print(f"\naccess logs scanned: {', '.join(logs)}" + ("" if nginx else " (nginx is not installed)"))
