from django.urls import path

from . import api, views

app_name = "sharing"

urlpatterns = [
    path("s/<str:code>", views.tracked_redirect, name="redirect"),
    path("p/<str:code>/", views.landing, name="landing"),
    path("share/<slug:slug>/", views.share, name="share"),
    path("shares/<int:share_id>/open/", views.share_open, name="share_open"),
    path("activity/", views.my_activity, name="my_activity"),
    path("activity/<int:share_id>/published/", views.published_url, name="published_url"),
    path("api/shares/", api.ShareListApi.as_view(), name="api_share_list"),
    path("api/shares/create/", api.ShareCreateApi.as_view(), name="api_share_create"),
    path(
        "api/shares/<int:share_id>/published-url/", api.SharePublishedUrlApi.as_view(), name="api_share_published_url"
    ),
]
