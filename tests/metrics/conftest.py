"""A local HTTP server that plays a network's API, and the recorded answers it serves."""

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text())


@dataclass
class Reply:
    status: int = 200
    body: object = None  # dict/list -> JSON, str/bytes sent as is
    headers: dict = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body if self.body is not None else {}).encode()


@dataclass
class SeenRequest:
    path: str
    query: dict
    raw_query: str
    headers: dict


class FakeApi:
    """Routes by path (no query); a route is a Reply or a callable(SeenRequest) -> Reply."""

    def __init__(self):
        self.requests: list[SeenRequest] = []
        self.routes: dict[str, object] = {}
        self.prefix_routes: dict[str, object] = {}
        self.url = ""

    def route(self, path: str, reply, *, prefix: bool = False):
        """``prefix=True`` answers every path under ``path`` (a status id, a username at the end)."""
        if prefix:
            self.prefix_routes[path] = reply
        else:
            self.routes[path] = reply

    def requests_to(self, path: str) -> list[SeenRequest]:
        return [request for request in self.requests if request.path == path]

    def answer(self, request: SeenRequest) -> Reply:
        self.requests.append(request)
        route = self.routes.get(request.path)
        if route is None:
            route = next((r for p, r in self.prefix_routes.items() if request.path.startswith(p)), None)
        if route is None:
            return Reply(status=599, body={"error": f"no route for {request.path}"})
        return route(request) if callable(route) else route


def _handler(api: FakeApi):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            parts = urlsplit(self.path)
            request = SeenRequest(
                path=parts.path,
                query=parse_qs(parts.query),
                raw_query=parts.query,
                headers={key.lower(): value for key, value in self.headers.items()},
            )
            reply = api.answer(request)
            if reply.delay:
                time.sleep(reply.delay)
            body = reply.encoded()
            try:
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, str(value))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout tests)

        def log_message(self, format, *args):
            pass

    return Handler


@contextmanager
def serving():
    api = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_api():
    with serving() as api:
        yield api


@pytest.fixture
def other_fake_api():
    """A second server, for a second Mastodon instance."""
    with serving() as api:
        yield api


# --- shares with published posts -------------------------------------------------------------------

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"


def make_post(*, slug="zero-downtime-migrations"):
    from datetime import timedelta

    from django.utils import timezone

    from content_library.models import Post

    post, _ = Post.objects.get_or_create(
        slug=slug,
        defaults={
            "title": "Zero-downtime migrations",
            "body": "How we migrate without downtime.",
            "destination_url": "https://example.com/blog/migrations",
            "status": Post.Status.APPROVED,
            "publish_at": timezone.now() - timedelta(days=2),
        },
    )
    return post


def make_share(*, user, network="bluesky", url=None, published_at=None, post=None, code=None):
    from django.utils import timezone

    from sharing.models import Share

    published_at = published_at or timezone.now()
    count = Share.objects.count()
    # One share per person, post and network: each share gets its own post unless told otherwise.
    post = post or make_post(slug=f"post-{count}")
    url = url or f"https://bsky.app/profile/{DID}/post/3lb2tq7xhr{count:03d}"
    return Share.objects.create(
        user=user,
        post=post,
        network=network,
        code=code or f"code{count:05d}",
        caption="Worth a read",
        last_shared_at=published_at,
        published_url=url,
        published_post_id=url.rsplit("/", 1)[-1],
        published_recorded_at=published_at,
    )


@pytest.fixture
def queued(monkeypatch):
    """Pull tasks queued (after commit) instead of sent to a broker: (network, items, attempt, countdown)."""
    from metrics import tasks

    calls = []

    def apply_async(args, kwargs=None, countdown=0, **options):
        network, items = args
        calls.append((network, items, (kwargs or {}).get("attempt", 0), countdown))

    monkeypatch.setattr(tasks.pull_metrics, "apply_async", apply_async)
    return calls


@pytest.fixture
def bluesky_api(settings, fake_api):
    settings.METRICS_BLUESKY_APPVIEW_URL = fake_api.url
    return fake_api
