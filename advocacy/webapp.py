"""The installable web app: its manifest, its service worker and the page it shows offline.

The service worker is served from the site root (not /static/) so that its scope is the whole
site; it caches the static files and the last pages visited, and shows push notifications.
"""

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Icons drawn from static/favicon.svg by `manage.py app_icons` (committed, nothing is drawn at run time).
ICONS = [
    {"src": "icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
    {"src": "icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
    {"src": "icons/icon-maskable-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
]
# What the service worker keeps from the start: enough to draw the offline page and the app shell.
PRECACHED_STATIC = ["css/site.css", "favicon.svg", "js/web_app.js", *(icon["src"] for icon in ICONS)]
RECENT_PAGES_KEPT = 20


def app_branding() -> dict:
    """The app's name and colours: the programme's name and accent colour set by comms (advocacy.branding)."""
    from .branding.selectors import branding_current

    branding = branding_current()
    name = branding.programme_name or branding.organisation_name or "Advocacy"
    return {
        "name": name,
        "short_name": name[:12],
        "theme_color": branding.accent_colour,
        "background_color": "#f4f6fa",
    }


def web_app_context(request):
    """The app's name and colours for every page (the theme-color meta tag): a context processor."""
    return {"web_app": app_branding()}


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    branding = app_branding()
    data = {
        "name": branding["name"],
        "short_name": branding["short_name"],
        "description": "Share your organisation's news, when you want to.",
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": branding["theme_color"],
        "background_color": branding["background_color"],
        "icons": [{**icon, "src": static(icon["src"])} for icon in ICONS],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
def service_worker(request):
    config = {
        "precache": [static(path) for path in PRECACHED_STATIC],
        "offlineUrl": reverse("offline"),
        "staticPrefix": static(""),
        "pagesKept": RECENT_PAGES_KEPT,
        "icon": static(ICONS[0]["src"]),
    }
    script = render_to_string("webapp/sw.js", {"config": json.dumps(config)})
    # A new version (changed script or asset list) replaces every cache the old one made.
    version = hashlib.sha256(script.encode()).hexdigest()[:12]
    response = HttpResponse(script.replace("__VERSION__", version), content_type="application/javascript")
    # Browsers check for a new worker at most daily anyway; never let a proxy keep an old one longer.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request):
    return render(request, "webapp/offline.html")
