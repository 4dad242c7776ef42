"""A local HTTP server that plays a network's API (every verb), and the recorded requests it was sent.

Routes are by path; a route is a ``Reply`` or a callable(SeenRequest) -> Reply, which can look
at ``request.method``, ``request.form`` or ``request.json``. Used by the metrics providers'
tests, the connect flows and the publishers.
"""

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


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
    method: str = "GET"
    body: bytes = b""

    @property
    def form(self) -> dict[str, list[str]]:
        """A form-encoded body, parsed (values are lists, as parse_qs gives them)."""
        return parse_qs(self.body.decode())

    @property
    def json(self):
        return json.loads(self.body or b"null")


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
            self._answer()

        do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

        def _answer(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = SeenRequest(
                path=parts.path,
                query=parse_qs(parts.query),
                raw_query=parts.query,
                headers={key.lower(): value for key, value in self.headers.items()},
                method=self.command,
                body=self.rfile.read(length) if length else b"",
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
