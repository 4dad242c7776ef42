from django.urls import path

from . import api, directory_views, import_views, invitation_views, mfa_views, views

app_name = "people"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("teams/", views.team_list_view, name="team_list"),
    path("profile/data/", views.my_data, name="my_data"),
    path("people/", directory_views.people_list, name="people_list"),
    path("people/audit/", directory_views.audit_list, name="audit_list"),
    path("people/invite/", invitation_views.person_invite_new, name="person_invite_new"),
    path("people/<int:user_id>/", directory_views.person_detail, name="person_detail"),
    path("people/<int:user_id>/deactivate/", directory_views.person_deactivate, name="person_deactivate"),
    path("people/<int:user_id>/reactivate/", directory_views.person_reactivate, name="person_reactivate"),
    path("people/<int:user_id>/invite/", invitation_views.person_invite, name="person_invite"),
    path("profile/security/", mfa_views.security, name="security"),
    path("profile/security/setup/", mfa_views.security_setup, name="security_setup"),
    path("profile/security/codes/", mfa_views.security_codes, name="security_codes"),
    path("profile/security/codes/download/", mfa_views.security_codes_download, name="security_codes_download"),
    path("profile/security/codes/new/", mfa_views.security_codes_new, name="security_codes_new"),
    path("profile/security/remove/", mfa_views.security_remove, name="security_remove"),
    path("people/<int:user_id>/erase/", views.person_erase_view, name="person_erase"),
    path(
        "people/invitations/<int:invitation_id>/revoke/",
        invitation_views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("people/imports/", import_views.import_list, name="import_list"),
    path("people/imports/new/", import_views.import_new, name="import_new"),
    path("people/imports/sample.csv", import_views.import_sample, name="import_sample"),
    path("people/imports/<int:import_id>/", import_views.import_detail, name="import_detail"),
    path("people/imports/<int:import_id>/status.json", import_views.import_status, name="import_status"),
    path("people/imports/<int:import_id>/start/", import_views.import_start_view, name="import_start"),
    path("people/imports/<int:import_id>/create-teams/", import_views.import_create_teams, name="import_create_teams"),
    path("people/imports/<int:import_id>/discard/", import_views.import_discard_view, name="import_discard"),
    path("people/imports/<int:import_id>/resume/", import_views.import_resume_view, name="import_resume"),
    path("people/imports/<int:import_id>/invite/", import_views.import_invite, name="import_invite"),
    path("invitations/<str:token>/", invitation_views.invitation_accept_view, name="invitation_accept"),
    path("api/me/", api.MeApi.as_view(), name="api_me"),
    path("api/teams/", api.TeamListApi.as_view(), name="api_team_list"),
]
