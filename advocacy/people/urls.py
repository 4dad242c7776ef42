from django.urls import path

from . import api, mfa_views, views

app_name = "people"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("teams/", views.team_list_view, name="team_list"),
    path("profile/data/", views.my_data, name="my_data"),
    path("profile/security/", mfa_views.security, name="security"),
    path("profile/security/setup/", mfa_views.security_setup, name="security_setup"),
    path("profile/security/codes/", mfa_views.security_codes, name="security_codes"),
    path("profile/security/codes/download/", mfa_views.security_codes_download, name="security_codes_download"),
    path("profile/security/codes/new/", mfa_views.security_codes_new, name="security_codes_new"),
    path("profile/security/remove/", mfa_views.security_remove, name="security_remove"),
    path("people/", views.people_list, name="people_list"),
    path("people/<int:user_id>/erase/", views.person_erase_view, name="person_erase"),
    path("api/me/", api.MeApi.as_view(), name="api_me"),
    path("api/teams/", api.TeamListApi.as_view(), name="api_team_list"),
]
