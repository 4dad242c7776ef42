"""Walk a provider's real pages with plain HTTP, as a browser would, until it sends us back."""

import html
import re
from urllib.parse import urljoin, urlsplit

import requests


def through_oidc_login(start_location: str, *, login: str, password: str, site: str = "http://testserver") -> str:
    """Follow the authorization redirect, fill the provider's login form; return our callback URL (path + query)."""
    browser = requests.Session()
    url, response = start_location, None
    for _ in range(20):
        if url.startswith(site):
            parts = urlsplit(url)
            return f"{parts.path}?{parts.query}"
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            continue
        action = re.search(r'<form method="post" action="([^"]+)"', response.text)
        assert action, f"no login form at {url}: {response.status_code} {response.text[:300]}"
        form = {"login": login, "password": password}
        response = browser.post(urljoin(url, action.group(1)), data=form, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:300]
        url = urljoin(url, response.headers["Location"])
    raise AssertionError("the provider never sent the browser back")


def through_saml_login(start_location: str, *, login: str, password: str) -> dict:
    """Fill the IdP's login form; return the fields its page would post to our ACS (SAMLResponse, RelayState)."""
    browser = requests.Session()
    response = browser.get(start_location, allow_redirects=False, timeout=10)
    assert response.status_code == 200, response.text[:300]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.text))
    fields.update(login=login, password=password)
    response = browser.post(urljoin(start_location, "/login"), data=fields, timeout=10)
    assert response.status_code == 200, response.text[:300]
    posted = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.text))
    assert "SAMLResponse" in posted, response.text[:300]
    return {name: html.unescape(value) for name, value in posted.items()}
