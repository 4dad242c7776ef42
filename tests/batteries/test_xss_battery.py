"""Every XSS corpus payload in every user-controlled text field, and the pages that show them loaded in Chromium.

The rows are written straight to the database (bypassing form and service validation, which would trim or refuse
some payloads) so what is under test is the pages' escaping alone. Each page must:
- show the payloads as text (or the test would prove nothing),
- never set window.__xss, even after every element gets the events a person could trigger,
- contain no markup the payloads smuggled in (handlers, inline scripts, javascript: URLs, frames),
- and raise no Content-Security-Policy violation: the CSP is a second line, never the one that stopped a payload.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content_library.models import Campaign, Post, PostCaption, PostTransition, Suggestion
from draws.services import PrizeSpec
from guidelines.models import GuidelineDocument
from guidelines.services import guideline_document_create, guideline_version_create
from sharing.models import Share
from tests.conftest import login_in_browser
from tests.draws.helpers import make_draw
from tests.factories import TeamFactory, UserFactory
from tests.guidelines.xss_corpus import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = [payload.replace("\x00", "") for payload in PAYLOADS]  # PostgreSQL text cannot hold NUL
VISIBLE_MARK = "window.__xss=1"
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
# Fire what a person might do to every element, then list anything executable the page contains.
INSPECT = """() => {
  for (const el of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'focus', 'click', 'animationstart', 'toggle', 'load', 'error']) {
      if (type === 'click' && (el.tagName === 'A' || el.tagName === 'BUTTON' || el.type === 'submit')) continue;
      el.dispatchEvent(new Event(type));
    }
  }
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith('on')) bad.push(el.tagName + ' ' + attr);
    }
    for (const prop of ['href', 'src', 'action', 'formAction', 'data']) {
      const value = el[prop];
      const unsafe = /^\\s*(javascript|data|vbscript):/i;
      if (typeof value === 'string' && unsafe.test(value)) bad.push(el.tagName + ' ' + prop);
    }
    if (el.tagName === 'SCRIPT' && !(el.src && new URL(el.src).origin === location.origin)) bad.push('inline SCRIPT');
    if (['IFRAME', 'OBJECT', 'EMBED', 'BASE', 'MATH'].includes(el.tagName)) bad.push(el.tagName);
    if (el.tagName === 'META' && el.httpEquiv) bad.push('META ' + el.httpEquiv);
    if (el.tagName.toLowerCase() === 'svg' && el.querySelector('script, foreignObject, a')) bad.push('SVG');
  }
  return {bad, fired: window.__xss === undefined ? null : String(window.__xss), csp: window.__csp};
}"""


def _hostile_world(alice, casey):
    """Puts every payload into every text field a person controls; returns ids the pages need."""
    now = timezone.now()
    for index, text in enumerate(TEXT):
        team = TeamFactory(name=f"{index} {text}"[:100], slug=f"xss-team-{index}")
        UserFactory(username=f"xss{index}", display_name=text[:100], job_title=text[-100:], team=team)
        Campaign.objects.create(name=text[:120], slug=f"xss-campaign-{index}", hashtag=text[:60], description=text)
    alice.display_name, alice.job_title = TEXT[0][:100], TEXT[1][:100]
    alice.save()
    blob = "\n\n".join(TEXT)
    campaign = Campaign.objects.get(slug="xss-campaign-0")
    posts = []
    for index, text in enumerate(TEXT[:30]):
        post = Post.objects.create(
            title=text[:200], slug=f"xss-post-{index}", body=blob[:5000], suggested_caption=blob[index * 90 :][:3000],
            hashtags=text[:100] if len(text) <= 100 else "", destination_url="https://example.com/a",
            status=Post.Status.APPROVED, publish_at=now - timedelta(hours=1), created_by=casey, campaign=campaign,
        )  # fmt: skip
        for network, offset in (("linkedin", 1), ("x", 2), ("mastodon", 3), ("bluesky", 4)):
            PostCaption.objects.create(post=post, network=network, text=TEXT[(index + offset) % len(TEXT)])
        posts.append(post)
    for text in TEXT:
        PostTransition.objects.create(post=posts[0], from_status="draft", to_status="in_review", actor=casey, note=text)
        Suggestion.objects.create(author=alice, url=f"https://example.com/{text}"[:2000], text=text,
                                  draft_caption=text, image_alt_text=text[:300], review_note=text)  # fmt: skip
    Suggestion.objects.update(status=Suggestion.Status.REJECTED)
    Suggestion.objects.filter(pk__in=Suggestion.objects.values("pk")[:40]).update(status=Suggestion.Status.PENDING)
    Share.objects.create(user=alice, post=posts[0], network="linkedin", code="Xss000001", caption=blob[:3000],
                                 last_shared_at=now)  # fmt: skip
    landing_post = Post.objects.create(
        title=TEXT[5][:200], slug="xss-landing", body=blob[:5000], suggested_caption=blob[:3000],
        status=Post.Status.APPROVED, publish_at=now - timedelta(hours=1), created_by=casey,
    )  # fmt: skip
    Share.objects.create(user=alice, post=landing_post, network="x", code="Xss000002", caption=blob[:3000],
                         last_shared_at=now)  # fmt: skip
    draw = make_draw(name=TEXT[2][:150], prizes=[PrizeSpec(text[:200]) for text in TEXT[:20]], rules_text=blob)
    # Guideline bodies are sanitised Markdown (tests/browser/test_guidelines_xss.py); here the plain-text fields
    # around them: titles, summaries and change summaries, on the history and diff pages too.
    document = guideline_document_create(
        title=TEXT[3][:200], kind=GuidelineDocument.Kind.OTHER, body=blob, created_by=casey,
        summary=TEXT[4][:300], change_summary=TEXT[6][:500],
    )  # fmt: skip
    guideline_version_create(document=document, body=blob[::-1], change_summary=TEXT[7][:500], is_major=True,
                             created_by=casey)  # fmt: skip
    # Alice's hostile name and a hostile reason on the audit log too.
    from advocacy.people.audit import audit_record

    audit_record(person=alice, action="roles", source=TEXT[5][:255], before=[TEXT[3]], after=[], reason=TEXT[2][:500])
    return {"post": posts[0], "draw": draw, "guideline": document, "alice_id": alice.pk}


def _visit(page, url: str) -> dict:
    response = page.goto(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"
    page.wait_for_timeout(30)
    result = page.evaluate(INSPECT)
    page.wait_for_timeout(30)
    result["csp"] = page.evaluate("() => window.__csp")
    result["fired"] = page.evaluate("() => window.__xss === undefined ? null : String(window.__xss)")
    result["shown"] = VISIBLE_MARK in page.inner_text("body")
    return result


def _pages(ids, live_server) -> dict[str, list[str]]:
    post, draw, guideline = ids["post"], ids["draw"], ids["guideline"]
    return {
        "alice": [
            reverse("home"),
            reverse("content_library:feed"),
            reverse("content_library:post_detail", kwargs={"slug": post.slug}),
            reverse("content_library:suggestion_list"),
            reverse("sharing:my_activity"),
            reverse("people:profile"),
            reverse("draws:list"),
            reverse("draws:detail", kwargs={"pk": draw.pk}),
            reverse("leaderboard:board"),
            reverse("guidelines:portal"),
            reverse("guidelines:history", kwargs={"slug": guideline.slug}),
            reverse("guidelines:diff", kwargs={"slug": guideline.slug}) + "?from=1&to=2",
        ],
        "casey": [
            reverse("content_library:comms_post_list"),
            reverse("content_library:comms_post_detail", kwargs={"pk": post.pk}),
            reverse("content_library:comms_post_edit", kwargs={"pk": post.pk}),
            reverse("content_library:comms_review"),
            reverse("content_library:comms_campaigns"),
            reverse("content_library:comms_calendar"),
            reverse("people:team_list"),
            reverse("guidelines:manage"),
            reverse("guidelines:document_edit", kwargs={"pk": guideline.pk}),
        ],
        "harper": [
            reverse("people:people_list"),
            reverse("people:person_detail", kwargs={"user_id": ids["alice_id"]}),
            reverse("people:audit_list"),
            reverse("draws:manage_list"),
            reverse("draws:manage_detail", kwargs={"pk": draw.pk}),
            reverse("leaderboard:review"),
        ],
        None: [
            reverse("sharing:landing", kwargs={"code": "Xss000002"}),
        ],
    }


def test_the_csp_detector_and_sentinel_can_fail(page, live_server, alice):
    # Injecting a handler into a real page is stopped by the CSP and seen by the listener: the checks can fail.
    page.context.add_init_script(CSP_LISTENER)
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("() => { document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__xss=1\">'); }")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__csp.length") >= 1
    assert page.evaluate("() => window.__xss") is None


def test_no_payload_runs_or_needs_the_csp_on_any_page(browser, live_server, alice, casey, harper):
    ids = _hostile_world(alice, casey)
    failures, shown_on = [], []
    for user, urls in _pages(ids, live_server).items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user:
            login_in_browser(page, live_server, user)
        for url in urls:
            result = _visit(page, f"{live_server.url}{url}")
            if result["fired"] or result["bad"] or result["csp"]:
                failures.append((user, url, result))
            if result["shown"]:
                shown_on.append(url)
        context.close()
    print(f"xss battery: {len(TEXT)} payloads, {sum(map(len, _pages(ids, live_server).values()))} pages, "
          f"payload text shown on {len(shown_on)}: {shown_on}")  # fmt: skip
    assert failures == []
    # Most pages must actually show payload text; otherwise this battery only visited empty pages.
    assert len(shown_on) >= 15, shown_on
