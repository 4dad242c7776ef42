"""The programme's part of "Download my data" and of erasure (registered in apps.py).

Goals, pulses and cohorts a person created stay (they are the programme's, not the person's)
but lose their author; a stated audience, invitations, cohort places, feedback and the
Insiders entry (photo included) are the person's own and go.
"""

from advocacy.people.personal_data import register

from .models import (
    AmbassadorInvitation,
    BetaGroup,
    Cohort,
    CohortMember,
    Goal,
    InsiderProfile,
    PostFeedback,
    ProgrammeSettings,
    PulseParticipation,
    PulseSurvey,
    StatedAudience,
)


def _time(value) -> str | None:
    return value.isoformat() if value else None


def export(*, user) -> dict:
    stated = StatedAudience.objects.filter(user=user).first()
    insider = InsiderProfile.objects.filter(user=user).prefetch_related("picks__share__post").first()
    return {
        "stated_audience": (
            {"linkedin_connections": stated.linkedin_connections, "stated_at": stated.stated_at.isoformat()}
            if stated
            else None
        ),
        "goals_created": list(Goal.objects.filter(created_by=user).order_by("pk").values_list("name", flat=True)),
        # Only that they answered: what they answered is stored without them and cannot be found.
        "pulses_answered": sorted(PulseParticipation.objects.filter(user=user).values_list("survey__title", flat=True)),
        "ambassador_invitations": [
            {
                "status": invitation.status,
                "message": invitation.message,
                "invited_at": _time(invitation.invited_at),
                "answered_at": _time(invitation.answered_at),
                "left_at": _time(invitation.left_at),
            }
            for invitation in AmbassadorInvitation.objects.filter(user=user).order_by("invited_at", "pk")
        ],
        "cohorts": [
            {"cohort": member.cohort.name, "added_at": _time(member.added_at)}
            for member in CohortMember.objects.filter(user=user).select_related("cohort").order_by("added_at", "pk")
        ],
        "preview_feedback": [
            {"post": row.post.title, "text": row.text, "at": _time(row.created_at)}
            for row in PostFeedback.objects.filter(author=user).select_related("post").order_by("created_at", "pk")
        ],
        "insider": (
            {
                "featured_at": _time(insider.featured_at),
                "bio": insider.bio,
                "photo": insider.photo.name if insider.photo else None,
                "consented_at": _time(insider.consented_at),
                "withdrawn_at": _time(insider.withdrawn_at),
                "picks": [pick.share.post.title for pick in insider.picks.all()],
            }
            if insider
            else None
        ),
    }


def erase(*, user) -> None:
    StatedAudience.objects.filter(user=user).delete()
    Goal.objects.filter(created_by=user).update(created_by=None)
    PulseSurvey.objects.filter(created_by=user).update(created_by=None)
    for profile in InsiderProfile.objects.filter(user=user):
        if profile.photo:
            profile.photo.delete(save=False)
        profile.delete()
    InsiderProfile.objects.filter(featured_by=user).update(featured_by=None)
    AmbassadorInvitation.objects.filter(user=user).delete()
    AmbassadorInvitation.objects.filter(invited_by=user).update(invited_by=None)
    CohortMember.objects.filter(user=user).delete()
    Cohort.objects.filter(created_by=user).update(created_by=None)
    BetaGroup.objects.filter(created_by=user).update(created_by=None)
    PostFeedback.objects.filter(author=user).delete()
    ProgrammeSettings.objects.filter(changed_by=user).update(changed_by=None)


def register_section() -> None:
    register(
        "programme",
        export=export,
        erase=erase,
        models=[
            "programme.Goal",
            "programme.StatedAudience",
            "programme.PulseSurvey",
            "programme.PulseParticipation",
            "programme.AmbassadorInvitation",
            "programme.Cohort",
            "programme.CohortMember",
            "programme.BetaGroup",
            "programme.PostFeedback",
            "programme.ProgrammeSettings",
            "programme.InsiderProfile",
        ],
        position=95,
    )
