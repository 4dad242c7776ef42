"""Every page of every role, at a laptop's and a phone's size: no sideways scrolling, no console
errors, no failed requests to this site, and no critical or serious axe-core violations.

One browser, one live server, one small dataset (the access matrix's own objects); each role
signs in once and each page is loaded once, then checked at 1366×900 and again at 390×844.
"""

from pathlib import Path

import pytest

from tests.browser.pages import HEADER_ROWS, USERNAMES, pages_for_cast
from tests.conftest import login_in_browser, missing_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "peers" / "node_modules" / "axe-core" / "axe.min.js"
# Served by the browser itself at a same-origin address (page.route), so the CSP's script-src 'self' admits it.
AXE_PATH = "/__test__/axe.min.js"
SIZES = [(1366, 900), (390, 844)]
BLOCKING = ("critical", "serious")

MENU_BUTTON_SHOWN = "() => { const b = document.querySelector('.menu-button'); return !b || !!b.offsetParent; }"

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "critical" || v.impact === "serious")
    .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")})`);
}"""


@pytest.fixture
def cast(alice, bob, casey, harper, dan):
    return {"employee": alice, "other_employee": bob, "comms": casey, "hr": harper, "deactivated": dan}


def _watch(page, origin: str, problems: list[str], where: dict):
    def console(message):
        if message.type == "error":
            problems.append(f"{where['now']}: console error: {message.text}")

    def response(resp):
        if resp.url.startswith(origin) and resp.status >= 400:
            problems.append(f"{where['now']}: {resp.status} for {resp.url[len(origin) :]}")

    def failed(request):
        # ERR_ABORTED: the test moved on to the next page before a late request (the favicon) finished.
        if request.url.startswith(origin) and request.failure != "net::ERR_ABORTED":
            problems.append(f"{where['now']}: request failed: {request.url[len(origin) :]} ({request.failure})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"{where['now']}: script error: {error}"))
    page.on("response", response)
    page.on("requestfailed", failed)


def _check(page, label: str, problems: list[str]):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"{label}: {width[0]} px wide in a {width[1]} px window")
    if width[1] >= 1366 and page.evaluate(HEADER_ROWS) > 1:
        problems.append(f"{label}: the menu wraps onto {page.evaluate(HEADER_ROWS)} lines")
    if width[1] >= 1366 and page.query_selector(".menu-button") and page.evaluate(MENU_BUTTON_SHOWN):
        problems.append(f"{label}: the phone's menu button shows on a laptop")
    if width[1] < 600 and not page.evaluate(MENU_BUTTON_SHOWN):
        problems.append(f"{label}: no menu button on a phone")
    page.add_script_tag(url=AXE_PATH)
    for violation in page.evaluate(AXE_RUN):
        problems.append(f"{label}: axe {violation}")


def test_every_page_fits_has_no_errors_and_passes_axe(browser, live_server, cast):
    if not AXE.exists():
        missing_service(f"axe-core is not installed at {AXE} (npm ci --prefix tests/peers)")
    pages, unbuilt = pages_for_cast(cast)
    problems: list[str] = []
    by_role: dict[str, list] = {}
    for entry in pages:
        by_role.setdefault(entry.role, []).append(entry)
    for role, entries in by_role.items():
        context = browser.new_context(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
        context.route(
            f"{live_server.url}{AXE_PATH}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        where = {"now": f"{role} signing in"}
        _watch(page, live_server.url, problems, where)
        if role != "anonymous":
            login_in_browser(page, live_server, USERNAMES[role])
        for entry in entries:
            page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
            where["now"] = f"{role} {entry.url}"
            page.goto(f"{live_server.url}{entry.url}")
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                _check(page, f"{role} {entry.url} at {width}×{height}", problems)
        context.close()
    assert len(pages) > 60, [entry.url for entry in pages]
    assert not unbuilt, unbuilt
    assert not problems, f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)
