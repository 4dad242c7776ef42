"""Invitations: one-time expiring links, sent by a worker, accepted with a password (or SSO)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from advocacy.people.invitations import (
    InvitationRefused,
    invitation_accept_url,
    invitation_from_token,
    invitation_revoke,
    invitation_send,
    invitation_token,
    person_invite,
)
from advocacy.people.models import AuditEntry, ExternalIdentity, Invitation, User
from advocacy.people.roles import Role
from advocacy.people.selectors import user_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(engineering):
    user = UserFactory(username="nina", display_name="Nina Novak", email="nina@example.test", team=engineering)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def send(django_capture_on_commit_callbacks, celery_eager):
    def invite(user, actor):
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_send(user=user, actor=actor)

    return invite


def _path(invitation):
    return reverse("people:invitation_accept", kwargs={"token": invitation_token(invitation=invitation)})


def test_the_email_is_sent_once_by_the_worker_in_the_digest_style(newcomer, harper, send):
    invitation = send(newcomer, harper)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.test"]
    assert invitation_accept_url(invitation=invitation) in message.body
    html = message.alternatives[0][0]
    assert "Harper HR invited you" in html and "background:#1f4fbf" in html  # the digest's button
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
    from advocacy.people.tasks import send_invitation

    send_invitation.delay(invitation.pk)  # a redelivered task
    assert len(mail.outbox) == 1


def test_a_made_up_or_altered_token_names_no_invitation(newcomer, harper, send):
    invitation = send(newcomer, harper)
    token = invitation_token(invitation=invitation)
    assert invitation_from_token(token=token) == invitation
    assert invitation_from_token(token=token[:-1] + ("0" if token[-1] != "0" else "1")) is None
    assert invitation_from_token(token=f"{invitation.pk}") is None
    assert invitation_from_token(token="99999999999999999999999-abc") is None


def test_a_token_made_with_a_rotated_key_still_opens_its_invitation(newcomer, harper, send, settings):
    invitation = send(newcomer, harper)
    token = invitation_token(invitation=invitation)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert invitation_from_token(token=token) == invitation


def test_accepting_sets_the_password_signs_in_and_lands_on_home(client, newcomer, harper, send):
    invitation = send(newcomer, harper)
    page = client.get(_path(invitation))
    assert page.status_code == 200 and b"Welcome, Nina Novak" in page.content
    assert b"Sign in with your company account" not in page.content  # no SSO configured
    response = client.post(
        _path(invitation), {"new_password1": "harbour-lantern-93", "new_password2": "harbour-lantern-93"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200 and home.context["user"] == newcomer
    newcomer.refresh_from_db()
    assert newcomer.check_password("harbour-lantern-93")
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_a_weak_password_is_refused_by_the_validators_and_the_link_stays_usable(client, newcomer, harper, send):
    invitation = send(newcomer, harper)
    response = client.post(_path(invitation), {"new_password1": "password", "new_password2": "password"})
    assert response.status_code == 400
    assert b"too common" in response.content
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


@pytest.mark.parametrize("state", ["used", "revoked", "expired", "resent"])
def test_a_link_that_can_no_longer_be_used_gets_a_clear_page(client, newcomer, harper, send, state):
    invitation = send(newcomer, harper)
    if state == "used":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    elif state == "revoked":
        assert invitation_revoke(invitation=invitation, actor=harper)
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        send(newcomer, harper)
    response = client.get(_path(invitation))
    assert response.status_code == 410
    expected = {"used": "already been used", "revoked": "withdrawn", "expired": "expired", "resent": "replaced"}[state]
    assert expected in response.content.decode()
    post = client.post(
        _path(invitation), {"new_password1": "harbour-lantern-93", "new_password2": "harbour-lantern-93"}
    )
    assert post.status_code == 410
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_an_unknown_link_gets_a_404_page_that_says_what_to_do(client):
    response = client.get(reverse("people:invitation_accept", kwargs={"token": "12-nope"}))
    assert response.status_code == 404 and b"not valid" in response.content


def test_the_accept_page_offers_sso_once_an_sso_login_exists(client, newcomer, harper, send, settings):
    invitation = send(newcomer, harper)
    settings.ROOT_URLCONF = "tests.people.sso_urls"
    response = client.get(_path(invitation))
    assert b"Sign in with your company account" in response.content
    assert b'href="/sso-test/login/?next=/"' in response.content


def test_signing_in_any_way_closes_open_invitations(client, newcomer, harper, send):
    invitation = send(newcomer, harper)
    client.force_login(newcomer)
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_people_who_already_signed_in_or_are_deactivated_are_not_invited(alice, dan, harper):
    alice.last_login = timezone.now()
    alice.save()
    with pytest.raises(InvitationRefused, match="already signed in"):
        invitation_send(user=alice, actor=harper)
    with pytest.raises(InvitationRefused, match="deactivated"):
        invitation_send(user=dan, actor=harper)


def test_inviting_someone_new_creates_them_through_the_identity_mapping(harper, engineering, send):
    invitation = person_invite(
        email="Omar@Example.test", display_name="Omar Haddad", team=engineering, roles=[Role.COMMS_ADMIN], actor=harper
    )
    omar = User.objects.get(pk=invitation.user_id)
    assert (omar.email, omar.team, omar.has_usable_password()) == ("Omar@example.test", engineering, False)
    assert user_roles(user=omar) == ["Comms admin", "Employee"]
    assert ExternalIdentity.objects.get(user=omar).source == "invitation"
    assert AuditEntry.objects.get(person=omar).actor == harper
    with pytest.raises(InvitationRefused, match="already in the directory"):
        person_invite(email="omar@example.test", display_name="Omar", team=None, roles=[], actor=harper)
