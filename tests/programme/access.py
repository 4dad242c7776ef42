from tests.access import COMMS_PAGE, EMPLOYEE_PAGE, PUBLIC, Route, expect

COMMS_REDIRECT = expect(employee=403, comms=302)


def _goal(cast):
    from datetime import date

    from programme.models import Goal

    goal = Goal.objects.create(
        name="Shares", measure="shares", target=10, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    return {"goal_id": goal.pk}


def _survey(cast):
    from datetime import date

    from programme.pulse import pulse_create

    survey = pulse_create(
        title="Pulse",
        period="2026-01",
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
        questions=["A", "B", "C"],
        created_by=None,
    )
    return {"survey_id": survey.pk}


def _ambassador(cast):
    """Alice becomes an ambassador (once: the every-page test builds all routes on one dataset)."""
    from programme import ambassadorship

    if not ambassadorship.is_ambassador(user=cast["employee"]):
        ambassadorship.ambassador_invite(user=cast["employee"], invited_by=cast["comms"])
        ambassadorship.invitation_accept(user=cast["employee"])
    return {}


def _featured_ambassador(cast):
    from programme import insiders

    _ambassador(cast)
    insiders.insider_feature(user=cast["employee"], featured_by=cast["comms"])  # idempotent
    return {}


def _person(cast):
    return {"user_id": cast["other_employee"].pk}


def _ambassador_id(cast):
    _ambassador(cast)
    return {"user_id": cast["employee"].pk}


def _cohort(cast):
    from programme import ambassadorship
    from programme.models import Cohort

    cohort = Cohort.objects.filter(name="2027 Insiders").first()
    cohort = cohort or ambassadorship.cohort_create(name="2027 Insiders", created_by=None)
    return {"cohort_id": cohort.pk}


def _cohort_member(cast):

    kwargs = _cohort(cast)
    _ambassador(cast)
    return {**kwargs, "user_id": cast["employee"].pk}


def _beta_group(cast):
    from datetime import timedelta

    from django.utils import timezone

    from content_library.models import Campaign
    from programme import ambassadorship

    cohort = ambassadorship.cohort_create(name=f"Beta {Campaign.objects.count()}", created_by=None)
    campaign = Campaign.objects.create(name="Beta launch", slug=f"beta-launch-{cohort.pk}")
    group = ambassadorship.beta_group_set(
        campaign=campaign, cohort=cohort, opens_to_everyone_at=timezone.now() + timedelta(days=3), created_by=None
    )
    return {"group_id": group.pk}


def _upcoming_post(cast):
    from datetime import timedelta

    from django.utils import timezone

    from content_library.models import Post

    _ambassador(cast)
    post = Post.objects.create(
        title="Soon",
        slug=f"soon-{Post.objects.count()}",
        status=Post.Status.APPROVED,
        publish_at=timezone.now() + timedelta(days=2),
    )
    return {"post_id": post.pk}


def _insiders_on(cast):
    from programme import insiders

    insiders.insiders_page_set(enabled=True, changed_by=None)
    return {}


AMBASSADORS_PAGE = expect(employee=200, other_employee=403, comms=200, hr=403)
EMPLOYEE_REDIRECT = expect(employee=302)

ROUTES = [
    Route("programme:goal_list", COMMS_PAGE),
    Route("programme:goal_list", expect(employee=403, comms=400), method="post", data=lambda cast: {"name": ""}),
    Route("programme:goal_edit", COMMS_PAGE, kwargs=_goal),
    Route("programme:goal_delete", COMMS_REDIRECT, method="post", kwargs=_goal),
    Route("programme:reach", COMMS_PAGE),
    Route("programme:my_audience", EMPLOYEE_PAGE),
    Route("programme:pulse_manage", expect(employee=403, comms=200, hr=200)),
    Route("programme:pulse_results", expect(employee=403, comms=200, hr=200), kwargs=_survey),
    Route("programme:pulse_take", EMPLOYEE_PAGE),
    Route("programme:ambassador_candidates", COMMS_PAGE),
    Route("programme:ambassador_list", COMMS_PAGE),
    Route("programme:ambassador_invite", COMMS_REDIRECT, method="post", kwargs=_person),
    Route("programme:insider_feature", COMMS_REDIRECT, method="post", kwargs=_ambassador_id),
    Route("programme:insider_unfeature", COMMS_REDIRECT, method="post", kwargs=_ambassador_id),
    Route("programme:insiders_page_set", COMMS_REDIRECT, method="post", data=lambda cast: {"enabled": "on"}),
    Route("programme:cohort_list", COMMS_PAGE),
    Route("programme:cohort_detail", COMMS_PAGE, kwargs=_cohort),
    Route("programme:cohort_remove", COMMS_REDIRECT, method="post", kwargs=_cohort_member),
    Route("programme:beta_group_set", COMMS_REDIRECT, method="post", data=lambda cast: {}),
    Route("programme:beta_group_end", COMMS_REDIRECT, method="post", kwargs=_beta_group),
    Route("programme:my_ambassadorship", EMPLOYEE_PAGE),
    Route("programme:my_ambassadorship", EMPLOYEE_PAGE, kwargs=lambda cast: _featured_ambassador(cast)),
    Route("programme:invitation_accept", EMPLOYEE_REDIRECT, method="post"),
    Route("programme:invitation_decline", EMPLOYEE_REDIRECT, method="post"),
    Route("programme:ambassador_leave", EMPLOYEE_REDIRECT, method="post", kwargs=_ambassador),
    Route(
        "programme:insider_profile_save",
        expect(employee=302, other_employee=404, comms=404, hr=404),
        method="post",
        kwargs=_featured_ambassador,
        data=lambda cast: {"bio": "I build things.", "consent": "on"},
    ),
    Route("programme:insider_withdraw", EMPLOYEE_REDIRECT, method="post"),
    Route("programme:preview", AMBASSADORS_PAGE, kwargs=_ambassador),
    Route("programme:preview_post", AMBASSADORS_PAGE, kwargs=_upcoming_post),
    # Off by default: only comms may look; on, it is public.
    Route("programme:insiders", expect(anonymous=404, employee=404, comms=200)),
    Route("programme:insiders", PUBLIC, kwargs=_insiders_on),
]
