"""Answers notifications need from apps above it, registered by those apps.

An invitation (today: the programme's ambassador invitations) is the inviting app's fact, and
that app sits above notifications. It registers a reader from its AppConfig.ready(): given an
invitation's id, what to tell the invitee, or None once the invitation no longer waits for an
answer. The email and the push read it at sending time, so an invitation answered meanwhile sends nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class InvitationNotice:
    invitee_id: int
    subject: str  # the email's subject and the push's title
    text: str  # plain text, a paragraph or two
    path: str  # where the invitee answers, a path on this site


InvitationReader = Callable[[int], InvitationNotice | None]
_invitation_reader: list[InvitationReader] = []


def register_invitation_reader(reader: InvitationReader) -> None:
    """Set ``reader(invitation_id) -> InvitationNotice | None`` (None: nothing true left to say)."""
    _invitation_reader[:] = [reader]


def invitation_notice(invitation_id: int) -> InvitationNotice | None:
    return _invitation_reader[0](invitation_id) if _invitation_reader else None
