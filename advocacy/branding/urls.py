from django.urls import path

from . import views

app_name = "branding"

urlpatterns = [
    path("comms/branding/", views.branding_edit, name="edit"),
    path("branding.css", views.branding_css, name="css"),
    path("styleguide/", views.styleguide, name="styleguide"),
]
