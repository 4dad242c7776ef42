"""One-click unsubscribe: a signed link, a confirmation page (GET changes nothing) and the RFC 8058 POST."""

import pytest
from django.conf import settings
from django.urls import reverse

from advocacy.people.models import User
from notifications.tokens import unsubscribe_token_make

pytestmark = pytest.mark.django_db


def _url(user, list_name="digest", token=None):
    token = token or unsubscribe_token_make(user_id=user.pk, list_name=list_name)
    return reverse("notifications:unsubscribe", kwargs={"token": token})


def test_the_link_shows_a_confirmation_and_changes_nothing(client, alice):
    response = client.get(_url(alice))

    assert response.status_code == 200
    assert b"Unsubscribe from the weekly digest" in response.content
    assert b'<button type="submit">Unsubscribe</button>' in response.content
    alice.refresh_from_db()
    assert alice.digest_frequency == User.DigestFrequency.WEEKLY


def test_one_click_post_unsubscribes_without_a_login_or_csrf_token(alice):
    from django.test import Client

    mail_provider = Client(enforce_csrf_checks=True)
    response = mail_provider.post(_url(alice), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert b"You will no longer receive the weekly digest" in response.content
    alice.refresh_from_db()
    assert alice.digest_frequency == User.DigestFrequency.NEVER
    assert alice.notify_policy_updates and alice.notify_suggestion_updates  # only that list


@pytest.mark.parametrize(
    ("list_name", "field"), [("policy", "notify_policy_updates"), ("suggestions", "notify_suggestion_updates")]
)
def test_each_list_switches_off_only_its_own_emails(client, alice, list_name, field):
    client.post(_url(alice, list_name))

    alice.refresh_from_db()
    assert getattr(alice, field) is False
    assert alice.digest_frequency == User.DigestFrequency.WEEKLY


def test_it_works_for_whoever_holds_the_link_whoever_is_signed_in(client, alice, bob):
    client.force_login(bob)
    client.post(_url(alice))

    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.digest_frequency == User.DigestFrequency.NEVER
    assert bob.digest_frequency == User.DigestFrequency.WEEKLY


def test_a_second_click_is_harmless_and_the_page_says_so(client, alice):
    client.post(_url(alice))
    response = client.get(_url(alice))

    assert response.status_code == 200
    assert b"nothing to switch off" in response.content


def test_a_tampered_link_is_refused_with_a_clear_message(client, alice, bob):
    token = unsubscribe_token_make(user_id=alice.pk, list_name="digest")
    payload, rest = token.split(":", 1)
    forged_for_bob = unsubscribe_token_make(user_id=bob.pk, list_name="digest").split(":", 1)[0] + ":" + rest

    for bad in (forged_for_bob, token[:-3], "not-a-token", token + "x"):
        response = client.post(_url(alice, token=bad))
        assert response.status_code == 400
        assert b"This unsubscribe link is not valid" in response.content

    bob.refresh_from_db()
    assert bob.digest_frequency == User.DigestFrequency.WEEKLY


def test_a_token_for_another_purpose_is_refused(client, alice):
    from django.core import signing

    other = signing.dumps({"u": alice.pk, "l": "digest"}, salt="some.other.feature")
    assert client.get(_url(alice, token=other)).status_code == 400


def test_a_link_for_a_deleted_account_is_refused(client, alice):
    url = _url(alice)
    alice.delete()

    response = client.post(url)
    assert response.status_code == 400
    assert b"no longer exists" in response.content


def test_the_link_in_an_email_is_the_one_the_headers_point_at(client, alice, casey, celery_eager, mailoutbox):
    from content_library.services import suggestion_approve
    from notifications.models import Delivery
    from notifications.tasks import send_email
    from tests.content_library.factories import SuggestionFactory

    suggestion = SuggestionFactory(author=alice)
    suggestion_approve(suggestion=suggestion, reviewer=casey)
    send_email.delay(Delivery.Kind.SUGGESTION_APPROVED, f"suggestion:{suggestion.pk}", alice.pk)
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    response = client.post(link.removeprefix(settings.SITE_URL), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.notify_suggestion_updates is False
