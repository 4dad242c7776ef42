from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("comms/analytics/", views.comms_dashboard, name="comms_dashboard"),
    path("comms/analytics/posts/<int:post_id>/", views.post_performance, name="post_performance"),
    path("comms/analytics/posts/<int:post_id>/<slug:table>.csv", views.post_export_csv, name="post_export"),
    path("hr/analytics/", views.hr_dashboard, name="hr_dashboard"),
    path("analytics/export/<slug:table>.csv", views.export_csv, name="export"),
]
