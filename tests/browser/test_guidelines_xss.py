"""The sanitised guideline HTML, loaded in Chromium, never runs a payload (window.__xss stays unset)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidelines.rendering import render_markdown
from guidelines.services import guideline_document_create
from tests.conftest import login_in_browser
from tests.guidelines.xss_corpus import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Fire what a person might do to every element, then report anything executable left in the DOM.
INSPECT = """(root) => {
  for (const el of document.querySelectorAll(root + ' *')) {
    for (const type of ['mouseover', 'focus', 'animationstart', 'toggle', 'load', 'error']) {
      el.dispatchEvent(new Event(type));
    }
  }
  const bad = [];
  for (const el of document.querySelectorAll(root + ' *')) {
    for (const attr of el.getAttributeNames()) {
      if (attr.startsWith('on')) bad.push(el.tagName + ' ' + attr);
    }
    for (const prop of ['href', 'src', 'action', 'formAction', 'data']) {
      const value = el[prop];
      const unsafe = /^\\s*(javascript|data|vbscript):/i;
      if (typeof value === 'string' && unsafe.test(value)) bad.push(el.tagName + ' ' + prop);
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'STYLE', 'FORM', 'BASE', 'META'].includes(el.tagName)
        ) bad.push(el.tagName);
  }
  return bad;
}"""


def load_without_csp(page, html):
    page.goto("about:blank")
    page.set_content(f"<!doctype html><html><body>{html}</body></html>")
    page.wait_for_timeout(50)
    return page.evaluate(INSPECT, "body"), page.evaluate("() => window.__xss")


def test_the_sentinel_does_fire_for_an_unsanitised_payload(page):
    # Proves the check below can fail: raw payloads do run in this page (there is no CSP here).
    _, fired = load_without_csp(page, '<img src="data:image/png;base64,AAAA" onerror="window.__xss=1">')
    assert fired == 1


def test_no_corpus_payload_runs_in_chromium(page):
    for payload in PAYLOADS:
        bad, fired = load_without_csp(page, render_markdown(payload))
        assert fired is None, payload
        assert bad == [], (payload, bad)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(PAYLOADS),
            st.sampled_from(["<", ">", '"', "'", "javascript:", "&#x6a;", " onerror=", "](", "[", ")", "![", "\n"]),
            st.text(max_size=12),
        ),
        min_size=1,
        max_size=12,
    ).map("".join)
)
def test_any_markdown_stays_inert_in_chromium(page, text):
    bad, fired = load_without_csp(page, render_markdown(text))
    assert fired is None and bad == [], (text, bad)


def test_the_portal_page_with_every_payload_runs_none(page, live_server, alice):
    guideline_document_create(
        title="Hostile guide",
        kind="other",
        body="\n\n".join(payload.replace("\x00", "") for payload in PAYLOADS),
        created_by=None,
    )
    login_in_browser(page, live_server, "alice")
    page.goto(f"{live_server.url}/guidelines/")
    assert page.get_by_role("heading", name="Hostile guide").is_visible()
    page.wait_for_timeout(200)
    assert page.evaluate(INSPECT, ".guideline-body") == []
    assert page.evaluate("() => window.__xss") is None
