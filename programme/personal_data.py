"""The programme's part of "Download my data" and of erasure (registered in apps.py).

Goals a person created stay (they are the programme's, not the person's) but lose their
author; a stated audience is the person's own statement and goes.
"""

from advocacy.people.personal_data import register

from .models import Goal, PulseParticipation, PulseSurvey, StatedAudience


def export(*, user) -> dict:
    stated = StatedAudience.objects.filter(user=user).first()
    return {
        "stated_audience": (
            {"linkedin_connections": stated.linkedin_connections, "stated_at": stated.stated_at.isoformat()}
            if stated
            else None
        ),
        "goals_created": list(Goal.objects.filter(created_by=user).order_by("pk").values_list("name", flat=True)),
        # Only that they answered: what they answered is stored without them and cannot be found.
        "pulses_answered": sorted(PulseParticipation.objects.filter(user=user).values_list("survey__title", flat=True)),
    }


def erase(*, user) -> None:
    StatedAudience.objects.filter(user=user).delete()
    Goal.objects.filter(created_by=user).update(created_by=None)
    PulseSurvey.objects.filter(created_by=user).update(created_by=None)


def register_section() -> None:
    register(
        "programme",
        export=export,
        erase=erase,
        models=["programme.Goal", "programme.StatedAudience", "programme.PulseSurvey", "programme.PulseParticipation"],
        position=95,
    )
