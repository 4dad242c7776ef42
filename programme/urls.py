from django.urls import path

from . import views

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
    path("comms/programme/ambassadors/candidates/", views.ambassador_candidates, name="ambassador_candidates"),
]
