from django.urls import reverse
from django.utils.module_loading import import_string

from advocacy.navigation import NAVIGATION, SECTION_TITLES, menu_entries


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    sections: dict[str, list[dict]] = {}
    current = request.path
    for item in NAVIGATION:
        if not user.has_perm(item.permission):
            continue
        url = reverse(item.url_name)
        is_current = current == url or (url != "/" and current.startswith(url))
        entry = {"label": item.label, "url": url, "current": is_current, "group": item.group}
        if item.badge:
            entry["badge"] = import_string(item.badge)(user=user)
        sections.setdefault(item.section, []).append(entry)
    # Only the closest match is current: on /leaderboard/me/ that is "My points", not "Leaderboard" too.
    matches = [entry for items in sections.values() for entry in items if entry["current"]]
    if matches:
        longest = max(len(entry["url"]) for entry in matches)
        for entry in matches:
            entry["current"] = len(entry["url"]) == longest
    nav_sections = [{"key": key, "title": SECTION_TITLES[key], "items": items} for key, items in sections.items()]
    for section in nav_sections:
        section["entries"] = menu_entries(section)
    return {"nav_sections": nav_sections}
