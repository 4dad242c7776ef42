from django.urls import path

from . import ambassador_views, views

app_name = "programme"

urlpatterns = [
    path("comms/programme/goals/", views.goal_list, name="goal_list"),
    path("comms/programme/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("comms/programme/goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("comms/programme/reach/", views.reach, name="reach"),
    path("me/audience/", views.my_audience, name="my_audience"),
    path("programme/pulse/", views.pulse_manage, name="pulse_manage"),
    path("programme/pulse/<int:survey_id>/", views.pulse_results, name="pulse_results"),
    path("pulse/", views.pulse_take, name="pulse_take"),
    # Ambassadors: identify and invite, group, feature (comms); answer, preview, consent (employees).
    path(
        "comms/programme/ambassadors/candidates/",
        ambassador_views.ambassador_candidates,
        name="ambassador_candidates",
    ),
    path("comms/programme/ambassadors/", ambassador_views.ambassador_list, name="ambassador_list"),
    path(
        "comms/programme/ambassadors/<int:user_id>/invite/",
        ambassador_views.ambassador_invite,
        name="ambassador_invite",
    ),
    path(
        "comms/programme/ambassadors/<int:user_id>/feature/", ambassador_views.insider_feature, name="insider_feature"
    ),
    path(
        "comms/programme/ambassadors/<int:user_id>/unfeature/",
        ambassador_views.insider_unfeature,
        name="insider_unfeature",
    ),
    path("comms/programme/insiders-page/", ambassador_views.insiders_page_set, name="insiders_page_set"),
    path("comms/programme/cohorts/", ambassador_views.cohort_list, name="cohort_list"),
    path("comms/programme/cohorts/<int:cohort_id>/", ambassador_views.cohort_detail, name="cohort_detail"),
    path(
        "comms/programme/cohorts/<int:cohort_id>/remove/<int:user_id>/",
        ambassador_views.cohort_remove,
        name="cohort_remove",
    ),
    path("comms/programme/beta-groups/", ambassador_views.beta_group_set, name="beta_group_set"),
    path("comms/programme/beta-groups/<int:group_id>/end/", ambassador_views.beta_group_end, name="beta_group_end"),
    path("me/ambassador/", ambassador_views.my_ambassadorship, name="my_ambassadorship"),
    path("me/ambassador/accept/", ambassador_views.invitation_accept, name="invitation_accept"),
    path("me/ambassador/decline/", ambassador_views.invitation_decline, name="invitation_decline"),
    path("me/ambassador/leave/", ambassador_views.ambassador_leave, name="ambassador_leave"),
    path("me/insider/", ambassador_views.insider_profile_save, name="insider_profile_save"),
    path("me/insider/withdraw/", ambassador_views.insider_withdraw, name="insider_withdraw"),
    path("ambassadors/preview/", ambassador_views.preview_list, name="preview"),
    path("ambassadors/preview/<int:post_id>/", ambassador_views.preview_post, name="preview_post"),
    path("insiders/", ambassador_views.insiders_page, name="insiders"),
]
