from django.urls import path

from . import views

app_name = "scim_tokens"

urlpatterns = [
    path("hr/scim-tokens/", views.token_list_view, name="list"),
    path("hr/scim-tokens/<int:token_id>/revoke/", views.token_revoke_view, name="revoke"),
]
