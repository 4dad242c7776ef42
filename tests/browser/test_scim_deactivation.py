"""HR makes a SCIM token in the product; a provider switches someone off with it; their open page is signed out."""

import time

import httpx2
import pytest

from tests.conftest import login_in_browser, nav_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scim_deactivation_signs_the_person_out_within_a_second(browser, live_server, alice, harper, tmp_path):
    hr = browser.new_context().new_page()
    login_in_browser(hr, live_server, "harper")
    nav_link(hr, "SCIM tokens").click()
    hr.get_by_label("Name (which provider or connection uses it)").fill("Entra ID")
    hr.get_by_role("button", name="Create token").click()
    raw = hr.get_by_test_id("raw-token").inner_text().strip()
    hr.screenshot(path=str(tmp_path / "scim-token.png"), full_page=True)

    employee = browser.new_context().new_page()
    login_in_browser(employee, live_server, "alice")
    assert "/accounts/login/" not in employee.url

    scim = httpx2.Client(base_url=f"{live_server.url}/scim/v2", headers={"Authorization": f"Bearer {raw}"})
    try:
        created = scim.post("/Users", json={"userName": "alice@corp.example", "emails": [{"value": alice.email}]})
        assert created.status_code == 201, created.text
        started = time.monotonic()
        patched = scim.patch(
            f"/Users/{created.json()['id']}",
            json={
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
            },
        )
        assert patched.status_code == 200, patched.text
        answered = time.monotonic()
        employee.goto(f"{live_server.url}/library/")
        elapsed = time.monotonic() - answered
        total = time.monotonic() - started
    finally:
        scim.close()
    assert "/accounts/login/" in employee.url
    print(f"signed out: next page {elapsed:.3f} s after the PATCH was answered, {total:.3f} s after it was sent")
    # The deactivation is committed when the PATCH is answered; the very next page is the login page.
    assert elapsed < 1.0, f"signed out after {elapsed:.2f} s"

    hr.goto(f"{live_server.url}/hr/scim-tokens/")
    assert "never" not in hr.get_by_test_id("tokens").inner_text()  # its last use is shown
