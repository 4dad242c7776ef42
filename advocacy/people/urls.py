from django.urls import path

from . import api, views

app_name = "people"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("teams/", views.team_list_view, name="team_list"),
    path("profile/data/", views.my_data, name="my_data"),
    path("people/", views.people_list, name="people_list"),
    path("people/<int:user_id>/erase/", views.person_erase_view, name="person_erase"),
    path("api/me/", api.MeApi.as_view(), name="api_me"),
    path("api/teams/", api.TeamListApi.as_view(), name="api_team_list"),
]
