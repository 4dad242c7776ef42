"""What the programme contributes to lower apps' pages, through ``advocacy.panels`` (they never import it)."""

from django.urls import reverse

from advocacy.panels import Panel, register_digest_line, register_panel


def comms_dashboard_goals(*, request) -> Panel:
    from .selectors import goals_current_progress

    return Panel(
        template="programme/_dashboard_goals.html",
        context={"goals": goals_current_progress(), "manage_url": reverse("programme:goal_list")},
    )


def digest_programme_line(*, user, now) -> str:
    from django.utils import timezone

    from .selectors import programme_digest_line

    return programme_digest_line(today=timezone.localdate(now))


def comms_dashboard_reach(*, request) -> Panel:
    from .reach import reach_summary

    return Panel(
        template="programme/_dashboard_reach.html",
        context={"reach": reach_summary(), "calculator_url": reverse("programme:reach")},
    )


def comms_post_feedback(*, request, post) -> Panel:
    from .preview import feedback_thread, is_upcoming

    return Panel(
        template="programme/_editor_feedback.html",
        context={
            "post": post,
            "feedback": list(feedback_thread(post=post)),
            # The thread takes replies while the post is upcoming (what ambassadors preview).
            "thread_url": reverse("programme:preview_post", kwargs={"post_id": post.pk}) if is_upcoming(post) else "",
        },
    )


def beta_narrowing(*, user, now):
    from .ambassadorship import beta_narrowing_q

    return beta_narrowing_q(user=user, now=now)


def register_hooks() -> None:
    from content_library.registry import register_audience_narrowing
    from notifications.registry import register_invitation_reader

    from .ambassadorship import invitation_notice
    from .personal_data import register_section

    register_section()
    register_audience_narrowing(beta_narrowing)
    register_invitation_reader(invitation_notice)
    register_panel("comms_post_editor", key="programme.feedback", provider=comms_post_feedback)
    register_panel("comms_dashboard", key="programme.goals", provider=comms_dashboard_goals)
    register_panel("comms_dashboard", key="programme.reach", provider=comms_dashboard_reach)
    register_digest_line(key="programme.goals", provider=digest_programme_line)
