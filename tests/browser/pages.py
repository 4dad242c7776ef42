"""Every page of every role, for the layout checks and the screenshots.

The list is built from the access matrix (tests/<app>/access.py lists every URL pattern, who
may open it and how to create what it points at), so a new page is checked without being
listed here. Each page is visited by the first visitor it is meant for: public pages signed
out, employee pages by alice, comms pages by casey, HR pages by harper; every role also visits
its home (where its own menu shows).
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.urls import reverse

TESTS_DIR = Path(__file__).resolve().parent.parent
# The header's rows (in a page's JavaScript): the menu must be one line at 1366 px.
HEADER_ROWS = """() => {
  const items = [...document.querySelectorAll(".nav-list > li, .account")].filter(e => e.offsetParent);
  return new Set(items.map(e => Math.round(e.getBoundingClientRect().top / 8))).size;
}"""
ROLES = ("anonymous", "employee", "comms", "hr")
USERNAMES = {"employee": "alice", "comms": "casey", "hr": "harper"}
# Not pages a person looks at: machine-readable answers, downloads and one-shot links.
SKIP_NAME_PARTS = ("api_", "csv", "export", "download", "healthz", "schema", "api_docs", "sample", "status")
SKIP_NAMES = {
    "branding:css",
    "people:my_data",  # a JSON download of one's data
    "admin_login",  # Django's admin, not our templates
    "web_app_manifest",  # JSON for the browser's installer
    "service_worker",  # the app's script (tests/browser/test_web_app.py)
    "content_library:video_file",  # the video itself, played by the post's page
}


def _existing_policy_version(cast):
    from guidelines.models import GuidelineDocument

    return {"slug": GuidelineDocument.objects.get(kind=GuidelineDocument.Kind.POLICY).slug, "number": 1}


def _existing_policy(cast):
    from guidelines.models import GuidelineDocument

    return {"pk": GuidelineDocument.objects.get(kind=GuidelineDocument.Kind.POLICY).pk}


def _existing_share(cast):
    from sharing.models import Share

    return {"share_id": Share.objects.filter(user=cast["employee"]).latest("pk").pk}


# The matrix builds each route's objects in an empty database; next to the others, these would make a
# second policy or a second post with the same slug, so they point at what an earlier route made.
COLLISIONS = {
    "guidelines:version": _existing_policy_version,
    "guidelines:document_edit": _existing_policy,
    "sharing:share_open": _existing_share,
}


@dataclass(frozen=True)
class Page:
    role: str
    name: str
    url: str


def _routes():
    for path in sorted(TESTS_DIR.glob("*/access.py")):
        yield from importlib.import_module(f"tests.{path.parent.name}.access").ROUTES


def pages_for_cast(cast: dict) -> tuple[list[Page], list[str]]:
    """Every HTML page a role may open, creating the objects detail pages need; and the routes whose
    objects could not be made next to the others' (the matrix builds each in an empty database)."""
    pages, seen, unbuilt, built = [], set(), [], {}
    for route in _routes():
        if route.method != "get" or route.name in SKIP_NAMES or any(p in route.name for p in SKIP_NAME_PARTS):
            continue
        roles = [role for role in ROLES if route.outcomes[role] == 200]
        if not roles:
            continue
        try:
            builder = COLLISIONS.get(route.name, route.kwargs)
            if builder not in built:
                with transaction.atomic():
                    built[builder] = builder(cast)
            kwargs = built[builder]
        except Exception as exc:
            unbuilt.append(f"{route.name}: {exc!r}")
            continue
        url = reverse(route.name, kwargs=kwargs) + route.query
        if url in seen:
            continue
        seen.add(url)
        pages.append(Page(roles[0], route.name, url))
    for role in ROLES[2:]:
        pages.append(Page(role, "home", reverse("home")))
    return pages, unbuilt
