from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("challenges/", views.challenge_list, name="list"),
    path("challenges/mine/", views.my_entries, name="my_entries"),
    path("challenges/mine/<int:entry_id>/consent/", views.entry_consent, name="entry_consent"),
    path("challenges/manage/", views.manage_list, name="manage_list"),
    path("challenges/manage/<slug:slug>/", views.manage_detail, name="manage_detail"),
    path("challenges/manage/<slug:slug>/status/", views.manage_status, name="manage_status"),
    path("challenges/manage/<slug:slug>/entries/<int:entry_id>/ask/", views.manage_ask, name="manage_ask"),
    path("challenges/manage/<slug:slug>/entries/<int:entry_id>/promote/", views.manage_promote, name="manage_promote"),
    path("challenges/<slug:slug>/", views.challenge_detail, name="detail"),
    path("challenges/<slug:slug>/enter/", views.entry_new, name="enter"),
]
