from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("comms/programme/goals/", views.goal_list, name="goal_list"),
    path("comms/programme/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("comms/programme/goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
]
