"""Mobilise: inviting ambassadors, their answers and leaving, cohorts, and beta groups for campaigns.

Joining is voluntary and every step keeps its time (``AmbassadorInvitation``). Leaving takes
one click and asks nothing: the person leaves their cohorts and the Insiders page at once.

A beta group limits a campaign to a cohort until a time; the rule is one ``Q``
(``beta_narrowing_q``) registered into the library's ``post_visible_to_q``, so the feed, the
post page, the API and sharing all apply it.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from advocacy.people.selectors import active_employees
from notifications.registry import InvitationNotice
from notifications.services import notify_invitation

from .models import AmbassadorInvitation, BetaGroup, Cohort, CohortMember, InsiderProfile

Status = AmbassadorInvitation.Status
OPEN = [Status.INVITED, Status.ACCEPTED]


# --- reads -----------------------------------------------------------------------------------


def invitation_current(*, user) -> AmbassadorInvitation | None:
    """The person's open invitation (invited, or accepted and not left), if any (1 query)."""
    return AmbassadorInvitation.objects.filter(user=user, status__in=OPEN).first()


def is_ambassador(*, user) -> bool:
    return AmbassadorInvitation.objects.filter(user=user, status=Status.ACCEPTED).exists()


def ambassadors_q(prefix: str = "") -> Q:
    """People who are ambassadors now, across a relation ending at a user (``prefix="user__"``)."""
    accepted = AmbassadorInvitation.objects.filter(user_id=OuterRef(f"{prefix}pk"), status=Status.ACCEPTED)
    return Q(Exists(accepted))


def invitation_notice(invitation_id: int) -> InvitationNotice | None:
    """What the invitation email and push say, while the invitation still waits for an answer (1 query).

    Registered into ``notifications.registry`` (see ``hooks.py``), read when the email is sent.
    """
    waiting = AmbassadorInvitation.objects.filter(pk=invitation_id, status=Status.INVITED)
    invitation = waiting.select_related("invited_by").first()
    if invitation is None:
        return None
    inviter = invitation.invited_by
    if inviter:
        text = gettext(
            "%(name)s invited you to be one of our ambassadors: you would preview upcoming posts, tell comms what "
            "you think of them and try new campaigns first. Joining is voluntary, and an ambassador can leave at "
            "any time."
        ) % {"name": inviter.display_name or inviter.username}
    else:
        text = gettext(
            "You are invited to be one of our ambassadors: you would preview upcoming posts, tell comms what you "
            "think of them and try new campaigns first. Joining is voluntary, and an ambassador can leave at any "
            "time."
        )
    if invitation.message:
        text += f"\n\n“{invitation.message}”"
    return InvitationNotice(
        invitee_id=invitation.user_id,
        subject=gettext("You are invited to be an ambassador"),
        text=text,
        path=reverse("programme:my_ambassadorship"),
    )


def invitation_list() -> QuerySet[AmbassadorInvitation]:
    """Every invitation, newest first, with the person, their team and who invited them (1 query)."""
    return AmbassadorInvitation.objects.select_related("user", "user__team", "invited_by").order_by(
        "-invited_at", "-pk"
    )


def latest_invitations(*, user_ids: list[int]) -> dict[int, AmbassadorInvitation]:
    """{user id: their latest invitation, whatever became of it} for the people in the list (1 query)."""
    latest: dict[int, AmbassadorInvitation] = {}
    rows = AmbassadorInvitation.objects.filter(user_id__in=user_ids).order_by("user_id", "-invited_at", "-pk")
    for invitation in rows:
        latest.setdefault(invitation.user_id, invitation)
    return latest


def cohort_list() -> QuerySet[Cohort]:
    """Cohorts by name with their member counts (1 query)."""
    return Cohort.objects.annotate(member_count=Count("members")).order_by("name", "pk")


def cohort_members(*, cohort: Cohort) -> QuerySet[CohortMember]:
    return cohort.members.select_related("user", "user__team").order_by("user__display_name", "user__username")


def ambassadors_not_in(*, cohort: Cohort):
    """Current ambassadors who are not yet in the cohort, by name (to add them)."""
    in_cohort = CohortMember.objects.filter(cohort=cohort, user_id=OuterRef("pk"))
    return active_employees().filter(ambassadors_q()).exclude(Exists(in_cohort)).order_by("display_name", "username")


def beta_group_list() -> QuerySet[BetaGroup]:
    return BetaGroup.objects.select_related("campaign", "cohort").order_by("opens_to_everyone_at", "pk")


