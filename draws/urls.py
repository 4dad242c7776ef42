from django.urls import path

from . import views

app_name = "draws"

urlpatterns = [
    path("draws/", views.draw_list_view, name="list"),
    path("draws/<int:pk>/", views.draw_detail, name="detail"),
    path("draws/<int:pk>/enter/", views.free_entry, name="free_entry"),
    path("draws/<int:pk>/verify/", views.verify, name="verify"),
    path("draws/<int:pk>/entrants.txt", views.download_list, name="download_list"),
    path("draws/<int:pk>/record.json", views.download_record, name="download_record"),
    path("hr/draws/", views.manage_list, name="manage_list"),
    path("hr/draws/new/", views.manage_create, name="manage_create"),
    path("hr/draws/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("hr/draws/<int:pk>/rules/", views.manage_rules, name="manage_rules"),
    path("hr/draws/<int:pk>/freeze/", views.manage_freeze, name="manage_freeze"),
    path("hr/draws/<int:pk>/draw/", views.manage_run, name="manage_run"),
    path("hr/draws/<int:pk>/winners/<int:winner_pk>/redraw/", views.manage_redraw, name="manage_redraw"),
    path("hr/draws/<int:pk>/export.csv", views.manage_export, name="manage_export"),
]
