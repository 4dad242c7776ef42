"""Invitations: one-time, expiring links that let a person into their account.

The link's token is ``<id>-<HMAC(SECRET_KEY, id and a random nonce)>``: nothing in the
database alone can forge or replay one, resending makes a new invitation (the old link
stops working), and accepting or revoking is a conditional update, so a link works once.
The email is sent by a worker after the invitation commits (`people.send_invitation`).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

from .identity import PersonAttributes, person_sync_result
from .models import Invitation, Team, User
from .roles import Role

logger = logging.getLogger(__name__)
_SALT = "advocacy.people.invitation"


class InvitationRefused(Exception):
    """The invitation cannot be sent or accepted; `str()` is the sentence to show."""


def _signature(invitation_id: int, nonce: str, secret: str) -> str:
    return salted_hmac(_SALT, f"{invitation_id}:{nonce}", secret=secret, algorithm="sha256").hexdigest()[:40]


def invitation_token(*, invitation: Invitation) -> str:
    return f"{invitation.pk}-{_signature(invitation.pk, invitation.nonce, settings.SECRET_KEY)}"


def invitation_from_token(*, token: str) -> Invitation | None:
    """The invitation a link names, or None for a made-up or altered one (old keys still open theirs)."""
    ident, _, signature = token.partition("-")
    if not ident.isdigit() or len(ident) > 18 or not signature:
        return None
    invitation = Invitation.objects.select_related("user", "created_by").filter(pk=int(ident)).first()
    if invitation is None:
        return None
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        if constant_time_compare(signature, _signature(invitation.pk, invitation.nonce, secret)):
            return invitation
    return None


@dataclass(frozen=True)
class State:
    key: str  # pending, accepted, revoked, expired
    label: str


def invitation_state(*, invitation: Invitation, now=None) -> State:
    now = now or timezone.now()
    if invitation.accepted_at:
        return State("accepted", gettext("Accepted"))
    if invitation.revoked_at:
        return State("revoked", gettext("Revoked"))
    if invitation.expires_at <= now:
        return State("expired", gettext("Expired"))
    if not invitation.user.is_active:
        return State("revoked", gettext("Account deactivated"))
    return State("pending", gettext("Sent") if invitation.sent_at else gettext("Sending"))


def invitation_accept_url(*, invitation: Invitation) -> str:
    return urljoin(
        settings.SITE_URL,
        reverse("people:invitation_accept", kwargs={"token": invitation_token(invitation=invitation)}),
    )


def sso_login_url() -> str | None:
    """The single sign-on entry point, once an SSO app provides `sso:login`; None until then."""
    try:
        return reverse("sso:login")
    except NoReverseMatch:
        return None


@transaction.atomic
def invitation_send(*, user: User, actor: User | None) -> Invitation:
    """Invite (or invite again) this person: earlier open links stop working, the email goes after commit."""
    from .tasks import send_invitation

    if not user.is_active:
        raise InvitationRefused(f"{user.name} is deactivated; reactivate them before inviting them.")
    if not user.email:
        raise InvitationRefused(f"{user.name} has no email address to send an invitation to.")
    if user.last_login is not None:
        raise InvitationRefused(f"{user.name} has already signed in; they can reset their password if they forgot it.")
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).update(revoked_at=now, revoked_by=actor)
    invitation = Invitation.objects.create(
        user=user,
        email=user.email,
        nonce=secrets.token_hex(16),
        created_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    transaction.on_commit(lambda: send_invitation.delay(invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User | None) -> bool:
    """Stop an open link from working; False if it was already used or revoked."""
    changed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    invitation.refresh_from_db()
    return changed == 1


@transaction.atomic
def person_invite(
    *, email: str, display_name: str, team: Team | None, roles: list[Role], actor: User | None
) -> Invitation:
    """Add someone new to the directory (through the identity mapping) and invite them."""
    email = email.strip()
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationRefused(f"{email} is already in the directory; invite them from their page.")
    result = person_sync_result(
        attributes=PersonAttributes(
            source="invitation",
            subject=email.casefold(),
            email=email,
            display_name=display_name.strip(),
            team_name=team.name if team else "",
            roles=tuple(roles),
            active=True,
        ),
        actor=actor,
    )
    return invitation_send(user=result.user, actor=actor)


def invitation_check_password(*, invitation: Invitation, password: str) -> None:
    """Django's password validators, against the invited person (raises ValidationError)."""
    validate_password(password, user=invitation.user)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str | None) -> User:
    """Use the link once: set the password (None: they will sign in with SSO) and close the invitation."""
    locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    state = invitation_state(invitation=locked)
    if state.key != "pending":
        raise InvitationRefused(INVALID_MESSAGES[state.key])
    user = locked.user
    if password is not None:
        validate_password(password, user=user)
        user.set_password(password)
        user.save(update_fields=["password"])
    Invitation.objects.filter(pk=locked.pk).update(accepted_at=timezone.now())
    invitation.refresh_from_db()
    return user


INVALID_MESSAGES = {
    "unknown": "This invitation link is not valid. Check that you copied the whole link, or ask HR for a new one.",
    "accepted": "This invitation has already been used. Sign in with your password, or reset it if you forgot it.",
    "revoked": "This invitation was withdrawn or replaced by a newer one. Ask HR to send you a new one.",
    "expired": "This invitation has expired. Ask HR to send you a new one.",
}


def invitations_close_on_login(sender, request, user, **kwargs):
    """Whoever signs in (password or SSO) has joined: their open links are closed as accepted."""
    Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).update(accepted_at=timezone.now())


def invitation_email_send(*, invitation_id: int) -> bool:
    """Send the invitation email once (in the worker); skipped if it was used, revoked or expired meanwhile."""
    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at=None, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).update(sent_at=timezone.now())
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("user", "created_by").get(pk=invitation_id)
    context = {
        "user": invitation.user,
        "inviter": invitation.created_by.name if invitation.created_by else "",
        "accept_url": invitation_accept_url(invitation=invitation),
        "expires_at": invitation.expires_at,
    }
    message = EmailMultiAlternatives(
        subject=gettext("You are invited to the employee advocacy program"),
        body=render_to_string("people/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("people/email/invitation.html", context), "text/html")
    try:
        message.send()
    except Exception:
        # Not sent: let the retry claim it again.
        Invitation.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True