def beta_narrowing_q(*, user, now: datetime) -> Q:
    """Over posts: not in a campaign still in beta, unless the person is in that beta's cohort.

    Registered into ``content_library.selectors.post_visible_to_q`` (see ``hooks.py``).
    """
    in_cohort = CohortMember.objects.filter(cohort_id=OuterRef("cohort_id"), user_id=getattr(user, "pk", None))
    closed_beta = BetaGroup.objects.filter(campaign_id=OuterRef("campaign_id"), opens_to_everyone_at__gt=now).exclude(
        Exists(in_cohort)
    )
    return ~Q(Exists(closed_beta))


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def ambassador_invite(*, user, invited_by, message: str = "", now: datetime | None = None) -> AmbassadorInvitation:
    """Invite an active employee to be an ambassador; refused while they have an open invitation."""
    if not active_employees().filter(pk=user.pk).exists():
        raise ValidationError(gettext("Only active employees can be invited."))
    try:
        with transaction.atomic():
            invitation = AmbassadorInvitation.objects.create(
                user=user, invited_by=invited_by, message=message.strip(), invited_at=now or timezone.now()
            )
    except IntegrityError:
        current = invitation_current(user=user)
        if current and current.status == Status.ACCEPTED:
            text = gettext("%(name)s is already an ambassador.")
        else:
            text = gettext("%(name)s is already invited.")
        raise ValidationError(text % {"name": user.display_name or user.username}) from None
    notify_invitation(invitation_id=invitation.pk)
    return invitation


def _answer(*, user, accept: bool, now: datetime | None) -> AmbassadorInvitation:
    changed = AmbassadorInvitation.objects.filter(user=user, status=Status.INVITED).update(
        status=Status.ACCEPTED if accept else Status.DECLINED, answered_at=now or timezone.now()
    )
    if changed != 1:
        raise ValidationError(gettext("There is no invitation waiting for your answer."))
    return AmbassadorInvitation.objects.filter(user=user).order_by("-answered_at", "-pk").first()


@transaction.atomic
def invitation_accept(*, user, now: datetime | None = None) -> AmbassadorInvitation:
    return _answer(user=user, accept=True, now=now)


@transaction.atomic
def invitation_decline(*, user, now: datetime | None = None) -> AmbassadorInvitation:
    return _answer(user=user, accept=False, now=now)


@transaction.atomic
def ambassador_leave(*, user, now: datetime | None = None) -> bool:
    """Stop being an ambassador at once: out of every cohort and off the Insiders page. Idempotent."""
    now = now or timezone.now()
    left = AmbassadorInvitation.objects.filter(user=user, status=Status.ACCEPTED).update(
        status=Status.LEFT, left_at=now
    )
    CohortMember.objects.filter(user=user).delete()
    InsiderProfile.objects.filter(user=user, withdrawn_at__isnull=True, consented_at__isnull=False).update(
        withdrawn_at=now
    )
    return bool(left)


@transaction.atomic
def cohort_create(*, name: str, description: str = "", created_by) -> Cohort:
    name = name.strip()
    if not name:
        raise ValidationError({"name": gettext("Give the cohort a name, e.g. “2027 Insiders”.")})
    if Cohort.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": gettext("There is already a cohort called “%(name)s”.") % {"name": name}})
    return Cohort.objects.create(name=name, description=description.strip(), created_by=created_by)


@transaction.atomic
def cohort_add(*, cohort: Cohort, user, now: datetime | None = None) -> CohortMember:
    """Add a current ambassador to a cohort (adding them twice changes nothing)."""
    if not is_ambassador(user=user):
        raise ValidationError(gettext("Only ambassadors (who accepted an invitation) can join a cohort."))
    member, _ = CohortMember.objects.get_or_create(
        cohort=cohort, user=user, defaults={"added_at": now or timezone.now()}
    )
    return member


@transaction.atomic
def cohort_remove(*, cohort: Cohort, user) -> None:
    CohortMember.objects.filter(cohort=cohort, user=user).delete()


@transaction.atomic
def beta_group_set(*, campaign, cohort: Cohort, opens_to_everyone_at: datetime, created_by) -> BetaGroup:
    """Limit a campaign to a cohort until ``opens_to_everyone_at`` (replacing any earlier beta for it)."""
    group, _ = BetaGroup.objects.update_or_create(
        campaign=campaign,
        defaults={"cohort": cohort, "opens_to_everyone_at": opens_to_everyone_at, "created_by": created_by},
    )
    return group


@transaction.atomic
def beta_group_end(*, group: BetaGroup) -> None:
    """Open the campaign to everyone now."""
    group.delete()


def home_ambassador(*, user, now) -> dict:
    """The employee start page's ambassador panel: a waiting invitation, or the ambassador's links (1 query)."""
    return {"invitation": invitation_current(user=user)}
