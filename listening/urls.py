from django.urls import path

from . import views

app_name = "listening"

urlpatterns = [
    path("listening/", views.monitor, name="monitor"),
    path("listening/settings/", views.term_settings, name="settings"),
    path("listening/settings/<int:term_id>/remove/", views.term_remove_view, name="term_remove"),
]
