import pytest
from django.urls import reverse

from advocacy.people.models import User
from notifications.tokens import unsubscribe_token_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_someone_unsubscribes_from_the_digest_with_the_link_from_an_email(page, live_server, alice):
    token = unsubscribe_token_make(user_id=alice.pk, list_name="digest")
    page.goto(live_server.url + reverse("notifications:unsubscribe", kwargs={"token": token}))

    assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe from the weekly digest"
    alice.refresh_from_db()
    assert alice.digest_frequency == User.DigestFrequency.WEEKLY  # opening the link changes nothing

    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "You will no longer receive the weekly digest."
    alice.refresh_from_db()
    assert alice.digest_frequency == User.DigestFrequency.NEVER


def test_a_damaged_link_says_so(page, live_server, alice):
    token = unsubscribe_token_make(user_id=alice.pk, list_name="digest")
    response = page.goto(live_server.url + reverse("notifications:unsubscribe", kwargs={"token": token[:-4]}))

    assert response.status == 400
    assert "This unsubscribe link is not valid" in page.get_by_role("alert").inner_text()
